// Refunds worked through the posting rules by hand (issue 13): shipping given back with its VAT, a
// restocking fee kept, goodwill with no lines, money back in another currency, discounts read from
// their allocations, duties held for customs. The refunds arrive as Shopify sends them: REST webhook
// bodies in both shipping forms, and the GraphQL shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleOrder } from '../support/shop.ts';
import { refundRule, saleLines, type PostingDraft, type RuleResult } from '../../src/modules/ledger/rules.ts';
import { orderFromWebhook, refundFromWebhook } from '../../src/modules/shop/from-webhook.ts';
import type { Order } from '../../src/modules/shop/index.ts';

const gbp = (minor: number) => ({ shop: minor, presentment: minor });
const set = (shop: string, presentment = shop, currency = 'GBP') => ({
  shop_money: { amount: shop, currency_code: 'GBP' },
  presentment_money: { amount: presentment, currency_code: currency },
});
const sum = (postings: PostingDraft[]) => postings.reduce((total, posting) => total + posting.amount, 0);
const byAccount = (result: RuleResult) => {
  assert.ok('entry' in result, JSON.stringify(result));
  assert.equal(sum(result.entry.postings), 0, 'the entry balances');
  return Object.fromEntries(
    result.entry.postings.map((p) => [
      `${p.account}${p.jurisdiction ? ` @${p.jurisdiction}` : ''}`,
      p.amount,
    ]),
  );
};

/** A conditioner at £18.00 and Royal Mail at £4.99, both with 20 % VAT inside: £22.99 paid. */
function order(overrides: Partial<Order> = {}): Order {
  const base = sampleOrder();
  return sampleOrder({
    total: gbp(2299),
    tax: gbp(383),
    lines: [
      {
        ...base.lines[0]!,
        name: 'Silk Conditioner',
        unitPrice: gbp(1800),
        taxLines: [{ title: 'GB VAT', rate: '0.2', amount: gbp(300) }],
      },
    ],
    shippingLines: [
      {
        ...base.shippingLines[0]!,
        price: gbp(499),
        discountedPrice: gbp(499),
        taxLines: [{ title: 'GB VAT', rate: '0.2', amount: gbp(83) }],
      },
    ],
    ...overrides,
  });
}

const lineId = sampleOrder().lines[0]!.id;

/** A refunds/create body as REST sends it. */
function restRefund(extra: Record<string, unknown>, amount: string, currency = 'GBP') {
  return {
    id: 7_700_000_013_001,
    order_id: sampleOrder().id,
    created_at: '2026-11-24T10:00:00Z',
    note: null,
    refund_line_items: [],
    order_adjustments: [],
    transactions: [
      {
        id: 6_600_000_013_001,
        kind: 'refund',
        status: 'success',
        gateway: 'shopify_payments',
        amount,
        currency,
        created_at: '2026-11-24T10:00:00Z',
        processed_at: '2026-11-24T10:00:00Z',
        test: false,
      },
    ],
    ...extra,
  };
}

const conditionerBack = {
  line_item_id: lineId,
  quantity: 1,
  restock_type: 'return',
  subtotal_set: set('18.00'),
  total_tax_set: set('3.00'),
};

test('shipping refunded gives its VAT back: £18 + £4.99 is 19.16 refunded and 3.83 VAT, in every form Shopify sends', () => {
  const expected = {
    'Income:Refunds': 1916,
    'Liabilities:Sales Tax Payable @GB GB VAT': 383,
    'Assets:Clearing:Shopify Payments': -2299,
  };
  // Since API 2024-10: refund_shipping_lines (the price), the tax in the shipping_refund adjustment.
  const current = restRefund(
    {
      refund_line_items: [conditionerBack],
      refund_shipping_lines: [{ id: 1, shipping_line_id: 9, subtotal_amount_set: set('4.99') }],
      order_adjustments: [
        { id: 2, kind: 'shipping_refund', amount_set: set('-4.99'), tax_amount_set: set('-0.83') },
      ],
    },
    '22.99',
  );
  // Before: an order adjustment of kind shipping_refund only.
  const legacy = restRefund(
    {
      refund_line_items: [conditionerBack],
      order_adjustments: [{ id: 2, kind: 'shipping_refund', amount: '-4.99', tax_amount: '-0.83' }],
    },
    '22.99',
  );
  for (const body of [current, legacy]) {
    const refund = refundFromWebhook(body, 'GBP');
    assert.deepEqual(refund.shipping, [{ subtotal: gbp(499), tax: gbp(83) }]);
    assert.deepEqual(refund.adjustments, [], 'the shipping adjustment is read once, as shipping');
    assert.deepEqual(byAccount(refundRule(refund, order(), 'Europe/London')), expected);
  }
  // A stored refund from before shipping was read still books the shipping's VAT, at the goods' rate.
  const old = { ...refundFromWebhook(current, 'GBP'), shipping: [] };
  assert.deepEqual(byAccount(refundRule(old, order(), 'Europe/London')), expected);
});

