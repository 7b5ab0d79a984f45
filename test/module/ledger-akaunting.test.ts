// Daily summaries to Akaunting, against its simulator: one income and one expense transaction a day,
// nothing twice (replays, a crash between pushing and recording), corrections when a day changes
// later, 429s waited out, and a refused login told plainly without the password.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { transaction } from '../../src/platform/db/database.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { Notifications } from '../../src/platform/notify/notifications.ts';
import type { AkauntingConfig } from '../../src/modules/ledger/settings.ts';
import type { Poster } from '../../src/modules/ledger/posting.ts';
import { LedgerReports } from '../../src/modules/ledger/reports.ts';
import { AkauntingClient } from '../../src/modules/ledger/akaunting.ts';
import { AkauntingSync } from '../../src/modules/ledger/akaunting-sync.ts';
import { LedgerService } from '../../src/modules/ledger/ledger-service.ts';
import type { EntryDraft } from '../../src/modules/ledger/rules.ts';
import { AkauntingSimulator } from '../../src/sim/akaunting.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { emptyShop, entry, poster as bookkeeper } from '../support/ledger.ts';

let db: TestDatabase;
let sim: AkauntingSimulator;
let poster: Poster;
let reports: LedgerReports;
let config: AkauntingConfig;
const waits: number[] = [];

const book = (drafts: EntryDraft[]) => transaction(db.pool, (tx) => poster.write(tx, drafts, []));
const sync = (client = new AkauntingClient(config, async (ms) => void waits.push(ms))) =>
  new AkauntingSync({ db: db.pool, reports, client, paymentMethod: config.paymentMethod });

before(async () => {
  db = await createTestDatabase();
  poster = bookkeeper();
  reports = new LedgerReports({ db: db.pool, currency: async () => 'GBP' });
});
after(async () => {
  await sim?.stop();
  await db.drop();
});
beforeEach(async () => {
  await sim?.stop();
  sim = await AkauntingSimulator.start({
    email: 'api@salon-shop.example',
    password: 'correct horse battery',
  });
  config = {
    baseUrl: sim.baseUrl,
    email: 'api@salon-shop.example',
    password: 'correct horse battery',
    companyId: 1,
    accountId: undefined,
    incomeCategoryId: undefined,
    expenseCategoryId: undefined,
    paymentMethod: 'offline-payments.bank_transfer.2',
  };
  waits.length = 0;
  await db.pool.query(
    `alter table ledger_entries disable trigger user; alter table ledger_postings disable trigger user;
     truncate ledger_postings, ledger_journal_documents, ledger_bank_lines, ledger_bank_statements, ledger_bills, ledger_entries, ledger_day_totals, ledger_akaunting_pushes, ledger_stock_moves, ledger_receipts;
     alter table ledger_entries enable trigger user; alter table ledger_postings enable trigger user;`,
  );
});

test('each day becomes one income and one expense transaction, once, with corrections when a day changes', async () => {
  await book([
    entry('sale:1', '2026-11-20', [
      ['Assets:Shopify Receivable', 12000],
      ['Income:Sales', -10000],
      ['Liabilities:Sales Tax Payable', -2000],
    ]),
    entry('fee:1', '2026-11-20', [
      ['Expenses:Payment Fees', 290],
      ['Assets:Bank', -290],
    ]),
    entry('sale:2', '2026-11-21', [
      ['Assets:Shopify Receivable', 4500],
      ['Income:Sales', -4500],
    ]),
  ]);
  const first = await sync().sync('2026-11-19', '2026-11-22');
  assert.deepEqual(first, { days: 3, pushed: 3, upToDate: 0 }); // the books begin on the 20th
  // Into the first account in pounds (the simulated Akaunting lists a euro account first), the "Sales"
  // income category and the first expense category.
  assert.deepEqual(
    sim.transactions.map((t) => [t.number, t.type, t.amount, t.category_id, t.account_id, t.paid_at]),
    [
      ['SK-2026-11-20-SALES', 'income', 100, 3, 1, '2026-11-20 12:00:00'],
      ['SK-2026-11-20-EXPENSES', 'expense', 2.9, 4, 1, '2026-11-20 12:00:00'],
      ['SK-2026-11-21-SALES', 'income', 45, 3, 1, '2026-11-21 12:00:00'],
    ],
  );
  // Again: nothing new.
  assert.deepEqual(await sync().sync('2026-11-19', '2026-11-22'), { days: 3, pushed: 0, upToDate: 3 });
  assert.equal(sim.transactions.length, 3);

  // A refund dated the 20th arrives late: the day's sales go down by £30, as a correction.
  await book([
    entry('refund:1', '2026-11-20', [
      ['Income:Refunds', 3000],
      ['Assets:Shopify Receivable', -3000],
    ]),
  ]);
  assert.equal((await sync().sync('2026-11-20', '2026-11-20')).pushed, 1);
  const correction = sim.transactions.at(-1)!;
  assert.deepEqual(
    [correction.number, correction.type, correction.amount, correction.category_id],
    ['SK-2026-11-20-SALES-2', 'expense', 30, 3],
  );
  assert.match(correction.description!, /Correction to sales of 2026-11-20 .* down by £30\.00/);
  // What Akaunting holds for the day adds up to the books.
  const day = sim.transactions.filter((t) => t.paid_at.startsWith('2026-11-20') && t.category_id === 3);
  const net = day.reduce((sum, t) => sum + (t.type === 'income' ? t.amount : -t.amount), 0);
  assert.equal(Math.round(net * 100), (await reports.profitAndLoss('2026-11-20', '2026-11-20')).revenue);
});

