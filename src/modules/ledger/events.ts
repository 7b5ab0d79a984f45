// What the books tell the others (and outgoing webhooks): something needs a person, stock went below
// zero or nears its expiry, an order was paid more than its total, the opening stock was taken.
import { Type } from 'typebox';
import { defineEvents, type PayloadsOf } from '../../platform/events/catalogue.ts';

export const ledgerEvents = defineEvents({
  'ledger.review_needed': {
    description: 'the books would not guess at something (a new kind of transaction, a rate missing)',
    payload: Type.Object({
      sourceKey: Type.String({ description: 'what it is about: order:1001, payout:42, receipt:7, …' }),
      kind: Type.String(),
      reason: Type.String(),
    }),
  },
  'ledger.stock_negative': {
    description: 'a sale took a variant below zero on the books (costed at Shopify’s cost meanwhile)',
    payload: Type.Object({
      variantId: Type.Integer(),
      sku: Type.Union([Type.String(), Type.Null()]),
      orderId: Type.Integer(),
      order: Type.String({ description: 'the order number: "#1001"' }),
      short: Type.Integer({ description: 'units sold that the books did not have' }),
    }),
  },
  'ledger.order_overpaid': {
    description: 'an order’s payments came to more than its total (a double charge, a payment taken twice)',
    payload: Type.Object({
      orderId: Type.Integer(),
      order: Type.String({ description: 'the order number: "#1001"' }),
      currency: Type.String(),
      total: Type.Integer({ description: 'the order’s total, in minor units' }),
      received: Type.Integer({ description: 'its successful payments together, in minor units' }),
    }),
  },
  'ledger.stock_expiring': {
    description: 'a lot of stock expires within 30 days',
    payload: Type.Object({
      lotId: Type.Integer(),
      variantId: Type.Integer(),
      left: Type.Integer(),
      expiresOn: Type.String({ format: 'date' }),
    }),
  },
  'ledger.opening_stock': {
    description: 'the stock Shopify counts beyond the books was taken onto them, once',
    payload: Type.Object({
      date: Type.String({ format: 'date' }),
      variants: Type.Integer(),
      units: Type.Integer(),
      value: Type.Integer({ description: 'at cost, in minor units' }),
      currency: Type.String(),
      withoutCost: Type.Array(Type.String(), { description: 'products Shopify has no cost for' }),
    }),
  },
});

declare module '../../platform/events/catalogue.ts' {
  interface EventMap extends PayloadsOf<typeof ledgerEvents> {}
}