test('a restocking fee keeps its share of VAT: £18 back less a £1.80 fee is 13.50 refunded and 2.70 VAT', () => {
  const expected = {
    'Income:Refunds': 1350,
    'Liabilities:Sales Tax Payable @GB GB VAT': 270,
    'Assets:Clearing:Shopify Payments': -1620,
  };
  const withTax = restRefund(
    {
      refund_line_items: [conditionerBack],
      order_adjustments: [
        {
          id: 3,
          kind: 'refund_discrepancy',
          reason: 'Restocking fee',
          amount_set: set('-1.80'),
          tax_amount_set: set('-0.30'),
        },
      ],
    },
    '16.20',
  );
  const refund = refundFromWebhook(withTax, 'GBP');
  assert.equal(refund.adjustments.length, 1);
  assert.deepEqual(byAccount(refundRule(refund, order(), 'Europe/London')), expected);
  // Without the adjustment's tax, the fee's VAT is worked out at the refunded line's rate (3.00 in 18.00).
  const worked = { ...refund, adjustments: [] };
  assert.deepEqual(byAccount(refundRule(worked, order(), 'Europe/London')), expected);
});

test('a goodwill refund with no lines still reduces VAT at the supply rate: £6 is 5.00 refunded and 1.00 VAT', () => {
  const refund = refundFromWebhook(
    restRefund({ order_adjustments: [{ id: 4, kind: 'refund_discrepancy', amount: '6.00' }] }, '6.00'),
    'GBP',
  );
  assert.deepEqual(byAccount(refundRule(refund, order(), 'Europe/London')), {
    'Income:Refunds': 500,
    'Liabilities:Sales Tax Payable @GB GB VAT': 100,
    'Assets:Clearing:Shopify Payments': -600,
  });
});

test('a refund in euros reverses the sale as booked; the rate since the sale is an exchange difference', () => {
  // Sold for €26.90 at 1.17 (£22.99 in the books); given back on a day Shopify converts at 1.20: £22.42.
  const euros = order({
    presentmentCurrency: 'EUR',
    shippingCountry: 'IE',
    total: { shop: 2299, presentment: 2690 },
    tax: { shop: 383, presentment: 448 },
  });
  const body = restRefund(
    {
      refund_line_items: [
        {
          ...conditionerBack,
          subtotal_set: set('18.00', '21.06', 'EUR'),
          total_tax_set: set('3.00', '3.51', 'EUR'),
        },
      ],
      refund_shipping_lines: [{ id: 1, subtotal_amount_set: set('4.99', '5.84', 'EUR') }],
      order_adjustments: [
        {
          id: 2,
          kind: 'shipping_refund',
          amount_set: set('-4.99', '-5.84', 'EUR'),
          tax_amount_set: set('-0.83', '-0.97', 'EUR'),
        },
      ],
    },
    '26.90',
    'EUR',
  );
  (body.transactions[0] as Record<string, unknown>).amount_set = set('22.42', '26.90', 'EUR');
  const refund = refundFromWebhook(body, 'GBP');
  assert.deepEqual(byAccount(refundRule(refund, euros, 'Europe/London')), {
    'Income:Refunds': 1916,
    'Liabilities:Sales Tax Payable @IE GB VAT': 383,
    'Income:Exchange Differences': -57, // a gain: 57p fewer pounds went back than came in
    'Assets:Clearing:Shopify Payments': -2242,
  });
});

