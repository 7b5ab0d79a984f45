// The cash projection's rules: months that are shorter, which expenses count as monthly, when a
// product is reordered, and how the items add up week by week.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  nextMonth,
  openVatQuarters,
  plannedReorders,
  project,
  recurringExpenses,
  vatPayments,
  type ProjectedItem,
} from '../../src/modules/ledger/projection.ts';
import { cashFlowClass } from '../../src/modules/ledger/chart.ts';

test('a month later is the same day, or the last day of a shorter month', () => {
  assert.equal(nextMonth('2026-01-15'), '2026-02-15');
  assert.equal(nextMonth('2026-01-31'), '2026-02-28');
  assert.equal(nextMonth('2028-01-31'), '2028-02-29');
  assert.equal(nextMonth('2026-12-31'), '2027-01-31');
});

test('an expense paid in three different months comes back monthly; one paid twice does not', () => {
  const items = recurringExpenses(
    [
      { supplier: 'Shopify', date: '2026-08-03', amount: 2500 },
      { supplier: 'Shopify', date: '2026-09-03', amount: 2500 },
      { supplier: 'Shopify', date: '2026-10-03', amount: 2900 },
      { supplier: 'Canva', date: '2026-09-10', amount: 1099 },
      { supplier: 'Canva', date: '2026-10-10', amount: 1099 },
    ],
    '2026-10-20',
    '2027-01-18',
  );
  assert.deepEqual(
    items.map((item) => [item.date, item.description, item.amount]),
    [
      ['2026-11-03', 'Shopify (monthly)', -2900],
      ['2026-12-03', 'Shopify (monthly)', -2900],
      ['2027-01-03', 'Shopify (monthly)', -2900],
    ],
  );
});

test('a product is reordered, a month’s worth, whenever two weeks of stock are left', () => {
  // 2 a day, 40 left: 20 days of stock, so the first reorder is in 6 days; 60 units at £3.50.
  const items = plannedReorders(
    [{ variantId: 1, name: 'Argan Oil', onHand: 40, soldPerDay: 2, unitCostMicros: 3_500_000 }],
    '2026-11-26',
    90,
    'GBP',
  );
  assert.deepEqual(items[0], {
    date: '2026-12-02',
    kind: 'reorder',
    description: 'Reorder 60 × Argan Oil',
    amount: -21000,
  });
  // Then every 30 days, as each delivery lasts a month, up to the 90th day (day 96 is beyond it).
  assert.deepEqual(
    items.map((item) => item.date),
    ['2026-12-02', '2027-01-01', '2027-01-31'],
  );
  // Nothing sold, nothing cost: no reorder.
  assert.deepEqual(
    plannedReorders(
      [
        { variantId: 2, name: 'Slow', onHand: 0, soldPerDay: 0, unitCostMicros: 1_000_000 },
        { variantId: 3, name: 'Free', onHand: 0, soldPerDay: 1, unitCostMicros: 0 },
      ],
      '2026-11-26',
      90,
      'GBP',
    ),
    [],
  );
});

test('the projection adds every item in its week, finds the lowest point, and ends where the items say', () => {
  const pending: ProjectedItem[] = [
    { date: '2026-11-29', kind: 'payout', description: 'Shopify Payments', amount: 50_000 },
  ];
  const recurring: ProjectedItem[] = [
    { date: '2026-11-27', kind: 'recurring', description: 'Rent (monthly)', amount: -120_000 },
  ];
  const projection = project({
    from: '2026-11-26',
    currency: 'GBP',
    openingCash: 100_000,
    pending,
    takingsPerDay: 1_000,
    recurring,
    reorders: [],
  });
  assert.equal(projection.weeks.length, 13);
  assert.equal(projection.weeks[0]!.starts, '2026-11-27');
  assert.deepEqual(projection.lowest, { date: '2026-11-27', balance: -20_000 });
  // Takings start the day after the payout delay (day 4) and run to day 90: 87 days.
  const takings = projection.items.filter((item) => item.kind === 'takings');
  assert.equal(
    takings.reduce((sum, item) => sum + item.amount, 0),
    87_000,
  );
  const moved = projection.weeks.reduce((sum, week) => sum + week.moneyIn - week.moneyOut, 0);
  assert.equal(projection.closingCash, 100_000 + moved);
  assert.equal(projection.closingCash, 100_000 + 50_000 - 120_000 + 87_000);
  assert.equal(projection.weeks.at(-1)!.closing, projection.closingCash);
});

