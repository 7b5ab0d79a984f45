// Reconciliation, the source of truth: what changed in Shopify since the last run (with a grace
// period for webhooks still in flight), on start and on a schedule. Lists of ids and versions are
// cheap (about 250 query points for 250), whole orders are not (about 500 each): it lists what
// changed, fetches the few changed ones whole, and exports the time range in bulk when many changed
// or one is too large for a single query. What it finds that no webhook had delivered is counted.
import type pg from 'pg';
import type { Logger } from '../../platform/logger.ts';
import type { ShopifyClient, Page } from './client.ts';
import type { ShopConnection } from './connection.ts';
import { searchBetween, truncated, type ApiApplier, type Json } from './api-applier.ts';
import type { OrderRefresh } from './refresh.ts';
import { numericId } from './model.ts';
import {
  BALANCE_TRANSACTIONS_QUERY,
  CUSTOMERS_QUERY,
  DISPUTES_QUERY,
  ORDER_QUERY,
  ORDER_VERSIONS_QUERY,
  PAYOUTS_QUERY,
  PRODUCT_QUERY,
  PRODUCT_VARIANTS_QUERY,
  PRODUCT_VERSIONS_QUERY,
  bulkOrdersQuery,
  bulkProductsQuery,
} from './queries.ts';
import type { ProgressListener, SyncRuns } from './sync-runs.ts';

/** More changed than this since the last run, and reconciliation exports the range in bulk. */
const FETCH_ONE_BY_ONE = 25;
/** Reconciliation compares the whole stock this often. */
const STOCK_CHECK_MS = 60 * 60_000;

/**
 * Where the next run starts: the whole second `until` falls in, because Shopify's times have whole
 * seconds and a change later in that second was not seen yet. `>=` reads the edge again (harmlessly).
 */
const nextCursor = (until: string) => `${until.slice(0, 19)}Z`;

export interface ReconciliationOptions {
  pool: pg.Pool;
  connection: ShopConnection;
  runs: SyncRuns;
  apply: ApiApplier;
  refresh: OrderRefresh;
  logger: Logger;
  /** Webhooks have this head start before reconciliation counts a change as missed. */
  graceMs: number;
  now?: () => Date;
}

export class Reconciliation {
  private readonly now: () => Date;

