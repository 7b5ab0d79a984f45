// Which webhook topics shopkeep subscribes to, and what each delivery's body becomes.
import type pg from 'pg';
import { applyCustomer, applyDispute, applyInventoryLevel, applyProduct, deleteProduct } from './apply.ts';
import {
  applyOrders,
  applyRefunds,
  applyTransactions,
  type OrderOutcome,
  type OrderVersion,
} from './apply-orders.ts';
import {
  customerFromWebhook,
  disputeFromWebhook,
  inventoryLevelFromWebhook,
  orderFromWebhook,
  productFromWebhook,
  refundFromWebhook,
  transactionFromWebhook,
} from './from-webhook.ts';
import { Reader } from './read.ts';

export const TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'orders/fulfilled',
  'refunds/create',
  'order_transactions/create',
  'disputes/create',
  'disputes/update',
  'products/create',
  'products/update',
  'products/delete',
  'inventory_levels/update',
  'customers/create',
  'customers/update',
  'app/uninstalled',
] as const;

export type Topic = (typeof TOPICS)[number];

export function isTopic(value: string): value is Topic {
  return (TOPICS as readonly string[]).includes(value);
}

/** "orders/create" → ORDERS_CREATE, the GraphQL enum. */
export function topicEnum(topic: Topic): string {
  return topic.replace('/', '_').toUpperCase();
}

const ORDER_TOPICS: ReadonlySet<string> = new Set([
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'orders/fulfilled',
]);

/** The topics whose body is a whole order. */
export const isOrderTopic = (topic: string): boolean => ORDER_TOPICS.has(topic);

/** An order webhook's body as a version to apply, with the refunds it carries. */
export function orderVersionFromWebhook(body: unknown): OrderVersion {
  const order = orderFromWebhook(body);
  const refunds = Reader.of(body, 'order')
    .list('refunds')
    .map((refund) => refundFromWebhook({ order_id: order.id, ...refund.value }, order.currency));
  return { order, transactions: [], refunds };
}

/** A mapped delivery, ready to apply; mapping a malformed body throws a PayloadError. */
export type Change = (tx: pg.PoolClient, lowStockDefault: number) => Promise<OrderOutcome | 'ignored'>;

export function changeFrom(topic: Topic, body: unknown, shopCurrency: string): Change {
  switch (topic) {
    case 'orders/create':
    case 'orders/updated':
    case 'orders/paid':
    case 'orders/cancelled':
    case 'orders/fulfilled': {
      const version = orderVersionFromWebhook(body);
      return async (tx) => (await applyOrders(tx, [version], 'webhook')).outcomes.get(version.order.id)!;
    }
    case 'refunds/create': {
      const refund = refundFromWebhook(body, shopCurrency);
      return async (tx) => ((await applyRefunds(tx, [refund])) ? 'created' : 'stale');
    }
    case 'order_transactions/create': {
      const transaction = transactionFromWebhook(body, shopCurrency);
      return async (tx) =>
        (await applyTransactions(tx, [{ transaction, refundId: null }])) ? 'created' : 'stale';
    }
    case 'disputes/create':
    case 'disputes/update': {
      const dispute = disputeFromWebhook(body);
      return (tx) => applyDispute(tx, dispute);
    }
    case 'products/create':
    case 'products/update': {
      const product = productFromWebhook(body, shopCurrency);
      return (tx, lowStock) => applyProduct(tx, product, lowStock);
    }
    case 'products/delete': {
      const id = Reader.of(body, 'product').id('id');
      return async (tx) => ((await deleteProduct(tx, id)) ? 'updated' : 'stale');
    }
    case 'inventory_levels/update': {
      const level = inventoryLevelFromWebhook(body);
      return (tx, lowStock) => applyInventoryLevel(tx, level, lowStock);
    }
    case 'customers/create':
    case 'customers/update': {
      const customer = customerFromWebhook(body);
      return (tx) => applyCustomer(tx, customer);
    }
    case 'app/uninstalled':
      return async () => 'ignored';
  }
}
