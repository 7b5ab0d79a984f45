// Applying versions of orders, with their refunds and transactions, many in a few statements: the
// import brings 100 orders a batch, a webhook brings one, and both go through these same rules.
//  - a version is written only if it is newer (updated_at) than the stored one; older or equal
//    changes nothing and emits nothing, so duplicates and out-of-order deliveries are harmless;
//  - two versions with the same updated_at but different content (two changes in one second): a
//    webhook cannot tell which is current, so the order is queued for the API to settle; the API's
//    version is then applied as the change it is;
//  - the API's copy of the same version fills in what a webhook cannot carry (the last visit), silently;
//  - order.paid fires on the first paid version, order.cancelled on the first cancelled one,
//    refund.created and transaction.created on the first sight of their ids.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { emitAll } from '../../platform/events/outbox.ts';
import type { Order, Refund, Transaction, Visit } from './model.ts';
import type { EventOf } from '../../platform/events/outbox.ts';

export type Source = 'webhook' | 'api';
export type Outcome = 'created' | 'updated' | 'stale';
/** A webhook version with the stored updated_at but other content: only the API can say which is current. */
export type OrderOutcome = Outcome | 'conflict';

export interface OrderVersion {
  order: Order;
  transactions: Transaction[];
  refunds: Refund[];
}

export interface OrdersApplied {
  outcomes: Map<number, OrderOutcome>;
  /** Orders written plus refunds and transactions seen for the first time. */
  changes: number;
}

const PAID = new Set(['paid', 'partially_refunded', 'refunded']);

/** What tells two versions apart (not the visits, which only the API knows). */
export function contentHash(order: Order): string {
  const content = [
    order.financialStatus,
    order.fulfillmentStatus,
    order.cancelledAt,
    order.closedAt,
    order.email,
    order.tags,
    order.total.shop,
    order.subtotal.shop,
    order.tax.shop,
    order.discounts.shop,
    order.shipping.shop,
    order.lines.map((line) => [line.id, line.quantity, line.discount.shop]),
  ];
  return createHash('sha1').update(JSON.stringify(content)).digest('base64url');
}

/**
 * Serialises work on the same resources across transactions and processes. Keys are locked in
 * sorted order, so two batches never wait for each other in a circle.
 */
export async function lockAll(tx: pg.PoolClient, keys: string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (!sorted.length) return;
  await tx.query('select pg_advisory_xact_lock(hashtextextended(key, 0)) from unnest($1::text[]) as key', [
    sorted.map((key) => `shop.${key}`),
  ]);
}

interface Stored {
  id: string;
  updated_at: Date;
  source: Source;
  paid_at: Date | null;
  cancelled_at: Date | null;
  last_visit: Visit | null;
  content_hash: string;
}

interface Write {
  order: Order;
  source: Source;
  paidAt: Date | null;
  hash: string;
}

function summary(order: Order) {
  return {
    orderId: order.id,
    name: order.name,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    financialStatus: order.financialStatus,
    currency: order.currency,
    totalMinor: order.total.shop,
    customerId: order.customerId,
  };
}

