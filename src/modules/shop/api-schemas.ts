// What the shop's API answers, as /api/docs shows it (and the tests hold every answer to).
import { Nullable, ShopifyId } from '../../platform/http/schemas.ts';
import { Type } from 'typebox';

/** A moment, sent as an ISO 8601 string. */
const Timestamp = Type.String({ format: 'date-time' });
/** Shopify's numeric id. */
const Id = ShopifyId('Shopify’s id');

const Amount = Type.Object(
  {
    shop: Type.Integer({ description: 'in minor units of the order’s `currency` (the shop’s)' }),
    presentment: Type.Integer({
      description: 'in minor units of `presentmentCurrency` (what the customer paid in)',
    }),
  },
  { description: 'money in the shop’s currency and in the customer’s' },
);

const TaxLine = Type.Object({
  title: Type.String({ description: '"GB VAT", …' }),
  rate: Type.String({ description: 'a decimal rate such as "0.2"' }),
  amount: Amount,
});

const OrderLine = Type.Object({
  id: Id,
  variantId: Nullable(Id),
  productId: Nullable(Id),
  sku: Nullable(Type.String()),
  name: Type.String({ description: 'the product and variant as sold' }),
  quantity: Type.Integer(),
  unitPrice: Amount,
  discount: Type.Object(Amount.properties, { description: 'the whole line’s discount' }),
  taxLines: Type.Array(TaxLine),
  giftCard: Type.Boolean(),
});

const ShippingLine = Type.Object({
  id: Id,
  title: Type.String({ description: 'the shipping method' }),
  price: Amount,
  discountedPrice: Amount,
  taxLines: Type.Array(TaxLine),
});

const Visit = Nullable(
  Type.Object(
    {
      source: Nullable(Type.String({ description: 'utm_source, lowercase' })),
      medium: Nullable(Type.String({ description: 'utm_medium' })),
      campaign: Nullable(Type.String({ description: 'utm_campaign' })),
      content: Nullable(Type.String({ description: 'utm_content' })),
      term: Nullable(Type.String({ description: 'utm_term' })),
      landingPage: Nullable(Type.String({ description: 'the page the visit landed on' })),
      referrer: Nullable(Type.String()),
    },
    { description: 'where a visit came from; null when not known' },
  ),
);

const RefundLine = Type.Object({
  lineId: Id,
  quantity: Type.Integer(),
  restockType: Type.String({ description: 'return, cancel, no_restock or legacy_restock' }),
  subtotal: Amount,
  tax: Amount,
});

const MinorOf = (what: string) => Type.Integer({ description: `in minor units of ${what}` });

export const OrderRow = Type.Object(
  {
    id: Id,
    name: Type.String({ description: 'the order number as the shop shows it: "#1001"' }),
    createdAt: Timestamp,
    financialStatus: Nullable(Type.String({ description: 'pending, paid, partially_refunded, …' })),
    fulfillmentStatus: Nullable(Type.String({ description: 'unfulfilled, partial, fulfilled, …' })),
    cancelledAt: Nullable(Timestamp),
    currency: Type.String({ description: 'the shop’s currency (ISO 4217)' }),
    totalMinor: MinorOf('`currency`'),
    customerId: Nullable(Id),
    email: Nullable(Type.String()),
    utmSource: Nullable(
      Type.String({
        description: 'where the customer came from (last visit’s utm_source, else the first’s)',
      }),
    ),
  },
  { description: 'an order as lists show it' },
);

export const OrderPage = Type.Object({
  orders: Type.Array(OrderRow),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next page; null on the last' })),
});

