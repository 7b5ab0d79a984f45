// The Admin GraphQL documents shopkeep sends, in one place: the simulator answers exactly these, and
// the mapping in model.ts reads exactly these fields. The API version is pinned.
export const API_VERSION = '2026-10';

const MONEY_BAG = 'shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }';
const TAX_LINE = `title rate priceSet { ${MONEY_BAG} }`;

/** How many of each nested list one order query reads; more than this and the order is exported in bulk. */
export const ORDER_LIMITS = {
  lines: 25,
  shippingLines: 3,
  transactions: 10,
  refunds: 5,
  refundLines: 10,
  refundShippingLines: 3,
  refundAdjustments: 3,
  refundTransactions: 3,
};

/**
 * One order's fields. A single-order query reads nested connections as `(first: n) { pageInfo nodes }`
 * within ORDER_LIMITS (so its cost stays under Shopify's 1,000 per query); a bulk operation takes them
 * whole, without `first`, as `edges { node }`, and returns each child as its own JSONL line.
 */
function orderFields(bulk: boolean): string {
  const connection = (name: string, first: number, fields: string) =>
    bulk
      ? `${name} { edges { node { ${fields} } } }`
      : `${name}(first: ${first}) { pageInfo { hasNextPage } nodes { ${fields} } }`;
  const list = (name: string, first: number) => (bulk ? `${name}(first: 250)` : `${name}(first: ${first})`);
  const transaction = `id kind status gateway processedAt test amountSet { ${MONEY_BAG} } parentTransaction { id }
      fees { amount { amount currencyCode } }`;
  return `
  id legacyResourceId name createdAt updatedAt processedAt cancelledAt cancelReason closedAt test
  currencyCode presentmentCurrencyCode taxesIncluded displayFinancialStatus displayFulfillmentStatus email
  sourceName tags paymentGatewayNames discountCodes
  customer { id legacyResourceId }
  shippingAddress { countryCodeV2 provinceCode }
  subtotalPriceSet { ${MONEY_BAG} }
  totalPriceSet { ${MONEY_BAG} }
  totalTaxSet { ${MONEY_BAG} }
  totalShippingPriceSet { ${MONEY_BAG} }
  totalDiscountsSet { ${MONEY_BAG} }
  originalTotalDutiesSet { ${MONEY_BAG} }
  totalRefundedSet { ${MONEY_BAG} }
  taxLines { ${TAX_LINE} }
  customerJourneySummary {
    firstVisit { landingPage referrerUrl source utmParameters { source medium campaign content term } }
    lastVisit { landingPage referrerUrl source utmParameters { source medium campaign content term } }
  }
  ${connection(
    'lineItems',
    ORDER_LIMITS.lines,
    `id name sku quantity isGiftCard variant { id legacyResourceId } product { id legacyResourceId }
      originalUnitPriceSet { ${MONEY_BAG} } discountAllocations { allocatedAmountSet { ${MONEY_BAG} } }
      taxLines { ${TAX_LINE} }`,
  )}
  ${connection(
    'shippingLines',
    ORDER_LIMITS.shippingLines,
    `id title originalPriceSet { ${MONEY_BAG} } discountedPriceSet { ${MONEY_BAG} } taxLines { ${TAX_LINE} }`,
  )}
  ${list('transactions', ORDER_LIMITS.transactions)} { ${transaction} }
  ${list('refunds', ORDER_LIMITS.refunds)} {
    id legacyResourceId createdAt note
    totalRefundedSet { ${MONEY_BAG} }
    ${connection(
      'refundLineItems',
      ORDER_LIMITS.refundLines,
      `id lineItem { id } quantity restockType subtotalSet { ${MONEY_BAG} } totalTaxSet { ${MONEY_BAG} }`,
    )}
    ${
      // A bulk query holds at most five connections (the orders, their lines, shipping lines, refund
      // lines and refund transactions): refunded shipping and adjustments are read order by order. A
      // bulk-read refund's shipping and differences are taxed at the refunded goods' rate, as in law.
      bulk
        ? ''
        : `${connection(
            'refundShippingLines',
            ORDER_LIMITS.refundShippingLines,
            `id subtotalAmountSet { ${MONEY_BAG} } taxAmountSet { ${MONEY_BAG} }`,
          )}
    ${connection(
      'orderAdjustments',
      ORDER_LIMITS.refundAdjustments,
      `id reason amountSet { ${MONEY_BAG} } taxAmountSet { ${MONEY_BAG} }`,
    )}`
    }
    duties { amountSet { ${MONEY_BAG} } }
    ${connection('transactions', ORDER_LIMITS.refundTransactions, transaction)}
  }`;
}

const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

export const SHOP_QUERY = `query Shop { shop { name myshopifyDomain currencyCode ianaTimezone } }`;

/**
 * Which orders changed in a time range (Shopify's search syntax on updated_at): ids and versions only,
 * 250 to a page for a cost of about 250; the changed ones are then fetched whole.
 */
export const ORDER_VERSIONS_QUERY = `query OrderVersions($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    ${PAGE_INFO}
    nodes { legacyResourceId updatedAt }
  }
}`;

