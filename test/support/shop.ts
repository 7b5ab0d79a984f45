// The shop's records for tests: small, exact samples (the simulator makes the big realistic ones),
// factories that store them as reconciliation would (through the shop's own rules, with the events
// that follow), signed webhook deliveries, and the shop module's parts in a test server.
import { createHmac, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { InjectOptions } from 'fastify';
import { transaction } from '../../src/platform/db/database.ts';
import shopModule, {
  type BalanceTransaction,
  type Order,
  type Payout,
  type Product,
  type Refund,
  type ShopInfo,
  type ShopParts,
  type Transaction,
  type Variant,
} from '../../src/modules/shop/index.ts';
import { applyOrders } from '../../src/modules/shop/apply-orders.ts';
import { applyBalanceTransaction, applyPayout, applyProduct } from '../../src/modules/shop/apply.ts';
import type { TestServer } from './server.ts';

/** A shop connected by its SHOPIFY_* variables, with an Admin API that answers nothing (tests that talk to no Shopify). */
export const TEST_SHOP = {
  domain: 'sandbox-beauty.myshopify.com',
  adminToken: 'shpat_test_token_0123456789abcdef',
  apiSecret: 'shpss_test_secret_0123456789abcdef',
} as const;

export const testShopEnv = {
  SHOPIFY_SHOP: TEST_SHOP.domain,
  SHOPIFY_ADMIN_TOKEN: TEST_SHOP.adminToken,
  SHOPIFY_API_SECRET: TEST_SHOP.apiSecret,
  SHOPIFY_API_BASE_URL: 'http://127.0.0.1:9',
};

/** The shop module's own parts (the service, its applier), as its CLI commands get them. */
export function shopOf(server: TestServer): ShopParts {
  return server.modules.get(shopModule);
}

/** What a connection test would have learnt of the shop: its currency and time zone without asking Shopify. */
export async function rememberShop(pool: pg.Pool, info: Partial<ShopInfo> = {}): Promise<ShopInfo> {
  const shop: ShopInfo = {
    name: 'Sandbox Beauty',
    domain: TEST_SHOP.domain,
    currency: 'GBP',
    timezone: 'Europe/London',
    ...info,
  };
  await pool.query(
    `insert into shop_sync_cursors (resource, cursor) values ('shop.info', $1)
     on conflict (resource) do update set cursor = excluded.cursor, updated_at = now()`,
    [JSON.stringify(shop)],
  );
  return shop;
}

/** A webhook delivery as Shopify sends it to /webhooks/shopify, signed; a header given as undefined is left out. */
export function webhookDelivery({
  topic,
  body,
  secret = TEST_SHOP.apiSecret,
  headers = {},
  remoteAddress,
}: {
  topic: string;
  /** Sent as JSON unless already text or bytes. */
  body: unknown;
  secret?: string;
  headers?: Record<string, string | undefined>;
  remoteAddress?: string;
}): InjectOptions {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const all: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-shop-domain': TEST_SHOP.domain,
    'x-shopify-webhook-id': randomUUID(),
    'x-shopify-api-version': '2026-10',
    'x-shopify-triggered-at': new Date().toISOString(),
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(payload).digest('base64'),
    ...headers,
  };
  return {
    method: 'POST',
    url: '/webhooks/shopify',
    headers: Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined)) as Record<
      string,
      string
    >,
    payload,
    ...(remoteAddress ? { remoteAddress } : {}),
  };
}

/** Stores orders with their payments and refunds as the Admin API gives them (newer versions win). */
export async function storeOrders(
  pool: pg.Pool,
  ...versions: { order: Order; transactions?: Transaction[]; refunds?: Refund[] }[]
): Promise<void> {
  await transaction(pool, (tx) =>
    applyOrders(
      tx,
      versions.map(({ order, transactions = [], refunds = [] }) => ({ order, transactions, refunds })),
      'api',
    ),
  );
}

/** Stores a payout and the balance transactions it pays out. */
export async function storePayout(
  pool: pg.Pool,
  payout: Payout,
  balanceTransactions: BalanceTransaction[] = [],
): Promise<void> {
  await transaction(pool, async (tx) => {
    await applyPayout(tx, payout);
    for (const row of balanceTransactions) await applyBalanceTransaction(tx, row);
  });
}

