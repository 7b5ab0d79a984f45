// The rules that make webhooks safe: newer wins, replays and older versions change nothing, and each
// event fires once per real change.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { transaction } from '../../src/platform/db/database.ts';
import type pg from 'pg';
import {
  applyDispute,
  applyInventoryLevel,
  applyPayout,
  applyProduct,
} from '../../src/modules/shop/apply.ts';
import {
  applyOrders,
  applyRefunds,
  applyTransactions,
  type Source,
} from '../../src/modules/shop/apply-orders.ts';
import type { Order, Refund, Transaction } from '../../src/modules/shop/model.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { sampleOrder, sampleProduct, sampleVariant } from '../support/shop.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());
/** The last event before the test: each test reads the events it caused (the outbox is not the shop's to empty). */
let eventsBefore = 0;
beforeEach(async () => {
  await db.pool.query(
    'truncate shop_orders, shop_order_refresh, shop_transactions, shop_refunds, shop_products, shop_variants, shop_inventory_levels, shop_payouts, shop_disputes',
  );
  const { rows } = await db.pool.query<{ id: string }>(
    'select coalesce(max(id), 0) as id from events_outbox',
  );
  eventsBefore = Number(rows[0]!.id);
});

const inTx = <T>(work: (tx: pg.PoolClient) => Promise<T>) => transaction(db.pool, work);
const applyOrder = async (tx: pg.PoolClient, order: Order, source: Source) =>
  (await applyOrders(tx, [{ order, transactions: [], refunds: [] }], source)).outcomes.get(order.id);
const applyRefund = async (tx: pg.PoolClient, refund: Refund) => (await applyRefunds(tx, [refund])) === 1;
const applyTransaction = async (tx: pg.PoolClient, transaction: Transaction) =>
  (await applyTransactions(tx, [{ transaction, refundId: null }])) === 1;

async function events(): Promise<string[]> {
  const { rows } = await db.pool.query<{ type: string }>(
    'select type from events_outbox where id > $1 order by id',
    [eventsBefore],
  );
  return rows.map((row) => row.type);
}

test('a new order is stored once with order.created; the same version again changes nothing', async () => {
  const order = sampleOrder();
  assert.equal(await inTx((tx) => applyOrder(tx, order, 'webhook')), 'created');
  assert.equal(await inTx((tx) => applyOrder(tx, sampleOrder(), 'webhook')), 'stale');
  assert.deepEqual(await events(), ['order.created']);
  const { rows } = await db.pool.query('select count(*)::int as n from shop_orders');
  assert.equal(rows[0].n, 1);
});

test('an older version arriving late never overwrites a newer one', async () => {
  const newer = sampleOrder({
    updatedAt: '2026-11-20T12:00:00.000Z',
    financialStatus: 'paid',
    fulfillmentStatus: 'fulfilled',
  });
  const older = sampleOrder({ updatedAt: '2026-11-20T10:00:00.000Z', financialStatus: 'pending' });
  assert.equal(await inTx((tx) => applyOrder(tx, newer, 'webhook')), 'created');
  assert.equal(await inTx((tx) => applyOrder(tx, older, 'webhook')), 'stale');
  const { rows } = await db.pool.query(
    'select financial_status, fulfillment_status, updated_at from shop_orders',
  );
  assert.equal(rows[0].financial_status, 'paid');
  assert.equal(rows[0].fulfillment_status, 'fulfilled');
  assert.equal(rows[0].updated_at.toISOString(), '2026-11-20T12:00:00.000Z');
  assert.deepEqual(await events(), ['order.created', 'order.paid']);
});

test('order.paid fires on the first paid version only; order.cancelled on the first cancelled one', async () => {
  await inTx((tx) => applyOrder(tx, sampleOrder(), 'webhook'));
  await inTx((tx) =>
    applyOrder(
      tx,
      sampleOrder({ updatedAt: '2026-11-20T10:01:00.000Z', financialStatus: 'paid' }),
      'webhook',
    ),
  );
  await inTx((tx) =>
    applyOrder(
      tx,
      sampleOrder({ updatedAt: '2026-11-21T09:00:00.000Z', financialStatus: 'partially_refunded' }),
      'webhook',
    ),
  );
  const cancelled = {
    updatedAt: '2026-11-22T09:00:00.000Z',
    financialStatus: 'refunded',
    cancelledAt: '2026-11-22T09:00:00.000Z',
    cancelReason: 'customer',
  };
  await inTx((tx) => applyOrder(tx, sampleOrder(cancelled), 'webhook'));
  await inTx((tx) =>
    applyOrder(tx, sampleOrder({ ...cancelled, updatedAt: '2026-11-22T10:00:00.000Z' }), 'webhook'),
  );
  assert.deepEqual(await events(), [
    'order.created',
    'order.updated',
    'order.paid',
    'order.updated',
    'order.updated',
    'order.cancelled',
    'order.updated',
  ]);
});