export async function applyOrders(
  tx: pg.PoolClient,
  versions: OrderVersion[],
  source: Source,
): Promise<OrdersApplied> {
  // The newest of several versions of one order in the same batch is the one that counts.
  const newest = new Map<number, OrderVersion>();
  for (const version of versions) {
    const seen = newest.get(version.order.id);
    if (!seen || version.order.updatedAt >= seen.order.updatedAt) newest.set(version.order.id, version);
  }
  const ids = [...newest.keys()];
  await lockAll(
    tx,
    ids.map((id) => `order:${id}`),
  );
  // A statement after the locks: it reads what their previous holders committed.
  const { rows } = await tx.query<Stored>(
    `select id, updated_at, source, paid_at, cancelled_at, last_visit, content_hash
     from shop_orders where id = any($1::bigint[])`,
    [ids],
  );
  const stored = new Map(rows.map((row) => [Number(row.id), row]));
  const outcomes = new Map<number, OrderOutcome>();
  const writes: Write[] = [];
  const events: EventOf[] = [];
  const conflicts: number[] = [];
  for (const { order } of newest.values()) {
    const before = stored.get(order.id);
    const hash = contentHash(order);
    // A webhook never knows the last visit: keep the one the API told us.
    if (source === 'webhook' && !order.lastVisit && before?.last_visit) order.lastVisit = before.last_visit;
    if (before) {
      const incoming = Date.parse(order.updatedAt);
      const storedAt = before.updated_at.getTime();
      if (incoming < storedAt) {
        outcomes.set(order.id, 'stale');
        continue;
      }
      if (incoming === storedAt && hash === before.content_hash) {
        if (source === 'api' && before.source === 'webhook')
          writes.push({ order, source, paidAt: before.paid_at, hash });
        outcomes.set(order.id, 'stale');
        continue;
      }
      if (incoming === storedAt && source === 'webhook') {
        conflicts.push(order.id);
        outcomes.set(order.id, 'conflict');
        continue;
      }
    }
    const becamePaid = PAID.has(order.financialStatus ?? '') && !before?.paid_at;
    writes.push({ order, source, paidAt: before?.paid_at ?? (becamePaid ? new Date() : null), hash });
    const about = summary(order);
    events.push({ type: before ? 'order.updated' : 'order.created', payload: { ...about, source } });
    if (becamePaid) events.push({ type: 'order.paid', payload: about });
    if (order.cancelledAt && !before?.cancelled_at) {
      events.push({
        type: 'order.cancelled',
        payload: { ...about, cancelledAt: order.cancelledAt, reason: order.cancelReason },
      });
    }
    outcomes.set(order.id, before ? 'updated' : 'created');
  }
  await writeOrders(tx, writes);
  if (conflicts.length) {
    await tx.query(
      'insert into shop_order_refresh (order_id) select unnest($1::bigint[]) on conflict do nothing',
      [conflicts],
    );
  }
  await emitAll(tx, events);
  const all = [...newest.values()];
  const newRefunds = await applyRefunds(
    tx,
    all.flatMap((version) => version.refunds),
  );
  // A refund's transactions are in the order's list too; those are known by now and change nothing.
  const newTransactions = await applyTransactions(
    tx,
    all.flatMap((version) => version.transactions.map((transaction) => ({ transaction, refundId: null }))),
  );
  const written = [...outcomes.values()].filter(
    (outcome) => outcome === 'created' || outcome === 'updated',
  ).length;
  return { outcomes, changes: written + newRefunds + newTransactions };
}

async function writeOrders(tx: pg.PoolClient, writes: Write[]): Promise<void> {
  if (!writes.length) return;
  const column = <T>(pick: (write: Write) => T) => writes.map(pick);
  await tx.query(
    `insert into shop_orders (id, name, created_at, updated_at, processed_at, cancelled_at, paid_at, financial_status,
       fulfillment_status, currency, presentment_currency, customer_id, email, total_minor, tax_minor, discounts_minor,
       test, first_visit, last_visit, data, source, content_hash)
     select * from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[],
       $6::timestamptz[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[],
       $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], $17::boolean[], $18::jsonb[], $19::jsonb[],
       $20::jsonb[], $21::text[], $22::text[])
     on conflict (id) do update set name = excluded.name, updated_at = excluded.updated_at,
       processed_at = excluded.processed_at, cancelled_at = excluded.cancelled_at, paid_at = excluded.paid_at,
       financial_status = excluded.financial_status, fulfillment_status = excluded.fulfillment_status,
       customer_id = excluded.customer_id, email = excluded.email, total_minor = excluded.total_minor,
       tax_minor = excluded.tax_minor, discounts_minor = excluded.discounts_minor, test = excluded.test,
       first_visit = coalesce(excluded.first_visit, shop_orders.first_visit),
       last_visit = coalesce(excluded.last_visit, shop_orders.last_visit),
       data = excluded.data, source = excluded.source, content_hash = excluded.content_hash, stored_at = now()`,
    [
      column((w) => w.order.id),
      column((w) => w.order.name),
      column((w) => w.order.createdAt),
      column((w) => w.order.updatedAt),
      column((w) => w.order.processedAt),
      column((w) => w.order.cancelledAt),
      column((w) => w.paidAt),
      column((w) => w.order.financialStatus),
      column((w) => w.order.fulfillmentStatus),
      column((w) => w.order.currency),
      column((w) => w.order.presentmentCurrency),
      column((w) => w.order.customerId),
      column((w) => w.order.email),
      column((w) => w.order.total.shop),
      column((w) => w.order.tax.shop),
      column((w) => w.order.discounts.shop),
      column((w) => w.order.test),
      column((w) => w.order.firstVisit && JSON.stringify(w.order.firstVisit)),
      column((w) => w.order.lastVisit && JSON.stringify(w.order.lastVisit)),
      column((w) => JSON.stringify(w.order)),
      column((w) => w.source),
      column((w) => w.hash),
    ],
  );
}