export const ORDER_QUERY = `query Order($id: ID!) { order(id: $id) { ${orderFields(false)} } }`;

/** A bulk export of orders, all of them or those a search matches (a bulk query allows five connections, nested two deep: these are five). */
export function bulkOrdersQuery(search?: string): string {
  const filter = search ? `(query: ${JSON.stringify(search)})` : '';
  return `{ orders${filter} { edges { node { ${orderFields(true)} } } } }`;
}

const VARIANT_FIELDS = `id legacyResourceId title sku price compareAtPrice inventoryQuantity updatedAt
  inventoryItem { id legacyResourceId tracked unitCost { amount currencyCode } }`;

const PRODUCT_FIELDS = `id legacyResourceId title handle status vendor productType tags createdAt updatedAt
  featuredMedia { preview { image { url } } }`;

export const PRODUCT_VERSIONS_QUERY = `query ProductVersions($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    ${PAGE_INFO}
    nodes { legacyResourceId updatedAt }
  }
}`;

/** One product with its variants, 100 at a time (PRODUCT_VARIANTS_QUERY reads further pages). */
export const PRODUCT_QUERY = `query Product($id: ID!) {
  product(id: $id) { ${PRODUCT_FIELDS} variants(first: 100) { ${PAGE_INFO} nodes { ${VARIANT_FIELDS} } } }
}`;

export const PRODUCT_VARIANTS_QUERY = `query ProductVariants($id: ID!, $after: String) {
  product(id: $id) { variants(first: 100, after: $after) { ${PAGE_INFO} nodes { ${VARIANT_FIELDS} } } }
}`;

export function bulkProductsQuery(search?: string): string {
  const filter = search ? `(query: ${JSON.stringify(search)})` : '';
  return `{ products${filter} { edges { node { ${PRODUCT_FIELDS} variants { edges { node { ${VARIANT_FIELDS} } } } } } } }`;
}

export const LOCATIONS_QUERY = `query Locations { locations(first: 50) { nodes { id legacyResourceId name isActive } } }`;

export const INVENTORY_LEVELS_QUERY = `query InventoryLevels($location: ID!, $first: Int!, $after: String) {
  location(id: $location) {
    inventoryLevels(first: $first, after: $after) {
      ${PAGE_INFO}
      nodes { id updatedAt item { id legacyResourceId } quantities(names: ["available"]) { name quantity } }
    }
  }
}`;

export const CUSTOMERS_QUERY = `query Customers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    ${PAGE_INFO}
    nodes { id legacyResourceId firstName lastName email phone tags createdAt updatedAt numberOfOrders
      amountSpent { amount currencyCode } }
  }
}`;

const BALANCE_FIELDS = `id type transactionDate test
  amount { amount currencyCode } fee { amount currencyCode } net { amount currencyCode }
  sourceType sourceId associatedOrder { id } associatedPayout { id status }`;

/** All of them in one export: a large shop has one per order, too many to page through at query cost. */
export const BULK_BALANCE_TRANSACTIONS_QUERY = `{ shopifyPaymentsAccount { balanceTransactions { edges { node { ${BALANCE_FIELDS} } } } } }`;

/** Newest first: polling stops once a page holds nothing new or changed. */
export const BALANCE_TRANSACTIONS_QUERY = `query BalanceTransactions($first: Int!, $after: String) {
  shopifyPaymentsAccount {
    balanceTransactions(first: $first, after: $after, reverse: true) {
      ${PAGE_INFO}
      nodes { ${BALANCE_FIELDS} }
    }
  }
}`;

export const PAYOUTS_QUERY = `query Payouts($first: Int!, $after: String) {
  shopifyPaymentsAccount {
    payouts(first: $first, after: $after, reverse: true) {
      ${PAGE_INFO}
      nodes { id legacyResourceId status issuedAt transactionType net { amount currencyCode }
        summary { chargesGross { amount currencyCode } chargesFee { amount currencyCode }
          refundsFeeGross { amount currencyCode } refundsFee { amount currencyCode }
          adjustmentsGross { amount currencyCode } adjustmentsFee { amount currencyCode }
          reservedFundsGross { amount currencyCode } reservedFundsFee { amount currencyCode } } }
    }
  }
}`;

export const DISPUTES_QUERY = `query Disputes($first: Int!, $after: String) {
  shopifyPaymentsAccount {
    disputes(first: $first, after: $after, reverse: true) {
      ${PAGE_INFO}
      nodes { id legacyResourceId status reasonDetails { reason } initiatedAt evidenceDueBy finalizedOn
        amount { amount currencyCode } order { id } }
    }
  }
}`;

export const BULK_RUN_MUTATION = `mutation BulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}`;

export const BULK_STATUS_QUERY = `query BulkStatus($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode objectCount url partialDataUrl } }
}`;

export const WEBHOOK_SUBSCRIPTIONS_QUERY = `query WebhookSubscriptions($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    ${PAGE_INFO}
    nodes { id topic uri format }
  }
}`;

export const WEBHOOK_CREATE_MUTATION = `mutation WebhookCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`;

export const WEBHOOK_DELETE_MUTATION = `mutation WebhookDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } }
}`;
