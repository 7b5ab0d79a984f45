// The UK VAT return's nine boxes for a quarter of a test fixture, worked by hand (issue 13):
//  - order #2001, UK: a £120.00 serum (£20.00 VAT inside) and £6.00 shipping (£1.00 VAT) = £126.00;
//  - order #2002, to the US: £50.00, no VAT (an export, zero-rated: in box 6, not box 1);
//  - #2001's shipping refunded: £6.00 back with its £1.00 VAT;
//  - an expense: Canva £12.00 with £2.00 VAT; goods received: £1,000.00 + £200.00 VAT;
//  - a payout with £3.08 of Shopify Payments fees (exempt: box 7, no VAT);
//  - last quarter's VAT paid to HMRC by journal (£500.00): in no box.
// Box 1 = 20.00 + 1.00 − 1.00 = 20.00; box 4 = 2.00 + 200.00 = 202.00; box 5 = |20.00 − 202.00| =
// 182.00 to reclaim; box 6 = 100.00 + 5.00 + 50.00 − 5.00 = £150; box 7 = 10.00 + 1,000.00 + 3.08 = £1,013.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBooks, type Books } from '../support/ledger.ts';
import {
  sampleBalanceTransaction,
  sampleOrder,
  samplePayment,
  samplePayout,
  sampleProduct,
  sampleVariant,
  storeOrders,
  storePayout,
  storeProducts,
} from '../support/shop.ts';

let books: Books;
const gbp = (minor: number) => ({ shop: minor, presentment: minor });
const QUARTER = ['2026-10-01', '2026-12-31'] as const;

before(async () => {
  books = await openBooks();
  const { ledger, db } = books;
  await storeProducts(db.pool, sampleProduct({ variants: [sampleVariant()] }));
  const uk = sampleOrder({
    id: 5_550_000_020_001,
    name: '#2001',
    financialStatus: 'paid',
    createdAt: '2026-11-02T10:00:00.000Z',
    processedAt: '2026-11-02T10:00:00.000Z',
    total: gbp(12_600),
    tax: gbp(2_100),
    lines: [
      {
        ...sampleOrder().lines[0]!,
        id: 1_300_000_020_001,
        unitPrice: gbp(12_000),
        taxLines: [{ title: 'GB VAT', rate: '0.2', amount: gbp(2_000) }],
      },
    ],
    shippingLines: [
      {
        ...sampleOrder().shippingLines[0]!,
        price: gbp(600),
        discountedPrice: gbp(600),
        taxLines: [{ title: 'GB VAT', rate: '0.2', amount: gbp(100) }],
      },
    ],
  });
  const us = sampleOrder({
    id: 5_550_000_020_002,
    name: '#2002',
    financialStatus: 'paid',
    shippingCountry: 'US',
    createdAt: '2026-11-03T10:00:00.000Z',
    processedAt: '2026-11-03T10:00:00.000Z',
    total: gbp(5_000),
    tax: gbp(0),
    taxLines: [],
    lines: [{ ...sampleOrder().lines[0]!, id: 1_300_000_020_002, unitPrice: gbp(5_000), taxLines: [] }],
    shippingLines: [],
  });
  const paid = (order: typeof uk, id: number) =>
    samplePayment({ id, orderId: order.id, processedAt: order.createdAt, amount: order.total });
  await storeOrders(
    db.pool,
    {
      order: uk,
      transactions: [paid(uk, 6_600_000_020_001)],
      refunds: [
        {
          id: 7_700_000_020_001,
          orderId: uk.id,
          createdAt: '2026-11-10T10:00:00.000Z',
          note: 'shipping back',
          lines: [],
          shipping: [{ subtotal: gbp(600), tax: gbp(100) }],
          adjustments: [],
          duties: gbp(0),
          transactions: [
            samplePayment({
              id: 6_600_000_020_003,
              orderId: uk.id,
              kind: 'refund',
              processedAt: '2026-11-10T10:00:00.000Z',
              amount: gbp(600),
              fee: null,
            }),
          ],
        },
      ],
    },
    { order: us, transactions: [paid(us, 6_600_000_020_002)] },
  );
  await storePayout(
    db.pool,
    samplePayout({ id: 2001, issuedAt: '2026-11-12T06:00:00.000Z', net: 12_600 + 5_000 - 600 - 308 }),
    [
      sampleBalanceTransaction({
        id: 20_001,
        sourceId: 6_600_000_020_001,
        orderId: uk.id,
        payoutId: 2001,
        amount: 12_600,
        fee: 200,
        net: 12_400,
      }),
      sampleBalanceTransaction({
        id: 20_002,
        sourceId: 6_600_000_020_002,
        orderId: us.id,
        payoutId: 2001,
        amount: 5_000,
        fee: 108,
        net: 4_892,
      }),
      sampleBalanceTransaction({
        id: 20_003,
        type: 'refund',
        sourceType: 'refund',
        sourceId: 6_600_000_020_003,
        orderId: uk.id,
        payoutId: 2001,
        amount: -600,
        fee: 0,
        net: -600,
      }),
    ],
  );
  await ledger.post(await books.shopEvents());
  await ledger.addExpense({
    date: '2026-11-04',
    supplier: 'Canva',
    amount: '12.00',
    tax: '2.00',
    account: 'Expenses:Software',
  });
  await ledger.stock.receiveGoods({
    date: '2026-11-05',
    variantId: sampleVariant().id,
    quantity: 125,
    unitCost: '8.00',
    vat: '200.00',
    supplier: 'Argan Co',
  });
  await ledger.journals.post({
    date: '2026-11-07',
    memo: 'VAT paid to HMRC for the quarter to 30 September',
    lines: [
      { account: 'Liabilities:Sales Tax Payable', debit: 50_000 },
      { account: 'Assets:Bank', credit: 50_000 },
    ],
  });
});
after(() => books.close());

