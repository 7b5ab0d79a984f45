// Pulling from Shopify: the first import (everything, resumable after a crash) and reconciliation
// (what changed since the last cursor, on start and on a schedule). Both apply through the same
// rules as webhooks, so whichever arrives first wins and the other changes nothing.
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import type { Logger } from '../../platform/logger.ts';
import type { ShopifyClient, Page } from './client.ts';
import type { ShopConnection } from './connection.ts';
import {
  applyBalanceTransaction,
  applyCustomer,
  applyDispute,
  applyInventoryLevel,
  applyOrderWithChildren,
  applyPayout,
  applyProduct,
  type OrderOutcome,
  type Outcome,
} from './apply.ts';
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
  BULK_ORDERS_QUERY,
  CUSTOMERS_QUERY,
  DISPUTES_QUERY,
  INVENTORY_LEVELS_QUERY,
  LOCATIONS_QUERY,
  ORDER_QUERY,
  ORDERS_QUERY,
  PAYOUTS_QUERY,
  PRODUCTS_QUERY,
} from './queries.ts';

export interface SyncProgress {
  step: string;
  done: number;
  /** Known only for some steps (the bulk export reports how many objects it has written). */
  total?: number;
}

export type ProgressListener = (progress: SyncProgress) => void;

type Json = Record<string, unknown>;

const ORDER_BATCH = 100;
const PARALLEL_BATCHES = 3;

const CHILD_FIELDS: Record<string, string> = {
  LineItem: 'lineItems',
  ShippingLine: 'shippingLines',
  RefundLineItem: 'refundLineItems',
  OrderTransaction: 'transactions',
};

/** Runs `work` in a transaction, again if PostgreSQL chose it as a deadlock victim. */
async function inTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await transaction(pool, work);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || (code !== '40P01' && code !== '40001')) throw error;
    }
  }
}