test('discounts are read from the allocations Shopify fills for codes, not the empty total_discount', () => {
  const body = {
    id: 5_550_000_013_002,
    name: '#1302',
    created_at: '2026-11-20T10:00:00Z',
    updated_at: '2026-11-20T10:00:00Z',
    currency: 'GBP',
    taxes_included: true,
    financial_status: 'paid',
    total_price: '16.20',
    subtotal_price: '16.20',
    total_tax: '2.70',
    shipping_address: { country_code: 'GB' },
    discount_codes: [{ code: 'SALON10', amount: '1.80', type: 'percentage' }],
    line_items: [
      {
        id: 1,
        quantity: 1,
        name: 'Silk Conditioner',
        price: '18.00',
        total_discount: '0.00',
        gift_card: false,
        discount_allocations: [{ amount_set: set('1.80'), discount_application_index: 0 }],
        tax_lines: [{ title: 'GB VAT', rate: 0.2, price: '2.70' }],
      },
    ],
    shipping_lines: [],
  };
  const sale = saleLines(orderFromWebhook(body));
  assert.deepEqual(
    Object.fromEntries(sale.map((p) => [p.account, p.amount])),
    {
      'Assets:Shopify Receivable': 1620,
      'Income:Sales': -1350, // £18.00 less £1.80 off, less the £2.70 VAT inside
      'Liabilities:Sales Tax Payable': -270,
    },
    'nothing is left over in Other order amounts',
  );
});

test('duties collected are owed to customs, not income; given back, they come off that liability', () => {
  // A US parcel sent duties paid: £40 of goods (no VAT on an export) and £6.00 of duties.
  const us = sampleOrder({
    shippingCountry: 'US',
    total: gbp(4600),
    tax: gbp(0),
    taxLines: [],
    duties: gbp(600),
    lines: [{ ...sampleOrder().lines[0]!, unitPrice: gbp(4000), taxLines: [] }],
    shippingLines: [],
  });
  assert.deepEqual(Object.fromEntries(saleLines(us).map((p) => [p.account, p.amount])), {
    'Assets:Shopify Receivable': 4600,
    'Income:Sales': -4000,
    'Liabilities:Duties Collected': -600,
  });
  const refund = refundFromWebhook(
    restRefund(
      {
        refund_line_items: [{ ...conditionerBack, subtotal_set: set('40.00'), total_tax_set: set('0.00') }],
        total_duties_set: set('6.00'),
      },
      '46.00',
    ),
    'GBP',
  );
  assert.deepEqual(byAccount(refundRule(refund, us, 'Europe/London')), {
    'Income:Refunds': 4000,
    'Liabilities:Duties Collected': 600,
    'Assets:Clearing:Shopify Payments': -4600,
  });
});

test('a payment refunded by a second gateway still splits VAT the same way', () => {
  const body = restRefund(
    {
      refund_line_items: [conditionerBack],
      refund_shipping_lines: [{ id: 1, subtotal_amount_set: set('4.99'), tax_amount_set: set('0.83') }],
    },
    '12.99',
  );
  body.transactions.push({
    ...body.transactions[0]!,
    id: 6_600_000_013_002,
    gateway: 'gift_card',
    amount: '10.00',
  });
  const refund = refundFromWebhook(body, 'GBP');
  const postings = byAccount(refundRule(refund, order(), 'Europe/London'));
  assert.equal(postings['Income:Refunds'], 1916);
  assert.equal(postings['Liabilities:Sales Tax Payable @GB GB VAT'], 383);
  assert.equal(postings['Assets:Clearing:Shopify Payments'], -1299);
  assert.equal(postings['Liabilities:Gift Cards'], -1000);
});

test("a UK salon's order that Shopify did not tax goes to review; abroad, or taxed, it does not", async () => {
  const { untaxedSalonSale } = await import('../../src/modules/ledger/rules.ts');
  const untaxed = sampleOrder({
    tags: ['wholesale'],
    total: gbp(2999),
    tax: gbp(0),
    taxLines: [],
    lines: [{ ...sampleOrder().lines[0]!, taxLines: [] }],
    shippingLines: [],
  });
  const review = untaxedSalonSale(untaxed);
  assert.equal(review?.kind, 'salon_untaxed');
  assert.match(review!.reason, /standard-rated.*reverse charge applies only across borders/);
  assert.equal(
    untaxedSalonSale({ ...untaxed, tags: [], companyId: 12 })?.kind,
    'salon_untaxed',
    'a B2B company',
  );
  assert.equal(untaxedSalonSale({ ...untaxed, shippingCountry: 'IE' }), null, 'across a border');
  assert.equal(untaxedSalonSale({ ...untaxed, tags: [] }), null, 'not a salon');
  assert.equal(untaxedSalonSale(sampleOrder({ tags: ['wholesale'] })), null, 'VAT charged');
});