/** Stores balance transactions on their own (a payout's that arrive after it). */
export async function storeBalanceTransactions(pool: pg.Pool, ...rows: BalanceTransaction[]): Promise<void> {
  await transaction(pool, async (tx) => {
    for (const row of rows) await applyBalanceTransaction(tx, row);
  });
}

/** Stores products with their variants (low on stock at 5 units unless a variant says otherwise). */
export async function storeProducts(pool: pg.Pool, ...products: Product[]): Promise<void> {
  await transaction(pool, async (tx) => {
    for (const product of products) await applyProduct(tx, product, 5);
  });
}

const gbp = (minor: number) => ({ shop: minor, presentment: minor });

export function sampleOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: 5_550_000_000_001,
    name: '#1001',
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    processedAt: '2026-11-20T10:00:00.000Z',
    cancelledAt: null,
    cancelReason: null,
    closedAt: null,
    test: false,
    currency: 'GBP',
    presentmentCurrency: 'GBP',
    taxesIncluded: true,
    financialStatus: 'pending',
    fulfillmentStatus: 'unfulfilled',
    email: 'ava@example.com',
    customerId: 7_100_000_000_001,
    tags: [],
    gateways: ['shopify_payments'],
    discountCodes: [],
    sourceName: 'web',
    shippingCountry: 'GB',
    shippingProvince: null,
    subtotal: gbp(2999),
    total: gbp(3394),
    tax: gbp(566),
    shipping: gbp(395),
    discounts: gbp(0),
    duties: gbp(0),
    companyId: null,
    taxLines: [{ title: 'GB VAT', rate: '0.2', amount: gbp(566) }],
    lines: [
      {
        id: 1_300_000_000_001,
        variantId: 4_400_000_000_001,
        productId: 8_800_000_000_001,
        sku: 'ARG-OIL-100',
        name: 'Argan Repair Oil - 100 ml',
        quantity: 1,
        unitPrice: gbp(2999),
        discount: gbp(0),
        taxLines: [{ title: 'GB VAT', rate: '0.2', amount: gbp(500) }],
        giftCard: false,
      },
    ],
    shippingLines: [
      {
        id: 9_900_000_000_001,
        title: 'Royal Mail Tracked 48',
        price: gbp(395),
        discountedPrice: gbp(395),
        taxLines: [{ title: 'GB VAT', rate: '0.2', amount: gbp(66) }],
      },
    ],
    firstVisit: null,
    lastVisit: null,
    ...overrides,
  };
}

/** The REST (webhook) body of sampleOrder(), snake_case with money as decimal strings. */
export function sampleOrderWebhook(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const money = (amount: string) => ({
    shop_money: { amount, currency_code: 'GBP' },
    presentment_money: { amount, currency_code: 'GBP' },
  });
  return {
    id: 5_550_000_000_001,
    admin_graphql_api_id: 'gid://shopify/Order/5550000000001',
    name: '#1001',
    created_at: '2026-11-20T10:00:00+00:00',
    updated_at: '2026-11-20T10:00:00+00:00',
    processed_at: '2026-11-20T10:00:00+00:00',
    cancelled_at: null,
    currency: 'GBP',
    presentment_currency: 'GBP',
    taxes_included: true,
    financial_status: 'pending',
    fulfillment_status: null,
    email: 'ava@example.com',
    test: false,
    tags: '',
    source_name: 'web',
    payment_gateway_names: ['shopify_payments'],
    landing_site: '/products/argan?utm_source=Instagram&utm_medium=social&utm_campaign=autumn',
    referring_site: 'https://instagram.com/',
    subtotal_price: '29.99',
    subtotal_price_set: money('29.99'),
    total_price: '33.94',
    total_price_set: money('33.94'),
    total_tax: '5.66',
    total_tax_set: money('5.66'),
    total_discounts: '0.00',
    total_discounts_set: money('0.00'),
    total_shipping_price_set: money('3.95'),
    tax_lines: [{ title: 'GB VAT', rate: 0.2, price: '5.66', price_set: money('5.66') }],
    discount_codes: [],
    customer: { id: 7_100_000_000_001, email: 'ava@example.com' },
    shipping_address: { country_code: 'GB', province_code: null },
    line_items: [
      {
        id: 1_300_000_000_001,
        variant_id: 4_400_000_000_001,
        product_id: 8_800_000_000_001,
        sku: 'ARG-OIL-100',
        name: 'Argan Repair Oil - 100 ml',
        quantity: 1,
        price: '29.99',
        price_set: money('29.99'),
        total_discount: '0.00',
        total_discount_set: money('0.00'),
        tax_lines: [{ title: 'GB VAT', rate: 0.2, price: '5.00', price_set: money('5.00') }],
        gift_card: false,
      },
    ],
    shipping_lines: [
      {
        id: 9_900_000_000_001,
        title: 'Royal Mail Tracked 48',
        price: '3.95',
        price_set: money('3.95'),
        discounted_price: '3.95',
        discounted_price_set: money('3.95'),
        tax_lines: [{ title: 'GB VAT', rate: 0.2, price: '0.66', price_set: money('0.66') }],
      },
    ],
    refunds: [],
    ...overrides,
  };
}

