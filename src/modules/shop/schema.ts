import {
  bigint,
  bigserial,
  boolean,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { Order, RefundLine, RefundMoney, Visit } from './model.ts';

const id = (name: string) => bigint(name, { mode: 'number' });
const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const shopOrders = pgTable('shop_orders', {
  id: id('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: time('created_at').notNull(),
  updatedAt: time('updated_at').notNull(),
  processedAt: time('processed_at'),
  cancelledAt: time('cancelled_at'),
  paidAt: time('paid_at'),
  financialStatus: text('financial_status'),
  fulfillmentStatus: text('fulfillment_status'),
  currency: text('currency').notNull(),
  presentmentCurrency: text('presentment_currency').notNull(),
  customerId: id('customer_id'),
  email: text('email'),
  totalMinor: id('total_minor').notNull(),
  taxMinor: id('tax_minor').notNull(),
  discountsMinor: id('discounts_minor').notNull(),
  test: boolean('test').notNull().default(false),
  firstVisit: jsonb('first_visit').$type<Visit>(),
  lastVisit: jsonb('last_visit').$type<Visit>(),
  data: jsonb('data').$type<Order>().notNull(),
  contentHash: text('content_hash').notNull(),
  source: text('source').$type<'webhook' | 'api'>().notNull(),
  storedAt: timestamp('stored_at', { withTimezone: true }).notNull().defaultNow(),
});

export const shopOrderRefresh = pgTable('shop_order_refresh', {
  orderId: id('order_id').primaryKey(),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
});

export const shopTransactions = pgTable('shop_transactions', {
  id: id('id').primaryKey(),
  orderId: id('order_id').notNull(),
  refundId: id('refund_id'),
  kind: text('kind').notNull(),
  status: text('status').notNull(),
  gateway: text('gateway').notNull(),
  processedAt: time('processed_at').notNull(),
  parentId: id('parent_id'),
  test: boolean('test').notNull().default(false),
  currency: text('currency').notNull(),
  amountShopMinor: id('amount_shop_minor'),
  amountPresentmentMinor: id('amount_presentment_minor').notNull(),
  feeMinor: id('fee_minor'),
});

export const shopRefunds = pgTable('shop_refunds', {
  id: id('id').primaryKey(),
  orderId: id('order_id').notNull(),
  createdAt: time('created_at').notNull(),
  note: text('note'),
  lines: jsonb('lines').$type<RefundLine[]>().notNull(),
  money: jsonb('money').$type<RefundMoney>().notNull(),
});

export const shopProducts = pgTable('shop_products', {
  id: id('id').primaryKey(),
  title: text('title').notNull(),
  handle: text('handle').notNull(),
  status: text('status').notNull(),
  vendor: text('vendor'),
  productType: text('product_type'),
  tags: text('tags').array().notNull().default([]),
  imageUrl: text('image_url'),
  createdAt: time('created_at').notNull(),
  updatedAt: time('updated_at').notNull(),
  deletedAt: time('deleted_at'),
});

export const shopVariants = pgTable('shop_variants', {
  id: id('id').primaryKey(),
  productId: id('product_id').notNull(),
  title: text('title').notNull(),
  sku: text('sku'),
  priceMinor: id('price_minor').notNull(),
  compareAtMinor: id('compare_at_minor'),
  inventoryItemId: id('inventory_item_id'),
  inventoryQuantity: integer('inventory_quantity'),
  unitCostMinor: id('unit_cost_minor'),
  lowStockThreshold: integer('low_stock_threshold'),
  lowStockSince: time('low_stock_since'),
});

export const shopLocations = pgTable('shop_locations', {
  id: id('id').primaryKey(),
  name: text('name').notNull(),
  active: boolean('active').notNull().default(true),
});

export const shopInventoryLevels = pgTable(
  'shop_inventory_levels',
  {
    inventoryItemId: id('inventory_item_id').notNull(),
    locationId: id('location_id').notNull(),
    available: integer('available').notNull(),
    updatedAt: time('updated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.inventoryItemId, table.locationId] })],
);

export const shopCustomers = pgTable('shop_customers', {
  id: id('id').primaryKey(),
  email: text('email'),
  firstName: text('first_name'),
  lastName: text('last_name'),
  phone: text('phone'),
  tags: text('tags').array().notNull().default([]),
  createdAt: time('created_at').notNull(),
  updatedAt: time('updated_at').notNull(),
});

export const shopBalanceTransactions = pgTable('shop_balance_transactions', {
  id: id('id').primaryKey(),
  type: text('type').notNull(),
  test: boolean('test').notNull().default(false),
  transactionDate: time('transaction_date').notNull(),
  currency: text('currency').notNull(),
  amountMinor: id('amount_minor').notNull(),
  feeMinor: id('fee_minor').notNull(),
  netMinor: id('net_minor').notNull(),
  sourceType: text('source_type'),
  sourceId: id('source_id'),
  orderId: id('order_id'),
  payoutId: id('payout_id'),
  payoutStatus: text('payout_status'),
});

export const shopPayouts = pgTable('shop_payouts', {
  id: id('id').primaryKey(),
  status: text('status').notNull(),
  issuedAt: time('issued_at').notNull(),
  currency: text('currency').notNull(),
  netMinor: id('net_minor').notNull(),
  summary: jsonb('summary').$type<Record<string, number>>().notNull(),
  paidSeenAt: time('paid_seen_at'),
});

export const shopDisputes = pgTable('shop_disputes', {
  id: id('id').primaryKey(),
  orderId: id('order_id'),
  status: text('status').notNull(),
  reason: text('reason'),
  currency: text('currency').notNull(),
  amountMinor: id('amount_minor').notNull(),
  initiatedAt: time('initiated_at').notNull(),
  evidenceDueBy: time('evidence_due_by'),
  finalizedOn: time('finalized_on'),
});

export const shopWebhookDeliveries = pgTable('shop_webhook_deliveries', {
  webhookId: text('webhook_id').primaryKey(),
  topic: text('topic').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  body: text('body').notNull(),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  appliedAt: timestamp('applied_at', { withTimezone: true }),
  outcome: text('outcome'),
  lastError: text('last_error'),
  setAsideAt: timestamp('set_aside_at', { withTimezone: true }),
  notifiedAt: timestamp('notified_at', { withTimezone: true }),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
});

export type SyncKind = 'import' | 'reconcile';

export const shopSyncRuns = pgTable('shop_sync_runs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  kind: text('kind').$type<SyncKind>().notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  status: text('status').$type<'running' | 'done' | 'failed'>().notNull().default('running'),
  step: text('step'),
  progress: jsonb('progress').$type<Record<string, unknown>>().notNull().default({}),
  repaired: integer('repaired').notNull().default(0),
  error: text('error'),
});

export const shopSyncCursors = pgTable('shop_sync_cursors', {
  resource: text('resource').primaryKey(),
  cursor: text('cursor').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
