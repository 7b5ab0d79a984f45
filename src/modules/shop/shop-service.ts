// The shop module's service: the connection, the webhook intake's writer and the applier, the import,
// reconciliation and order refresh with their jobs, and the reads the API, the dashboard and other
// modules (through ShopReader) use.
import { SalesDays, type NextPayout } from './sales-days.ts';
import type pg from 'pg';
import client from 'prom-client';
import type { ShopifyConfig } from './settings.ts';
import { defineJob, type JobDefinition, type JobQueue } from '../../platform/jobs/job-queue.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/http/metrics.ts';
import type { Secrets } from '../../platform/vault/index.ts';
import type { Notifier } from '../../platform/notify/index.ts';
import type { Catalog } from './catalog.ts';
import { ShopCatalog } from './shop-catalog.ts';
import { DeliveryApplier } from './applier.ts';
import { DeliveryWriter } from './delivery-writer.ts';
import { Deliveries, type SetAsideDelivery } from './deliveries.ts';
import { StaleDeliveries } from './stale-deliveries.ts';
import { confirmWithShopify } from './destructive.ts';
import { ShopRecords } from './records.ts';
import { ShopConnection, type ShopInfo } from './connection.ts';
import { ApiApplier } from './api-applier.ts';
import { ShopImport } from './import.ts';
import { Reconciliation } from './reconcile.ts';
import { OrderRefresh } from './refresh.ts';
import { SyncRuns, type ProgressListener, type RunSummary } from './sync-runs.ts';
import { OrderList, type OrderDetail } from './order-list.ts';
import { ProductList, type ProductRow } from './product-list.ts';
import { syncWebhooks } from './webhook-subscriptions.ts';
import type {
  OrderFilter,
  OrderTotals,
  OrderPage,
  PayoutRecord,
  ShopReader,
  StockCount,
  VariantSales,
  WebhookRegistration,
  CampaignSales,
} from './face.ts';
import type { Order, Refund, Transaction } from './model.ts';

export interface ShopServiceOptions {
  pool: pg.Pool;
  settings: ShopifyConfig;
  vault: Secrets;
  logger: Logger;
  metrics: Metrics;
  /** The shop's configured time zone: the days order lists are filtered by. */
  timezone: string;
  jobs: JobQueue;
  notifications: Notifier;
}

export interface SyncStatus {
  connected: boolean;
  shop: string | null;
  from: 'environment' | 'dashboard' | null;
  lastWebhookAt: string | null;
  /** `failed`: set aside, waiting for the owner on the operations page. */
  webhooks: { last24h: number; pending: number; failed: number };
  lastImport: RunSummary | null;
  lastReconciliation: RunSummary | null;
  driftLast7Days: number;
}

export class ShopService implements ShopReader {
  readonly connection: ShopConnection;
  /** Stores what the webhook intake accepts. */
  readonly deliveryWriter: DeliveryWriter;
  readonly applier: DeliveryApplier;
  /** Tells the owner when deliveries are refused as stale (a wrong clock refuses them all). */
  readonly staleDeliveries: StaleDeliveries;
  readonly catalog: Catalog;
  readonly webhookCounter: client.Counter<'outcome'>;
  private readonly deliveries: Deliveries;
  private readonly records: ShopRecords;
  private readonly runs: SyncRuns;
  private readonly importer: ShopImport;
  private readonly reconciliation: Reconciliation;
  private readonly orderList: OrderList;
  /** Sales by day, the next payout, what came in since a moment: the home page's figures. */
  readonly salesDays: SalesDays;
  private readonly productList: ProductList;
  private readonly repairedCounter: client.Counter;
  private readonly jobQueue: JobQueue;
  /** Reconciliation on a schedule; skipped while not connected or before the first import is done. */
  private readonly reconcileJob: JobDefinition<{ full?: boolean }>;
  /** The first import (or a full re-import); resumes a crashed one. */
  private readonly importJob: JobDefinition<object>;
  /** Orders two webhooks left ambiguous, fetched from the API. */
  private readonly refreshJob: JobDefinition<object>;
  private readonly pruneJob: JobDefinition<object>;