test('the API version with the same updated_at fills in the last visit a webhook cannot carry, silently', async () => {
  const first = {
    source: 'instagram',
    medium: 'social',
    campaign: 'autumn',
    content: 'post-1',
    term: null,
    landingPage: '/products/argan?utm_source=instagram',
    referrer: null,
  };
  const last = { ...first, source: 'email', medium: 'email', campaign: 'newsletter-11' };
  await inTx((tx) => applyOrder(tx, sampleOrder({ firstVisit: first }), 'webhook'));
  assert.equal(
    await inTx((tx) => applyOrder(tx, sampleOrder({ firstVisit: first, lastVisit: last }), 'api')),
    'stale',
  );
  // A later webhook version keeps what the API told us about the last visit.
  await inTx((tx) =>
    applyOrder(tx, sampleOrder({ updatedAt: '2026-11-20T11:00:00.000Z', firstVisit: first }), 'webhook'),
  );
  const { rows } = await db.pool.query('select first_visit, last_visit, source from shop_orders');
  assert.equal(rows[0].first_visit.source, 'instagram');
  assert.equal(rows[0].last_visit.campaign, 'newsletter-11');
  assert.deepEqual(await events(), ['order.created', 'order.updated']);
});

test('a refund and its transactions are recorded once, and a later version fills the shop money', async () => {
  const order = sampleOrder({ financialStatus: 'paid' });
  await inTx((tx) => applyOrder(tx, order, 'webhook'));
  const refundTransaction: Transaction = {
    id: 6_600_000_000_002,
    orderId: order.id,
    kind: 'refund',
    status: 'success',
    gateway: 'shopify_payments',
    processedAt: '2026-11-21T09:00:00.000Z',
    parentId: 6_600_000_000_001,
    test: false,
    currency: 'EUR',
    amount: { shop: null, presentment: 1500 },
    fee: null,
  };
  const refund: Refund = {
    id: 7_700_000_000_001,
    orderId: order.id,
    createdAt: '2026-11-21T09:00:00.000Z',
    note: 'damaged in post',
    shipping: [],
    adjustments: [],
    duties: { shop: 0, presentment: 0 },
    lines: [
      {
        lineId: order.lines[0]!.id,
        quantity: 1,
        restockType: 'no_restock',
        subtotal: { shop: 1250, presentment: 1500 },
        tax: { shop: 250, presentment: 300 },
      },
    ],
    transactions: [refundTransaction],
  };
  assert.equal(await inTx((tx) => applyRefund(tx, refund)), true);
  assert.equal(await inTx((tx) => applyRefund(tx, refund)), false);
  assert.equal(
    await inTx((tx) =>
      applyTransaction(tx, { ...refundTransaction, amount: { shop: 1290, presentment: 1500 }, fee: 0 }),
    ),
    false,
  );
  const { rows } = await db.pool.query('select amount_shop_minor, refund_id from shop_transactions');
  assert.equal(Number(rows[0].amount_shop_minor), 1290);
  assert.equal(Number(rows[0].refund_id), refund.id);
  assert.deepEqual(await events(), ['order.created', 'order.paid', 'refund.created', 'transaction.created']);
});

test('stock.low fires when a variant crosses its threshold, once per crossing; an older level is ignored', async () => {
  // Counted at one location, with no stock figure of its own.
  const product = sampleProduct({
    variants: [sampleVariant({ inventoryItemId: 3_300_000_000_001, inventoryQuantity: null })],
  });
  await inTx((tx) => applyProduct(tx, product, 5));
  const level = (available: number, minute: number) => ({
    inventoryItemId: 3_300_000_000_001,
    locationId: 1,
    available,
    updatedAt: `2026-11-20T10:${String(minute).padStart(2, '0')}:00.000Z`,
  });
  for (const [available, minute] of [
    [10, 1],
    [3, 2],
    [2, 3],
    [1, 1],
    [8, 4],
    [4, 5],
  ] as const) {
    await inTx((tx) => applyInventoryLevel(tx, level(available, minute), 5));
  }
  const { rows } = await db.pool.query<{ payload: { available: number } }>(
    "select payload from events_outbox where type = 'stock.low' and id > $1 order by id",
    [eventsBefore],
  );
  assert.deepEqual(
    rows.map((row) => row.payload.available),
    [3, 4],
  );
  const stored = await db.pool.query('select available from shop_inventory_levels');
  assert.equal(stored.rows[0].available, 4);
});

