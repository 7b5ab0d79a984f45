// Applying a version of a Shopify resource to what shopkeep stores, inside the caller's transaction,
// with the domain events it causes. The rules that make webhooks safe:
//  - a version is applied only if it is newer (updated_at) than the stored one; an older or equal one
//    changes nothing and emits nothing, so duplicates and out-of-order deliveries are harmless;
//  - the API's version of an order with the same updated_at fills in what a webhook cannot carry
//    (the last visit, shop money of foreign-currency transactions), silently;
//  - each event fires on the change it names, once: order.paid when first seen paid, refund.created
//    when a refund id is first seen, stock.low when a variant crosses its threshold.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { emit } from '../../platform/events/outbox.ts';
import type {
  BalanceTransaction,
  Customer,
  Dispute,
  InventoryLevel,
  Order,
  Payout,
  Product,
  Refund,
  Transaction,
} from './model.ts';

export type Source = 'webhook' | 'api';
export type Outcome = 'created' | 'updated' | 'stale';
/** A webhook version with the stored updated_at but other content: only the API can say which is current. */
export type OrderOutcome = Outcome | 'conflict';

const PAID = new Set(['paid', 'partially_refunded', 'refunded']);

/** Serialises work on one resource across transactions and processes. */
async function lock(tx: pg.PoolClient, key: string): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`shop.${key}`]);
}

