// The posting rules on orders worked out by hand, and the invariant that every entry balances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleBalanceTransaction, sampleOrder, samplePayment, sampleRefund } from '../support/shop.ts';
import {
  payoutRule,
  paymentRule,
  refundRule,
  saleAdjustment,
  saleLines,
  split,
  type PostingDraft,
  type RuleResult,
} from '../../src/modules/ledger/rules.ts';
import type { Refund } from '../../src/modules/shop/index.ts';

const sum = (postings: PostingDraft[]) => postings.reduce((total, posting) => total + posting.amount, 0);
const entryOf = (result: RuleResult) => {
  assert.ok('entry' in result, JSON.stringify(result));
  return result.entry;
};
const byAccount = (postings: PostingDraft[]) =>
  Object.fromEntries(
    postings.map((p) => [`${p.account}${p.jurisdiction ? ` @${p.jurisdiction}` : ''}`, p.amount]),
  );

test('a VAT-inclusive order: sales and shipping net of VAT, VAT owed in GB, the total owed by the customer', () => {
  const lines = saleLines(sampleOrder());
  assert.deepEqual(byAccount(lines), {
    'Assets:Shopify Receivable': 3394,
    'Income:Sales': -2499, // £29.99 less £5.00 VAT
    'Income:Shipping': -329, // £3.95 less £0.66 VAT
    'Liabilities:Sales Tax Payable @GB GB VAT': -566,
  });
  assert.equal(sum(lines), 0);
});

test('a tax-exclusive order with a discount: sales net of the discount, tax on top', () => {
  const gbp = (minor: number) => ({ shop: minor, presentment: minor });
  const order = sampleOrder({
    taxesIncluded: false,
    shippingCountry: 'US',
    shippingProvince: 'NY',
    total: gbp(2000 - 200 + 500 + 160),
    lines: [
      {
        ...sampleOrder().lines[0]!,
        unitPrice: gbp(1000),
        quantity: 2,
        discount: gbp(200),
        taxLines: [{ title: 'NY State Tax', rate: '0.08', amount: gbp(144) }],
      },
    ],
    shippingLines: [
      {
        ...sampleOrder().shippingLines[0]!,
        price: gbp(500),
        discountedPrice: gbp(500),
        taxLines: [{ title: 'NY State Tax', rate: '0.08', amount: gbp(16) }],
      },
    ],
  });
  assert.deepEqual(byAccount(saleLines(order)), {
    'Assets:Shopify Receivable': 2460,
    'Income:Sales': -1800,
    'Income:Shipping': -500,
    'Liabilities:Sales Tax Payable @US-NY NY State Tax': -160,
  });
});

test('gift cards sold are a liability; what Shopify adds beyond lines, shipping and tax stays visible', () => {
  const gbp = (minor: number) => ({ shop: minor, presentment: minor });
  const order = sampleOrder({
    total: gbp(3394 + 2500 + 100), // a £25 gift card and a £1 tip
    lines: [
      ...sampleOrder().lines,
      {
        ...sampleOrder().lines[0]!,
        id: 1_300_000_000_002,
        name: 'Gift card',
        unitPrice: gbp(2500),
        taxLines: [],
        giftCard: true,
      },
    ],
  });
  const lines = byAccount(saleLines(order));
  assert.equal(lines['Liabilities:Gift Cards'], -2500);
  assert.equal(lines['Income:Order Adjustments'], -100);
  assert.equal(sum(saleLines(order)), 0);
});

test('test orders and orders cancelled before payment book nothing; a cancellation reverses the sale', () => {
  assert.deepEqual(saleLines(sampleOrder({ test: true })), []);
  const cancelled = sampleOrder({ cancelledAt: '2026-11-21T09:00:00.000Z', financialStatus: 'voided' });
  assert.deepEqual(saleLines(cancelled), []);
  const reversal = saleAdjustment(saleLines(cancelled), saleLines(sampleOrder()));
  assert.deepEqual(byAccount(reversal), {
    'Assets:Shopify Receivable': -3394,
    'Income:Sales': 2499,
    'Income:Shipping': 329,
    'Liabilities:Sales Tax Payable @GB GB VAT': 566,
  });
  // Cancelled after it was paid: the sale stands, the refund gives the money back.
  assert.equal(
    saleLines(sampleOrder({ cancelledAt: '2026-11-21T09:00:00.000Z', financialStatus: 'refunded' })).length,
    4,
  );
  assert.deepEqual(saleAdjustment(saleLines(sampleOrder()), saleLines(sampleOrder())), []);
});

