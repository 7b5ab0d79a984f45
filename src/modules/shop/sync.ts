// Pulling from Shopify: the first import (everything, resumable after a crash) and reconciliation
// (what changed since the last cursor, on start and on a schedule). Both apply through the same
// rules as webhooks, so whichever arrives first wins and the other changes nothing.
//
// Query costs decide the shape: lists of ids and versions are cheap (about 250 for 250), whole orders
// are not (about 500 each). So the import exports orders and products in bulk; reconciliation lists
// what changed, fetches the few changed ones whole, and falls back to a bulk export of the time range
// when many changed or one is too large for a single query.
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import { emit } from '../../platform/events/outbox.ts';
import type { Logger } from '../../platform/logger.ts';
import { ShopifyError, type ShopifyClient, type Page } from './client.ts';
import type { ShopConnection } from './connection.ts';
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
import {
  BALANCE_TRANSACTIONS_QUERY,
  BULK_BALANCE_TRANSACTIONS_QUERY,
  CUSTOMERS_QUERY,
  DISPUTES_QUERY,
  INVENTORY_LEVELS_QUERY,
  LOCATIONS_QUERY,
  ORDER_LIMITS,
  ORDER_QUERY,
  ORDER_VERSIONS_QUERY,
  PAYOUTS_QUERY,
  PRODUCT_QUERY,
  PRODUCT_VARIANTS_QUERY,
  PRODUCT_VERSIONS_QUERY,
  bulkOrdersQuery,
  bulkProductsQuery,
} from './queries.ts';

export interface SyncProgress {
  step: string;
  done: number;
  /** Known only for some steps. */
  total?: number;
}

export type ProgressListener = (progress: SyncProgress) => void;

type Json = Record<string, unknown>;

interface ImportProgress {
  done: string[];
  cursors: Record<string, string | null>;
  counts: Record<string, number>;
  bulk: Record<string, string>;
  startedAt: string;
}

/** Orders or products applied in one transaction, and how many such transactions run at once. */
const BATCH = 100;
const PARALLEL_BATCHES = 3;
/** More changed than this since the last run, and reconciliation exports the range in bulk. */
const FETCH_ONE_BY_ONE = 25;
/** Reconciliation compares the whole stock this often. */
const STOCK_CHECK_MS = 60 * 60_000;

