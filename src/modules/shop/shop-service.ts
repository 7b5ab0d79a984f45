// The shop module's one interface: the connection, the intake and applier for webhooks, import and
// reconciliation, and the reads other modules, the API and the dashboard use.
import type pg from 'pg';
import { isDate } from '../../platform/dates.ts';
import client from 'prom-client';
import type { ShopifyConfig } from './settings.ts';
import { defineJob, type JobDefinition, type JobQueue } from '../../platform/jobs/job-queue.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/http/metrics.ts';
import type { Vault } from '../../platform/vault/vault.ts';
import type { Notifications } from '../../platform/notify/notifications.ts';
import type { Catalog } from './catalog.ts';
import { ShopCatalog } from './shop-catalog.ts';
import { AVAILABLE_SQL } from './apply.ts';
import { DeliveryApplier } from './applier.ts';
import { confirmWithShopify } from './destructive.ts';
import { ShopRecords } from './records.ts';
import { ShopConnection } from './connection.ts';
import type { Order, RefundLine } from './model.ts';
import { ShopSync, type ProgressListener } from './sync.ts';
import { TOPICS, topicEnum } from './topics.ts';
import { WEBHOOK_CREATE_MUTATION, WEBHOOK_DELETE_MUTATION, WEBHOOK_SUBSCRIPTIONS_QUERY } from './queries.ts';

export interface OrderFilter {
  from?: string; // YYYY-MM-DD, in the shop's time zone
  to?: string;
  status?: string; // financial status, or 'cancelled'
  customerId?: number;
  search?: string; // order name or email
  limit: number;
  cursor?: string; // opaque: the last row of the previous page
}

export interface OrderRow {
  id: number;
  name: string;
  createdAt: string;
  financialStatus: string | null;
  fulfillmentStatus: string | null;
  cancelledAt: string | null;
  currency: string;
  totalMinor: number;
  customerId: number | null;
  email: string | null;
  utmSource: string | null;
}