test('one push at a time: a second while one runs is refused, not run twice', async () => {
  await book([
    entry('sale:1', '2026-11-20', [
      ['Assets:Bank', 5000],
      ['Income:Sales', -5000],
    ]),
  ]);
  const running = await db.pool.connect();
  try {
    await running.query("select pg_advisory_lock(hashtext('ledger.akaunting-sync'))");
    await assert.rejects(sync().sync('2026-11-20', '2026-11-20'), /running already/);
    await running.query("select pg_advisory_unlock(hashtext('ledger.akaunting-sync'))");
  } finally {
    running.release();
  }
  assert.equal(sim.transactions.length, 0);
  assert.equal((await sync().sync('2026-11-20', '2026-11-20')).pushed, 1);
});

test('a crash after Akaunting took a transaction but before it was recorded here does not push it twice', async () => {
  await book([
    entry('sale:1', '2026-11-20', [
      ['Assets:Bank', 5000],
      ['Income:Sales', -5000],
    ]),
  ]);
  await sync().sync('2026-11-20', '2026-11-20');
  await db.pool.query('delete from ledger_akaunting_pushes'); // as if the recording never committed
  assert.deepEqual(await sync().sync('2026-11-20', '2026-11-20'), { days: 1, pushed: 1, upToDate: 0 });
  assert.equal(sim.transactions.length, 1, 'found by its reference, not created again');
  const { rows } = await db.pool.query(
    'select number, amount_minor, akaunting_id from ledger_akaunting_pushes',
  );
  assert.deepEqual(rows, [{ number: 'SK-2026-11-20-SALES', amount_minor: '5000', akaunting_id: '1' }]);
});

test('429s are waited out as Retry-After says; a refused login, permission or payment method is said plainly', async () => {
  await book([
    entry('sale:1', '2026-11-20', [
      ['Assets:Bank', 5000],
      ['Income:Sales', -5000],
    ]),
  ]);
  sim.failures.add('rate-limit', 2);
  assert.equal((await sync().sync('2026-11-20', '2026-11-20')).pushed, 1);
  assert.deepEqual(waits, [1000, 1000]);

  const wrong = new AkauntingClient({ ...config, password: 'not the password' });
  const refused = await sync(wrong)
    .sync('2026-11-20', '2026-11-20')
    .catch((error: Error & { kind?: string }) => error);
  assert.ok(refused instanceof Error);
  assert.equal(refused.kind, 'auth');
  assert.match(refused.message, /refused the login of api@salon-shop\.example/);
  assert.doesNotMatch(refused.message, /not the password|correct horse/);

  await sim.stop();
  sim = await AkauntingSimulator.start({
    email: config.email,
    password: config.password,
    apiPermission: false,
  });
  const denied = await sync(new AkauntingClient({ ...config, baseUrl: sim.baseUrl }))
    .sync('2026-11-20', '2026-11-20')
    .catch((error: Error) => error);
  assert.match(String(denied), /read-api permission/);

  await sim.stop();
  sim = await AkauntingSimulator.start({ email: config.email, password: config.password });
  await db.pool.query('delete from ledger_akaunting_pushes');
  const rejected = await new AkauntingSync({
    db: db.pool,
    reports,
    client: new AkauntingClient({ ...config, baseUrl: sim.baseUrl }),
    paymentMethod: 'cheque',
  })
    .sync('2026-11-20', '2026-11-20')
    .catch((error: Error & { kind?: string }) => error);
  assert.equal((rejected as { kind?: string }).kind, 'rejected');
  assert.match(String(rejected), /The payment method is invalid/);
  assert.equal(sim.transactions.length, 0);
});

test('the ledger service tells the owner once when Akaunting refuses the login', async () => {
  await book([
    entry('sale:1', '2026-11-20', [
      ['Assets:Bank', 5000],
      ['Income:Sales', -5000],
    ]),
  ]);
  const notifications = new Notifications({ pool: db.pool });
  const ledger = new LedgerService({
    db: db.pool,
    shop: emptyShop,
    logger: createLogger('silent'),
    timezone: 'Europe/London',
    notifications,
    akaunting: { ...config, password: 'wrong' },
    clock: () => new Date('2026-11-21T08:00:00Z'),
  });
  for (let i = 0; i < 2; i += 1)
    await assert.rejects(ledger.syncAkaunting('2026-11-20', '2026-11-20'), /refused the login/);
  const told = (await notifications.list()).filter((notice) => notice.kind === 'ledger.akaunting_failed');
  assert.equal(told.length, 1);
  assert.match(told[0]!.body, /AKAUNTING_PASSWORD/);
  assert.doesNotMatch(told[0]!.body, /wrong/);
});
