// GraphQL answers (camelCase; also bulk JSONL objects once their children are put back) → the shop
// model: the same values the webhook path produces for the same order.
import type {
  Amount,
  BalanceTransaction,
  Customer,
  Dispute,
  InventoryLevel,
  Order,
  Payout,
  Product,
  Refund,
  TaxLine,
  Transaction,
  Visit,
} from './model.ts';
import { Reader } from './read.ts';

function amount(bag: Reader | null): Amount {
  if (!bag) return { shop: 0, presentment: 0 };
  const shop = bag.object('shopMoney');
  const presentment = bag.optionalObject('presentmentMoney') ?? shop;
  return {
    shop: shop.money('amount', shop.string('currencyCode')),
    presentment: presentment.money('amount', presentment.string('currencyCode')),
  };
}

function sum(amounts: Amount[]): Amount {
  return amounts.reduce(
    (total, each) => ({ shop: total.shop + each.shop, presentment: total.presentment + each.presentment }),
    { shop: 0, presentment: 0 },
  );
}

function money(value: Reader): { currency: string; minor: number } {
  const currency = value.string('currencyCode');
  return { currency, minor: value.money('amount', currency) };
}

function taxLines(owner: Reader): TaxLine[] {
  return owner.list('taxLines').map((line) => ({
    title: line.optionalString('title') ?? 'Tax',
    rate: String(line.value.rate ?? '0'),
    amount: amount(line.object('priceSet')),
  }));
}

function visit(value: Reader | null): Visit | null {
  if (!value) return null;
  const utm = value.optionalObject('utmParameters');
  const param = (key: string) => utm?.optionalString(key)?.toLowerCase() ?? null;
  return {
    source: param('source'),
    medium: param('medium'),
    campaign: param('campaign'),
    content: param('content'),
    term: param('term'),
    landingPage: value.optionalString('landingPage'),
    referrer: value.optionalString('referrerUrl'),
  };
}

export function transactionFromApi(node: Reader, orderId: number): Transaction {
  const bag = node.object('amountSet');
  const presentment = bag.optionalObject('presentmentMoney') ?? bag.object('shopMoney');
  const fees = node.list('fees');
  return {
    id: node.id('id'),
    orderId,
    kind: node.string('kind').toLowerCase(),
    status: node.string('status').toLowerCase(),
    gateway: node.optionalString('gateway') ?? 'unknown',
    processedAt: node.optionalTime('processedAt') ?? new Date(0).toISOString(),
    parentId: node.optionalObject('parentTransaction')?.id('id') ?? null,
    test: node.boolean('test'),
    currency: presentment.string('currencyCode'),
    amount: amount(bag),
    fee: fees.length ? fees.reduce((sum, fee) => sum + money(fee.object('amount')).minor, 0) : null,
  };
}

export interface OrderFromApi {
  order: Order;
  transactions: Transaction[];
  refunds: Refund[];
}

