// What happens in the shop, as the books, the bot and outgoing webhooks hear of it. Ids are Shopify's
// numeric ids; money is in minor units of the currency named beside it.
import { Type } from 'typebox';
import { defineEvents, type PayloadsOf } from '../../platform/events/catalogue.ts';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const order = {
  orderId: Type.Integer(),
  name: Type.String({ description: 'the order number as the shop shows it: "#1001"' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  financialStatus: nullable(Type.String({ description: 'paid, partially_refunded, …' })),
  currency: Type.String({ description: 'the shop’s currency (ISO 4217)' }),
  totalMinor: Type.Integer({ description: 'the order total in the shop’s currency' }),
  customerId: nullable(Type.Integer()),
};
const source = Type.Enum(['webhook', 'api'], { description: 'how shopkeep learned of it' });

const dispute = Type.Object({
  disputeId: Type.Integer(),
  orderId: nullable(Type.Integer()),
  status: Type.String({ description: 'needs_response, under_review, won, lost, …' }),
  reason: nullable(Type.String()),
  currency: Type.String(),
  amountMinor: Type.Integer(),
  evidenceDueBy: nullable(Type.String({ format: 'date-time' })),
});

export const shopEvents = defineEvents({
  'order.created': {
    description: 'an order shopkeep had not seen: placed, or first read from Shopify',
    payload: Type.Object({ ...order, source }),
  },
  'order.updated': {
    description: 'a newer version of a known order: edited, paid, fulfilled, refunded, …',
    payload: Type.Object({ ...order, source }),
  },
  'order.paid': {
    description: 'the first version of an order that is paid (or already refunded)',
    payload: Type.Object(order),
  },
  'order.cancelled': {
    description: 'the first version of an order that is cancelled',
    payload: Type.Object({
      ...order,
      cancelledAt: Type.String({ format: 'date-time' }),
      reason: nullable(Type.String({ description: 'customer, fraud, inventory, declined, other' })),
    }),
  },
  'refund.created': {
    description: 'a refund seen the first time: money or goods went back to a customer',
    payload: Type.Object({
      refundId: Type.Integer(),
      orderId: Type.Integer(),
      createdAt: Type.String({ format: 'date-time' }),
      restocked: Type.Boolean({ description: 'some goods came back into stock' }),
      amountMinor: Type.Integer({ description: 'what was paid back, in the shop’s currency' }),
    }),
  },
  'transaction.created': {
    description: 'a payment, capture, refund or void was recorded on an order',
    payload: Type.Object({
      transactionId: Type.Integer(),
      orderId: Type.Integer(),
      refundId: nullable(Type.Integer()),
      kind: Type.String({ description: 'sale, capture, authorization, refund, void' }),
      status: Type.String({ description: 'success, failure, pending, error' }),
      gateway: Type.String(),
      currency: Type.String({ description: 'the currency the customer paid in' }),
      amountMinor: Type.Integer({ description: 'in that currency' }),
      processedAt: Type.String({ format: 'date-time' }),
    }),
  },
  'product.changed': {
    description: 'a product was created, changed or deleted in Shopify',
    payload: Type.Object({
      productId: Type.Integer(),
      title: Type.Optional(Type.String()),
      status: Type.String({ description: 'active, draft, archived, or deleted' }),
      updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
      created: Type.Optional(Type.Boolean()),
      deleted: Type.Optional(Type.Boolean()),
    }),
  },
  'stock.low': {
    description: 'a variant fell to its low-stock threshold or below (again only after it rose above it)',
    payload: Type.Object({
      variantId: Type.Integer(),
      productId: Type.Integer(),
      title: Type.String(),
      sku: nullable(Type.String()),
      available: Type.Integer(),
      threshold: Type.Integer(),
    }),
  },
  'payout.paid': {
    description: 'Shopify Payments paid money out to the bank',
    payload: Type.Object({
      payoutId: Type.Integer(),
      issuedAt: Type.String({ format: 'date-time' }),
      currency: Type.String(),
      netMinor: Type.Integer(),
    }),
  },
  'dispute.opened': { description: 'a customer disputed a payment (a chargeback)', payload: dispute },
  'dispute.updated': { description: 'a dispute moved on (evidence, won, lost)', payload: dispute },
  'shop.imported': {
    description: 'the first import of the shop’s history finished',
    payload: Type.Object({
      runId: Type.Integer(),
      counts: Type.Record(Type.String(), Type.Integer(), {
        description: 'how many of each kind were imported',
      }),
    }),
  },
});

declare module '../../platform/events/catalogue.ts' {
  interface EventMap extends PayloadsOf<typeof shopEvents> {}
}