/** Refunds never change once made; returns how many were new (each fires refund.created). */
export async function applyRefunds(tx: pg.PoolClient, refunds: Refund[]): Promise<number> {
  const unique = [...new Map(refunds.map((refund) => [refund.id, refund])).values()];
  if (!unique.length) return 0;
  const { rows } = await tx.query<{ id: string }>(
    `insert into shop_refunds (id, order_id, created_at, note, lines, money)
     select * from unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[], $5::jsonb[], $6::jsonb[])
     on conflict (id) do nothing returning id`,
    [
      unique.map((refund) => refund.id),
      unique.map((refund) => refund.orderId),
      unique.map((refund) => refund.createdAt),
      unique.map((refund) => refund.note),
      unique.map((refund) => JSON.stringify(refund.lines)),
      unique.map(({ shipping, adjustments, duties }) => JSON.stringify({ shipping, adjustments, duties })),
    ],
  );
  const inserted = new Set(rows.map((row) => Number(row.id)));
  await emitAll(
    tx,
    unique
      .filter((refund) => inserted.has(refund.id))
      .map((refund) => ({
        type: 'refund.created',
        payload: {
          refundId: refund.id,
          orderId: refund.orderId,
          createdAt: refund.createdAt,
          restocked: refund.lines.some((line) => line.restockType !== 'no_restock'),
          amountMinor: refund.transactions
            .filter((t) => t.kind === 'refund' && t.status === 'success')
            .reduce((sum, t) => sum + (t.amount.shop ?? t.amount.presentment), 0),
        },
      })),
  );
  await applyTransactions(
    tx,
    unique.flatMap((refund) =>
      refund.transactions.map((transaction) => ({ transaction, refundId: refund.id })),
    ),
  );
  return inserted.size;
}

/**
 * Transactions never change in Shopify (a capture or void is a new one); later versions only fill
 * gaps. Returns how many were new (each fires transaction.created).
 */
export async function applyTransactions(
  tx: pg.PoolClient,
  items: { transaction: Transaction; refundId: number | null }[],
): Promise<number> {
  const unique = [...new Map(items.map((item) => [item.transaction.id, item])).values()];
  if (!unique.length) return 0;
  const column = <T>(pick: (t: Transaction, refundId: number | null) => T) =>
    unique.map(({ transaction, refundId }) => pick(transaction, refundId));
  const { rows } = await tx.query<{ id: string; inserted: boolean }>(
    `insert into shop_transactions (id, order_id, refund_id, kind, status, gateway, processed_at, parent_id, test,
       currency, amount_shop_minor, amount_presentment_minor, fee_minor)
     select * from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
       $7::timestamptz[], $8::bigint[], $9::boolean[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[])
     on conflict (id) do update set
       amount_shop_minor = coalesce(shop_transactions.amount_shop_minor, excluded.amount_shop_minor),
       fee_minor = coalesce(shop_transactions.fee_minor, excluded.fee_minor),
       refund_id = coalesce(shop_transactions.refund_id, excluded.refund_id),
       status = excluded.status
     returning id, (xmax = 0) as inserted`,
    [
      column((t) => t.id),
      column((t) => t.orderId),
      column((_t, refundId) => refundId),
      column((t) => t.kind),
      column((t) => t.status),
      column((t) => t.gateway),
      column((t) => t.processedAt),
      column((t) => t.parentId),
      column((t) => t.test),
      column((t) => t.currency),
      column((t) => t.amount.shop),
      column((t) => t.amount.presentment),
      column((t) => t.fee),
    ],
  );
  const inserted = new Set(rows.filter((row) => row.inserted).map((row) => Number(row.id)));
  await emitAll(
    tx,
    unique
      .filter(({ transaction }) => inserted.has(transaction.id))
      .map(({ transaction, refundId }) => ({
        type: 'transaction.created',
        payload: {
          transactionId: transaction.id,
          orderId: transaction.orderId,
          refundId,
          kind: transaction.kind,
          status: transaction.status,
          gateway: transaction.gateway,
          currency: transaction.currency,
          amountMinor: transaction.amount.presentment,
          processedAt: transaction.processedAt,
        },
      })),
  );
  return inserted.size;
}