export function orderFromApi(value: unknown): OrderFromApi {
  const order = Reader.of(value, 'order');
  const id = order.id('legacyResourceId');
  const address = order.optionalObject('shippingAddress');
  const journey = order.optionalObject('customerJourneySummary');
  const total = order.object('totalPriceSet');
  const result: Order = {
    id,
    name: order.string('name'),
    createdAt: order.time('createdAt'),
    updatedAt: order.time('updatedAt'),
    processedAt: order.optionalTime('processedAt'),
    cancelledAt: order.optionalTime('cancelledAt'),
    cancelReason: order.optionalString('cancelReason')?.toLowerCase() ?? null,
    closedAt: order.optionalTime('closedAt'),
    test: order.boolean('test'),
    currency: order.optionalString('currencyCode') ?? total.object('shopMoney').string('currencyCode'),
    presentmentCurrency:
      order.optionalString('presentmentCurrencyCode') ??
      total.object('presentmentMoney').string('currencyCode'),
    taxesIncluded: order.boolean('taxesIncluded'),
    financialStatus: order.optionalString('displayFinancialStatus')?.toLowerCase() ?? null,
    // The API's PARTIALLY_FULFILLED is REST's "partial".
    fulfillmentStatus:
      order
        .optionalString('displayFulfillmentStatus')
        ?.toLowerCase()
        .replace('partially_fulfilled', 'partial') ?? null,
    email: order.optionalString('email') || null,
    customerId: order.optionalObject('customer')?.id('id') ?? null,
    tags: order.strings('tags'),
    gateways: order.strings('paymentGatewayNames'),
    discountCodes: order.strings('discountCodes'),
    sourceName: order.optionalString('sourceName'),
    shippingCountry: address?.optionalString('countryCodeV2') ?? null,
    shippingProvince: address?.optionalString('provinceCode') ?? null,
    subtotal: amount(order.optionalObject('subtotalPriceSet')),
    total: amount(total),
    tax: amount(order.optionalObject('totalTaxSet')),
    shipping: amount(order.optionalObject('totalShippingPriceSet')),
    discounts: amount(order.optionalObject('totalDiscountsSet')),
    duties: amount(order.optionalObject('originalTotalDutiesSet')),
    companyId: order.optionalObject('purchasingEntity')?.optionalObject('company')?.id('id') ?? null,
    taxLines: taxLines(order),
    lines: order.nodes('lineItems').map((line) => ({
      id: line.id('id'),
      variantId: line.optionalObject('variant')?.id('id') ?? null,
      productId: line.optionalObject('product')?.id('id') ?? null,
      sku: line.optionalString('sku') || null,
      name: line.optionalString('name') ?? '',
      quantity: line.integer('quantity'),
      unitPrice: amount(line.object('originalUnitPriceSet')),
      // Every discount is in the allocations; totalDiscountSet only when an old answer lacks them.
      discount: line.has('discountAllocations')
        ? sum(line.list('discountAllocations').map((each) => amount(each.object('allocatedAmountSet'))))
        : amount(line.optionalObject('totalDiscountSet')),
      taxLines: taxLines(line),
      giftCard: line.boolean('isGiftCard'),
    })),
    shippingLines: order.nodes('shippingLines').map((line) => ({
      id: line.id('id'),
      title: line.optionalString('title') ?? 'Shipping',
      price: amount(line.object('originalPriceSet')),
      discountedPrice: amount(line.optionalObject('discountedPriceSet') ?? line.object('originalPriceSet')),
      taxLines: taxLines(line),
    })),
    firstVisit: visit(journey?.optionalObject('firstVisit') ?? null),
    lastVisit: visit(journey?.optionalObject('lastVisit') ?? null),
  };
  const refunds: Refund[] = order.list('refunds').map((refund) => ({
    id: refund.id('legacyResourceId'),
    orderId: id,
    createdAt: refund.time('createdAt'),
    note: refund.optionalString('note'),
    lines: refund.nodes('refundLineItems').map((line) => ({
      lineId: line.object('lineItem').id('id'),
      quantity: line.integer('quantity'),
      restockType: line.string('restockType').toLowerCase(),
      subtotal: amount(line.optionalObject('subtotalSet')),
      tax: amount(line.optionalObject('totalTaxSet')),
    })),
    shipping: refund.nodes('refundShippingLines').map((line) => ({
      subtotal: amount(line.object('subtotalAmountSet')),
      tax: amount(line.object('taxAmountSet')),
    })),
    adjustments: refund.nodes('orderAdjustments').map((adjustment) => ({
      reason: (adjustment.optionalString('reason') ?? 'REFUND_DISCREPANCY').toLowerCase(),
      amount: amount(adjustment.object('amountSet')),
      tax: amount(adjustment.optionalObject('taxAmountSet')),
    })),
    duties: sum(refund.list('duties').map((duty) => amount(duty.object('amountSet')))),
    transactions: refund.nodes('transactions').map((transaction) => transactionFromApi(transaction, id)),
  }));
  const transactions = order.list('transactions').map((transaction) => transactionFromApi(transaction, id));
  return { order: result, transactions, refunds };
}

