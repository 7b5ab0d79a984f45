// The books against a real PostgreSQL: posting the shop's events, replays that change nothing, the
// database refusing unbalanced or edited entries, closed periods, the review queue, and the feed.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { transaction } from '../../src/platform/db/database.ts';
import { emit } from '../../src/platform/events/outbox.ts';
import { waitingInFeed } from '../../src/platform/events/feeds.ts';
import type { BalanceTransaction, Order, Refund, Transaction } from '../../src/modules/shop/index.ts';
import type { LedgerService } from '../../src/modules/ledger/ledger-service.ts';
import { BOOKED_EVENTS, POSTING_FEED, type ToBook } from '../../src/modules/ledger/posting.ts';
import type { TestDatabase } from '../support/database.ts';
import { BOOKS_NOW, openBooks, shopEventsOf, type Books } from '../support/ledger.ts';
import {
  sampleBalanceTransaction,
  sampleOrder,
  samplePayment,
  samplePayout,
  sampleProduct,
  sampleVariant,
  storeBalanceTransactions,
  storeOrders,
  storePayout,
  storeProducts,
} from '../support/shop.ts';

// Each test has books of its own, on a database of its own: nothing one leaves behind reaches another.
let books: Books;
let db: TestDatabase;
let ledger: LedgerService;
/** Every event the shop wrote since the last call that the books follow, as the feed would hand them over. */
let shopEvents: () => Promise<ToBook[]>;
beforeEach(async () => {
  books = await openBooks();
  ({ db, ledger, shopEvents } = books);
});
afterEach(() => books.close());

const inTx = <T>(work: (tx: pg.PoolClient) => Promise<T>) => transaction(db.pool, work);

async function store(order: Order, transactions: Transaction[] = [], refunds: Refund[] = []) {
  await storeOrders(db.pool, { order, transactions, refunds });
}