test('the quarter’s nine boxes equal the hand-worked figures', async () => {
  const vat = await books.ledger.vatReturns.forPeriod(...QUARTER);
  assert.deepEqual(
    [vat.box1, vat.box2, vat.box3, vat.box4, vat.box5, vat.box6, vat.box7, vat.box8, vat.box9],
    [2_000, 0, 2_000, 20_200, 18_200, 15_000, 101_300, 0, 0],
  );
  assert.equal(vat.toPay, -18_200, 'HMRC repays £182.00');
  assert.equal(vat.filed, null);
});

test('a filed return keeps its figures though the books change; an overlapping one is refused', async () => {
  const filed = await books.ledger.vatReturns.file(...QUARTER, 'owner@example.com');
  assert.equal(filed.box1, 2_000);
  assert.equal(filed.filed?.by, 'owner@example.com');
  // A late expense in the quarter: the filed return does not move (the next return picks it up).
  await books.ledger.addExpense({
    date: '2026-12-01',
    supplier: 'Royal Mail',
    amount: '60.00',
    tax: '10.00',
    account: 'Expenses:Postage',
  });
  assert.equal((await books.ledger.vatReturns.forPeriod(...QUARTER)).box4, 20_200);
  await assert.rejects(
    books.ledger.vatReturns.file('2026-12-01', '2027-02-28', 'owner@example.com'),
    /already filed; it overlaps/,
  );
  assert.equal((await books.ledger.vatReturns.list()).length, 1);
});

test('the Flat Rate Scheme: a fixed share of VAT-inclusive turnover, nothing reclaimed', async () => {
  const { VatReturns } = await import('../../src/modules/ledger/vat-return.ts');
  const flat = new VatReturns({
    db: books.db.pool,
    currency: async () => 'GBP',
    scheme: { kind: 'flat-rate', flatRate: '7.5' },
  });
  // Turnover with VAT: £150.00 of sales + £20.00 VAT = £170.00; 7.5 % of it is £12.75.
  const vat = await flat.forPeriod('2026-11-01', '2026-11-30');
  assert.deepEqual([vat.box1, vat.box4, vat.box5, vat.box6], [1_275, 0, 1_275, 17_000]);
});

test('stock written off and counted: out at what it cost, found at the last cost, the valuation agrees', async () => {
  const { ledger } = books;
  const variant = sampleVariant().id;
  const before = await ledger.stock.valuation('2026-12-31');
  const units = () => before.lines.find((line) => line.variantId === variant)!.quantity;
  const held = units();
  // Three expired jars at £8.00 each.
  const written = await ledger.stock.writeOff({
    date: '2026-12-02',
    variantId: variant,
    quantity: 3,
    reason: 'expired',
  });
  assert.equal(written.cost, 2_400);
  await assert.rejects(
    ledger.stock.writeOff({ date: '2026-12-02', variantId: variant, quantity: 100_000, reason: 'damaged' }),
    /the books hold \d+ unit\(s\) of variant/,
  );
  // The count finds two fewer than the books (missing), then a later count two more (found at £8.00).
  const [missing] = await ledger.stock.count('2026-12-03', [{ variantId: variant, counted: held - 5 }]);
  assert.deepEqual([missing!.books, missing!.difference, missing!.value], [held - 3, -2, -1_600]);
  const [found] = await ledger.stock.count('2026-12-04', [{ variantId: variant, counted: held - 3 }]);
  assert.deepEqual([found!.difference, found!.value], [2, 1_600]);
  const after = await ledger.stock.valuation('2026-12-31');
  assert.equal(after.lines.find((line) => line.variantId === variant)!.quantity, held - 3);
  assert.equal(after.total, before.total - 2_400);
  // The books say the same: Stock written off holds the write-off and the missing less the found.
  const trial = await ledger.reports.trialBalance('2026-12-01', '2026-12-31');
  const line = trial.lines.find((each) => each.account === 'Expenses:Stock Written Off')!;
  assert.equal(line.debit - line.credit, 2_400);
});

test('stock found at a count or written off is no purchase: box 7 is unchanged', async () => {
  const december = await books.ledger.vatReturns.forPeriod('2026-12-01', '2026-12-31');
  // December holds the late £50.00 of postage (box 7: £50) and the stock adjustments (none of them).
  assert.equal(december.box7, 5_000);
});

