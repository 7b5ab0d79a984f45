// The morning summary, the weekly and monthly reports, and the alerts that something looks wrong,
// read from real books and kept in the inbox once each.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { transaction } from '../../src/platform/db/database.ts';
import { addDays } from '../../src/platform/dates.ts';
import { Notifications } from '../../src/platform/notify/notifications.ts';
import { LedgerReports } from '../../src/modules/ledger/reports.ts';
import { Briefings } from '../../src/modules/ledger/briefings.ts';
import { VatReturns } from '../../src/modules/ledger/vat-return.ts';
import type { EntryDraft } from '../../src/modules/ledger/rules.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { entry, poster as bookkeeper } from '../support/ledger.ts';

let db: TestDatabase;
let briefings: Briefings;
let notifications: Notifications;
const TODAY = '2026-11-26';

before(async () => {
  db = await createTestDatabase();
  const poster = bookkeeper();
  // 100 days of a steady shop: £500 of sales a day, £15 of fees (3%), £20 of refunds now and then.
  const drafts: EntryDraft[] = [];
  for (let back = 100; back >= 2; back -= 1) {
    const day = addDays(TODAY, -back);
    drafts.push(
      entry(`sale:${day}`, day, [
        ['Assets:Shopify Receivable', 50000],
        ['Income:Sales', -50000],
      ]),
    );
    drafts.push(
      entry(`fee:${day}`, day, [
        ['Expenses:Payment Fees', 1500],
        ['Assets:Bank', -1500],
      ]),
    );
    if (back % 5 === 0)
      drafts.push(
        entry(`refund:${day}`, day, [
          ['Income:Refunds', 2000],
          ['Assets:Bank', -2000],
        ]),
      );
  }
  // Yesterday: sales fell to £150, refunds jumped to £400, fees rose to 6% of sales.
  const yesterday = addDays(TODAY, -1);
  drafts.push(
    entry(`sale:${yesterday}`, yesterday, [
      ['Assets:Shopify Receivable', 15000],
      ['Income:Sales', -15000],
    ]),
  );
  drafts.push(
    entry(`refund:${yesterday}`, yesterday, [
      ['Income:Refunds', 40000],
      ['Assets:Bank', -40000],
    ]),
  );
  for (let back = 7; back >= 1; back -= 1) {
    const day = addDays(TODAY, -back);
    drafts.push(
      entry(`fee-extra:${day}`, day, [
        ['Expenses:Payment Fees', 1500],
        ['Assets:Bank', -1500],
      ]),
    );
  }
  // An order this month with £10.00 of UK VAT and £5.00 of Irish VAT: the shop's own VAT is the £10.
  drafts.push({
    ...entry('order:vat', '2026-11-10', []),
    sourceType: 'order',
    postings: [
      { account: 'Assets:Shopify Receivable', amount: 1500 },
      { account: 'Liabilities:Sales Tax Payable', amount: -1000, jurisdiction: 'GB GB VAT' },
      { account: 'Liabilities:Sales Tax Payable', amount: -500, jurisdiction: 'IE IE VAT' },
    ],
  });
  await transaction(db.pool, (tx) => poster.write(tx, drafts, []));
  notifications = new Notifications({ pool: db.pool });
  const currency = async () => 'GBP';
  briefings = new Briefings({
    db: db.pool,
    reports: new LedgerReports({ db: db.pool, currency }),
    notifications,
    currency,
    vatReturns: new VatReturns({ db: db.pool, currency, scheme: { kind: 'standard' } }),
  });
});
after(() => db.drop());

test('the morning summary says what yesterday earned, and the alerts say what looks wrong', async () => {
  const notices = await briefings.dailySummary(TODAY);
  const kinds = notices.map((notice) => notice.kind);
  assert.deepEqual(kinds, [
    'ledger.daily_summary',
    'ledger.refund_spike',
    'ledger.revenue_drop',
    'ledger.fee_drift',
  ]);
  assert.equal(notices[0]!.title, 'Yesterday (2026-11-25): -£250.00 in sales, -£265.00 earned');
  assert.match(notices[0]!.body, /Revenue: -£250\.00 \(after refunds\)/);
  // The shop's own VAT, not every country's taxes added together.
  assert.match(notices[0]!.body, /VAT owed this month so far \(UK, after VAT to reclaim\): £10\.00\n/);
  assert.match(notices[0]!.body, /Taxes collected for other countries: Ireland: VAT £5\.00/);
  assert.match(notices[1]!.title, /Refunds on 2026-11-25: £400\.00, 112\.0× a normal day/);
  assert.match(notices[2]!.title, /Sales on 2026-11-25: £150\.00, against £500\.00 on a normal day/);
  assert.match(notices[3]!.title, /Payment fees were .*% of sales this week, against 3\.00% before/);
  // Sent once, however often the job runs.
  await briefings.dailySummary(TODAY);
  const inbox = await notifications.list();
  assert.equal(inbox.length, 4);
  assert.equal(await notifications.unread(), 4);
  await notifications.markRead(inbox[0]!.id);
  assert.equal(await notifications.unread(), 3);
});

test('a normal day raises no alert', async () => {
  const day = addDays(TODAY, -10);
  assert.deepEqual(await briefings.anomalies(day), []);
});

test('the weekly report compares with the week before; the monthly statement covers last month', async () => {
  const weekly = await briefings.weeklyReport(TODAY);
  assert.match(weekly.title, /^Week 2026-11-19 to 2026-11-25: /);
  assert.match(weekly.body, /against £3,480\.00 the week before/);
  const monthly = await briefings.monthlyStatement(TODAY);
  assert.match(monthly.title, /^2026-10: £15,380\.00 revenue, £14,915\.00 earned/);
  assert.match(monthly.body, /Balance sheet at 2026-10-31/);
});