export const OrderDetail = Type.Object(
  {
    id: Id,
    name: Type.String({ description: '"#1001"' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    processedAt: Nullable(Timestamp),
    cancelledAt: Nullable(Timestamp),
    cancelReason: Nullable(Type.String({ description: 'customer, fraud, inventory, declined, other' })),
    closedAt: Nullable(Timestamp),
    test: Type.Boolean({ description: 'a test order (not in the books)' }),
    currency: Type.String({ description: 'the shop’s currency (ISO 4217)' }),
    presentmentCurrency: Type.String({ description: 'the currency the customer paid in' }),
    taxesIncluded: Type.Boolean({ description: 'prices include tax' }),
    financialStatus: Nullable(Type.String({ description: 'pending, paid, partially_refunded, …' })),
    fulfillmentStatus: Nullable(Type.String({ description: 'unfulfilled, partial, fulfilled, …' })),
    email: Nullable(Type.String()),
    customerId: Nullable(Id),
    tags: Type.Array(Type.String()),
    gateways: Type.Array(Type.String({ description: 'shopify_payments, paypal, manual, …' })),
    discountCodes: Type.Array(Type.String()),
    sourceName: Nullable(Type.String({ description: 'web, pos, …' })),
    shippingCountry: Nullable(Type.String({ description: 'ISO 3166 country code' })),
    shippingProvince: Nullable(Type.String()),
    subtotal: Amount,
    total: Amount,
    tax: Amount,
    shipping: Amount,
    discounts: Amount,
    duties: Amount,
    companyId: Nullable(Id),
    taxLines: Type.Array(TaxLine),
    lines: Type.Array(OrderLine),
    shippingLines: Type.Array(ShippingLine),
    firstVisit: Visit,
    lastVisit: Visit,
    paidAt: Nullable(Timestamp),
    storedFrom: Type.Enum(['webhook', 'api'], { description: 'how the stored version arrived' }),
    transactions: Type.Array(
      Type.Object({
        id: Id,
        refundId: Nullable(Id),
        kind: Type.String({ description: 'sale, capture, authorization, refund, void' }),
        status: Type.String({ description: 'success, failure, pending, error' }),
        gateway: Type.String(),
        processedAt: Timestamp,
        currency: Type.String({ description: 'the currency the customer paid in' }),
        amountShopMinor: Nullable(
          MinorOf('the order’s `currency`; null until Shopify says it (a payment in another currency)'),
        ),
        amountPresentmentMinor: MinorOf('`currency`'),
        feeMinor: Nullable(MinorOf('the order’s `currency` (Shopify Payments only)')),
      }),
      { description: 'payments, captures, refunds and voids, oldest first' },
    ),
    refunds: Type.Array(
      Type.Object({
        id: Id,
        createdAt: Timestamp,
        note: Nullable(Type.String()),
        lines: Type.Array(RefundLine),
        shipping: Type.Array(Type.Object({ subtotal: Amount, tax: Amount }), {
          description: 'shipping given back: its price as charged and the tax in it',
        }),
        adjustments: Type.Array(Type.Object({ reason: Type.String(), amount: Amount, tax: Amount }), {
          description: 'the refund made differs from the one worked out (a restocking fee, goodwill)',
        }),
        duties: Amount,
      }),
    ),
  },
  { description: 'an order with its lines, taxes, shipping, payments, refunds and where it came from' },
);

export const ProductRow = Type.Object({
  id: Id,
  title: Type.String(),
  status: Type.String({ description: 'active, draft or archived' }),
  imageUrl: Nullable(Type.String({ description: 'the main photo' })),
  variants: Type.Array(
    Type.Object({
      id: Id,
      title: Type.String(),
      sku: Nullable(Type.String()),
      priceMinor: MinorOf('the shop’s currency'),
      unitCostMinor: Nullable(MinorOf('the shop’s currency')),
      available: Nullable(
        Type.Integer({
          description: 'units available across locations; null when Shopify does not count it',
        }),
      ),
      threshold: Type.Integer({ description: 'low at or below this many units' }),
      low: Type.Boolean(),
    }),
  ),
});

const RunSummary = Nullable(
  Type.Object(
    {
      id: Type.Integer(),
      status: Type.Enum(['running', 'done', 'failed']),
      step: Nullable(Type.String({ description: 'what the run is doing or did last: orders, payouts, …' })),
      startedAt: Timestamp,
      finishedAt: Nullable(Timestamp),
      repaired: Type.Integer({ description: 'changes found that no webhook had delivered' }),
      progress: Type.Record(Type.String(), Type.Unknown(), {
        description: 'how far it got: `counts` of each kind, and for an import where it resumes',
      }),
      error: Nullable(Type.String()),
    },
    { description: 'null before the first run' },
  ),
);

export const SyncStatus = Type.Object({
  connected: Type.Boolean(),
  shop: Nullable(Type.String({ description: 'the myshopify.com domain' })),
  from: Nullable(
    Type.Enum(['environment', 'dashboard'], {
      description: 'where the connection is set: SHOPIFY_* variables, or entered in the dashboard',
    }),
  ),
  lastWebhookAt: Nullable(Timestamp),
  webhooks: Type.Object({
    last24h: Type.Integer({ description: 'deliveries received in the last 24 hours' }),
    pending: Type.Integer({ description: 'stored, not applied yet' }),
    failed: Type.Integer({ description: 'set aside, waiting on the operations page' }),
  }),
  lastImport: RunSummary,
  lastReconciliation: RunSummary,
  driftLast7Days: Type.Integer({
    description: 'changes reconciliation found in the last 7 days that no webhook had delivered',
  }),
});

export const ShopInfo = Type.Object({
  name: Type.String(),
  domain: Type.String({ description: 'the myshopify.com domain' }),
  currency: Type.String({ description: 'the shop’s currency (ISO 4217)' }),
  timezone: Type.String({ description: 'the shop’s IANA time zone' }),
});

export const WebhookRegistration = Type.Object({
  created: Type.Array(Type.String(), { description: 'topics registered now' }),
  kept: Type.Array(Type.String(), { description: 'topics already registered at this address' }),
  removed: Type.Array(Type.String(), { description: 'ours at an old address, removed: "TOPIC → address"' }),
});

export const SetAsideDelivery = Type.Object({
  webhookId: Type.String({ description: 'X-Shopify-Webhook-Id' }),
  topic: Type.String({ description: 'orders/create, products/update, …' }),
  receivedAt: Timestamp,
  setAsideAt: Timestamp,
  attempts: Type.Integer({ description: 'how many times it was tried' }),
  reason: Type.String({ description: 'why it could not be applied' }),
});

export const Queued = Type.Object({ queued: Type.Boolean({ description: 'the job was queued' }) });