const changed = (outcome: OrderOutcome) => outcome !== 'stale';

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
   * paged steps continue from their cursor, and the order export is downloaded again and re-applied
   * (applying is idempotent).
   */
  async importAll(
    onProgress: ProgressListener = () => undefined,
    options: { bulkPollMs?: number } = {},
  ): Promise<{ runId: number; counts: Record<string, number> }> {
    const run = await this.openRun('import');
    const progress = run.progress as {
      done?: string[];
      cursors?: Record<string, string | null>;
      counts?: Record<string, number>;
      bulkId?: string;
      startedAt?: string;
    };
    progress.done ??= [];
    progress.cursors ??= {};
    progress.counts ??= {};
    progress.startedAt ??= this.now().toISOString();
    const save = (step: string) =>
      this.pool.query('update shop_sync_runs set step = $2, progress = $3 where id = $1', [
        run.id,
        step,
        JSON.stringify(progress),
      ]);
    try {
      const client = await this.connection.client({ bulkPollMs: options.bulkPollMs });
      const currency = (await this.connection.test()).currency;
      const steps: [string, () => Promise<void>][] = [
        ['locations', () => this.locations(client)],
        [
          'products',
          () =>
            this.paged(client, 'products', progress, save, onProgress, (page) =>
              this.applyProducts(page, currency),
            ),
        ],
        [
          'inventory',
          async () => {
            await this.inventory(client, (n) => onProgress({ step: 'inventory', done: n }));
          },
        ],
        [
          'customers',
          () =>
            this.paged(client, 'customers', progress, save, onProgress, (page) => this.applyCustomers(page)),
        ],
        ['orders', () => this.bulkOrders(client, progress, save, onProgress)],
        [
          'balance transactions',
          () =>
            this.paged(client, 'balance transactions', progress, save, onProgress, (page) =>
              this.applyBalance(page),
            ),
        ],
        [
          'payouts',
          () => this.paged(client, 'payouts', progress, save, onProgress, (page) => this.applyPayouts(page)),
        ],
        [
          'disputes',
          () =>
            this.paged(client, 'disputes', progress, save, onProgress, (page) => this.applyDisputes(page)),
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
      await this.finishRun(run.id, 'done', 0, progress);
      return { runId: run.id, counts: progress.counts };
    } catch (error) {
      await this.finishRun(run.id, 'failed', 0, progress, (error as Error).message);
      throw error;
    }
  }

  /** Fetches what changed since the last run; returns how many changes webhooks had not delivered. */
  async reconcile(
    onProgress: ProgressListener = () => undefined,
  ): Promise<{ runId: number; repaired: number; counts: Record<string, number> }> {
    const run = await this.openRun('reconcile');
    const counts: Record<string, number> = {};
    let repaired = 0;
    try {
      const client = await this.connection.client();
      const currency = (await this.connection.shopInfo()).currency;
      const until = new Date(this.now().getTime() - this.graceMs).toISOString();
      repaired += await this.refreshOrders(client);
      const since = async (resource: string) => (await this.cursor(resource)) ?? new Date(0).toISOString();
      const changedSince = async (
        resource: string,
        document: string,
        pick: (data: Json) => Page<Json>,
        apply: (nodes: Json[]) => Promise<number>,
      ) => {
        const from = await since(resource);
        for await (const page of client.pages<Json, Json>(
          document,
          {
            first: resource === 'orders' ? 10 : 50,
            query: `updated_at:>='${from}' AND updated_at:<='${until}'`,
          },
          pick,
        )) {
          const found = await apply(page.nodes);
          repaired += found;
          counts[resource] = (counts[resource] ?? 0) + page.nodes.length;
          onProgress({ step: resource, done: counts[resource] });
        }
        // Everything changed up to `until` has been seen; the next run starts there (`>=` re-reads the edge).
        if (until > from) await this.setCursor(resource, until);
      };
      await changedSince(
        'products',
        PRODUCTS_QUERY,
        (data) => data.products as Page<Json>,
        (nodes) => this.applyProducts(nodes, currency),
      );
      await changedSince(
        'customers',
        CUSTOMERS_QUERY,
        (data) => data.customers as Page<Json>,
        (nodes) => this.applyCustomers(nodes),
      );
      await changedSince(
        'orders',
        ORDERS_QUERY,
        (data) => data.orders as Page<Json>,
        (nodes) => this.applyOrders(nodes, 'api'),
      );
      await this.locations(client);
      repaired += await this.inventory(client, (n) => onProgress({ step: 'inventory', done: n }));
      // No webhooks exist for these: polling is the only way, newest first until nothing is new.
      counts.payments = await this.pollNewest(
        client,
        BALANCE_TRANSACTIONS_QUERY,
        'balanceTransactions',
        (nodes) => this.applyBalance(nodes),
      );
      counts.payouts = await this.pollNewest(client, PAYOUTS_QUERY, 'payouts', (nodes) =>
        this.applyPayouts(nodes),
      );
      repaired += await this.pollNewest(client, DISPUTES_QUERY, 'disputes', (nodes) =>
        this.applyDisputes(nodes),
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
    let changedCount = 0;
    for (const { order_id } of rows) {
      const data = await shopify.query<{ order: Json | null }>(ORDER_QUERY, { id: `gid://shopify/Order/${order_id}` });
      changedCount += await inTransaction(this.pool, async (tx) => {
        await tx.query('delete from shop_order_refresh where order_id = $1', [order_id]);
        if (!data.order) return 0;
        const { outcome, newChildren } = await applyOrderWithChildren(tx, orderFromApi(data.order), 'api');
        return (changed(outcome) ? 1 : 0) + newChildren;
      });
    }
    return changedCount;
  }

  private async paged(
    client: ShopifyClient,
    step: string,
    progress: { cursors?: Record<string, string | null>; counts?: Record<string, number> },
    save: (step: string) => Promise<unknown>,
    onProgress: ProgressListener,
    apply: (nodes: Json[]) => Promise<number>,
  ): Promise<void> {
    const [document, pick]: [string, (data: Json) => Page<Json>] =
      step === 'products'
        ? [PRODUCTS_QUERY, (data) => data.products as Page<Json>]
        : step === 'customers'
          ? [CUSTOMERS_QUERY, (data) => data.customers as Page<Json>]
          : step === 'balance transactions'
            ? [
                BALANCE_TRANSACTIONS_QUERY,
                (data) => (data.shopifyPaymentsAccount as Json | null)?.balanceTransactions as Page<Json>,
              ]
            : step === 'payouts'
              ? [PAYOUTS_QUERY, (data) => (data.shopifyPaymentsAccount as Json | null)?.payouts as Page<Json>]
              : [
                  DISPUTES_QUERY,
                  (data) => (data.shopifyPaymentsAccount as Json | null)?.disputes as Page<Json>,
                ];
    const first = step === 'products' ? 50 : 250;
    for await (const page of client.pages<Json, Json>(
      document,
      { first, after: progress.cursors![step] ?? null },
      pick,
    )) {
      await apply(page.nodes);
      progress.counts![step] = (progress.counts![step] ?? 0) + page.nodes.length;
      progress.cursors![step] = page.cursor;
      await save(step);
      onProgress({ step, done: progress.counts![step] });
    }
  }

  private async bulkOrders(
    client: ShopifyClient,
    progress: { bulkId?: string; counts?: Record<string, number> },
    save: (step: string) => Promise<unknown>,
    onProgress: ProgressListener,
  ): Promise<void> {
    if (!progress.bulkId) {
      progress.bulkId = await client.startBulk(BULK_ORDERS_QUERY);
      await save('orders');
    }
    const url = await client.waitForBulk(progress.bulkId, (objects) =>
      onProgress({ step: 'exporting orders', done: objects }),
    );
    let done = 0;
    let batch: Json[] = [];
    const inFlight = new Set<Promise<unknown>>();
    const flush = async () => {
      const nodes = batch;
      batch = [];
      const work = this.applyOrders(nodes, 'api').then(() => {
        done += nodes.length;
        progress.counts!.orders = done;
        onProgress({ step: 'orders', done });
      });
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work)).catch(() => undefined);
      if (inFlight.size >= PARALLEL_BATCHES) await Promise.race(inFlight);
    };
    for await (const order of client.bulkObjects(
      url,
      (gid) => CHILD_FIELDS[/gid:\/\/shopify\/(\w+)\//.exec(gid)?.[1] ?? ''],
    )) {
      batch.push(order);
      if (batch.length >= ORDER_BATCH) await flush();
    }
    if (batch.length) await flush();
    await Promise.all(inFlight);
    await save('orders');
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
            if (
              changed(
                await applyInventoryLevel(tx, inventoryLevelFromApi(node, locationId), this.lowStockDefault, 'api'),
              )
            )
              count += 1;
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
    field: string,
    apply: (nodes: Json[]) => Promise<number>,
  ): Promise<number> {
    let total = 0;
    for await (const page of client.pages<Json, Json>(
      document,
      { first: 50 },
      (data) => (data.shopifyPaymentsAccount as Json | null)?.[field] as Page<Json>,
    )) {
      const found = await apply(page.nodes);
      total += found;
      if (found === 0) break;
    }
    return total;
  }

  private applyOrders(nodes: Json[], source: 'api'): Promise<number> {
    const orders = nodes.map((node) => orderFromApi(node));
    return inTransaction(this.pool, async (tx) => {
      let count = 0;
      for (const order of orders) {
        const { outcome, newChildren } = await applyOrderWithChildren(tx, order, source);
        count += (changed(outcome) ? 1 : 0) + newChildren;
      }
      return count;
    });
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
  ): Promise<void> {
    await this.pool.query(
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