test('cash-flow classes: bank and cash are the cash; loans and the owner are financing; the rest operating', () => {
  assert.equal(cashFlowClass('Assets:Bank'), 'cash');
  assert.equal(cashFlowClass('Assets:Bank:Savings'), 'cash');
  assert.equal(cashFlowClass('Assets:Clearing:Cash'), 'operating');
  assert.equal(cashFlowClass('Assets:Inventory'), 'operating');
  assert.equal(cashFlowClass('Assets:Equipment'), 'investing');
  assert.equal(cashFlowClass('Liabilities:Loan:Bank'), 'financing');
  assert.equal(cashFlowClass('Liabilities:Sales Tax Payable'), 'operating');
  assert.equal(cashFlowClass('Equity:Owner Capital'), 'financing');
  assert.equal(cashFlowClass('Equity:Retained Earnings'), 'operating');
});

test('VAT quarters not yet due: calendar quarters and the other two staggers, due a month and seven days after', () => {
  assert.deepEqual(openVatQuarters('2026-12-07', 3), [
    { start: '2026-10-01', end: '2026-12-31', due: '2027-02-07' },
  ]);
  assert.deepEqual(openVatQuarters('2026-04-20', 3), [
    { start: '2026-01-01', end: '2026-03-31', due: '2026-05-07' },
    { start: '2026-04-01', end: '2026-06-30', due: '2026-08-07' },
  ]);
  // Quarters ending Jan, Apr, Jul, Oct: the quarter to 31 October is due on 7 December, today (so it is
  // no longer "not yet due"), and the running one ends in January next year.
  assert.deepEqual(openVatQuarters('2026-12-07', 1), [
    { start: '2026-11-01', end: '2027-01-31', due: '2027-03-07' },
  ]);
  assert.deepEqual(openVatQuarters('2026-12-01', 2), [
    { start: '2026-09-01', end: '2026-11-30', due: '2027-01-07' },
    { start: '2026-12-01', end: '2027-02-28', due: '2027-04-07' },
  ]);
});

test('VAT in the projection: a finished quarter on its due day, the running one at its pace, and VAT overdue tomorrow', () => {
  const items = vatPayments({
    today: '2026-04-20',
    until: '2026-07-19',
    quarters: [
      { start: '2026-01-01', end: '2026-03-31', due: '2026-05-07', owedSoFar: 9_000_00 },
      // 20 days of a 91-day quarter: £2,000.00 so far, £9,100.00 at that pace, due after the window.
      { start: '2026-04-01', end: '2026-06-30', due: '2026-08-07', owedSoFar: 2_000_00 },
    ],
    owedNow: 14_500_00, // £3,500 more than the open quarters: a quarter already due and not paid
  });
  assert.deepEqual(items, [
    { date: '2026-05-07', kind: 'vat', description: 'VAT for the quarter to 2026-03-31', amount: -9_000_00 },
    {
      date: '2026-04-21',
      kind: 'vat',
      description:
        'VAT for quarters already due that the books still owe (pay HMRC, or book the payment made)',
      amount: -3_500_00,
    },
  ]);
  const running = vatPayments({
    today: '2026-04-20',
    until: '2026-08-31',
    quarters: [{ start: '2026-04-01', end: '2026-06-30', due: '2026-08-07', owedSoFar: 2_000_00 }],
    owedNow: 2_000_00,
  });
  assert.deepEqual(running, [
    {
      date: '2026-08-07',
      kind: 'vat',
      description: 'VAT for the quarter to 2026-06-30 (at the pace so far)',
      amount: -9_100_00,
    },
  ]);
});

test('a quarter that reclaims more VAT than it collected is money in, on its due day', () => {
  assert.deepEqual(
    vatPayments({
      today: '2026-04-20',
      until: '2026-07-19',
      quarters: [{ start: '2026-01-01', end: '2026-03-31', due: '2026-05-07', owedSoFar: -1_250_00 }],
      owedNow: -1_250_00,
    }),
    [
      {
        date: '2026-05-07',
        kind: 'vat',
        description: 'VAT repaid by HMRC for the quarter to 2026-03-31',
        amount: 1_250_00,
      },
    ],
  );
});