function orderSummary(order: Order) {
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

export async function applyOrder(tx: pg.PoolClient, order: Order, source: Source): Promise<OrderOutcome> {
  await lock(tx, `order:${order.id}`);
  const { rows } = await tx.query<{
    updated_at: Date;
    source: Source;
    paid_at: Date | null;
    cancelled_at: Date | null;
    last_visit: unknown;
    content_hash: string;
  }>(
    'select updated_at, source, paid_at, cancelled_at, last_visit, content_hash from shop_orders where id = $1',
    [order.id],
  );
  const stored = rows[0];
  const hash = contentHash(order);
  if (stored) {
    const incoming = Date.parse(order.updatedAt);
    const storedAt = stored.updated_at.getTime();
    if (incoming < storedAt) return 'stale';
    // A webhook never knows the last visit: keep the one the API told us.
    if (source === 'webhook' && !order.lastVisit && stored.last_visit)
      order.lastVisit = stored.last_visit as Order['lastVisit'];
    if (incoming === storedAt) {
      if (hash === stored.content_hash) {
        // The same version; the API's copy fills in what a webhook could not carry.
        if (source === 'api' && stored.source === 'webhook')
          await writeOrder(tx, order, source, stored.paid_at, hash);
        return 'stale';
      }
      // Two changes within one second: a webhook cannot tell which is later, the API can.
      if (source === 'webhook') {
        await tx.query('insert into shop_order_refresh (order_id) values ($1) on conflict do nothing', [
          order.id,
        ]);
        return 'conflict';
      }
    }
  }
  const becamePaid = PAID.has(order.financialStatus ?? '') && !stored?.paid_at;
  const paidAt = stored?.paid_at ?? (becamePaid ? new Date() : null);
  await writeOrder(tx, order, source, paidAt, hash);
  const summary = orderSummary(order);
  if (!stored) await emit(tx, 'order.created', { ...summary, source });
  else await emit(tx, 'order.updated', { ...summary, source });
  if (becamePaid) await emit(tx, 'order.paid', summary);
  if (order.cancelledAt && !stored?.cancelled_at) {
    await emit(tx, 'order.cancelled', {
      ...summary,
      cancelledAt: order.cancelledAt,
      reason: order.cancelReason,
    });
  }
  return stored ? 'updated' : 'created';
}

async function writeOrder(
  tx: pg.PoolClient,
  order: Order,
  source: Source,
  paidAt: Date | null,
  hash: string,
): Promise<void> {
  await tx.query(
    `insert into shop_orders (id, name, created_at, updated_at, processed_at, cancelled_at, paid_at, financial_status,
       fulfillment_status, currency, presentment_currency, customer_id, email, total_minor, tax_minor, discounts_minor,
       test, first_visit, last_visit, data, source, content_hash)
     values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)
     on conflict (id) do update set name = excluded.name, updated_at = excluded.updated_at,
       processed_at = excluded.processed_at, cancelled_at = excluded.cancelled_at, paid_at = excluded.paid_at,
       financial_status = excluded.financial_status, fulfillment_status = excluded.fulfillment_status,
       customer_id = excluded.customer_id, email = excluded.email, total_minor = excluded.total_minor,
       tax_minor = excluded.tax_minor, discounts_minor = excluded.discounts_minor, test = excluded.test,
       first_visit = coalesce(excluded.first_visit, shop_orders.first_visit),
       last_visit = coalesce(excluded.last_visit, shop_orders.last_visit),
       data = excluded.data, source = excluded.source, content_hash = excluded.content_hash, stored_at = now()`,
    [
      order.id,
      order.name,
      order.createdAt,
      order.updatedAt,
      order.processedAt,
      order.cancelledAt,
      paidAt,
      order.financialStatus,
      order.fulfillmentStatus,
      order.currency,
      order.presentmentCurrency,
      order.customerId,
      order.email,
      order.total.shop,
      order.tax.shop,
      order.discounts.shop,
      order.test,
      order.firstVisit && JSON.stringify(order.firstVisit),
      order.lastVisit && JSON.stringify(order.lastVisit),
      JSON.stringify(order),
      source,
      hash,
    ],
  );
}

/** Transactions never change in Shopify (a capture or void is a new one); later versions only fill gaps. */
export async function applyTransaction(
  tx: pg.PoolClient,
  transaction: Transaction,
  refundId: number | null = null,
): Promise<boolean> {
  const { rows } = await tx.query<{ inserted: boolean }>(
    `insert into shop_transactions (id, order_id, refund_id, kind, status, gateway, processed_at, parent_id, test,
       currency, amount_shop_minor, amount_presentment_minor, fee_minor)
     values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
     on conflict (id) do update set
       amount_shop_minor = coalesce(shop_transactions.amount_shop_minor, excluded.amount_shop_minor),
       fee_minor = coalesce(shop_transactions.fee_minor, excluded.fee_minor),
       refund_id = coalesce(shop_transactions.refund_id, excluded.refund_id),
       status = excluded.status
     returning (xmax = 0) as inserted`,
    [
      transaction.id,
      transaction.orderId,
      refundId,
      transaction.kind,
      transaction.status,
      transaction.gateway,
      transaction.processedAt,
      transaction.parentId,
      transaction.test,
      transaction.currency,
      transaction.amount.shop,
      transaction.amount.presentment,
      transaction.fee,
    ],
  );
  const inserted = rows[0]!.inserted;
  if (inserted) {
    await emit(tx, 'transaction.created', {
      transactionId: transaction.id,
      orderId: transaction.orderId,
      refundId,
      kind: transaction.kind,
      status: transaction.status,
      gateway: transaction.gateway,
      currency: transaction.currency,
      amountMinor: transaction.amount.presentment,
      processedAt: transaction.processedAt,
    });
  }
  return inserted;
}

export async function applyRefund(tx: pg.PoolClient, refund: Refund): Promise<boolean> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into shop_refunds (id, order_id, created_at, note, lines) values ($1,$2,$3,$4,$5)
     on conflict (id) do nothing returning id`,
    [refund.id, refund.orderId, refund.createdAt, refund.note, JSON.stringify(refund.lines)],
  );
  const inserted = rows.length > 0;
  if (inserted) {
    await emit(tx, 'refund.created', {
      refundId: refund.id,
      orderId: refund.orderId,
      createdAt: refund.createdAt,
      restocked: refund.lines.some((line) => line.restockType !== 'no_restock'),
      amountMinor: refund.transactions
        .filter((t) => t.kind === 'refund' && t.status === 'success')
        .reduce((sum, t) => sum + (t.amount.shop ?? t.amount.presentment), 0),
    });
  }
  for (const transaction of refund.transactions) await applyTransaction(tx, transaction, refund.id);
  return inserted;
}

/** Counts only what was new, for the reconciliation's "webhooks missed this" figure. */
export async function applyOrderWithChildren(
  tx: pg.PoolClient,
  value: { order: Order; transactions: Transaction[]; refunds: Refund[] },
  source: Source,
): Promise<{ outcome: OrderOutcome; newChildren: number }> {
  const outcome = await applyOrder(tx, value.order, source);
  let newChildren = 0;
  for (const refund of value.refunds) if (await applyRefund(tx, refund)) newChildren += 1;
  for (const transaction of value.transactions) if (await applyTransaction(tx, transaction)) newChildren += 1;
  return { outcome, newChildren };
}

export async function applyProduct(
  tx: pg.PoolClient,
  product: Product,
  lowStockDefault: number,
): Promise<Outcome> {
  await lock(tx, `product:${product.id}`);
  const { rows } = await tx.query<{ updated_at: Date }>(
    'select updated_at from shop_products where id = $1',
    [product.id],
  );
  const stored = rows[0];
  if (stored && Date.parse(product.updatedAt) <= stored.updated_at.getTime()) return 'stale';
  await tx.query(
    `insert into shop_products (id, title, handle, status, vendor, product_type, tags, image_url, created_at, updated_at)
     values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
     on conflict (id) do update set title = excluded.title, handle = excluded.handle, status = excluded.status,
       vendor = excluded.vendor, product_type = excluded.product_type, tags = excluded.tags,
       image_url = coalesce(excluded.image_url, shop_products.image_url), updated_at = excluded.updated_at,
       deleted_at = null`,
    [
      product.id,
      product.title,
      product.handle,
      product.status,
      product.vendor,
      product.productType,
      product.tags,
      product.imageUrl,
      product.createdAt,
      product.updatedAt,
    ],
  );
  for (const variant of product.variants) {
    await tx.query(
      `insert into shop_variants (id, product_id, title, sku, price_minor, compare_at_minor, inventory_item_id,
         inventory_quantity, unit_cost_minor)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9)
       on conflict (id) do update set product_id = excluded.product_id, title = excluded.title, sku = excluded.sku,
         price_minor = excluded.price_minor, compare_at_minor = excluded.compare_at_minor,
         inventory_item_id = coalesce(excluded.inventory_item_id, shop_variants.inventory_item_id),
         inventory_quantity = coalesce(excluded.inventory_quantity, shop_variants.inventory_quantity),
         unit_cost_minor = coalesce(excluded.unit_cost_minor, shop_variants.unit_cost_minor)`,
      [
        variant.id,
        product.id,
        variant.title,
        variant.sku,
        variant.price,
        variant.compareAtPrice,
        variant.inventoryItemId,
        variant.inventoryQuantity,
        variant.unitCost,
      ],
    );
    await checkStock(tx, variant.id, lowStockDefault);
  }
  await tx.query('delete from shop_variants where product_id = $1 and not (id = any($2::bigint[]))', [
    product.id,
    product.variants.map((variant) => variant.id),
  ]);
  await emit(tx, 'product.changed', {
    productId: product.id,
    title: product.title,
    status: product.status,
    updatedAt: product.updatedAt,
    created: !stored,
  });
  return stored ? 'updated' : 'created';
}

export async function deleteProduct(tx: pg.PoolClient, productId: number): Promise<boolean> {
  const { rowCount } = await tx.query(
    'update shop_products set deleted_at = now(), status = $2 where id = $1 and deleted_at is null',
    [productId, 'deleted'],
  );
  if (rowCount) await emit(tx, 'product.changed', { productId, status: 'deleted', deleted: true });
  return Boolean(rowCount);
}

/**
 * Levels carry no content to compare but `available`: a webhook applies only when strictly newer;
 * the API's answer also at the same second (two changes in one second are settled by the API).
 */
export async function applyInventoryLevel(
  tx: pg.PoolClient,
  level: InventoryLevel,
  lowStockDefault: number,
  source: Source = 'webhook',
): Promise<Outcome> {
  await lock(tx, `item:${level.inventoryItemId}`);
  const { rows } = await tx.query<{ inserted: boolean }>(
    `insert into shop_inventory_levels (inventory_item_id, location_id, available, updated_at) values ($1,$2,$3,$4)
     on conflict (inventory_item_id, location_id) do update set available = excluded.available, updated_at = excluded.updated_at
       where shop_inventory_levels.updated_at < excluded.updated_at
          or ($5 = 'api' and shop_inventory_levels.updated_at = excluded.updated_at
              and shop_inventory_levels.available <> excluded.available)
     returning (xmax = 0) as inserted`,
    [level.inventoryItemId, level.locationId, level.available, level.updatedAt, source],
  );
  if (!rows[0]) return 'stale';
  const { rows: variants } = await tx.query<{ id: string }>(
    'select id from shop_variants where inventory_item_id = $1',
    [level.inventoryItemId],
  );
  for (const variant of variants) await checkStock(tx, Number(variant.id), lowStockDefault);
  return rows[0].inserted ? 'created' : 'updated';
}

/** Stock is the sum of the levels per location when known, else Shopify's total on the variant. */
export const AVAILABLE_SQL = `coalesce((select sum(l.available) from shop_inventory_levels l
  where l.inventory_item_id = v.inventory_item_id), v.inventory_quantity)`;

async function checkStock(tx: pg.PoolClient, variantId: number, lowStockDefault: number): Promise<void> {
  const { rows } = await tx.query<{
    available: number | null;
    threshold: number;
    low_since: Date | null;
    title: string;
    sku: string | null;
    product_id: string;
    product: string | null;
  }>(
    `select ${AVAILABLE_SQL}::int as available, coalesce(v.low_stock_threshold, $2)::int as threshold,
       v.low_stock_since as low_since, v.title, v.sku, v.product_id, p.title as product
     from shop_variants v left join shop_products p on p.id = v.product_id where v.id = $1`,
    [variantId, lowStockDefault],
  );
  const row = rows[0];
  if (!row || row.available === null) return;
  const low = row.available <= row.threshold;
  if (low && !row.low_since) {
    await tx.query('update shop_variants set low_stock_since = now() where id = $1', [variantId]);
    await emit(tx, 'stock.low', {
      variantId,
      productId: Number(row.product_id),
      title: row.product ? `${row.product} – ${row.title}` : row.title,
      sku: row.sku,
      available: row.available,
      threshold: row.threshold,
    });
  } else if (!low && row.low_since) {
    await tx.query('update shop_variants set low_stock_since = null where id = $1', [variantId]);
  }
}

export async function applyCustomer(tx: pg.PoolClient, customer: Customer): Promise<Outcome> {
  const { rows } = await tx.query<{ inserted: boolean }>(
    `insert into shop_customers (id, email, first_name, last_name, phone, tags, created_at, updated_at)
     values ($1,$2,$3,$4,$5,$6,$7,$8)
     on conflict (id) do update set email = excluded.email, first_name = excluded.first_name,
       last_name = excluded.last_name, phone = excluded.phone, tags = excluded.tags, updated_at = excluded.updated_at
       where shop_customers.updated_at < excluded.updated_at
     returning (xmax = 0) as inserted`,
    [
      customer.id,
      customer.email,
      customer.firstName,
      customer.lastName,
      customer.phone,
      customer.tags,
      customer.createdAt,
      customer.updatedAt,
    ],
  );
  return rows[0] ? (rows[0].inserted ? 'created' : 'updated') : 'stale';
}

/** Balance transactions change only when they are paid out. */
export async function applyBalanceTransaction(tx: pg.PoolClient, row: BalanceTransaction): Promise<Outcome> {
  const { rows } = await tx.query<{ inserted: boolean }>(
    `insert into shop_balance_transactions (id, type, test, transaction_date, currency, amount_minor, fee_minor,
       net_minor, source_type, source_id, order_id, payout_id, payout_status)
     values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
     on conflict (id) do update set payout_id = excluded.payout_id, payout_status = excluded.payout_status
       where shop_balance_transactions.payout_id is distinct from excluded.payout_id
          or shop_balance_transactions.payout_status is distinct from excluded.payout_status
     returning (xmax = 0) as inserted`,
    [
      row.id,
      row.type,
      row.test,
      row.transactionDate,
      row.currency,
      row.amount,
      row.fee,
      row.net,
      row.sourceType,
      row.sourceId,
      row.orderId,
      row.payoutId,
      row.payoutStatus,
    ],
  );
  return rows[0] ? (rows[0].inserted ? 'created' : 'updated') : 'stale';
}

export async function applyPayout(tx: pg.PoolClient, payout: Payout): Promise<Outcome> {
  await lock(tx, `payout:${payout.id}`);
  const { rows } = await tx.query<{ status: string; paid_seen_at: Date | null }>(
    'select status, paid_seen_at from shop_payouts where id = $1',
    [payout.id],
  );
  const stored = rows[0];
  if (stored && stored.status === payout.status) return 'stale';
  const paidNow = payout.status === 'paid' && !stored?.paid_seen_at;
  await tx.query(
    `insert into shop_payouts (id, status, issued_at, currency, net_minor, summary, paid_seen_at)
     values ($1,$2,$3,$4,$5,$6,$7)
     on conflict (id) do update set status = excluded.status, issued_at = excluded.issued_at,
       net_minor = excluded.net_minor, summary = excluded.summary,
       paid_seen_at = coalesce(shop_payouts.paid_seen_at, excluded.paid_seen_at)`,
    [
      payout.id,
      payout.status,
      payout.issuedAt,
      payout.currency,
      payout.net,
      JSON.stringify(payout.summary),
      paidNow ? new Date() : null,
    ],
  );
  if (paidNow) {
    await emit(tx, 'payout.paid', {
      payoutId: payout.id,
      issuedAt: payout.issuedAt,
      currency: payout.currency,
      netMinor: payout.net,
    });
  }
  return stored ? 'updated' : 'created';
}

export async function applyDispute(tx: pg.PoolClient, dispute: Dispute): Promise<Outcome> {
  await lock(tx, `dispute:${dispute.id}`);
  const { rows } = await tx.query<{
    status: string;
    evidence_due_by: Date | null;
    finalized_on: Date | null;
  }>('select status, evidence_due_by, finalized_on from shop_disputes where id = $1', [dispute.id]);
  const stored = rows[0];
  if (
    stored &&
    stored.status === dispute.status &&
    (stored.finalized_on !== null) === (dispute.finalizedOn !== null)
  ) {
    return 'stale';
  }
  await tx.query(
    `insert into shop_disputes (id, order_id, status, reason, currency, amount_minor, initiated_at, evidence_due_by, finalized_on)
     values ($1,$2,$3,$4,$5,$6,$7,$8,$9)
     on conflict (id) do update set status = excluded.status, reason = excluded.reason,
       evidence_due_by = excluded.evidence_due_by, finalized_on = excluded.finalized_on`,
    [
      dispute.id,
      dispute.orderId,
      dispute.status,
      dispute.reason,
      dispute.currency,
      dispute.amount,
      dispute.initiatedAt,
      dispute.evidenceDueBy,
      dispute.finalizedOn,
    ],
  );
  const payload = {
    disputeId: dispute.id,
    orderId: dispute.orderId,
    status: dispute.status,
    reason: dispute.reason,
    currency: dispute.currency,
    amountMinor: dispute.amount,
    evidenceDueBy: dispute.evidenceDueBy,
  };
  await emit(tx, stored ? 'dispute.updated' : 'dispute.opened', payload);
  return stored ? 'updated' : 'created';
}