/** Variant prices are decimals in the shop's currency, which the answer does not name. */
export function productFromApi(value: unknown, shopCurrency: string): Product {
  const product = Reader.of(value, 'product');
  const id = product.id('legacyResourceId');
  const image = product.optionalObject('featuredMedia')?.optionalObject('preview')?.optionalObject('image');
  return {
    id,
    title: product.string('title'),
    handle: product.optionalString('handle') ?? '',
    status: (product.optionalString('status') ?? 'ACTIVE').toLowerCase(),
    vendor: product.optionalString('vendor'),
    productType: product.optionalString('productType') || null,
    tags: product.strings('tags'),
    imageUrl: image?.optionalString('url') ?? null,
    createdAt: product.time('createdAt'),
    updatedAt: product.time('updatedAt'),
    variants: product.nodes('variants').map((variant) => {
      const item = variant.optionalObject('inventoryItem');
      const cost = item?.optionalObject('unitCost');
      return {
        id: variant.id('legacyResourceId'),
        productId: id,
        title: variant.optionalString('title') ?? '',
        sku: variant.optionalString('sku') || null,
        price: variant.money('price', shopCurrency),
        compareAtPrice: variant.has('compareAtPrice') ? variant.money('compareAtPrice', shopCurrency) : null,
        inventoryItemId: item?.id('legacyResourceId') ?? null,
        inventoryQuantity: variant.optionalInteger('inventoryQuantity'),
        unitCost: cost ? money(cost).minor : null,
      };
    }),
  };
}

export function inventoryLevelFromApi(value: unknown, locationId: number): InventoryLevel {
  const level = Reader.of(value, 'inventoryLevel');
  const available = level.list('quantities').find((quantity) => quantity.string('name') === 'available');
  return {
    inventoryItemId: level.object('item').id('legacyResourceId'),
    locationId,
    available: available?.integer('quantity') ?? 0,
    updatedAt: level.time('updatedAt'),
  };
}

export function customerFromApi(value: unknown): Customer {
  const customer = Reader.of(value, 'customer');
  return {
    id: customer.id('legacyResourceId'),
    email: customer.optionalString('email'),
    firstName: customer.optionalString('firstName'),
    lastName: customer.optionalString('lastName'),
    phone: customer.optionalString('phone'),
    tags: customer.strings('tags'),
    createdAt: customer.time('createdAt'),
    updatedAt: customer.time('updatedAt'),
  };
}

export function balanceTransactionFromApi(value: unknown): BalanceTransaction {
  const row = Reader.of(value, 'balanceTransaction');
  const gross = money(row.object('amount'));
  const payout = row.optionalObject('associatedPayout');
  return {
    id: row.id('id'),
    type: row.string('type').toLowerCase(),
    test: row.boolean('test'),
    transactionDate: row.time('transactionDate'),
    currency: gross.currency,
    amount: gross.minor,
    fee: money(row.object('fee')).minor,
    net: money(row.object('net')).minor,
    sourceType: row.optionalString('sourceType')?.toLowerCase() ?? null,
    sourceId: row.optionalId('sourceId'),
    orderId: row.optionalObject('associatedOrder')?.id('id') ?? null,
    payoutId: payout?.optionalId('id') ?? null,
    payoutStatus: payout?.optionalString('status')?.toLowerCase() ?? null,
  };
}

export function payoutFromApi(value: unknown): Payout {
  const payout = Reader.of(value, 'payout');
  const net = money(payout.object('net'));
  const summary: Record<string, number> = {};
  const parts = payout.optionalObject('summary');
  for (const key of Object.keys(parts?.value ?? {})) {
    const part = parts!.optionalObject(key);
    if (part) summary[key] = money(part).minor;
  }
  return {
    id: payout.id('legacyResourceId'),
    status: payout.string('status').toLowerCase(),
    issuedAt: payout.time('issuedAt'),
    currency: net.currency,
    net: net.minor,
    summary,
  };
}

export function disputeFromApi(value: unknown): Dispute {
  const dispute = Reader.of(value, 'dispute');
  const disputed = money(dispute.object('amount'));
  return {
    id: dispute.id('legacyResourceId'),
    orderId: dispute.optionalObject('order')?.id('id') ?? null,
    status: dispute.string('status').toLowerCase(),
    reason: dispute.optionalObject('reasonDetails')?.optionalString('reason')?.toLowerCase() ?? null,
    currency: disputed.currency,
    amount: disputed.minor,
    initiatedAt: dispute.time('initiatedAt'),
    evidenceDueBy: dispute.optionalTime('evidenceDueBy'),
    finalizedOn: dispute.optionalTime('finalizedOn'),
  };
}