test('a payment moves the amount from the receivable to the gateway; gift cards reduce their liability', () => {
  const entry = entryOf(paymentRule(samplePayment(), sampleOrder(), 'Europe/London'));
  assert.deepEqual(byAccount(entry.postings), {
    'Assets:Clearing:Shopify Payments': 3394,
    'Assets:Shopify Receivable': -3394,
  });
  assert.equal(entry.date, '2026-11-20');
  assert.equal(entry.sourceKey, 'payment:6600000000001');
  const giftCard = entryOf(
    paymentRule(samplePayment({ gateway: 'gift_card' }), sampleOrder(), 'Europe/London'),
  );
  assert.equal(byAccount(giftCard.postings)['Liabilities:Gift Cards'], 3394);
  // A foreign-currency payment without Shopify's shop-money figure: converted at the order's own rate.
  const euros = sampleOrder({ presentmentCurrency: 'EUR', total: { shop: 3394, presentment: 3900 } });
  const converted = entryOf(
    paymentRule(
      samplePayment({ currency: 'EUR', amount: { shop: null, presentment: 1950 } }),
      euros,
      'Europe/London',
    ),
  );
  assert.equal(byAccount(converted.postings)['Assets:Clearing:Shopify Payments'], 1697);
});

test('what the rules do not know goes to review, never into the books as a guess', () => {
  const unknown = paymentRule(samplePayment({ kind: 'change' }), sampleOrder(), 'UTC');
  assert.ok(
    'review' in unknown && unknown.review.kind === 'unknown_transaction_kind' && !unknown.review.retriable,
  );
  const pending = paymentRule(samplePayment({ status: 'pending' }), sampleOrder(), 'UTC');
  assert.ok('review' in pending && pending.review.retriable);
  assert.ok('nothing' in paymentRule(samplePayment({ kind: 'authorization' }), sampleOrder(), 'UTC'));
  assert.ok('nothing' in paymentRule(samplePayment({ status: 'failure' }), sampleOrder(), 'UTC'));
  assert.ok('review' in paymentRule(samplePayment(), undefined, 'UTC'));
});

test('a refund gives back sales and VAT through the gateway the money went back by', () => {
  const refund: Refund = {
    id: 7_700_000_000_001,
    orderId: 5_550_000_000_001,
    createdAt: '2026-11-22T12:00:00.000Z',
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
      samplePayment({ id: 6_600_000_000_002, kind: 'refund', amount: { shop: 2999, presentment: 2999 } }),
    ],
  };
  const entry = entryOf(refundRule(refund, sampleOrder(), 'Europe/London'));
  assert.deepEqual(byAccount(entry.postings), {
    'Income:Refunds': 2499,
    'Liabilities:Sales Tax Payable @GB GB VAT': 500,
    'Assets:Clearing:Shopify Payments': -2999,
  });
  assert.ok('nothing' in refundRule({ ...refund, transactions: [] }, sampleOrder(), 'UTC'));
  const pending = refundRule(
    { ...refund, transactions: [{ ...refund.transactions[0]!, status: 'pending' }] },
    sampleOrder(),
    'UTC',
  );
  assert.ok('review' in pending && pending.review.kind === 'refund_pending' && pending.review.retriable);
});

test('a payout: the bank gets the net, fees are an expense, settled charges leave clearing', () => {
  const bt = sampleBalanceTransaction;
  const payout = {
    id: 42,
    status: 'paid',
    issuedAt: '2026-11-23T06:00:00.000Z',
    currency: 'GBP',
    net: 0,
    summary: {},
  };
  const transactions = [
    bt({}),
    bt({ id: 2, type: 'refund', amount: -2999, fee: 0, net: -2999 }),
    bt({ id: 3, type: 'dispute', amount: -1500, fee: 1500, net: -3000 }),
  ];
  const net = transactions.reduce((total, each) => total + each.net, 0);
  const entry = entryOf(payoutRule({ ...payout, net }, transactions, 'GBP', 'Europe/London'));
  assert.deepEqual(byAccount(entry.postings), {
    'Assets:Bank': -2684,
    'Expenses:Payment Fees': 1579,
    'Assets:Clearing:Shopify Payments': -395,
    'Expenses:Chargebacks': 1500,
  });
  assert.equal(sum(entry.postings), 0);
  const early = payoutRule({ ...payout, net: net + 1000 }, transactions, 'GBP', 'UTC');
  assert.ok('review' in early && early.review.kind === 'payout_incomplete' && early.review.retriable);
  const strange = payoutRule(
    { ...payout, net: 5 },
    [bt({ type: 'mystery', amount: 5, fee: 0, net: 5 })],
    'GBP',
    'UTC',
  );
  assert.ok('review' in strange && strange.review.kind === 'unknown_balance_transaction');
});

test('split by largest remainder adds up exactly, whatever the weights', () => {
  for (let seed = 1; seed < 500; seed += 1) {
    const weights = Array.from(
      { length: 1 + (seed % 5) },
      (_, i) => ((seed * (i + 7)) % 13) + (i === 0 ? 1 : 0),
    );
    const amount = ((seed * 7919) % 20001) - 10000;
    const parts = split(amount, weights);
    assert.equal(
      parts.reduce((a, b) => a + b, 0),
      amount,
      `${amount} over ${weights.join(',')}`,
    );
  }
  assert.deepEqual(split(100, [1, 1, 1]), [34, 33, 33]);
});

