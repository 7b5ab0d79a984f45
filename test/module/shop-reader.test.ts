// What other modules read of the shop through its face, from what the shop stored: the books read
// orders, payments, refunds, payouts, stock and sales by id, and the shop's currency; the Telegram
// commands read the latest orders a page at a time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ShopInfo, ShopReader } from '../../src/modules/shop/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  rememberShop,
  sampleBalanceTransaction,
  sampleOrder,
  samplePayment,
  samplePayout,
  sampleProduct,
  sampleRefund,
  storeOrders,
  storePayout,
  storeProducts,
} from '../support/shop.ts';

let server: TestServer;
let shop: ShopReader;
let info: ShopInfo;

const paid = sampleOrder({ financialStatus: 'partially_refunded' });
const payment = samplePayment();
const refund = sampleRefund({ note: 'leaked in the post' });

before(async () => {
  server = await startTestServer();
  shop = server.face('shop');
  info = await rememberShop(server.db.pool, { currency: 'GBP', timezone: 'Europe/London' });
  await storeProducts(server.db.pool, sampleProduct());
  await storeOrders(server.db.pool, { order: paid, transactions: [payment], refunds: [refund] });
  await storePayout(server.db.pool, samplePayout(), [sampleBalanceTransaction()]);
});
after(() => server.close());

test('the shop’s name, currency and time zone are what the connection learnt', async () => {
  assert.deepEqual(await shop.info(), info);
});

test('orders, payments, refunds and payouts are read by id; an id not stored is left out', async () => {
  const orders = await shop.orders([paid.id, 5_550_000_999_999]);
  assert.deepEqual([...orders.keys()], [paid.id]);
  assert.deepEqual(orders.get(paid.id), paid);

  const transactions = await shop.transactions([payment.id]);
  assert.deepEqual(transactions.get(payment.id), payment);
  assert.deepEqual(
    (await shop.orderTransactions([paid.id])).map((each) => [each.id, each.kind]),
    [
      [payment.id, 'sale'],
      [6_600_000_000_002, 'refund'],
    ],
  );

  const refunds = await shop.refunds([refund.id, 1]);
  assert.equal(refunds.size, 1);
  assert.deepEqual(refunds.get(refund.id), refund, 'with the transaction that gave the money back');

  const payouts = await shop.payouts([42, 43]);
  assert.deepEqual([...payouts.keys()], [42]);
  assert.deepEqual(payouts.get(42), {
    payout: samplePayout(),
    balanceTransactions: [sampleBalanceTransaction()],
  });

  for (const empty of [shop.orders([]), shop.refunds([]), shop.payouts([]), shop.transactions([])])
    assert.equal((await empty).size, 0);
});

test('stock counts and unit costs come from the stored variants', async () => {
  const variant = sampleProduct().variants[0]!;
  assert.deepEqual(await shop.stockCounts(), [
    {
      variantId: variant.id,
      name: 'Argan Repair Oil – 100 ml',
      sku: 'ARG-OIL-100',
      available: 12,
      unitCost: 800,
    },
  ]);
  assert.deepEqual(await shop.unitCosts([variant.id, 4_400_000_999_999]), new Map([[variant.id, 800]]));
});

test('sales per variant count what the period’s orders sold and its refunds gave back, without tax', async () => {
  const [sold] = await shop.productSales('2026-11-20', '2026-11-30', 'Europe/London');
  assert.deepEqual(sold, {
    variantId: paid.lines[0]!.variantId,
    name: 'Argan Repair Oil - 100 ml',
    sku: 'ARG-OIL-100',
    units: 1,
    gross: 2999,
    discounts: 0,
    includedTax: 500,
    refundedUnits: 1,
    refunded: 2499,
  });
  // The order was placed on the 20th; the refund on the 22nd belongs to a period of its own.
  const later = await shop.productSales('2026-11-21', '2026-11-30', 'Europe/London');
  assert.deepEqual(
    later.map((each) => [each.units, each.refundedUnits, each.refunded]),
    [[0, 1, 2499]],
  );
  assert.deepEqual(await shop.productSales('2026-12-01', '2026-12-31', 'Europe/London'), []);
});

test('the latest orders come newest first, a page at a time', async () => {
  const day = (n: number) => `2026-12-0${n}T10:00:00.000Z`;
  await storeOrders(
    server.db.pool,
    ...[1, 2, 3].map((n) => ({
      order: sampleOrder({
        id: 5_550_000_100_000 + n,
        name: `#20${n}`,
        createdAt: day(n),
        updatedAt: day(n),
      }),
    })),
  );
  const first = await shop.listOrders({ from: '2026-12-01', limit: 2 });
  assert.deepEqual(
    first.orders.map((order) => order.name),
    ['#203', '#202'],
  );
  assert.ok(first.nextCursor);
  const rest = await shop.listOrders({ from: '2026-12-01', limit: 2, cursor: first.nextCursor });
  assert.deepEqual(
    rest.orders.map((order) => [order.name, order.totalMinor, order.currency]),
    [['#201', 3394, 'GBP']],
  );
  assert.equal(rest.nextCursor, null);
});