test('payout.paid fires once; disputes open then update', async () => {
  const payout = {
    id: 1,
    status: 'in_transit',
    issuedAt: '2026-11-20T00:00:00.000Z',
    currency: 'GBP',
    net: 12345,
    summary: {},
  };
  await inTx((tx) => applyPayout(tx, payout));
  await inTx((tx) => applyPayout(tx, { ...payout, status: 'paid' }));
  await inTx((tx) => applyPayout(tx, { ...payout, status: 'paid' }));
  const dispute = {
    id: 2,
    orderId: 5_550_000_000_001,
    status: 'needs_response',
    reason: 'fraudulent',
    currency: 'GBP',
    amount: 3394,
    initiatedAt: '2026-11-21T00:00:00.000Z',
    evidenceDueBy: '2026-12-01T00:00:00.000Z',
    finalizedOn: null,
  };
  await inTx((tx) => applyDispute(tx, dispute));
  await inTx((tx) => applyDispute(tx, dispute));
  await inTx((tx) => applyDispute(tx, { ...dispute, status: 'under_review' }));
  assert.deepEqual(await events(), ['payout.paid', 'dispute.opened', 'dispute.updated']);
});

test('two versions in the same second: the webhook asks for the API, whose answer is applied as a change', async () => {
  await inTx((tx) => applyOrder(tx, sampleOrder({ financialStatus: 'paid' }), 'webhook'));
  const fulfilled = sampleOrder({ financialStatus: 'paid', fulfillmentStatus: 'fulfilled' });
  assert.equal(await inTx((tx) => applyOrder(tx, fulfilled, 'webhook')), 'conflict');
  const waiting = await db.pool.query('select order_id from shop_order_refresh');
  assert.equal(waiting.rows.length, 1);
  assert.equal(await inTx((tx) => applyOrder(tx, fulfilled, 'api')), 'updated');
  assert.equal(await inTx((tx) => applyOrder(tx, fulfilled, 'api')), 'stale');
  const { rows } = await db.pool.query('select fulfillment_status from shop_orders');
  assert.equal(rows[0].fulfillment_status, 'fulfilled');
  assert.deepEqual(await events(), ['order.created', 'order.paid', 'order.updated']);
});

test('a batch applies many orders at once, the newest of several versions of one, with the same events', async () => {
  const paid = (id: number, minute: number, status = 'paid') =>
    sampleOrder({
      id,
      name: `#${id % 10_000}`,
      updatedAt: `2026-11-20T10:${String(minute).padStart(2, '0')}:00.000Z`,
      financialStatus: status,
    });
  const result = await inTx((tx) =>
    applyOrders(
      tx,
      [paid(1, 5), paid(2, 1, 'pending'), paid(1, 1, 'pending'), paid(3, 2)].map((order) => ({
        order,
        transactions: [],
        refunds: [],
      })),
      'api',
    ),
  );
  assert.deepEqual(Object.fromEntries(result.outcomes), { 1: 'created', 2: 'created', 3: 'created' });
  assert.equal(result.changes, 3);
  const { rows } = await db.pool.query('select id, financial_status from shop_orders order by id');
  assert.deepEqual(
    rows.map((row) => [Number(row.id), row.financial_status]),
    [
      [1, 'paid'],
      [2, 'pending'],
      [3, 'paid'],
    ],
  );
  const again = await inTx((tx) =>
    applyOrders(
      tx,
      [paid(1, 5), paid(3, 2)].map((order) => ({ order, transactions: [], refunds: [] })),
      'api',
    ),
  );
  assert.equal(again.changes, 0);
  assert.deepEqual((await events()).sort(), [
    'order.created',
    'order.created',
    'order.created',
    'order.paid',
    'order.paid',
  ]);
});