test('every sale balances, whatever the order (a property over many generated orders)', () => {
  let state = 12345;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  for (let i = 0; i < 2000; i += 1) {
    const gbp = (minor: number) => ({ shop: minor, presentment: minor });
    const lines = Array.from({ length: 1 + next(4) }, (_, index) => {
      const unit = 100 + next(5000);
      const quantity = 1 + next(3);
      const tax = next(2) ? Math.round((unit * quantity) / 6) : 0;
      return {
        ...sampleOrder().lines[0]!,
        id: index + 1,
        unitPrice: gbp(unit),
        quantity,
        discount: gbp(next(3) === 0 ? next(unit) : 0),
        taxLines: tax ? [{ title: next(2) ? 'GB VAT' : 'Reduced VAT', rate: '0.2', amount: gbp(tax) }] : [],
        giftCard: next(10) === 0,
      };
    });
    const total = next(20000);
    const order = sampleOrder({ taxesIncluded: next(2) === 0, lines, total: gbp(total), cancelledAt: null });
    const postings = saleLines(order);
    assert.equal(sum(postings), 0, `order ${i}`);
    assert.equal(sum(saleAdjustment(postings, [])), 0);
  }
});

test('the Books page compares a month with the same days of the month before', async () => {
  const { previousPeriod } = await import('../../src/modules/ledger/reports.ts');
  assert.deepEqual(previousPeriod('2026-11-01', '2026-11-30'), { from: '2026-10-01', to: '2026-10-31' });
  assert.deepEqual(previousPeriod('2026-03-01', '2026-03-31'), { from: '2026-02-01', to: '2026-02-28' });
  assert.deepEqual(previousPeriod('2026-11-01', '2026-11-15'), { from: '2026-10-01', to: '2026-10-15' });
  assert.deepEqual(previousPeriod('2026-11-10', '2026-11-19'), { from: '2026-10-31', to: '2026-11-09' });
});

test('stock cost is quantity × unit cost in integers, rounded once, even past what a double holds', async () => {
  const { costOf } = await import('../../src/modules/ledger/stock.ts');
  assert.equal(costOf(3, 2_345_678, 'GBP'), 704); // 3 × £2.345678 = £7.037034
  assert.equal(costOf(1, 5_000, 'GBP'), 1); // £0.005 rounds up to a penny
  assert.equal(costOf(1, 4_999, 'GBP'), 0);
  assert.equal(costOf(2, 1_500_000, 'JPY'), 3); // ¥1.5 × 2
  // A million units at £9,999.999999: the product (about 10^16) is past a double's exact integers.
  assert.equal(costOf(1_000_000, 9_999_999_999, 'GBP'), 999_999_999_900);
  assert.equal(costOf(999_999, 9_999_999_999, 'GBP'), 999_998_999_900);
  assert.throws(() => costOf(1_000_000, 999_999_999_999_999, 'GBP'), /too large/);
});

test('a refunded gift card gives back from the gift-card liability, not from revenue (issue 13)', () => {
  const gbp = (minor: number) => ({ shop: minor, presentment: minor });
  const giftCardLine = {
    ...sampleOrder().lines[0]!,
    id: 1_300_000_000_002,
    name: 'Gift card',
    unitPrice: gbp(2500),
    taxLines: [],
    giftCard: true,
  };
  const order = sampleOrder({ total: gbp(3394 + 2500), lines: [...sampleOrder().lines, giftCardLine] });
  // The £25 gift card and the £29.99 oil (with its £5.00 VAT) come back: £54.99 to the card.
  const refund = {
    ...sampleRefund(),
    lines: [
      ...sampleRefund().lines,
      { lineId: giftCardLine.id, quantity: 1, restockType: 'no_restock', subtotal: gbp(2500), tax: gbp(0) },
    ],
    transactions: [
      samplePayment({ id: 6_600_000_000_003, kind: 'refund', amount: { shop: 5499, presentment: 5499 } }),
    ],
  };
  const entry = entryOf(refundRule(refund, order, 'Europe/London'));
  assert.deepEqual(byAccount(entry.postings), {
    'Income:Refunds': 2499,
    'Liabilities:Gift Cards': 2500,
    'Liabilities:Sales Tax Payable @GB GB VAT': 500,
    'Assets:Clearing:Shopify Payments': -5499,
  });
  // Only a gift card back: nothing touches revenue.
  const alone = entryOf(
    refundRule(
      {
        ...refund,
        lines: [refund.lines.at(-1)!],
        transactions: [samplePayment({ id: 6_600_000_000_004, kind: 'refund', amount: gbp(2500) })],
      },
      order,
      'Europe/London',
    ),
  );
  assert.deepEqual(byAccount(alone.postings), {
    'Liabilities:Gift Cards': 2500,
    'Assets:Clearing:Shopify Payments': -2500,
  });
});