export interface ProductRow {
  id: number;
  title: string;
  status: string;
  imageUrl: string | null;
  variants: {
    id: number;
    title: string;
    sku: string | null;
    priceMinor: number;
    unitCostMinor: number | null;
    available: number | null;
    threshold: number;
    low: boolean;
  }[];
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

export interface SetAsideDelivery {
  webhookId: string;
  topic: string;
  receivedAt: string;
  setAsideAt: string;
  attempts: number;
  reason: string;
}

export interface RunSummary {
  id: number;
  status: string;
  step: string | null;
  startedAt: string;
  finishedAt: string | null;
  repaired: number;
  progress: Record<string, unknown>;
  error: string | null;
}

export class ShopService {
  readonly connection: ShopConnection;
  readonly applier: DeliveryApplier;
  /** The stored orders, transactions, refunds and payouts by id (what the books read). */
  readonly records: ShopRecords;
  readonly sync: ShopSync;
  readonly catalog: Catalog;
  readonly webhookCounter: client.Counter<'outcome'>;
  readonly repairedCounter: client.Counter;
  /** Reconciliation on a schedule; skipped while not connected or before the first import is done. */
  readonly reconcileJob: JobDefinition<{ full?: boolean }>;
  /** The first import (or a full re-import); resumes a crashed one. */
  readonly importJob: JobDefinition<object>;
  /** Orders two webhooks left ambiguous, fetched from the API. */
  readonly refreshJob: JobDefinition<object>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly config: ShopifyConfig,
    vault: Vault,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly timezone: string,
    private readonly jobQueue: JobQueue,
    notifications: Notifications,
  ) {
    this.connection = new ShopConnection(pool, config, vault, logger);
    this.records = new ShopRecords(pool);
    this.applier = new DeliveryApplier({
      pool,
      logger,
      shopCurrency: async () => (await this.connection.shopInfo()).currency,
      lowStockDefault: config.lowStockDefault,
      onConflict: () =>
        void this.jobQueue
          .send(this.refreshJob, {}, { idempotencyKey: `refresh:${Math.floor(Date.now() / 5000)}` })
          .catch((error: Error) =>
            this.logger.warn({ err: error.message }, 'could not queue the order refresh'),
          ),
      confirm: confirmWithShopify(this.connection, logger),
      tellOwner: (notice) => notifications.send(notice),
    });
    this.sync = new ShopSync(
      pool,
      this.connection,
      logger,
      config.lowStockDefault,
      config.reconcileGraceSeconds * 1000,
    );
    this.catalog = new ShopCatalog(pool);
    this.webhookCounter = new client.Counter({
      name: 'shopkeep_shop_webhooks_total',
      help: 'Shopify webhook deliveries by outcome (stored, duplicate, bad_signature, throttled, malformed, stale, ignored)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    const every = config.reconcileMinutes;
    this.reconcileJob = defineJob<{ full?: boolean }>({
      name: 'shop.reconcile',
      cron: every < 60 ? `*/${every} * * * *` : '0 * * * *',
      expireInMinutes: 60,
      retryLimit: 3,
      handler: async ({ full }) => {
        if (!(await this.connection.get())) return;
        const { lastImport } = await this.status();
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
        await this.importAll((progress) => this.logger.debug(progress, 'import progress'));
      },
    });
    this.refreshJob = defineJob<object>({
      name: 'shop.refresh-orders',
      handler: async () => {
        if (await this.connection.get()) await this.sync.refreshOrders();
      },
    });
    this.repairedCounter = new client.Counter({
      name: 'shopkeep_shop_reconciliation_repaired_total',
      help: 'Changes reconciliation found that no webhook had delivered',
      registers: [metrics.registry],
    });
  }

  jobs(): JobDefinition<object>[] {
    return [
      this.reconcileJob,
      this.importJob,
      this.refreshJob,
      defineJob<object>({
        name: 'shop.prune-deliveries',
        cron: '41 3 * * *',
        handler: async () => {
          await this.pruneDeliveries();
        },
      }),
    ];
  }

  /** Asked for by the owner: a full reconciliation, or an import (resuming one that stopped); once a minute at most. */
  async queue(what: 'reconcile' | 'import'): Promise<void> {
    await this.connection.require();
    const key = `asked:${new Date().toISOString().slice(0, 16)}`;
    if (what === 'reconcile')
      await this.jobQueue.send(this.reconcileJob, { full: true }, { idempotencyKey: key });
    else await this.jobQueue.send(this.importJob, {}, { idempotencyKey: key });
  }

  /** Queues the import if none has finished, otherwise a reconciliation. */
  async catchUp(jobs: JobQueue): Promise<void> {
    // Runs this server was doing when it stopped (a crash, kill -9) are not running any more; an
    // import carries on from where it stopped when it is queued again.
    await this.pool.query(
      `update shop_sync_runs set status = 'failed', error = 'interrupted: shopkeep stopped during the run', finished_at = now()
       where status = 'running'`,
    );
    if (!(await this.connection.get())) return;
    const { lastImport } = await this.status();
    const key = `start:${Date.now()}`;
    if (lastImport?.status === 'done') await jobs.send(this.reconcileJob, {}, { idempotencyKey: key });
    else await jobs.send(this.importJob, {}, { idempotencyKey: key });
  }

  /** `full` also compares every stock level (otherwise hourly). */
  async reconcile(onProgress?: ProgressListener, options: { full?: boolean } = {}) {
    const result = await this.sync.reconcile(onProgress, options);
    this.repairedCounter.inc(result.repaired);
    return result;
  }

  importAll(onProgress?: ProgressListener, options?: { bulkPollMs?: number }) {
    return this.sync.importAll(onProgress, options);
  }

  /** Registers every topic shopkeep needs at `${publicUrl}/webhooks/shopify`, and removes stale ones of ours. */
  async syncWebhooks(publicUrl: string): Promise<{ created: string[]; kept: string[]; removed: string[] }> {
    const shopify = await this.connection.client();
    const uri = `${publicUrl}/webhooks/shopify`;
    const existing: { id: string; topic: string; uri: string }[] = [];
    for await (const page of shopify.pages<
      {
        webhookSubscriptions: {
          nodes: { id: string; topic: string; uri: string }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      },
      { id: string; topic: string; uri: string }
    >(WEBHOOK_SUBSCRIPTIONS_QUERY, {}, (data) => data.webhookSubscriptions)) {
      existing.push(...page.nodes);
    }
    const result = { created: [] as string[], kept: [] as string[], removed: [] as string[] };
    for (const topic of TOPICS) {
      const name = topicEnum(topic);
      if (existing.some((subscription) => subscription.topic === name && subscription.uri === uri)) {
        result.kept.push(topic);
        continue;
      }
      const data = await shopify.query<{ webhookSubscriptionCreate: { userErrors: { message: string }[] } }>(
        WEBHOOK_CREATE_MUTATION,
        { topic: name, uri },
      );
      const problems = data.webhookSubscriptionCreate.userErrors;
      if (problems.length)
        throw new Error(`Shopify refused the ${topic} webhook: ${problems.map((p) => p.message).join('; ')}`);
      result.created.push(topic);
    }
    // Ours at an old address (the public URL changed) would deliver twice or to nowhere.
    for (const subscription of existing) {
      if (subscription.uri !== uri && subscription.uri.endsWith('/webhooks/shopify')) {
        await shopify.query(WEBHOOK_DELETE_MUTATION, { id: subscription.id });
        result.removed.push(`${subscription.topic} → ${subscription.uri}`);
      }
    }
    return result;
  }

  async orders(filter: OrderFilter): Promise<{ orders: OrderRow[]; nextCursor: string | null }> {
    for (const [name, value] of [
      ['from', filter.from],
      ['to', filter.to],
    ] as const) {
      if (value !== undefined && !isDate(value)) {
        throw new AppError('invalid_request', `${name} is not a real date (YYYY-MM-DD): ${value}`);
      }
    }
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    if (filter.from) add(`o.created_at >= (?::date::timestamp at time zone '${this.zone()}')`, filter.from);
    if (filter.to) add(`o.created_at < ((?::date + 1)::timestamp at time zone '${this.zone()}')`, filter.to);
    if (filter.status === 'cancelled') where.push('o.cancelled_at is not null');
    else if (filter.status) add('o.financial_status = ?', filter.status);
    if (filter.customerId !== undefined) add('o.customer_id = ?', filter.customerId);
    if (filter.search) {
      // The same parameter twice: `?` marks where add() numbers it. %, _ and \ are searched for as such.
      const literal = filter.search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`);
      add("(lower(o.name) like ? or lower(coalesce(o.email, '')) like ?)", `%${literal}%`);
      where[where.length - 1] = where.at(-1)!.replace('?', `$${values.length}`);
    }
    if (filter.cursor) {
      const [time, id] = decodeCursor(filter.cursor);
      values.push(time, id);
      where.push(`(o.created_at, o.id) < ($${values.length - 1}::timestamptz, $${values.length}::bigint)`);
    }
    values.push(filter.limit + 1);
    const { rows } = await this.pool.query<{
      id: string;
      name: string;
      created_at: Date;
      financial_status: string | null;
      fulfillment_status: string | null;
      cancelled_at: Date | null;
      currency: string;
      total_minor: string;
      customer_id: string | null;
      email: string | null;
      utm_source: string | null;
    }>(
      `select o.id, o.name, o.created_at, o.financial_status, o.fulfillment_status, o.cancelled_at, o.currency, o.total_minor,
         o.customer_id, o.email, coalesce(o.last_visit->>'source', o.first_visit->>'source') as utm_source
       from shop_orders o ${where.length ? `where ${where.join(' and ')}` : ''}
       order by o.created_at desc, o.id desc limit $${values.length}`,
      values,
    );
    const page = rows.slice(0, filter.limit).map((row) => ({
      id: Number(row.id),
      name: row.name,
      createdAt: row.created_at.toISOString(),
      financialStatus: row.financial_status,
      fulfillmentStatus: row.fulfillment_status,
      cancelledAt: row.cancelled_at?.toISOString() ?? null,
      currency: row.currency,
      totalMinor: Number(row.total_minor),
      customerId: row.customer_id === null ? null : Number(row.customer_id),
      email: row.email,
      utmSource: row.utm_source,
    }));
    const last = page.at(-1);
    return {
      orders: page,
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  async order(id: number) {
    const { rows } = await this.pool.query<{
      data: Order;
      paid_at: Date | null;
      source: string;
      stored_at: Date;
    }>('select data, paid_at, source, stored_at from shop_orders where id = $1', [id]);
    const row = rows[0];
    if (!row) throw notFound(`no order ${id}; it may not have been imported yet`);
    const [transactions, refunds] = await Promise.all([
      this.pool.query(
        `select id::float8 as id, refund_id::float8 as "refundId", kind, status, gateway, processed_at as "processedAt",
           currency, amount_shop_minor::float8 as "amountShopMinor", amount_presentment_minor::float8 as "amountPresentmentMinor",
           fee_minor::float8 as "feeMinor"
         from shop_transactions where order_id = $1 order by processed_at, id`,
        [id],
      ),
      this.pool.query<{ id: number; createdAt: Date; note: string | null; lines: RefundLine[] }>(
        `select id::float8 as id, created_at as "createdAt", note, lines from shop_refunds where order_id = $1 order by created_at, id`,
        [id],
      ),
    ]);
    return {
      ...row.data,
      paidAt: row.paid_at?.toISOString() ?? null,
      storedFrom: row.source,
      transactions: transactions.rows,
      refunds: refunds.rows,
    };
  }

  /** Products with their variants' stock; low stock first when asked. */
  async products(options: { lowFirst?: boolean; search?: string } = {}): Promise<ProductRow[]> {
    const { rows } = await this.pool.query<{
      product_id: string;
      product: string;
      status: string;
      image_url: string | null;
      variant_id: string | null;
      variant: string | null;
      sku: string | null;
      price_minor: string | null;
      unit_cost_minor: string | null;
      available: number | null;
      threshold: number;
    }>(
      `select p.id as product_id, p.title as product, p.status, p.image_url, v.id as variant_id, v.title as variant, v.sku,
         v.price_minor, v.unit_cost_minor, ${AVAILABLE_SQL}::int as available,
         coalesce(v.low_stock_threshold, $1)::int as threshold
       from shop_products p left join shop_variants v on v.product_id = p.id
       where p.deleted_at is null and ($2::text is null or p.title ilike '%' || $2 || '%' or v.sku ilike '%' || $2 || '%')
       order by p.title, v.title`,
      [this.config.lowStockDefault, options.search ?? null],
    );
    const products = new Map<number, ProductRow>();
    for (const row of rows) {
      const id = Number(row.product_id);
      let product = products.get(id);
      if (!product) {
        product = { id, title: row.product, status: row.status, imageUrl: row.image_url, variants: [] };
        products.set(id, product);
      }
      if (row.variant_id === null) continue;
      product.variants.push({
        id: Number(row.variant_id),
        title: row.variant ?? '',
        sku: row.sku,
        priceMinor: Number(row.price_minor),
        unitCostMinor: row.unit_cost_minor === null ? null : Number(row.unit_cost_minor),
        available: row.available,
        threshold: row.threshold,
        low: row.available !== null && row.available <= row.threshold,
      });
    }
    const list = [...products.values()];
    if (!options.lowFirst) return list;
    const lowest = (product: ProductRow) =>
      Math.min(
        ...product.variants.map((v) => (v.available === null ? Infinity : v.available - v.threshold)),
        Infinity,
      );
    return list.sort((a, b) => lowest(a) - lowest(b) || a.title.localeCompare(b.title));
  }

  async setLowStockThreshold(variantId: number, threshold: number | null): Promise<void> {
    const { rowCount } = await this.pool.query(
      'update shop_variants set low_stock_threshold = $2 where id = $1',
      [variantId, threshold],
    );
    if (!rowCount) throw notFound(`no variant ${variantId}`);
  }

  async status(): Promise<SyncStatus> {
    const connection = await this.connection.get().catch(() => undefined);
    const [webhooks, runs, drift] = await Promise.all([
      this.pool.query<{ last: Date | null; last24h: string; pending: string; failed: string }>(
        `select max(received_at) as last,
           count(*) filter (where received_at > now() - interval '24 hours') as last24h,
           count(*) filter (where applied_at is null and set_aside_at is null) as pending,
           count(*) filter (where applied_at is null and set_aside_at is not null) as failed
         from shop_webhook_deliveries`,
      ),
      this.pool.query<{
        id: string;
        kind: string;
        status: string;
        step: string | null;
        started_at: Date;
        finished_at: Date | null;
        repaired: number;
        progress: Record<string, unknown>;
        error: string | null;
      }>(
        `select distinct on (kind) id, kind, status, step, started_at, finished_at, repaired, progress, error
         from shop_sync_runs order by kind, id desc`,
      ),
      this.pool.query<{ drift: string }>(
        `select coalesce(sum(repaired), 0) as drift from shop_sync_runs where kind = 'reconcile' and started_at > now() - interval '7 days'`,
      ),
    ]);
    const summary = (kind: string): RunSummary | null => {
      const row = runs.rows.find((run) => run.kind === kind);
      return row
        ? {
            id: Number(row.id),
            status: row.status,
            step: row.step,
            startedAt: row.started_at.toISOString(),
            finishedAt: row.finished_at?.toISOString() ?? null,
            repaired: row.repaired,
            progress: row.progress,
            error: row.error,
          }
        : null;
    };
    const hooks = webhooks.rows[0]!;
    return {
      connected: Boolean(connection),
      shop: connection?.shop ?? null,
      from: connection?.from ?? null,
      lastWebhookAt: hooks.last?.toISOString() ?? null,
      webhooks: {
        last24h: Number(hooks.last24h),
        pending: Number(hooks.pending),
        failed: Number(hooks.failed),
      },
      lastImport: summary('import'),
      lastReconciliation: summary('reconcile'),
      driftLast7Days: Number(drift.rows[0]!.drift),
    };
  }

  /** Deliveries set aside (not applied, waiting for the owner), newest first, for the operations page. */
  async setAsideDeliveries(limit = 100): Promise<SetAsideDelivery[]> {
    const { rows } = await this.pool.query<{
      webhook_id: string;
      topic: string;
      received_at: Date;
      set_aside_at: Date;
      attempts: number;
      last_error: string | null;
    }>(
      `select webhook_id, topic, received_at, set_aside_at, attempts, last_error from shop_webhook_deliveries
       where set_aside_at is not null and applied_at is null order by received_at desc limit $1::int`,
      [limit],
    );
    return rows.map((row) => ({
      webhookId: row.webhook_id,
      topic: row.topic,
      receivedAt: row.received_at.toISOString(),
      setAsideAt: row.set_aside_at.toISOString(),
      attempts: row.attempts,
      reason: row.last_error ?? 'no reason recorded',
    }));
  }

  /** A set-aside delivery gets its tries again (a delete or cancellation is asked of Shopify again). */
  async retryDelivery(webhookId: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      `update shop_webhook_deliveries set attempts = 0, outcome = null, set_aside_at = null, confirmed_at = null,
         next_attempt_at = now()
       where webhook_id = $1::text and set_aside_at is not null and applied_at is null`,
      [webhookId],
    );
    if (!rowCount) throw notFound(`no set-aside webhook delivery ${webhookId}`);
    this.applier.kick();
  }

  /** The owner gives up on a set-aside delivery: kept a week as dismissed (a redelivery stays a duplicate), then pruned. */
  async dismissDelivery(webhookId: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      `update shop_webhook_deliveries set applied_at = now(), outcome = 'dismissed'
       where webhook_id = $1::text and set_aside_at is not null and applied_at is null`,
      [webhookId],
    );
    if (!rowCount) throw notFound(`no set-aside webhook delivery ${webhookId}`);
  }

  /** Applied deliveries are kept a week to recognise redeliveries, then removed. */
  async pruneDeliveries(): Promise<number> {
    const { rowCount } = await this.pool.query(
      `delete from shop_webhook_deliveries where applied_at < now() - interval '7 days'`,
    );
    return rowCount ?? 0;
  }

  private zone(): string {
    // Validated at start-up as an IANA zone; quoted into SQL only after this check.
    if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(this.timezone)) return 'UTC';
    return this.timezone;
  }
}

function encodeCursor(createdAt: string, id: number): string {
  return Buffer.from(`${createdAt}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): [string, number] {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // Only what encodeCursor writes: an instant exactly as toISOString() writes it (Date.parse alone
  // takes "2020-02-30" and "1", which PostgreSQL refuses) and an id within Shopify's range.
  const instant = time ? new Date(time) : undefined;
  if (
    !time ||
    !instant ||
    Number.isNaN(instant.getTime()) ||
    instant.toISOString() !== time ||
    instant.getUTCFullYear() > 9999 ||
    !id ||
    !/^\d{1,16}$/.test(id) ||
    !Number.isSafeInteger(Number(id))
  ) {
    throw new AppError('invalid_request', 'the cursor is not one this API gave out; start again without it');
  }
  return [time, Number(id)];
}