  constructor({ pool, settings, vault, logger, metrics, timezone, jobs, notifications }: ShopServiceOptions) {
    this.jobQueue = jobs;
    this.connection = new ShopConnection({ pool, settings, vault, logger });
    this.records = new ShopRecords(pool);
    this.catalog = new ShopCatalog(pool);
    this.orderList = new OrderList({ pool, timezone });
    this.salesDays = new SalesDays(pool, timezone);
    this.productList = new ProductList({ pool, lowStockDefault: settings.lowStockDefault });
    this.deliveryWriter = new DeliveryWriter(pool);
    this.staleDeliveries = new StaleDeliveries({
      tellOwner: (notice) => notifications.send(notice),
      logger,
    });
    this.applier = new DeliveryApplier({
      pool,
      logger,
      shopCurrency: async () => (await this.connection.shopInfo()).currency,
      lowStockDefault: settings.lowStockDefault,
      onConflict: () =>
        void jobs
          .send(this.refreshJob, {}, { idempotencyKey: `refresh:${Math.floor(Date.now() / 5000)}` })
          .catch((error: Error) => logger.warn({ err: error.message }, 'could not queue the order refresh')),
      confirm: confirmWithShopify(this.connection, logger),
      tellOwner: (notice) => notifications.send(notice),
    });
    this.deliveries = new Deliveries({ pool, onRetry: () => this.applier.kick() });
    this.runs = new SyncRuns(pool);
    const apply = new ApiApplier({ pool, lowStockDefault: settings.lowStockDefault });
    const refresh = new OrderRefresh({ pool, connection: this.connection, apply });
    this.importer = new ShopImport({ pool, connection: this.connection, runs: this.runs, apply, logger });
    this.reconciliation = new Reconciliation({
      pool,
      connection: this.connection,
      runs: this.runs,
      apply,
      refresh,
      logger,
      graceMs: settings.reconcileGraceSeconds * 1000,
    });
    this.webhookCounter = new client.Counter({
      name: 'shopkeep_shop_webhooks_total',
      help: 'Shopify webhook deliveries by outcome (stored, duplicate, bad_signature, throttled, malformed, stale, ignored)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    this.repairedCounter = new client.Counter({
      name: 'shopkeep_shop_reconciliation_repaired_total',
      help: 'Changes reconciliation found that no webhook had delivered',
      registers: [metrics.registry],
    });
    const deliveries = this.deliveries;
    new client.Gauge({
      name: 'shopkeep_shop_webhook_lag_seconds',
      help: 'Seconds the oldest stored Shopify webhook delivery has waited to be applied (0 when none waits)',
      registers: [metrics.registry],
      async collect() {
        // Unknown while the database does not answer: absent, not 0.
        const lag = await deliveries.lagSeconds().catch(() => undefined);
        if (lag === undefined) this.remove();
        else this.set(lag);
      },
    });
    const every = settings.reconcileMinutes;
    this.reconcileJob = defineJob<{ full?: boolean }>({
      name: 'shop.reconcile',
      cron: every < 60 ? `*/${every} * * * *` : '0 * * * *',
      expireInMinutes: 60,
      retryLimit: 3,
      handler: async ({ full }) => {
        if (!(await this.connection.get())) return;
        const { lastImport } = await this.runs.latest();
        if (lastImport?.status !== 'done') return; // the import comes first
        await this.reconcile(undefined, { full: Boolean(full) });
      },
    });
    this.importJob = defineJob<object>({
      name: 'shop.import',
      expireInMinutes: 240,
      retryLimit: 3,
      retryDelaySeconds: 60,
      handler: async () => {
        if (!(await this.connection.get())) return;
        await this.importAll((progress) => logger.debug(progress, 'import progress'));
      },
    });
    this.refreshJob = defineJob<object>({
      name: 'shop.refresh-orders',
      handler: async () => {
        if (await this.connection.get()) await refresh.run();
      },
    });
    this.pruneJob = defineJob<object>({
      name: 'shop.prune-deliveries',
      cron: '41 3 * * *',
      handler: async () => {
        await this.deliveries.prune();
      },
    });
  }

  jobs(): JobDefinition<object>[] {
    return [this.reconcileJob, this.importJob, this.refreshJob, this.pruneJob];
  }

  /** Asked for by the owner: a full reconciliation, or an import (resuming one that stopped); once a minute at most. */
  async queue(what: 'reconcile' | 'import'): Promise<void> {
    await this.connection.require();
    const key = `asked:${new Date().toISOString().slice(0, 16)}`;
    if (what === 'reconcile')
      await this.jobQueue.send(this.reconcileJob, { full: true }, { idempotencyKey: key });
    else await this.jobQueue.send(this.importJob, {}, { idempotencyKey: key });
  }