/** The card payment that pays sampleOrder() in full through Shopify Payments. */
export function samplePayment(overrides: Partial<Transaction> = {}): Transaction {
  return {
    id: 6_600_000_000_001,
    orderId: 5_550_000_000_001,
    kind: 'sale',
    status: 'success',
    gateway: 'shopify_payments',
    processedAt: '2026-11-20T10:00:05.000Z',
    parentId: null,
    test: false,
    currency: 'GBP',
    amount: { shop: 3394, presentment: 3394 },
    fee: 79,
    ...overrides,
  };
}

/** sampleOrder()'s argan oil comes back two days later: £29.99 with its £5.00 VAT paid back to the card. */
export function sampleRefund(overrides: Partial<Refund> = {}): Refund {
  const createdAt = overrides.createdAt ?? '2026-11-22T09:00:00.000Z';
  return {
    id: 7_700_000_000_001,
    orderId: 5_550_000_000_001,
    createdAt,
    note: null,
    shipping: [],
    adjustments: [],
    duties: { shop: 0, presentment: 0 },
    lines: [
      {
        lineId: 1_300_000_000_001,
        quantity: 1,
        restockType: 'return',
        subtotal: { shop: 2999, presentment: 2999 },
        tax: { shop: 500, presentment: 500 },
      },
    ],
    transactions: [
      samplePayment({
        id: 6_600_000_000_002,
        kind: 'refund',
        processedAt: createdAt,
        parentId: 6_600_000_000_001,
        amount: { shop: 2999, presentment: 2999 },
        fee: null,
      }),
    ],
    ...overrides,
  };
}

/** The Shopify Payments charge for samplePayment(), in payout 42. */
export function sampleBalanceTransaction(overrides: Partial<BalanceTransaction> = {}): BalanceTransaction {
  return {
    id: 1,
    type: 'charge',
    test: false,
    transactionDate: '2026-11-20T10:00:05.000Z',
    currency: 'GBP',
    amount: 3394,
    fee: 79,
    net: 3315,
    sourceType: 'charge',
    sourceId: 6_600_000_000_001,
    orderId: 5_550_000_000_001,
    payoutId: 42,
    payoutStatus: 'paid',
    ...overrides,
  };
}

/** The payout that pays out sampleBalanceTransaction(): payout 42. */
export function samplePayout(overrides: Partial<Payout> = {}): Payout {
  return {
    id: 42,
    status: 'paid',
    issuedAt: '2026-11-23T06:00:00.000Z',
    currency: 'GBP',
    net: 3315,
    summary: {},
    ...overrides,
  };
}

/** The variant sampleOrder() sells: 100 ml of argan oil at £29.99, costing £8.00, 12 in stock. */
export function sampleVariant(overrides: Partial<Variant> = {}): Variant {
  return {
    id: 4_400_000_000_001,
    productId: 8_800_000_000_001,
    title: '100 ml',
    sku: 'ARG-OIL-100',
    price: 2999,
    compareAtPrice: null,
    inventoryItemId: null,
    inventoryQuantity: 12,
    unitCost: 800,
    ...overrides,
  };
}

/** The product of sampleVariant(), active, with that one variant unless others are given. */
export function sampleProduct(overrides: Partial<Product> = {}): Product {
  const id = overrides.id ?? 8_800_000_000_001;
  return {
    id,
    title: 'Argan Repair Oil',
    handle: 'argan-repair-oil',
    status: 'active',
    vendor: null,
    productType: null,
    tags: [],
    imageUrl: null,
    createdAt: '2026-11-01T09:00:00.000Z',
    updatedAt: '2026-11-01T09:00:00.000Z',
    variants: [sampleVariant({ productId: id })],
    ...overrides,
  };
}
