// The first import: everything the shop has, resumable after a crash. Lists of whole orders and
// products are expensive to page through (about 500 query points an order), so they are exported in
// bulk; the rest is paged. Applied through the same rules as webhooks, so whichever arrives first
// wins and the other changes nothing.
import { transaction } from '../../platform/db/database.ts';
import { emit } from '../../platform/events/outbox.ts';
import type pg from 'pg';
import type { Logger } from '../../platform/logger.ts';
import { ShopifyError, type Page } from './client.ts';
import type { ShopConnection } from './connection.ts';
import type { ApiApplier, Json } from './api-applier.ts';
import {
  BALANCE_TRANSACTIONS_QUERY,
  BULK_BALANCE_TRANSACTIONS_QUERY,
  CUSTOMERS_QUERY,
  DISPUTES_QUERY,
  PAYOUTS_QUERY,
  bulkOrdersQuery,
  bulkProductsQuery,
} from './queries.ts';
import type { ProgressListener, SyncRuns } from './sync-runs.ts';

interface ImportProgress {
  done: string[];
  cursors: Record<string, string | null>;
  counts: Record<string, number>;
  bulk: Record<string, string>;
  startedAt: string;
}

export interface ImportOptions {
  pool: pg.Pool;
  connection: ShopConnection;
  runs: SyncRuns;
  apply: ApiApplier;
  logger: Logger;
  now?: () => Date;
}

export class ShopImport {
  private readonly now: () => Date;

  constructor(private readonly options: ImportOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Imports everything. A run that crashed is resumed where it stopped: finished steps are skipped,
   * paged steps continue from their cursor, and a bulk export already started is awaited and applied
   * again from the start (applying is idempotent).
   */
  async run(
    onProgress: ProgressListener = () => undefined,
    options: { bulkPollMs?: number } = {},
  ): Promise<{ runId: number; counts: Record<string, number> }> {
    const { pool, connection, runs, apply, logger } = this.options;
    const run = await runs.open('import');
    const progress: ImportProgress = {
      done: [],
      cursors: {},
      counts: {},
      bulk: {},
      startedAt: this.now().toISOString(),
      ...(run.progress as Partial<ImportProgress>),
    };
    const save = (step: string) => runs.save(run.id, step, progress);
    const count = (step: string, done: number) => {
      progress.counts[step] = done;
      onProgress({ step, done });
    };
    try {
      const client = await connection.client({ bulkPollMs: options.bulkPollMs });
      const currency = (await connection.test()).currency;
      const bulk = async (step: string, query: string, work: (nodes: Json[]) => Promise<number>) => {
        progress.bulk[step] ??= await client.startBulk(query);
        await save(step);
        await apply.applyExport(
          client,
          progress.bulk[step],
          step,
          work,
          (done) => count(step, done),
          onProgress,
        );
      };
      const paged = async (
        step: string,
        document: string,
        first: number,
        pick: (data: Json) => Page<Json> | undefined,
        work: (nodes: Json[]) => Promise<number>,
      ) => {
        for await (const page of client.pages<Json, Json>(
          document,
          { first, after: progress.cursors[step] ?? null },
          pick,
        )) {
          await work(page.nodes);
          progress.cursors[step] = page.cursor;
          await save(step);
          count(step, (progress.counts[step] ?? 0) + page.nodes.length);
        }
      };
      const payments = (data: Json) => (data.shopifyPaymentsAccount as Json | null) ?? {};
      const steps: [string, () => Promise<unknown>][] = [
        ['locations', () => apply.locations(client)],
        ['products', () => bulk('products', bulkProductsQuery(), (nodes) => apply.products(nodes, currency))],
        ['inventory', () => apply.inventory(client, (done) => count('inventory', done))],
        [
          'customers',
          () =>
            paged(
              'customers',
              CUSTOMERS_QUERY,
              250,
              (data) => data.customers as Page<Json>,
              (nodes) => apply.customers(nodes),
            ),
        ],
        ['orders', () => bulk('orders', bulkOrdersQuery(), (nodes) => apply.orders(nodes))],
        [
          'balance transactions',
          async () => {
            // In bulk where the shop's API allows it (a top-level object around the connection);
            // page by page otherwise.
            try {
              await bulk('balance transactions', BULK_BALANCE_TRANSACTIONS_QUERY, (nodes) =>
                apply.balanceTransactions(nodes),
              );
            } catch (error) {
              if (
                !(error instanceof ShopifyError) ||
                error.kind !== 'query' ||
                progress.counts['balance transactions']
              )
                throw error;
              logger.info(
                { err: error.message },
                'balance transactions cannot be exported in bulk; paging instead',
              );
              delete progress.bulk['balance transactions'];
              await paged(
                'balance transactions',
                BALANCE_TRANSACTIONS_QUERY,
                100,
                (data) => payments(data).balanceTransactions as Page<Json>,
                (nodes) => apply.balanceTransactions(nodes),
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
              (nodes) => apply.payouts(nodes),
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
              (nodes) => apply.disputes(nodes),
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
        await runs.setCursor(resource, progress.startedAt);
      await transaction(pool, async (tx) => {
        await runs.finish(run.id, { status: 'done', repaired: 0, progress }, tx);
        await emit(tx, 'shop.imported', { runId: run.id, counts: progress.counts });
      });
      return { runId: run.id, counts: progress.counts };
    } catch (error) {
      await runs.finish(run.id, {
        status: 'failed',
        repaired: 0,
        progress,
        error: (error as Error).message,
      });
      throw error;
    }
  }
}
