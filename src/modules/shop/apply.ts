// Applying a version of a Shopify resource (other than orders: apply-orders.ts) to what shopkeep
// stores, inside the caller's transaction, with the domain events it causes. The rules that make
// webhooks safe:
//  - a version is applied only if it is newer (updated_at) than the stored one; an older or equal one
//    changes nothing and emits nothing, so duplicates and out-of-order deliveries are harmless;
//  - each event fires on the change it names, once: payout.paid when first seen paid, stock.low
//    when a variant crosses its threshold.
import type pg from 'pg';
import { emit } from '../../platform/events/outbox.ts';
import type { BalanceTransaction, Customer, Dispute, InventoryLevel, Payout, Product } from './model.ts';
import { lockAll, type Outcome, type Source } from './apply-orders.ts';

const lock = (tx: pg.PoolClient, key: string) => lockAll(tx, [key]);

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
