// Applies what the Admin API returns (pages, single records, bulk exports) through the same rules as
// webhooks, in batches of a hundred per transaction, a few transactions at a time; each batch says
// how many records it changed. What the import, reconciliation and the order refresh share.
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import type { ShopifyClient, Page } from './client.ts';
import {
  applyBalanceTransaction,
  applyCustomer,
  applyDispute,
  applyInventoryLevel,
  applyPayout,
  applyProduct,
} from './apply.ts';
import { applyOrders, type OrderOutcome, type Outcome } from './apply-orders.ts';
import {
  balanceTransactionFromApi,
  customerFromApi,
  disputeFromApi,
  inventoryLevelFromApi,
  orderFromApi,
  payoutFromApi,
  productFromApi,
} from './from-api.ts';
import { numericId } from './model.ts';
import { INVENTORY_LEVELS_QUERY, LOCATIONS_QUERY, ORDER_LIMITS } from './queries.ts';
import type { ProgressListener } from './sync-runs.ts';

export type Json = Record<string, unknown>;

/** Records applied in one transaction, and how many such transactions run at once. */
const BATCH = 100;
const PARALLEL_BATCHES = 3;

/** Where a bulk export's child lines belong, by the type in their id. */
const CHILD_FIELDS: Record<string, string> = {
  LineItem: 'lineItems',
  ShippingLine: 'shippingLines',
  RefundLineItem: 'refundLineItems',
  RefundShippingLine: 'refundShippingLines',
  OrderAdjustment: 'orderAdjustments',
  OrderTransaction: 'transactions',
  ProductVariant: 'variants',
};
const childField = (gid: string) => CHILD_FIELDS[/gid:\/\/shopify\/(\w+)\//.exec(gid)?.[1] ?? ''];

/** Runs `work` in a transaction, again if PostgreSQL chose it as a deadlock victim (batches run side by side). */
const inTransaction = <T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> =>
  transaction(pool, work, { retries: 4 });

const changed = (outcome: OrderOutcome) => outcome !== 'stale';

/** A single-order answer that hit one of ORDER_LIMITS may be missing lines: export it in bulk instead. */
export function truncated(order: Json): boolean {
  const more = (connection: unknown) =>
    Boolean((connection as { pageInfo?: { hasNextPage?: boolean } } | null)?.pageInfo?.hasNextPage);
  const refunds = (order.refunds as Json[] | undefined) ?? [];
  return (
    more(order.lineItems) ||
    more(order.shippingLines) ||
    ((order.transactions as unknown[] | undefined)?.length ?? 0) >= ORDER_LIMITS.transactions ||
    refunds.length >= ORDER_LIMITS.refunds ||
    refunds.some(
      (refund) =>
        more(refund.refundLineItems) ||
        more(refund.refundShippingLines) ||
        more(refund.orderAdjustments) ||
        more(refund.transactions),
    )
  );
}

/** Shopify's search for what changed between two instants (both included). */
export const searchBetween = (from: string, until: string) =>
  `updated_at:>='${from}' AND updated_at:<='${until}'`;

export class ApiApplier {
  constructor(
    private readonly options: {
      pool: pg.Pool;
      /** A variant at or below this many units is low on stock, unless it has its own threshold. */
      lowStockDefault: number;
    },
  ) {}

  /** Starts a bulk export, waits for it and applies it; returns what changed. */
  async exportAndApply(
    client: ShopifyClient,
    query: string,
    step: string,
    apply: (nodes: Json[]) => Promise<number>,
    onProgress: ProgressListener = () => undefined,
  ): Promise<number> {
    const id = await client.startBulk(query);
    return this.applyExport(client, id, step, apply, (done) => onProgress({ step, done }), onProgress);
  }

  /** Waits for a bulk export and applies it in batches, a few transactions at a time; returns what changed. */
  async applyExport(
    client: ShopifyClient,
    operationId: string,
    step: string,
    apply: (nodes: Json[]) => Promise<number>,
    onApplied: (done: number) => void,
    onProgress: ProgressListener,
  ): Promise<number> {
    const url = await client.waitForBulk(operationId, (objects) =>
      onProgress({ step: `exporting ${step}`, done: objects }),
    );
    let done = 0;
    let found = 0;
    let batch: Json[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    const flush = async () => {
      const nodes = batch;
      batch = [];
      const work = apply(nodes).then(
        (changedCount) => {
          found += changedCount;
          done += nodes.length;
          onApplied(done);
        },
        (error: unknown) => {
          failure ??= error;
        },
      );
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      if (inFlight.size >= PARALLEL_BATCHES) await Promise.race(inFlight);
      if (failure) throw failure;
    };
    for await (const object of client.bulkObjects(url, childField)) {
      batch.push(object);
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length) await flush();
    await Promise.all(inFlight);
    if (failure) throw failure;
    return found;
  }

  async locations(client: ShopifyClient): Promise<void> {
    const data = await client.query<{
      locations: { nodes: { id: string; name: string; isActive: boolean }[] };
    }>(LOCATIONS_QUERY);
    await inTransaction(this.options.pool, async (tx) => {
      for (const location of data.locations.nodes) {
        await tx.query(
          `insert into shop_locations (id, name, active) values ($1, $2, $3)
           on conflict (id) do update set name = excluded.name, active = excluded.active`,
          [numericId(location.id), location.name, location.isActive],
        );
      }
    });
  }

  /** Every stock level at every active location; returns how many changed. */
  async inventory(client: ShopifyClient, onProgress: (done: number) => void): Promise<number> {
    const { pool, lowStockDefault } = this.options;
    const { rows } = await pool.query<{ id: string }>('select id from shop_locations where active');
    let done = 0;
    let changedCount = 0;
    for (const { id } of rows) {
      const locationId = Number(id);
      for await (const page of client.pages<Json, Json>(
        INVENTORY_LEVELS_QUERY,
        { location: `gid://shopify/Location/${locationId}`, first: 250 },
        (data) => (data.location as Json | null)?.inventoryLevels as Page<Json>,
      )) {
        changedCount += await inTransaction(pool, async (tx) => {
          let count = 0;
          for (const node of page.nodes) {
            const level = inventoryLevelFromApi(node, locationId);
            if (changed(await applyInventoryLevel(tx, level, lowStockDefault, 'api'))) count += 1;
          }
          return count;
        });
        done += page.nodes.length;
        onProgress(done);
      }
    }
    return changedCount;
  }

  orders(nodes: Json[]): Promise<number> {
    const versions = nodes.map((node) => orderFromApi(node));
    return inTransaction(this.options.pool, async (tx) => (await applyOrders(tx, versions, 'api')).changes);
  }

  products(nodes: Json[], currency: string): Promise<number> {
    const products = nodes.map((node) => productFromApi(node, currency));
    return this.each(products, (tx, product) => applyProduct(tx, product, this.options.lowStockDefault));
  }

  customers(nodes: Json[]): Promise<number> {
    return this.each(nodes.map(customerFromApi), applyCustomer);
  }

  balanceTransactions(nodes: Json[]): Promise<number> {
    return this.each(nodes.map(balanceTransactionFromApi), applyBalanceTransaction);
  }

  payouts(nodes: Json[]): Promise<number> {
    return this.each(nodes.map(payoutFromApi), applyPayout);
  }

  disputes(nodes: Json[]): Promise<number> {
    return this.each(nodes.map(disputeFromApi), applyDispute);
  }

  private each<T>(items: T[], apply: (tx: pg.PoolClient, item: T) => Promise<Outcome>): Promise<number> {
    return inTransaction(this.options.pool, async (tx) => {
      let count = 0;
      for (const item of items) if (changed(await apply(tx, item))) count += 1;
      return count;
    });
  }
}
