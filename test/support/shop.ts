// A small, exact order for tests of the shop's rules (the simulator makes the big realistic ones).
import type { BalanceTransaction, Order, Transaction } from '../../src/modules/shop/model.ts';

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