/** Where a bulk export's child lines belong, by the type in their id. */
const CHILD_FIELDS: Record<string, string> = {
  LineItem: 'lineItems',
  ShippingLine: 'shippingLines',
  RefundLineItem: 'refundLineItems',
  OrderTransaction: 'transactions',
  ProductVariant: 'variants',
};
const childField = (gid: string) => CHILD_FIELDS[/gid:\/\/shopify\/(\w+)\//.exec(gid)?.[1] ?? ''];

/** Runs `work` in a transaction, again if PostgreSQL chose it as a deadlock victim (batches run side by side). */
const inTransaction = <T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> =>
  transaction(pool, work, { retries: 4 });

const changed = (outcome: OrderOutcome) => outcome !== 'stale';

/** A single-order answer that hit one of ORDER_LIMITS may be missing lines: export it in bulk instead. */
function truncated(order: Json): boolean {
  const more = (connection: unknown) =>
    Boolean((connection as { pageInfo?: { hasNextPage?: boolean } } | null)?.pageInfo?.hasNextPage);
  const refunds = (order.refunds as Json[] | undefined) ?? [];
  return (
    more(order.lineItems) ||
    more(order.shippingLines) ||
    ((order.transactions as unknown[] | undefined)?.length ?? 0) >= ORDER_LIMITS.transactions ||
    refunds.length >= ORDER_LIMITS.refunds ||
    refunds.some((refund) => more(refund.refundLineItems) || more(refund.transactions))
  );
}

const searchBetween = (from: string, until: string) => `updated_at:>='${from}' AND updated_at:<='${until}'`;

/**
 * Where the next run starts: the whole second `until` falls in, because Shopify's times have whole
 * seconds and a change later in that second was not seen yet. `>=` reads the edge again (harmlessly).
 */
const nextCursor = (until: string) => `${until.slice(0, 19)}Z`;

export class ShopSync {
  constructor(
    private readonly pool: pg.Pool,
    private readonly connection: ShopConnection,
    private readonly logger: Logger,
    private readonly lowStockDefault: number,
    /** Webhooks have this head start before reconciliation counts a change as missed. */
    private readonly graceMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Imports everything. A run that crashed is resumed where it stopped: finished steps are skipped,
   * paged steps continue from their cursor, and a bulk export already started is awaited and applied
   * again from the start (applying is idempotent).
   */
  async importAll(
    onProgress: ProgressListener = () => undefined,
    options: { bulkPollMs?: number } = {},
  ): Promise<{ runId: number; counts: Record<string, number> }> {
    const run = await this.openRun('import');
    const progress: ImportProgress = {
      done: [],
      cursors: {},
      counts: {},
      bulk: {},
      startedAt: this.now().toISOString(),
      ...(run.progress as Partial<ImportProgress>),
    };
    const save = (step: string) =>
      this.pool.query('update shop_sync_runs set step = $2, progress = $3 where id = $1', [
        run.id,
        step,
        JSON.stringify(progress),
      ]);
    const count = (step: string, done: number) => {
      progress.counts[step] = done;
      onProgress({ step, done });
    };
    try {
      const client = await this.connection.client({ bulkPollMs: options.bulkPollMs });
      const currency = (await this.connection.test()).currency;
      const bulk = async (step: string, query: string, apply: (nodes: Json[]) => Promise<number>) => {
        progress.bulk[step] ??= await client.startBulk(query);
        await save(step);
        await this.applyBulk(
          client,
          progress.bulk[step],
          step,
          apply,
          (done) => count(step, done),
          onProgress,
        );
      };
      const paged = async (
        step: string,
        document: string,
        first: number,
        pick: (data: Json) => Page<Json> | undefined,
        apply: (nodes: Json[]) => Promise<number>,
      ) => {
        for await (const page of client.pages<Json, Json>(
          document,
          { first, after: progress.cursors[step] ?? null },
          pick,
        )) {
          await apply(page.nodes);
          progress.cursors[step] = page.cursor;
          await save(step);
          count(step, (progress.counts[step] ?? 0) + page.nodes.length);
        }
      };
      const payments = (data: Json) => (data.shopifyPaymentsAccount as Json | null) ?? {};
      const steps: [string, () => Promise<unknown>][] = [
        ['locations', () => this.locations(client)],
        [
          'products',
          () => bulk('products', bulkProductsQuery(), (nodes) => this.applyProducts(nodes, currency)),
        ],
        ['inventory', () => this.inventory(client, (done) => count('inventory', done))],
        [
          'customers',
          () =>
            paged(
              'customers',
              CUSTOMERS_QUERY,
              250,
              (data) => data.customers as Page<Json>,
              (nodes) => this.applyCustomers(nodes),
            ),
        ],
        ['orders', () => bulk('orders', bulkOrdersQuery(), (nodes) => this.applyOrders(nodes))],
        [
          'balance transactions',
          async () => {
            // In bulk where the shop's API allows it (a top-level object around the connection);
            // page by page otherwise.
            try {
              await bulk('balance transactions', BULK_BALANCE_TRANSACTIONS_QUERY, (nodes) =>
                this.applyBalance(nodes),
              );
            } catch (error) {
              if (
                !(error instanceof ShopifyError) ||
                error.kind !== 'query' ||
                progress.counts['balance transactions']
              )
                throw error;
              this.logger.info(
                { err: error.message },
                'balance transactions cannot be exported in bulk; paging instead',
              );
              delete progress.bulk['balance transactions'];
              await paged(
                'balance transactions',
                BALANCE_TRANSACTIONS_QUERY,
                100,
                (data) => payments(data).balanceTransactions as Page<Json>,
                (nodes) => this.applyBalance(nodes),
              );
            }
          },
        ],
        [
          'payouts',
          () =>
            paged(
              'payouts',
              PAYOUTS_QUERY,
              50,
              (data) => payments(data).payouts as Page<Json>,
              (nodes) => this.applyPayouts(nodes),
            ),
        ],
        [
          'disputes',
          () =>
            paged(
              'disputes',
              DISPUTES_QUERY,
              100,
              (data) => payments(data).disputes as Page<Json>,
              (nodes) => this.applyDisputes(nodes),
            ),
        ],
      ];
      for (const [step, work] of steps) {
        if (progress.done.includes(step)) continue;
        await save(step);
        onProgress({ step, done: progress.counts[step] ?? 0 });
        await work();
        progress.done.push(step);
        await save(step);
      }
      // Reconciliation starts from the moment the import began: anything changed since is fetched again.
      for (const resource of ['orders', 'products', 'customers'])
        await this.setCursor(resource, progress.startedAt);
      await transaction(this.pool, async (tx) => {
        await this.finishRun(run.id, 'done', 0, progress, undefined, tx);
        await emit(tx, 'shop.imported', { runId: run.id, counts: progress.counts });
      });
      return { runId: run.id, counts: progress.counts };
    } catch (error) {
      await this.finishRun(run.id, 'failed', 0, progress, (error as Error).message);
      throw error;
    }
  }

  /** Fetches what changed since the last run; returns how many changes webhooks had not delivered. */
  async reconcile(
    onProgress: ProgressListener = () => undefined,
    options: { full?: boolean } = {},
  ): Promise<{ runId: number; repaired: number; counts: Record<string, number> }> {
    const run = await this.openRun('reconcile');
    const counts: Record<string, number> = {};
    let repaired = 0;
    try {
      const client = await this.connection.client();
      const currency = (await this.connection.shopInfo()).currency;
      const until = new Date(this.now().getTime() - this.graceMs).toISOString();
      repaired += await this.refreshOrders(client);

      const ordersFrom = (await this.cursor('orders')) ?? new Date(0).toISOString();
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
      if (nextCursor(until) > ordersFrom) await this.setCursor('orders', nextCursor(until));

      const productsFrom = (await this.cursor('products')) ?? new Date(0).toISOString();
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
      if (nextCursor(until) > productsFrom) await this.setCursor('products', nextCursor(until));

      const customersFrom = (await this.cursor('customers')) ?? new Date(0).toISOString();
      counts.customers = 0;
      for await (const page of client.pages<Json, Json>(
        CUSTOMERS_QUERY,
        { first: 50, query: searchBetween(customersFrom, until) },
        (data) => data.customers as Page<Json>,
      )) {
        repaired += await this.applyCustomers(page.nodes);
        counts.customers += page.nodes.length;
      }
      if (nextCursor(until) > customersFrom) await this.setCursor('customers', nextCursor(until));

      // Every level costs query points and webhooks report stock changes: the whole stock is
      // compared hourly, or when asked.
      const lastStockCheck = await this.cursor('inventory');
      if (
        options.full ||
        !lastStockCheck ||
        Date.parse(lastStockCheck) < this.now().getTime() - STOCK_CHECK_MS
      ) {
        await this.locations(client);
        repaired += await this.inventory(client, (done) => onProgress({ step: 'inventory', done }));
        await this.setCursor('inventory', this.now().toISOString());
      }
      // No webhooks exist for these: polling is the only way, newest first until nothing is new.
      const payments = (data: Json) => (data.shopifyPaymentsAccount as Json | null) ?? {};
      counts.balanceTransactions = await this.pollNewest(
        client,
        BALANCE_TRANSACTIONS_QUERY,
        100,
        (data) => payments(data).balanceTransactions as Page<Json>,
        (nodes) => this.applyBalance(nodes),
      );
      counts.payouts = await this.pollNewest(
        client,
        PAYOUTS_QUERY,
        50,
        (data) => payments(data).payouts as Page<Json>,
        (nodes) => this.applyPayouts(nodes),
      );
      repaired += await this.pollNewest(
        client,
        DISPUTES_QUERY,
        100,
        (data) => payments(data).disputes as Page<Json>,
        (nodes) => this.applyDisputes(nodes),
      );
      await this.finishRun(run.id, 'done', repaired, { counts });
      if (repaired)
        this.logger.warn({ repaired }, 'reconciliation found Shopify changes that no webhook had delivered');
      return { runId: run.id, repaired, counts };
    } catch (error) {
      await this.finishRun(run.id, 'failed', repaired, { counts }, (error as Error).message);
      throw error;
    }
  }

  /** Asks the API for orders two webhooks left ambiguous (same updated_at, other content). */
  async refreshOrders(client?: ShopifyClient): Promise<number> {
    const { rows } = await this.pool.query<{ order_id: string }>(
      'select order_id from shop_order_refresh order by requested_at limit 250',
    );
    if (!rows.length) return 0;
    const shopify = client ?? (await this.connection.client());
    let found = 0;
    for (const { order_id } of rows) {
      const data = await shopify.query<{ order: Json | null }>(ORDER_QUERY, {
        id: `gid://shopify/Order/${order_id}`,
      });
      if (data.order && truncated(data.order)) {
        const updatedAt = String(data.order.updatedAt);
        found += await this.bulkApply(
          shopify,
          bulkOrdersQuery(searchBetween(updatedAt, updatedAt)),
          'orders',
          (nodes) => this.applyOrders(nodes),
        );
      } else if (data.order) {
        found += await this.applyOrders([data.order]);
      }
      await this.pool.query('delete from shop_order_refresh where order_id = $1', [order_id]);
    }
    return found;
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
      const { rows } = await this.pool.query<{ id: string; updated_at: Date }>(
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
    if (!ids.length) return 0;
    const inBulk = () =>
      this.bulkApply(
        client,
        bulkOrdersQuery(searchBetween(from, until)),
        'orders',
        (nodes) => this.applyOrders(nodes),
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
    return this.applyOrders(orders);
  }

  private async fetchProducts(
    client: ShopifyClient,
    ids: number[],
    from: string,
    until: string,
    currency: string,
    onProgress: ProgressListener,
  ): Promise<number> {
    if (!ids.length) return 0;
    if (ids.length > FETCH_ONE_BY_ONE) {
      return this.bulkApply(
        client,
        bulkProductsQuery(searchBetween(from, until)),
        'products',
        (nodes) => this.applyProducts(nodes, currency),
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
    return this.applyProducts(products, currency);
  }

  private async bulkApply(
    client: ShopifyClient,
    query: string,
    step: string,
    apply: (nodes: Json[]) => Promise<number>,
    onProgress: ProgressListener = () => undefined,
  ): Promise<number> {
    const id = await client.startBulk(query);
    return this.applyBulk(client, id, step, apply, (done) => onProgress({ step, done }), onProgress);
  }

  /** Waits for a bulk export and applies it in batches, a few transactions at a time; returns what changed. */
  private async applyBulk(
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

  private async locations(client: ShopifyClient): Promise<void> {
    const data = await client.query<{
      locations: { nodes: { id: string; name: string; isActive: boolean }[] };
    }>(LOCATIONS_QUERY);
    await inTransaction(this.pool, async (tx) => {
      for (const location of data.locations.nodes) {
        await tx.query(
          `insert into shop_locations (id, name, active) values ($1, $2, $3)
           on conflict (id) do update set name = excluded.name, active = excluded.active`,
          [numericId(location.id), location.name, location.isActive],
        );
      }
    });
  }

  private async inventory(client: ShopifyClient, onProgress: (done: number) => void): Promise<number> {
    const { rows } = await this.pool.query<{ id: string }>('select id from shop_locations where active');
    let done = 0;
    let changedCount = 0;
    for (const { id } of rows) {
      const locationId = Number(id);
      for await (const page of client.pages<Json, Json>(
        INVENTORY_LEVELS_QUERY,
        { location: `gid://shopify/Location/${locationId}`, first: 250 },
        (data) => (data.location as Json | null)?.inventoryLevels as Page<Json>,
      )) {
        changedCount += await inTransaction(this.pool, async (tx) => {
          let count = 0;
          for (const node of page.nodes) {
            const level = inventoryLevelFromApi(node, locationId);
            if (changed(await applyInventoryLevel(tx, level, this.lowStockDefault, 'api'))) count += 1;
          }
          return count;
        });
        done += page.nodes.length;
        onProgress(done);
      }
    }
    return changedCount;
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

  private applyOrders(nodes: Json[]): Promise<number> {
    const versions = nodes.map((node) => orderFromApi(node));
    return inTransaction(this.pool, async (tx) => (await applyOrders(tx, versions, 'api')).changes);
  }

  private applyProducts(nodes: Json[], currency: string): Promise<number> {
    const products = nodes.map((node) => productFromApi(node, currency));
    return this.applyAll(products, (tx, product) => applyProduct(tx, product, this.lowStockDefault));
  }

  private applyCustomers(nodes: Json[]): Promise<number> {
    return this.applyAll(nodes.map(customerFromApi), applyCustomer);
  }

  private applyBalance(nodes: Json[]): Promise<number> {
    return this.applyAll(nodes.map(balanceTransactionFromApi), applyBalanceTransaction);
  }

  private applyPayouts(nodes: Json[]): Promise<number> {
    return this.applyAll(nodes.map(payoutFromApi), applyPayout);
  }

  private applyDisputes(nodes: Json[]): Promise<number> {
    return this.applyAll(nodes.map(disputeFromApi), applyDispute);
  }

  private applyAll<T>(items: T[], apply: (tx: pg.PoolClient, item: T) => Promise<Outcome>): Promise<number> {
    return inTransaction(this.pool, async (tx) => {
      let count = 0;
      for (const item of items) if (changed(await apply(tx, item))) count += 1;
      return count;
    });
  }

  private async openRun(kind: 'import' | 'reconcile'): Promise<{ id: number; progress: Json }> {
    if (kind === 'import') {
      // The latest import, if it never finished (crashed or failed), is picked up where it stopped.
      const { rows } = await this.pool.query<{ id: string; progress: Json; status: string }>(
        "select id, progress, status from shop_sync_runs where kind = 'import' order by id desc limit 1",
      );
      const resumable = rows[0];
      if (resumable && resumable.status !== 'done') {
        await this.pool.query(
          "update shop_sync_runs set status = 'running', error = null, finished_at = null where id = $1",
          [resumable.id],
        );
        return { id: Number(resumable.id), progress: resumable.progress };
      }
    }
    const { rows } = await this.pool.query<{ id: string }>(
      'insert into shop_sync_runs (kind) values ($1) returning id',
      [kind],
    );
    return { id: Number(rows[0]!.id), progress: {} };
  }

  private async finishRun(
    id: number,
    status: 'done' | 'failed',
    repaired: number,
    progress: object,
    error?: string,
    client: pg.Pool | pg.PoolClient = this.pool,
  ): Promise<void> {
    await client.query(
      'update shop_sync_runs set status = $2, repaired = $3, progress = $4, error = $5, finished_at = now() where id = $1',
      [id, status, repaired, JSON.stringify(progress), error ?? null],
    );
  }

  private async cursor(resource: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ cursor: string }>(
      'select cursor from shop_sync_cursors where resource = $1',
      [resource],
    );
    return rows[0]?.cursor;
  }

  private async setCursor(resource: string, cursor: string): Promise<void> {
    await this.pool.query(
      `insert into shop_sync_cursors (resource, cursor) values ($1, $2)
       on conflict (resource) do update set cursor = excluded.cursor, updated_at = now()`,
      [resource, cursor],
    );
  }
}