  /** On start: the import if none has finished, otherwise a reconciliation to catch what was missed. */
  async catchUp(): Promise<void> {
    // An import carries on from where it stopped when it is queued again.
    await this.runs.endInterrupted();
    if (!(await this.connection.get())) return;
    const { lastImport } = await this.runs.latest();
    const key = `start:${Date.now()}`;
    if (lastImport?.status === 'done')
      await this.jobQueue.send(this.reconcileJob, {}, { idempotencyKey: key });
    else await this.jobQueue.send(this.importJob, {}, { idempotencyKey: key });
  }

  /** The owner's shop, checked with Shopify and kept in the vault; the import starts. */
  async connect(input: { shop: string; adminToken: string; apiSecret: string }): Promise<ShopInfo> {
    const info = await this.connection.save(input);
    await this.jobQueue.send(this.importJob, {}, { idempotencyKey: `connected:${info.domain}` });
    return info;
  }

  /** `full` also compares every stock level (otherwise hourly). */
  async reconcile(onProgress?: ProgressListener, options: { full?: boolean } = {}) {
    const result = await this.reconciliation.run(onProgress, options);
    this.repairedCounter.inc(result.repaired);
    return result;
  }

  importAll(onProgress?: ProgressListener, options?: { bulkPollMs?: number }) {
    return this.importer.run(onProgress, options);
  }

  async syncWebhooks(publicUrl: string): Promise<WebhookRegistration> {
    return syncWebhooks(await this.connection.client(), publicUrl);
  }

  info(): Promise<ShopInfo> {
    return this.connection.shopInfo();
  }

  campaignSales(medium: string, since: Date): Promise<CampaignSales[]> {
    return this.orderList.campaignSales(medium, since);
  }

  listOrders(filter: OrderFilter): Promise<OrderPage> {
    return this.orderList.page(filter);
  }

  /** How many orders a filter finds and what they come to (the Orders page's line above the list). */
  orderTotals(filter: Omit<OrderFilter, 'limit' | 'cursor'>): Promise<OrderTotals> {
    return this.orderList.totals(filter);
  }

  order(id: number): Promise<OrderDetail> {
    return this.orderList.one(id);
  }

  orders(ids: number[]): Promise<Map<number, Order>> {
    return this.records.orders(ids);
  }

  transactions(ids: number[]): Promise<Map<number, Transaction>> {
    return this.records.transactions(ids);
  }

  orderTransactions(orderIds: number[]): Promise<Transaction[]> {
    return this.records.orderTransactions(orderIds);
  }

  refunds(ids: number[]): Promise<Map<number, Refund>> {
    return this.records.refunds(ids);
  }

  payouts(ids: number[]): Promise<Map<number, PayoutRecord>> {
    return this.records.payouts(ids);
  }

  nextPayout(): Promise<NextPayout | undefined> {
    return this.salesDays.nextPayout();
  }

  unitCosts(variantIds: number[]): Promise<Map<number, number>> {
    return this.records.unitCosts(variantIds);
  }

  stockCounts(): Promise<StockCount[]> {
    return this.records.stockCounts();
  }

  productSales(from: string, to: string, timezone: string): Promise<VariantSales[]> {
    return this.records.productSales(from, to, timezone);
  }

  /** Products with their variants' stock; low stock first when asked. */
  products(options: { lowFirst?: boolean; search?: string } = {}): Promise<ProductRow[]> {
    return this.productList.list(options);
  }

  setLowStockThreshold(variantId: number, threshold: number | null): Promise<void> {
    return this.productList.setLowStockThreshold(variantId, threshold);
  }

  async status(): Promise<SyncStatus> {
    const [connection, deliveries, runs] = await Promise.all([
      this.connection.get().catch(() => undefined),
      this.deliveries.counts(),
      this.runs.latest(),
    ]);
    return {
      connected: Boolean(connection),
      shop: connection?.shop ?? null,
      from: connection?.from ?? null,
      lastWebhookAt: deliveries.lastAt,
      webhooks: { last24h: deliveries.last24h, pending: deliveries.pending, failed: deliveries.failed },
      ...runs,
    };
  }

  /** Deliveries set aside (not applied, waiting for the owner), newest first, for the operations page. */
  setAsideDeliveries(limit?: number): Promise<SetAsideDelivery[]> {
    return this.deliveries.setAside(limit);
  }

  retryDelivery(webhookId: string): Promise<void> {
    return this.deliveries.retry(webhookId);
  }

  dismissDelivery(webhookId: string): Promise<void> {
    return this.deliveries.dismiss(webhookId);
  }
}
