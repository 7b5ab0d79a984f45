// Applies stored webhook deliveries, oldest first, in batches: each delivery in its own savepoint, so
// one that fails is retried later with backoff (and after eight tries waits for the owner) while the
// rest of the batch lands. A delivery and its effects commit together: a crash loses nothing and
// applies nothing twice. One process applies at a time (an advisory lock), so order is kept.
import type pg from 'pg';
import { describeError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { applyOrders, contentHash, type OrderOutcome, type OrderVersion } from './apply-orders.ts';
import { changeFrom, isOrderTopic, isTopic, orderVersionFromWebhook } from './topics.ts';

const BATCH = 100;
const MAX_ATTEMPTS = 8;
const APPLIER_LOCK = 'shop.applier';

/** Order versions the intake has already read, kept until applied so the body is not read twice. */
const PREPARED_LIMIT = 500;

export class DeliveryApplier {
  private readonly prepared = new Map<string, OrderVersion>();
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly shopCurrency: () => Promise<string>,
    private readonly lowStockDefault: number,
    /** Told after a batch in which a webhook was ambiguous and the API must be asked. */
    private readonly onConflict: () => void,
  ) {}

  /** Applies as soon as a delivery is stored, and every few seconds for retries and other processes' work. */
  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), 5000);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * A delivery was stored: apply it soon. The intake passes the order version it read from the body
   * (in this process only; a delivery stored elsewhere, or past the limit, is read from the table).
   */
  stored(webhookId: string, version?: OrderVersion): void {
    if (version && this.prepared.size < PREPARED_LIMIT) this.prepared.set(webhookId, version);
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.drain();
        } catch (error) {
          this.logger.error(
            { err: describeError(error) },
            'applying Shopify webhooks failed; retrying shortly',
          );
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
  }

  /** Applies every delivery that is due; returns how many were handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handled = await this.batch();
      total += handled;
      if (handled < BATCH) return total;
    }
  }

  private async batch(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const { rows: locked } = await client.query<{ ok: boolean }>(
        'select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as ok',
        [APPLIER_LOCK],
      );
      if (!locked[0]!.ok) {
        this.prepared.clear();
        await client.query('rollback');
        return 0;
      }
      const { rows } = await client.query<StoredDelivery>(
        `select webhook_id, topic, attempts from shop_webhook_deliveries
         where applied_at is null and next_attempt_at <= now() and attempts < $2
         order by received_at, webhook_id limit $1`,
        [BATCH, MAX_ATTEMPTS],
      );
      // Asked only when there is work: a shop that is not connected has no deliveries either.
      const currency = rows.length ? await this.shopCurrency() : '';
      let conflicts = 0;
      // Consecutive order deliveries go in together (a burst is mostly orders); anything else, one by one.
      // Nothing due: what is still handed over was applied elsewhere (or is being retried); let it go.
      if (!rows.length) this.prepared.clear();
      const prepared = new Map<string, OrderVersion>();
      for (const { webhook_id } of rows) {
        const version = this.prepared.get(webhook_id);
        if (version) prepared.set(webhook_id, version);
      }
      const bodies = await readBodies(
        client,
        rows.filter((row) => !prepared.has(row.webhook_id)).map((row) => row.webhook_id),
      );
      let orders: OrderDelivery[] = [];
      for (const row of rows) {
        const delivery = { ...row, body: bodies.get(row.webhook_id) };
        const version =
          prepared.get(row.webhook_id) ??
          (isOrderTopic(row.topic) && delivery.body !== undefined ? orderVersion(delivery.body) : undefined);
        if (version) {
          orders.push({ delivery, version });
          continue;
        }
        conflicts += await this.applyOrderRun(client, orders, currency);
        orders = [];
        if ((await this.applyOne(client, delivery, currency)) === 'conflict') conflicts += 1;
      }
      conflicts += await this.applyOrderRun(client, orders, currency);
      await client.query('commit');
      for (const { webhook_id } of rows) this.prepared.delete(webhook_id);
      if (conflicts) this.onConflict();
      return rows.length;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Applies order versions together in one savepoint with one status update. Two versions of one
   * order with the same updated_at and other content, or any failure, and they go one by one
   * instead, which tells the conflict apart and retries only the delivery that failed.
   */
  private async applyOrderRun(
    client: pg.PoolClient,
    run: OrderDelivery[],
    currency: string,
  ): Promise<number> {
    if (run.length > 1 && !sameSecondRivals(run)) {
      await client.query('savepoint orders');
      try {
        const { outcomes } = await applyOrders(
          client,
          run.map(({ version }) => version),
          'webhook',
        );
        // Each order's newest delivery carries its outcome; its older ones changed nothing.
        const newest = new Map<number, OrderDelivery>();
        for (const each of run) {
          const seen = newest.get(each.version.order.id);
          if (!seen || each.version.order.updatedAt >= seen.version.order.updatedAt)
            newest.set(each.version.order.id, each);
        }
        const outcome = (each: OrderDelivery) =>
          newest.get(each.version.order.id) === each ? outcomes.get(each.version.order.id)! : 'stale';
        await client.query(
          `update shop_webhook_deliveries d set applied_at = now(), outcome = o.outcome,
             attempts = attempts + 1, last_error = null
           from unnest($1::text[], $2::text[]) as o(webhook_id, outcome) where d.webhook_id = o.webhook_id`,
          [run.map(({ delivery }) => delivery.webhook_id), run.map((each) => recorded(outcome(each)))],
        );
        await client.query('release savepoint orders');
        return run.filter((each) => outcome(each) === 'conflict').length;
      } catch {
        await client.query('rollback to savepoint orders');
      }
    }
    let conflicts = 0;
    for (const { delivery, version } of run)
      if ((await this.applyOne(client, delivery, currency, version)) === 'conflict') conflicts += 1;
    return conflicts;
  }

  /** One delivery in its own savepoint; a failure is recorded with its next try, the batch goes on. */
  private async applyOne(
    client: pg.PoolClient,
    delivery: StoredDelivery,
    currency: string,
    version?: OrderVersion,
  ): Promise<OrderOutcome | 'ignored' | 'failed'> {
    await client.query('savepoint delivery');
    try {
      const outcome = version
        ? (await applyOrders(client, [version], 'webhook')).outcomes.get(version.order.id)!
        : await this.change(client, delivery, currency);
      await client.query(
        `update shop_webhook_deliveries set applied_at = now(), outcome = $2, attempts = attempts + 1, last_error = null
         where webhook_id = $1`,
        [delivery.webhook_id, recorded(outcome)],
      );
      await client.query('release savepoint delivery');
      return outcome;
    } catch (error) {
      await client.query('rollback to savepoint delivery');
      const attempts = delivery.attempts + 1;
      const message = describeError(error);
      await client.query(
        `update shop_webhook_deliveries set attempts = $2, last_error = $3,
           outcome = case when $2 >= $4 then 'failed' else null end,
           next_attempt_at = now() + make_interval(secs => $5)
         where webhook_id = $1`,
        [
          delivery.webhook_id,
          attempts,
          message.slice(0, 1000),
          MAX_ATTEMPTS,
          Math.min(3600, 5 * 2 ** attempts),
        ],
      );
      this.logger.warn(
        { webhookId: delivery.webhook_id, topic: delivery.topic, attempts, err: message },
        attempts >= MAX_ATTEMPTS
          ? 'a Shopify webhook could not be applied; it waits on the sync page'
          : 'a Shopify webhook could not be applied yet; retrying',
      );
      return 'failed';
    }
  }

  private async change(client: pg.PoolClient, delivery: StoredDelivery, currency: string) {
    if (!isTopic(delivery.topic)) throw new Error(`unknown topic ${delivery.topic}`);
    const body = delivery.body ?? (await readBodies(client, [delivery.webhook_id])).get(delivery.webhook_id);
    if (body === undefined) throw new Error(`delivery ${delivery.webhook_id} has no body`);
    return changeFrom(delivery.topic, JSON.parse(body), currency)(client, this.lowStockDefault);
  }
}