/** Variants of a product with no title of its own ("Product 1"), as the stock pages name them. */
async function storeVariants(...variants: Parameters<typeof sampleVariant>[0][]) {
  await storeProducts(
    db.pool,
    sampleProduct({
      id: 1,
      title: 'Product 1',
      variants: variants.map((variant) =>
        sampleVariant({ productId: 1, sku: null, inventoryQuantity: null, ...variant }),
      ),
    }),
  );
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

/** How the valuation names a variant the shop has no record of. */
const unnamed = (variant: number) => ({ name: `Variant ${variant}`, sku: null, shopifyCount: null });
const big = { name: 'Product 1 – Big', sku: null, shopifyCount: null };
const big5 = { name: 'Product 1 – Big', sku: 'BIG-1', shopifyCount: 5 };

async function balance(account: string): Promise<number> {
  return count(`select coalesce(sum(amount_minor), 0) as n from ledger_postings where account_code = $1`, [
    account,
  ]);
}

test('an order and its payment are booked once; replaying the same events changes nothing', async () => {
  await store(sampleOrder({ financialStatus: 'paid' }), [samplePayment()]);
  const events = await shopEvents();
  assert.ok(events.some((event) => event.type === 'order.created'));
  const first = await ledger.post(events);
  assert.equal(first.entries, 2);
  assert.equal(await balance('Assets:Shopify Receivable'), 0);
  assert.equal(await balance('Assets:Clearing:Shopify Payments'), 3394);
  assert.equal(await balance('Income:Sales'), -2499);
  const again = await ledger.post(events);
  assert.deepEqual([again.entries, again.reviews], [0, 0]);
  assert.equal(await count('select count(*) as n from ledger_entries'), 2);

  const pnl = await ledger.reports.profitAndLoss('2026-11-01', '2026-11-30');
  assert.deepEqual([pnl.revenue, pnl.expenses, pnl.net, pnl.currency], [2828, 0, 2828, 'GBP']);
  const trial = await ledger.reports.trialBalance(null, '2026-11-30');
  assert.equal(trial.totalDebits, trial.totalCredits);
  const sheet = await ledger.reports.balanceSheet('2026-11-30');
  assert.equal(sheet.totalAssets, sheet.totalLiabilities + sheet.totalEquity);
  assert.deepEqual((await ledger.reports.salesTax('2026-11-01', '2026-11-30')).lines, [
    { jurisdiction: 'GB GB VAT', collected: 566, refunded: 0, owed: 566 },
  ]);
});

test('an order paid more than its total raises one alert; the books hold what was received', async () => {
  // A payment taken twice: two successful sales of £33.94 on an order of £33.94.
  await store(sampleOrder({ financialStatus: 'paid' }), [
    samplePayment(),
    samplePayment({ id: 6_600_000_000_002, processedAt: '2026-11-20T10:00:09.000Z' }),
  ]);
  await ledger.post(await shopEvents());
  assert.equal(await balance('Assets:Clearing:Shopify Payments'), 2 * 3394);
  const overpaid = "select payload from events_outbox where type = 'ledger.order_overpaid'";
  const { rows } = await db.pool.query(overpaid);
  assert.deepEqual(
    rows.map((row) => row.payload),
    [{ orderId: 5_550_000_000_001, order: '#1001', currency: 'GBP', total: 3394, received: 6788 }],
  );
  await ledger.post(await shopEvents()); // replayed: booked already, no second alert
  assert.equal((await db.pool.query(overpaid)).rowCount, 1);
});

test('an order paid exactly its total raises no alert', async () => {
  await store(sampleOrder({ financialStatus: 'paid' }), [samplePayment()]);
  await ledger.post(await shopEvents());
  assert.equal(
    await count("select count(*) as n from events_outbox where type = 'ledger.order_overpaid'"),
    0,
  );
});

test('an order cancelled before payment is reversed, once', async () => {
  await store(sampleOrder());
  await ledger.post(await shopEvents());
  assert.equal(await balance('Assets:Shopify Receivable'), 3394);
  await store(
    sampleOrder({
      updatedAt: '2026-11-21T09:00:00.000Z',
      cancelledAt: '2026-11-21T09:00:00.000Z',
      financialStatus: 'voided',
    }),
  );
  const events = await shopEvents();
  assert.ok(events.some((event) => event.type === 'order.cancelled'));
  assert.equal((await ledger.post(events)).entries, 1);
  assert.equal(await ledger.post(events).then((posted) => posted.entries), 0);
  assert.equal(await balance('Assets:Shopify Receivable'), 0);
  assert.equal(await balance('Income:Sales'), 0);
  const { rows } = await db.pool.query(
    "select to_char(entry_date, 'YYYY-MM-DD') as day, description from ledger_entries order by id",
  );
  assert.deepEqual(rows[1], { day: '2026-11-21', description: 'Shopify order #1001 cancelled' });
});

test('the database refuses an unbalanced entry, one without postings, and any edit', async () => {
  await store(sampleOrder());
  await ledger.post(await shopEvents());
  await assert.rejects(
    inTx(async (tx) => {
      const { rows } = await tx.query(
        `insert into ledger_entries (entry_date, description, source_type, source_key) values ('2026-11-20', 'bad', 'manual', 'manual:1') returning id`,
      );
      await tx.query(
        `insert into ledger_postings (entry_id, account_code, amount_minor, currency) values ($1, 'Assets:Bank', 100, 'GBP'), ($1, 'Income:Sales', -99, 'GBP')`,
        [rows[0].id],
      );
    }),
    /does not balance/,
  );
  await assert.rejects(
    db.pool.query(
      `insert into ledger_entries (entry_date, description, source_type, source_key) values ('2026-11-20', 'empty', 'manual', 'manual:2')`,
    ),
    /has no postings/,
  );
  await assert.rejects(db.pool.query(`update ledger_postings set amount_minor = 0`), /append-only/);
  await assert.rejects(db.pool.query(`delete from ledger_entries`), /append-only/);
  // A balanced pair added to an entry already in the books is refused too.
  await assert.rejects(
    db.pool.query(
      `insert into ledger_postings (entry_id, account_code, amount_minor, currency)
       select min(id), 'Assets:Bank', v, 'GBP' from ledger_entries, (values (5), (-5)) as t(v) group by v`,
    ),
    /not a new entry of this transaction/,
  );
  // A posting to an account the chart does not have, and removing an account that has postings.
  await assert.rejects(
    inTx(async (tx) => {
      const { rows } = await tx.query(
        `insert into ledger_entries (entry_date, description, source_type, source_key) values ('2026-11-20', 'x', 'manual', 'manual:9') returning id`,
      );
      await tx.query(
        `insert into ledger_postings (entry_id, account_code, amount_minor, currency) values ($1, 'Assets:Bank', 5, 'GBP'), ($1, 'Income:Nowhere', -5, 'GBP')`,
        [rows[0].id],
      );
    }),
    /the chart has no account Income:Nowhere/,
  );
  await assert.rejects(
    db.pool.query(`delete from ledger_accounts where code = 'Income:Sales'`),
    /has postings/,
  );
  assert.equal(await count('select count(*) as n from ledger_entries'), 1);
});

test('a closed period is sealed: nothing dated in it goes in, late news lands on the first open day', async () => {
  await store(sampleOrder());
  await ledger.post(await shopEvents());
  const period = await ledger.closePeriod('2026-11-20', 'owner@example.com');
  assert.equal(period.entries, 1);
  assert.match(period.hash, /^[0-9a-f]{64}$/);
  await assert.rejects(
    ledger.closePeriod('2026-11-19', 'owner@example.com'),
    /already closed up to 2026-11-20/,
  );
  await assert.rejects(
    inTx((tx) =>
      tx.query(
        `insert into ledger_entries (entry_date, description, source_type, source_key) values ('2026-11-20', 'late', 'manual', 'manual:3')`,
      ),
    ),
    /closed up to 2026-11-20/,
  );
  // The payment for that order arrives afterwards, dated in the closed period.
  await store(sampleOrder({ financialStatus: 'paid', updatedAt: '2026-11-20T10:00:06.000Z' }), [
    samplePayment(),
  ]);
  await ledger.post(await shopEvents());
  const { rows } = await db.pool.query(
    `select to_char(entry_date, 'YYYY-MM-DD') as day, description from ledger_entries where source_type = 'payment'`,
  );
  assert.equal(rows[0].day, '2026-11-21');
  assert.match(rows[0].description, /dated 2026-11-20, in a closed period/);
  assert.deepEqual(await ledger.verifyPeriods(), [{ endsOn: '2026-11-20', ok: true }]);
});

test('an unknown kind of transaction goes to review with an alert, never into the books', async () => {
  await store(sampleOrder(), [samplePayment({ kind: 'change', amount: { shop: 100, presentment: 100 } })]);
  const posted = await ledger.post(await shopEvents());
  assert.equal(posted.reviews, 1);
  const [item] = await ledger.review();
  assert.equal(item!.kind, 'unknown_transaction_kind');
  assert.match(item!.reason, /"change"/);
  assert.equal(await count("select count(*) as n from ledger_entries where source_type = 'payment'"), 0);
  assert.equal(await count("select count(*) as n from events_outbox where type = 'ledger.review_needed'"), 1);
  await ledger.dismissReview(item!.id);
  assert.deepEqual(await ledger.review(), []);
});

test('a payout whose balance transactions have not all arrived waits, then books once they have', async () => {
  await store(sampleOrder({ financialStatus: 'paid' }), [samplePayment()]);
  const bt = (id: number, overrides: Partial<BalanceTransaction> = {}) =>
    sampleBalanceTransaction({ id, ...overrides });
  await storePayout(db.pool, samplePayout({ id: 42, issuedAt: '2026-11-23T06:00:00Z', net: 3315 }));
  const posted = await ledger.post(await shopEvents());
  assert.equal(posted.entries, 2); // the sale and the payment
  const [waiting] = await ledger.review();
  assert.equal(waiting!.kind, 'payout_incomplete');
  assert.ok(waiting!.retriable);
  await storeBalanceTransactions(db.pool, bt(1));
  const retried = await ledger.retryReviews();
  assert.equal(retried.entries, 1);
  assert.deepEqual(await ledger.review(), []);
  assert.equal(await balance('Assets:Clearing:Shopify Payments'), 0); // settled: clearing back to zero
  assert.equal(await balance('Assets:Bank'), 3315);
  assert.equal(await balance('Expenses:Payment Fees'), 79);
  assert.equal((await ledger.retryReviews()).entries, 0);
});

test('a payout to a euro account waits for the rate, then settles clearing at the pounds booked; the rest is an exchange difference', async () => {
  // The customer paid €39.00 (£33.94 in the books); Shopify pays €38.10 out after a €0.90 fee.
  const payment = samplePayment({ currency: 'EUR', amount: { shop: 3394, presentment: 3900 } });
  await store(sampleOrder({ financialStatus: 'paid', presentmentCurrency: 'EUR' }), [payment]);
  await storePayout(
    db.pool,
    samplePayout({ id: 43, issuedAt: '2026-11-23T06:00:00Z', currency: 'EUR', net: 3810 }),
    [sampleBalanceTransaction({ id: 2, currency: 'EUR', amount: 3900, fee: 90, net: 3810, payoutId: 43 })],
  );
  await ledger.post(await shopEvents());
  const [waiting] = await ledger.review();
  assert.equal(waiting!.kind, 'payout_fx_rate');
  assert.match(waiting!.reason, /need the EUR rate of that day/);
  await assert.rejects(ledger.setFxRate('GBP', '2026-11-22', '1'), /the books' own currency/);
  await assert.rejects(ledger.setFxRate('EUR', '2026-11-22', '-0.8'), /not a positive decimal/);
  // The bank statement's rate of the day before will do (a week at most).
  assert.deepEqual(await ledger.setFxRate('EUR', '2026-11-22', '0.87'), { posted: 1 });
  assert.deepEqual(await ledger.fxRates(), [{ currency: 'EUR', day: '2026-11-22', rate: '0.87' }]);
  assert.deepEqual(await ledger.review(), []);
  assert.equal(await balance('Assets:Clearing:Shopify Payments'), 0);
  assert.equal(await balance('Assets:Bank:EUR'), 3315); // €38.10 at 0.87 = £33.147
  assert.equal(await balance('Expenses:Payment Fees'), 78); // €0.90 at 0.87 = £0.783
  assert.equal(await balance('Income:Exchange Differences'), 1); // a penny lost to the rate
  const { rows } = await db.pool.query(
    "select memo from ledger_postings where account_code = 'Assets:Bank:EUR'",
  );
  assert.equal(rows[0].memo, '38.10 EUR at 0.87');
});

test('the feed: the dispatcher hands shop events to the books in batches, each once', async () => {
  const waiting = () => inTx((tx) => waitingInFeed(tx, POSTING_FEED, BOOKED_EVENTS));
  const bus = books.events; // the platform's: it puts each event the books follow in their feed
  const consumer = bus.addFeed(ledger.feed());
  for (let i = 0; i < 30; i += 1)
    await store(sampleOrder({ id: 5_550_000_001_000 + i, name: `#${2000 + i}`, financialStatus: 'paid' }), [
      samplePayment({ id: 6_600_000_001_000 + i, orderId: 5_550_000_001_000 + i }),
    ]);
  assert.ok((await bus.drain()) >= 60);
  assert.ok((await waiting()).length >= 60);
  assert.ok((await consumer.drain()) >= 60);
  assert.deepEqual(await waiting(), []);
  assert.equal(await count("select count(*) as n from ledger_entries where source_type = 'order'"), 30);
  assert.equal(await count("select count(*) as n from ledger_entries where source_type = 'payment'"), 30);
  assert.equal(await consumer.drain(), 0);
  assert.equal(await balance('Assets:Shopify Receivable'), 0);
});

test('stock: goods received into lots, sold first-to-expire first at lot cost, a restocked return put back at cost', async () => {
  const variant = sampleOrder().lines[0]!.variantId!;
  const first = await ledger.stock.receiveGoods({
    date: '2026-11-01',
    variantId: variant,
    quantity: 2,
    unitCost: '8.50',
  });
  assert.ok(first.entryId);
  // A later delivery that expires sooner is sold first.
  await ledger.stock.receiveGoods({
    date: '2026-11-10',
    variantId: variant,
    quantity: 5,
    unitCost: '9.123456',
    expiresOn: '2027-01-31',
  });
  await assert.rejects(
    ledger.stock.receiveGoods({
      date: '2026-11-10',
      variantId: variant,
      quantity: 5,
      unitCost: '9.123456',
      expiresOn: '2027-01-31',
    }),
    /received already/,
  );
  assert.equal(await balance('Assets:Inventory'), 1700 + 4562);
  await assert.rejects(
    ledger.stock.receiveGoods({ date: '2026-11-10', variantId: variant, quantity: 1, unitCost: '1.1234567' }),
    /up to 6 decimals/,
  );

  const order = sampleOrder({
    financialStatus: 'paid',
    lines: [{ ...sampleOrder().lines[0]!, quantity: 6 }],
  });
  await store(order);
  await ledger.post(await shopEvents());
  // 5 from the expiring lot at £9.123456 (£45.62) and 1 from the first at £8.50.
  assert.equal(await balance('Expenses:Cost of Goods Sold'), 4562 + 850);
  assert.equal(await balance('Assets:Inventory'), 850);
  const valuation = await ledger.stock.valuation('2026-11-30');
  assert.deepEqual(valuation.lines, [
    { variantId: variant, quantity: 1, value: 850, expiringWithin30Days: 0, ...unnamed(variant) },
  ]);

  // Two come back to the shelf: they return at what they cost when sold (the dearer lot first sold).
  const refund: Refund = {
    id: 7_700_000_000_009,
    orderId: order.id,
    createdAt: '2026-11-25T12:00:00.000Z',
    note: null,
    shipping: [],
    adjustments: [],
    duties: { shop: 0, presentment: 0 },
    lines: [
      {
        lineId: order.lines[0]!.id,
        quantity: 2,
        restockType: 'return',
        subtotal: { shop: 5998, presentment: 5998 },
        tax: { shop: 1000, presentment: 1000 },
      },
    ],
    transactions: [
      samplePayment({ id: 6_600_000_000_099, kind: 'refund', amount: { shop: 5998, presentment: 5998 } }),
    ],
  };
  await store(
    { ...order, updatedAt: '2026-11-25T12:00:00.000Z', financialStatus: 'partially_refunded' },
    [],
    [refund],
  );
  await ledger.post(await shopEvents());
  const costPerUnit = Math.round((4562 + 850) / 6);
  assert.equal(await balance('Expenses:Cost of Goods Sold'), 4562 + 850 - 2 * costPerUnit);
  assert.equal(await balance('Assets:Inventory'), 850 + 2 * costPerUnit);
  // A lot close to its expiry date is flagged once.
  const soon = new Date(BOOKS_NOW + 10 * 86_400_000).toISOString().slice(0, 10);
  await ledger.stock.receiveGoods({
    date: '2026-11-20',
    variantId: variant,
    quantity: 3,
    unitCost: '8.00',
    expiresOn: soon,
  });
  assert.equal(await ledger.stock.alertExpiring(), 1);
  assert.equal(await ledger.stock.alertExpiring(), 0);
  const expiring = await db.pool.query(
    `select payload from events_outbox where type = 'ledger.stock_expiring'`,
  );
  assert.equal(expiring.rows[0].payload.expiresOn, soon);
  assert.equal(await balance('Assets:Inventory'), 850 + 2 * costPerUnit + 2400);
  // Replaying changes nothing, stock included.
  await ledger.post(await shopEventsOf(db.pool)());
  assert.equal(await balance('Assets:Inventory'), 850 + 2 * costPerUnit + 2400);
});

test('stock: selling more than the books hold is costed at Shopify’s unit cost; before the opening stock (the first import) it is no alert', async () => {
  const variant = 4_400_000_000_777;
  await storeVariants({ id: variant, title: 'Big', price: 2999, unitCost: 640 });
  for (const n of [1, 2]) {
    await store(
      sampleOrder({
        id: 5_550_000_009_000 + n,
        name: `#90${n}`,
        lines: [{ ...sampleOrder().lines[0]!, id: 1_300_000_009_000 + n, variantId: variant, quantity: 2 }],
      }),
    );
  }
  await ledger.post(await shopEvents());
  assert.equal(await balance('Expenses:Cost of Goods Sold'), 4 * 640);
  assert.equal(await balance('Assets:Inventory'), -4 * 640);
  // The opening stock is not taken yet: the first import is still being booked, and the opening stock
  // will count these sales back in. Hundreds of alerts here would all be false.
  const alerts = await db.pool.query(
    `select payload from events_outbox where type = 'ledger.stock_negative'`,
  );
  assert.equal(alerts.rowCount, 0);
  // The valuation shows it as negative stock, at the cost it was booked at.
  const valuation = await ledger.stock.valuation('2026-12-31');
  assert.deepEqual(
    valuation.lines.find((line) => line.variantId === variant),
    { variantId: variant, quantity: -4, value: -2560, expiringWithin30Days: 0, ...big },
  );
});

test('stock: goods received late cover the shortfall at their cost; opening stock brings the books to Shopify’s count once', async () => {
  const variant = 4_400_000_000_778;
  const uncosted = 4_400_000_000_779;
  await storeVariants(
    { id: variant, title: 'Big', sku: 'BIG-1', price: 2999, unitCost: 640, inventoryQuantity: 5 },
    { id: uncosted, title: 'Free sample', sku: 'SAMPLE', price: 0, unitCost: null, inventoryQuantity: 12 },
  );
  await store(
    sampleOrder({
      id: 5_550_000_009_101,
      name: '#911',
      lines: [{ ...sampleOrder().lines[0]!, id: 1_300_000_009_101, variantId: variant, quantity: 4 }],
    }),
  );
  await ledger.post(await shopEvents());
  assert.equal(await balance('Expenses:Cost of Goods Sold'), 4 * 640);
  // Three arrive at £7.00: they cover three of the four sold, and those three now cost 60p more each.
  await ledger.stock.receiveGoods({ date: '2026-11-20', variantId: variant, quantity: 3, unitCost: '7.00' });
  assert.equal(await balance('Expenses:Cost of Goods Sold'), 4 * 640 + 3 * 60);
  assert.equal(await balance('Assets:Inventory'), -640);
  const afterReceipt = await ledger.stock.valuation('2026-12-31');
  assert.deepEqual(
    afterReceipt.lines.find((line) => line.variantId === variant),
    { variantId: variant, quantity: -1, value: -640, expiringWithin30Days: 0, ...big5 },
  );
  // Shopify counts 5: the books hold -1, so 6 open at Shopify's cost on the books' first day.
  const { rows: first } = await db.pool.query<{ day: string }>(
    "select to_char(min(entry_date) - 1, 'YYYY-MM-DD') as day from ledger_entries",
  );
  const opening = await ledger.stock.takeOpening();
  assert.equal(opening.variants, 1);
  assert.equal(opening.units, 6);
  assert.equal(opening.value, 6 * 640);
  assert.deepEqual(opening.withoutCost, ['SAMPLE']);
  assert.equal(opening.date, first[0]!.day); // the day before the books' first entry
  assert.equal(await balance('Assets:Inventory'), 5 * 640);
  assert.equal(await balance('Equity:Opening Balances'), -6 * 640);
  const afterOpening = await ledger.stock.valuation('2026-12-31');
  assert.deepEqual(
    afterOpening.lines.find((line) => line.variantId === variant),
    { variantId: variant, quantity: 5, value: 5 * 640, expiringWithin30Days: 0, ...big5 },
  );
  // Once: stock bought afterwards is goods received, never more opening stock.
  await assert.rejects(ledger.stock.takeOpening(), /taken already \(dated \d{4}-\d{2}-\d{2}\)/);
  assert.equal(await balance('Equity:Opening Balances'), -6 * 640);
  // The next sale takes from the lots, not from Shopify's cost.
  await store(
    sampleOrder({
      id: 5_550_000_009_102,
      name: '#912',
      lines: [{ ...sampleOrder().lines[0]!, id: 1_300_000_009_102, variantId: variant, quantity: 2 }],
    }),
  );
  await ledger.post(await shopEvents());
  assert.equal(await balance('Assets:Inventory'), 3 * 640);
  const negative = "select count(*) as n from events_outbox where type = 'ledger.stock_negative'";
  assert.equal(await count(negative), 0);
  // Once the opening stock is taken, selling more than the books hold is news: one alert.
  await store(
    sampleOrder({
      id: 5_550_000_009_103,
      name: '#913',
      lines: [{ ...sampleOrder().lines[0]!, id: 1_300_000_009_103, variantId: variant, quantity: 4 }],
    }),
  );
  await ledger.post(await shopEvents());
  assert.equal(await count(negative), 1);
  const { rows } = await db.pool.query(
    `select payload from events_outbox where type = 'ledger.stock_negative'`,
  );
  assert.deepEqual([rows[0].payload.variantId, rows[0].payload.short], [variant, 1]);
});

test('product margins by hand: sales after discounts and tax, a return at cost, fees shared by sales', async () => {
  const variant = sampleOrder().lines[0]!.variantId!;
  const other = 4_400_000_000_888;
  await storeVariants({ id: other, title: 'Small', sku: 'SMALL', price: 1500, unitCost: 400 });
  await ledger.stock.receiveGoods({ date: '2026-11-01', variantId: variant, quantity: 10, unitCost: '8.00' });
  // Two at £29.99 less £5.00 off, VAT included (£9.16): £45.82 of sales.
  const order = sampleOrder({
    financialStatus: 'paid',
    lines: [
      {
        ...sampleOrder().lines[0]!,
        quantity: 2,
        discount: { shop: 500, presentment: 500 },
        taxLines: [{ title: 'GB VAT', rate: '0.2', amount: { shop: 916, presentment: 916 } }],
      },
    ],
  });
  // One at £15.00 with £2.50 VAT, none on the books: costed at Shopify's £4.00.
  const small = sampleOrder({
    id: 5_550_000_009_201,
    name: '#921',
    lines: [
      {
        ...sampleOrder().lines[0]!,
        id: 1_300_000_009_201,
        variantId: other,
        sku: 'SMALL',
        quantity: 1,
        unitPrice: { shop: 1500, presentment: 1500 },
        taxLines: [{ title: 'GB VAT', rate: '0.2', amount: { shop: 250, presentment: 250 } }],
      },
    ],
  });
  await store(order);
  await store(small);
  // One of the two comes back to the shelf: £27.49 with £4.58 VAT given back, £8.00 of cost back.
  const refund: Refund = {
    id: 7_700_000_009_201,
    orderId: order.id,
    createdAt: '2026-11-21T12:00:00.000Z',
    note: null,
    shipping: [],
    adjustments: [],
    duties: { shop: 0, presentment: 0 },
    lines: [
      {
        lineId: order.lines[0]!.id,
        quantity: 1,
        restockType: 'return',
        subtotal: { shop: 2749, presentment: 2749 },
        tax: { shop: 458, presentment: 458 },
      },
    ],
    transactions: [
      samplePayment({ id: 6_600_000_009_201, kind: 'refund', amount: { shop: 2749, presentment: 2749 } }),
    ],
  };
  await store(
    { ...order, updatedAt: '2026-11-21T12:00:00.000Z', financialStatus: 'partially_refunded' },
    [],
    [refund],
  );
  await ledger.post(await shopEvents());
  await ledger.addExpense({
    date: '2026-11-22',
    supplier: 'Shopify',
    amount: '1.00',
    account: 'Expenses:Payment Fees',
  });
  const report = await ledger.productMargins('2026-11-01', '2026-11-30');
  const pick = (line: (typeof report.lines)[number]) => [
    line.sku,
    line.units,
    line.returnedUnits,
    line.sales,
    line.discounts,
    line.refunds,
    line.cost,
    line.fees,
    line.margin,
    line.marginPercent,
  ];
  // Sales after refunds £22.91 and £12.50: the £1.00 of fees splits 65p / 35p.
  assert.deepEqual(report.lines.map(pick), [
    ['ARG-OIL-100', 2, 1, 4582, 500, 2291, 800, 65, 1426, 62.2],
    ['SMALL', 1, 0, 1250, 0, 0, 400, 35, 815, 65.2],
  ]);
  assert.deepEqual(
    [
      report.totals.sales,
      report.totals.refunds,
      report.totals.cost,
      report.totals.fees,
      report.totals.margin,
    ],
    [5832, 2291, 1200, 100, 2241],
  );
  // The sales agree with the books: the Sales account less the refunds of goods.
  const pnl = await ledger.reports.profitAndLoss('2026-11-01', '2026-11-30');
  const sales = pnl.income.find((line) => line.account === 'Income:Sales')!.amount;
  assert.equal(sales, report.totals.sales);
});

test('stock: goods received late leave earlier days as they were, and never cover units that came back', async () => {
  const [returned, kept] = [4_400_000_000_901, 4_400_000_000_902];
  await storeVariants(
    { id: returned, title: 'A', price: 999, unitCost: 200 },
    { id: kept, title: 'B', price: 999, unitCost: 200 },
  );
  const order = (id: number, variantId: number, quantity: number) =>
    sampleOrder({
      id,
      name: `#${id % 1000}`,
      financialStatus: 'paid',
      lines: [{ ...sampleOrder().lines[0]!, id: id * 10, variantId, quantity }],
    });
  const first = order(5_550_000_009_301, returned, 3);
  await store(first);
  await store(order(5_550_000_009_302, kept, 2));
  await ledger.post(await shopEvents());
  // The three of the first order all come back to the shelf.
  const refund: Refund = {
    id: 7_700_000_009_301,
    orderId: first.id,
    createdAt: '2026-11-21T12:00:00.000Z',
    note: null,
    shipping: [],
    adjustments: [],
    duties: { shop: 0, presentment: 0 },
    lines: [
      {
        lineId: first.id * 10,
        quantity: 3,
        restockType: 'return',
        subtotal: { shop: 2997, presentment: 2997 },
        tax: { shop: 0, presentment: 0 },
      },
    ],
    transactions: [
      samplePayment({ id: 6_600_000_009_301, kind: 'refund', amount: { shop: 2997, presentment: 2997 } }),
    ],
  };
  await store({ ...first, updatedAt: refund.createdAt, financialStatus: 'refunded' }, [], [refund]);
  await ledger.post(await shopEvents());
  const at = async (day: string, variant: number) => {
    const line = (await ledger.stock.valuation(day)).lines.find((one) => one.variantId === variant);
    return [line?.quantity ?? 0, line?.value ?? 0];
  };
  assert.deepEqual(await at('2026-11-22', kept), [-2, -400]);
  assert.deepEqual(await at('2026-11-22', returned), [0, 0]);
  const cogsBefore = await balance('Expenses:Cost of Goods Sold');
  await ledger.stock.receiveGoods({ date: '2026-11-25', variantId: kept, quantity: 5, unitCost: '3.00' });
  await ledger.stock.receiveGoods({
    date: '2026-11-25',
    variantId: returned,
    quantity: 10,
    unitCost: '3.00',
  });
  // Two of B were sold short: covered at £3.00, £1.00 each more than booked at Shopify's £2.00. A's came back: nothing to cover.
  assert.equal(await balance('Expenses:Cost of Goods Sold'), cogsBefore + 2 * 100);
  assert.deepEqual(await at('2026-11-22', kept), [-2, -400], 'what the books held on the 22nd is unchanged');
  assert.deepEqual(await at('2026-11-30', kept), [3, 900]);
  assert.deepEqual(await at('2026-11-30', returned), [10, 3000]);
  assert.equal(await balance('Assets:Inventory'), 900 + 3000);
  // A sale later takes B from its lot, not short.
  await store(order(5_550_000_009_303, kept, 1));
  await ledger.post(await shopEvents());
  assert.deepEqual(await at('2026-11-30', kept), [2, 600]);
});

test('the feed takes the opening stock once the import is booked, counting orders still waiting for the books', async () => {
  const variant = 4_400_000_000_950;
  await storeVariants({ id: variant, title: 'C', price: 999, unitCost: 300, inventoryQuantity: 10 });
  const order = (id: number, quantity: number) =>
    sampleOrder({
      id,
      name: `#${id % 1000}`,
      lines: [{ ...sampleOrder().lines[0]!, id: id * 10, variantId: variant, quantity }],
    });
  const feed = ledger.feed();
  books.events.addFeed(feed); // not consumed here: the test hands the feed its batches
  await store(order(5_550_000_009_401, 2));
  await inTx((tx) => emit(tx, 'shop.imported', { runId: 1, counts: {} }));
  // An order placed while the import finished: Shopify's 10 already left its unit out.
  await store(order(5_550_000_009_402, 1));
  await books.events.drain();
  const events = await inTx((tx) => waitingInFeed(tx, POSTING_FEED, [...BOOKED_EVENTS, 'shop.imported']));
  const imported = events.findIndex((event) => event.type === 'shop.imported');
  assert.ok(imported > 0 && imported < events.length - 1, 'the later order’s events come after the import’s');
  await inTx((tx) => feed.handle(tx, events.slice(0, imported + 1)));
  const { rows } = await db.pool.query('select units, variants from ledger_opening_stock');
  assert.deepEqual(rows, [{ units: 13, variants: 1 }]); // 10 counted + 1 not booked yet + 2 sold short
  await inTx((tx) => feed.handle(tx, events.slice(imported + 1)));
  const line = (await ledger.stock.valuation('2026-12-31')).lines.find((one) => one.variantId === variant)!;
  assert.deepEqual([line.quantity, line.value, line.shopifyCount], [10, 3000, 10]);
  // Another import later does not take it again.
  await inTx((tx) => feed.handle(tx, [{ ...events[imported]!, id: events[imported]!.id + 1000 }]));
  assert.equal(await count('select count(*) as n from ledger_opening_stock'), 1);
  assert.equal(await count("select count(*) as n from events_outbox where type = 'ledger.opening_stock'"), 1);
});

test('other modules get the reports they read through the books’ face and hand in invoices, and nothing else of them', async () => {
  const face = books.modules.face('ledger');
  assert.deepEqual(Object.keys(face).sort(), ['reports', 'takeInvoice']);
  assert.deepEqual(Object.keys(face.reports).sort(), ['profitAndLoss', 'trialBalance']);
  await store(sampleOrder({ financialStatus: 'paid' }), [samplePayment()]);
  await ledger.post(await shopEvents());
  const pnl = await face.reports.profitAndLoss('2026-11-01', '2026-11-30', {
    from: '2026-10-01',
    to: '2026-10-31',
  });
  assert.deepEqual([pnl.revenue, pnl.net, pnl.comparison?.revenue], [2828, 2828, 0]);
  const trial = await face.reports.trialBalance(null, '2026-11-30');
  assert.ok(trial.totalDebits > 0);
  assert.equal(trial.totalDebits, trial.totalCredits);
});

test('goods received on a £1,200 invoice (£1,000 net, £200 VAT): stock at the net, the VAT to reclaim, the bank the gross', async () => {
  const variant = 4_400_000_000_901;
  await storeVariants({ id: variant, title: 'Foils', price: 1500, unitCost: 1000 });
  await ledger.stock.receiveGoods({
    date: '2026-11-10',
    variantId: variant,
    quantity: 100,
    unitCost: '10.00',
    vat: '200.00',
    supplier: 'Salon Wholesale',
    reference: 'SW-1',
  });
  assert.equal(await balance('Assets:Inventory'), 100_000);
  assert.equal(await balance('Assets:VAT Reclaimable'), 20_000);
  assert.equal(await balance('Assets:Bank'), -120_000, 'the bank agrees with the statement');
  await assert.rejects(
    ledger.stock.receiveGoods({
      date: '2026-11-11',
      variantId: variant,
      quantity: 1,
      unitCost: '10.00',
      vat: 'lots',
    }),
    /vat "lots" is not an amount/,
  );
  await assert.rejects(
    ledger.stock.receiveGoods({
      date: '2026-11-11',
      variantId: variant,
      quantity: 1,
      unitCost: '10.00',
      vat: '12.00',
    }),
    /the VAT \(12\.00\) is more than the goods cost before it/,
  );
  assert.equal(await balance('Assets:Bank'), -120_000, 'nothing refused was booked');
});