  constructor(private readonly options: ReconciliationOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Fetches what changed since the last run; `repaired` is how many changes webhooks had not delivered. */
  async run(
    onProgress: ProgressListener = () => undefined,
    options: { full?: boolean } = {},
  ): Promise<{ runId: number; repaired: number; counts: Record<string, number> }> {
    const { connection, runs, apply, refresh, logger, graceMs } = this.options;
    const run = await runs.open('reconcile');
    const counts: Record<string, number> = {};
    let repaired = 0;
    try {
      const client = await connection.client();
      const currency = (await connection.shopInfo()).currency;
      const until = new Date(this.now().getTime() - graceMs).toISOString();
      repaired += await refresh.run(client);

      const ordersFrom = (await runs.cursor('orders')) ?? new Date(0).toISOString();
      const changedOrders = await this.changedSince(
        client,
        ORDER_VERSIONS_QUERY,
        'orders',
        'shop_orders',
        ordersFrom,
        until,
      );
      counts.orders = changedOrders.length;
      onProgress({ step: 'orders', done: changedOrders.length });
      repaired += await this.fetchOrders(client, changedOrders, ordersFrom, until, onProgress);
      if (nextCursor(until) > ordersFrom) await runs.setCursor('orders', nextCursor(until));

      const productsFrom = (await runs.cursor('products')) ?? new Date(0).toISOString();
      const changedProducts = await this.changedSince(
        client,
        PRODUCT_VERSIONS_QUERY,
        'products',
        'shop_products',
        productsFrom,
        until,
      );
      counts.products = changedProducts.length;
      onProgress({ step: 'products', done: changedProducts.length });
      repaired += await this.fetchProducts(
        client,
        changedProducts,
        productsFrom,
        until,
        currency,
        onProgress,
      );
      if (nextCursor(until) > productsFrom) await runs.setCursor('products', nextCursor(until));

      const customersFrom = (await runs.cursor('customers')) ?? new Date(0).toISOString();
      counts.customers = 0;
      for await (const page of client.pages<Json, Json>(
        CUSTOMERS_QUERY,
        { first: 50, query: searchBetween(customersFrom, until) },
        (data) => data.customers as Page<Json>,
      )) {
        repaired += await apply.customers(page.nodes);
        counts.customers += page.nodes.length;
      }
      if (nextCursor(until) > customersFrom) await runs.setCursor('customers', nextCursor(until));

      // Every level costs query points and webhooks report stock changes: the whole stock is
      // compared hourly, or when asked.
      const lastStockCheck = await runs.cursor('inventory');
      if (
        options.full ||
        !lastStockCheck ||
        Date.parse(lastStockCheck) < this.now().getTime() - STOCK_CHECK_MS
      ) {
        await apply.locations(client);
        repaired += await apply.inventory(client, (done) => onProgress({ step: 'inventory', done }));
        await runs.setCursor('inventory', this.now().toISOString());
      }
      // No webhooks exist for these: polling is the only way, newest first until nothing is new.
      const payments = (data: Json) => (data.shopifyPaymentsAccount as Json | null) ?? {};
      counts['balance transactions'] = await this.pollNewest(
        client,
        BALANCE_TRANSACTIONS_QUERY,
        100,
        (data) => payments(data).balanceTransactions as Page<Json>,
        (nodes) => apply.balanceTransactions(nodes),
      );
      counts.payouts = await this.pollNewest(
        client,
        PAYOUTS_QUERY,
        50,
        (data) => payments(data).payouts as Page<Json>,
        (nodes) => apply.payouts(nodes),
      );
      repaired += await this.pollNewest(
        client,
        DISPUTES_QUERY,
        100,
        (data) => payments(data).disputes as Page<Json>,
        (nodes) => apply.disputes(nodes),
      );
      await runs.finish(run.id, { status: 'done', repaired, progress: { counts } });
      if (repaired)
        logger.warn({ repaired }, 'reconciliation found Shopify changes that no webhook had delivered');
      return { runId: run.id, repaired, counts };
    } catch (error) {
      await runs.finish(run.id, {
        status: 'failed',
        repaired,
        progress: { counts },
        error: (error as Error).message,
      });
      throw error;
    }
  }

  /** Ids whose version in Shopify differs from the stored one (or that are not stored at all). */
  private async changedSince(
    client: ShopifyClient,
    document: string,
    field: string,
    table: 'shop_orders' | 'shop_products',
    from: string,
    until: string,
  ): Promise<number[]> {
    const ids: number[] = [];
    for await (const page of client.pages<Json, Json>(
      document,
      { first: 250, query: searchBetween(from, until) },
      (data) => data[field] as Page<Json>,
    )) {
      const versions = page.nodes.map((node) => ({
        id: numericId(node.legacyResourceId),
        updatedAt: String(node.updatedAt),
      }));
      const { rows } = await this.options.pool.query<{ id: string; updated_at: Date }>(
        `select id, updated_at from ${table} where id = any($1::bigint[])`,
        [versions.map((version) => version.id)],
      );
      const stored = new Map(rows.map((row) => [Number(row.id), row.updated_at.getTime()]));
      for (const version of versions) {
        const known = stored.get(version.id);
        if (known === undefined || Date.parse(version.updatedAt) > known) ids.push(version.id);
      }
    }
    return ids;
  }

  private async fetchOrders(
    client: ShopifyClient,
    ids: number[],
    from: string,
    until: string,
    onProgress: ProgressListener,
  ): Promise<number> {
    const { apply } = this.options;
    if (!ids.length) return 0;
    const inBulk = () =>
      apply.exportAndApply(
        client,
        bulkOrdersQuery(searchBetween(from, until)),
        'orders',
        (nodes) => apply.orders(nodes),
        onProgress,
      );
    if (ids.length > FETCH_ONE_BY_ONE) return inBulk();
    const orders: Json[] = [];
    for (const id of ids) {
      const { order } = await client.query<{ order: Json | null }>(ORDER_QUERY, {
        id: `gid://shopify/Order/${id}`,
      });
      if (!order) continue; // deleted since it was listed
      if (truncated(order)) return inBulk();
      orders.push(order);
    }
    return apply.orders(orders);
  }

  private async fetchProducts(
    client: ShopifyClient,
    ids: number[],
    from: string,
    until: string,
    currency: string,
    onProgress: ProgressListener,
  ): Promise<number> {
    const { apply } = this.options;
    if (!ids.length) return 0;
    if (ids.length > FETCH_ONE_BY_ONE) {
      return apply.exportAndApply(
        client,
        bulkProductsQuery(searchBetween(from, until)),
        'products',
        (nodes) => apply.products(nodes, currency),
        onProgress,
      );
    }
    const products: Json[] = [];
    for (const id of ids) {
      const gid = `gid://shopify/Product/${id}`;
      const { product } = await client.query<{ product: Json | null }>(PRODUCT_QUERY, { id: gid });
      if (!product) continue;
      // A product with more than 100 variants: read the rest page by page.
      const variants = product.variants as Page<Json>;
      let after = variants.pageInfo.hasNextPage ? variants.pageInfo.endCursor : null;
      while (after) {
        const more = await client.query<{ product: { variants: Page<Json> } | null }>(
          PRODUCT_VARIANTS_QUERY,
          { id: gid, after },
        );
        if (!more.product) break;
        variants.nodes.push(...more.product.variants.nodes);
        after = more.product.variants.pageInfo.hasNextPage ? more.product.variants.pageInfo.endCursor : null;
      }
      products.push(product);
    }
    return apply.products(products, currency);
  }

  /** Pages newest first and stops at the first page where nothing was new or changed. */
  private async pollNewest(
    client: ShopifyClient,
    document: string,
    first: number,
    pick: (data: Json) => Page<Json> | undefined,
    apply: (nodes: Json[]) => Promise<number>,
  ): Promise<number> {
    let total = 0;
    for await (const page of client.pages<Json, Json>(document, { first }, pick)) {
      const found = await apply(page.nodes);
      total += found;
      if (found === 0) break;
    }
    return total;
  }
}