test('what salons owe: orders booked and not paid, aged by customer; a statement; a reminder once a week', async () => {
  const { ledger, db } = books;
  const salon = (id: number, name: string, day: string) =>
    sampleOrder({
      id,
      name,
      email: 'bella@salon.example',
      tags: ['wholesale'],
      gateways: ['manual'],
      financialStatus: 'pending',
      createdAt: `${day}T10:00:00.000Z`,
      processedAt: `${day}T10:00:00.000Z`,
    });
  await storeOrders(
    db.pool,
    { order: salon(5_550_000_020_003, '#2003', '2026-10-20') },
    {
      order: { ...salon(5_550_000_020_004, '#2004', '2026-12-10'), financialStatus: 'partially_paid' },
      transactions: [
        samplePayment({
          id: 6_600_000_020_004,
          orderId: 5_550_000_020_004,
          gateway: 'manual',
          processedAt: '2026-12-11T10:00:00.000Z',
          amount: gbp(1_000),
          fee: null,
        }),
      ],
    },
  );
  await ledger.post(await books.shopEvents());
  const aged = await ledger.receivables.aged('2026-12-15');
  const bella = aged.customers.find((each) => each.customer === 'bella@salon.example')!;
  assert.deepEqual(bella.bands, [2_394, 3_394, 0, 0], '#2004 five days old, part paid; #2003 56 days old');
  assert.deepEqual(
    bella.debts.map((debt) => [debt.order, debt.age, debt.owed]),
    [
      ['#2003', 56, 3_394],
      ['#2004', 5, 2_394],
    ],
  );
  const statement = await ledger.debtStatement('bella@salon.example', '2026-12-15');
  assert.equal(statement.title, 'Statement for bella@salon.example');
  assert.deepEqual(statement.sections[0]!.rows.at(-1)!.cells.at(-1), { money: 5_788 });
  await assert.rejects(ledger.debtStatement('nobody@example.com', '2026-12-15'), /owes nothing/);
  const { Notifications } = await import('../../src/platform/notify/notifications.ts');
  const inbox = new Notifications({ pool: db.pool });
  assert.equal(await ledger.receivables.remind('2026-12-15', inbox), 1, 'only #2003 is past 30 days');
  await ledger.receivables.remind('2026-12-16', inbox);
  const reminders = (await inbox.list()).filter((notice) => notice.kind === 'ledger.debt_overdue');
  assert.equal(reminders.length, 1, 'once a week');
  assert.match(reminders[0]!.title, /bella@salon\.example owes £33\.94 on order #2003, 56 days old/);
});

test('closing the year rolls its profit into earnings of earlier years; each year keeps its P&L', async () => {
  const { ledger } = books;
  const november = await ledger.reports.profitAndLoss('2026-11-01', '2026-11-30');
  const before = await ledger.reports.balanceSheet('2026-12-15');
  const closed = await ledger.closeYear('2026-11-30', 'owner@example.com');
  const upToYearEnd = await ledger.reports.profitAndLoss('0001-01-01', '2026-11-30');
  assert.equal(closed.profit, upToYearEnd.net);
  const after = await ledger.reports.balanceSheet('2026-12-15');
  assert.equal(after.retainedEarnings, upToYearEnd.net);
  assert.equal(after.earnings, before.earnings - upToYearEnd.net, 'this year: December only');
  assert.equal(after.totalEquity, before.totalEquity);
  assert.equal(after.totalAssets, after.totalLiabilities + after.totalEquity);
  assert.deepEqual(await ledger.reports.profitAndLoss('2026-11-01', '2026-11-30'), november);
  await assert.rejects(ledger.closeYear('2026-11-30', 'owner@example.com'), /closed already/);
  await assert.rejects(
    ledger.journals.post({
      date: '2026-11-20',
      memo: 'Late accrual',
      lines: [
        { account: 'Expenses:General', debit: 100 },
        { account: 'Assets:Bank', credit: 100 },
      ],
    }),
    /closed up to 2026-11-30/,
  );
});

test('ads billed from Ireland under the reverse charge: £20.00 due and reclaimed, £100 in boxes 6 and 7', async () => {
  const { ledger } = books;
  const before = await ledger.vatReturns.forPeriod('2026-12-01', '2026-12-31');
  await ledger.addExpense({
    date: '2026-12-05',
    supplier: 'Meta Platforms Ireland',
    amount: '100.00',
    account: 'Expenses:Advertising',
    reverseCharge: true,
  });
  const after = await ledger.vatReturns.forPeriod('2026-12-01', '2026-12-31');
  assert.equal(after.box1 - before.box1, 2_000);
  assert.equal(after.box4 - before.box4, 2_000);
  assert.equal(after.box5, before.box5, 'the reverse charge costs nothing net');
  assert.equal(after.box6 - before.box6, 10_000);
  assert.equal(after.box7 - before.box7, 10_000);
  await assert.rejects(
    ledger.addExpense({
      date: '2026-12-06',
      supplier: 'Google Ireland',
      amount: '50.00',
      tax: '10.00',
      reverseCharge: true,
    }),
    /reverse-charged service has no VAT on its invoice/,
  );
});