interface StoredDelivery {
  webhook_id: string;
  topic: string;
  attempts: number;
  /** Not read when the intake handed over the order version. */
  body?: string;
}

async function readBodies(client: pg.PoolClient, webhookIds: string[]): Promise<Map<string, string>> {
  if (!webhookIds.length) return new Map();
  const { rows } = await client.query<{ webhook_id: string; body: string }>(
    'select webhook_id, body from shop_webhook_deliveries where webhook_id = any($1::text[])',
    [webhookIds],
  );
  return new Map(rows.map((row) => [row.webhook_id, row.body]));
}

interface OrderDelivery {
  delivery: StoredDelivery;
  version: OrderVersion;
}

const recorded = (outcome: OrderOutcome | 'ignored'): string =>
  outcome === 'created' || outcome === 'updated' ? 'applied' : outcome;

/** The body as an order version, or undefined when it does not map (the one-by-one path records why). */
function orderVersion(body: string): OrderVersion | undefined {
  try {
    return orderVersionFromWebhook(JSON.parse(body));
  } catch {
    return undefined;
  }
}

/** Two versions of one order in the same second with other content: only one by one tells which came last. */
function sameSecondRivals(run: OrderDelivery[]): boolean {
  const seen = new Map<string, string>();
  for (const { version } of run) {
    const key = `${version.order.id}@${Date.parse(version.order.updatedAt)}`;
    const hash = contentHash(version.order);
    if ((seen.get(key) ?? hash) !== hash) return true;
    seen.set(key, hash);
  }
  return false;
}
