// A small, exact order for tests of the shop's rules (the simulator makes the big realistic ones).
import type { Order } from '../../src/modules/shop/model.ts';

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
    fulfillmentStatus: null,
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
