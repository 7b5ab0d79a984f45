// Applies stored webhook deliveries, oldest first, in batches: each delivery in its own savepoint, so
// one that fails is retried later with backoff while the rest of the batch lands. A delivery that
// cannot be applied is set aside with its reason, at once when retrying cannot help (a body that no
// longer maps, a value the database refuses) and after eight tries otherwise; it waits on the
// operations page and the owner is told once. A delivery and its effects commit together: a crash
// loses nothing and applies nothing twice. One process applies at a time (an advisory lock), so order
// is kept.
//
// Nothing one delivery does may hold the others back. If the batch fails as a whole (even recording a
// failure failed, or the commit did), it is applied again one delivery per transaction, each read
// again under the lock so that what another process did meanwhile is never done twice. A delivery that
// fails alone is tried again with backoff when the failure may pass (a lost connection, a deadlock),
// else set aside by a statement of its own; one that cannot even be set aside is left out of this
// process's batches for a while (and logged as an error), so the rest flow.
//
// Deletes, cancellations and uninstalls are first confirmed with Shopify's API (destructive.ts),
// after the batch and outside its transaction, so a slow API never holds the batch's lock.
import type pg from 'pg';
import type { Queryable } from '../../platform/db/database.ts';
import { describeError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Notice } from '../../platform/notify/index.ts';
import { PollingWorker, type BatchResult } from '../../platform/work/polling-worker.ts';
import { applyOrders, contentHash, type OrderOutcome, type OrderVersion } from './apply-orders.ts';
import { ShopifyError } from './client.ts';
import { isDestructive, type Confirm } from './destructive.ts';
import { PayloadError } from './read.ts';
import { changeFrom, isOrderTopic, isTopic, orderVersionFromWebhook } from './topics.ts';

const BATCH = 100;
export const MAX_ATTEMPTS = 8;
/** A failed delivery's next try waits 10 s, then twice as long each time, an hour at most. */
const FIRST_BACKOFF_S = 5;
const LONGEST_BACKOFF_S = 3600;
const APPLIER_LOCK = 'shop.applier';

/** Order versions the intake has already read, kept until applied so the body is not read twice. */
const PREPARED_LIMIT = 500;
/** How long a delivery that could not even be set aside is left out of this process's batches. */
const HOLD_BACK_MS = 10 * 60_000;
/** Telling the owner failed: the next try waits this long, so a broken inbox does not slow every batch. */
const TELL_AGAIN_MS = 60_000;
/**
 * Deletes and cancellations asked about at once after a batch. Asked together, each with a short
 * timeout, so a Shopify that does not answer delays the next batch by seconds, not minutes.
 */
const CONFIRM_AT_ONCE = 5;

export interface ApplierOptions {
  pool: pg.Pool;
  logger: Logger;
  shopCurrency: () => Promise<string>;
  lowStockDefault: number;
  /** Told after a batch in which a webhook was ambiguous and the API must be asked. */
  onConflict: () => void;
  /** Asks Shopify whether a delete, cancellation or uninstall really happened. */
  confirm: Confirm;
  /** The Notifications service's send: each notice carries a dedupe key, so once per delivery. */
  tellOwner: (notice: Notice) => Promise<unknown>;
}

export class DeliveryApplier {
  private readonly prepared = new Map<string, OrderVersion>();
  /** Webhook id → until when this process leaves it out (its failure could not be recorded). */
  private readonly heldBack = new Map<string, number>();
  private readonly worker: PollingWorker;
  /** Deliveries may be set aside that the owner has not been told about (true at start: a crash). */
  private untold = true;
  private tellAfter = 0;
  private readonly pool: pg.Pool;
  private readonly logger: Logger;

  constructor(private readonly options: ApplierOptions) {
    this.pool = options.pool;
    this.logger = options.logger;
    this.worker = new PollingWorker({
      batch: () => this.batchThenTell(),
      // Stored deliveries kick it; the timer is for retries now due and other processes' deliveries.
      everyMs: 5000,
      logger: options.logger,
      failure: { message: 'applying Shopify webhooks failed; retrying shortly' },
    });
  }

  /** Applies as soon as a delivery is stored, and every few seconds for retries and other processes' work. */
  start(): void {
    this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
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
    this.worker.kick();
  }

  /** Applies (or sets aside) every delivery that is due; returns how many were handled. */
  drain(): Promise<number> {
    return this.worker.drain();
  }

  /** The owner hears of deliveries set aside once the batches are done. */
  private async batchThenTell(): Promise<BatchResult> {
    const result = await this.batch();
    if (!result.more && this.untold && Date.now() >= this.tellAfter) await this.tellAboutSetAside();
    return result;
  }

  private async batch(): Promise<BatchResult> {
    const client = await this.pool.connect();
    let rows: StoredDelivery[];
    let currency: string;
    try {
      await client.query('begin');
      if (!(await takeLock(client))) {
        this.prepared.clear();
        await client.query('rollback');
        return { handled: 0, more: false };
      }
      rows = (
        await client.query<StoredDelivery>(
          `select webhook_id, topic, attempts, confirmed_at is not null as confirmed from shop_webhook_deliveries
           where applied_at is null and set_aside_at is null and next_attempt_at <= now()
             and not (webhook_id = any($2::text[]))
           order by received_at, webhook_id limit $1::int`,
          [BATCH, this.heldBackIds()],
        )
      ).rows;
      // Asked only when there is work: a shop that is not connected has no deliveries either.
      currency = rows.length ? await this.options.shopCurrency() : '';
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      client.release();
      throw error;
    }
    // Nothing due: what is still handed over was applied elsewhere (or is being retried); let it go.
    if (!rows.length) this.prepared.clear();
    const unconfirmed = rows.filter((row) => isDestructive(row.topic) && !row.confirmed);
    const ready = rows.filter((row) => !unconfirmed.includes(row));
    let conflicts = 0;
    try {
      conflicts = await this.applyAll(client, ready, currency);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      this.logger.error(
        { err: describeError(error), deliveries: ready.length },
        'a batch of Shopify webhooks failed as a whole; applying them one by one',
      );
      client.release();
      conflicts = await this.applyEachAlone(ready, currency);
      return this.finish(rows, unconfirmed, conflicts);
    }
    client.release();
    return this.finish(rows, unconfirmed, conflicts);
  }

  private async finish(rows: StoredDelivery[], unconfirmed: StoredDelivery[], conflicts: number) {
    for (const { webhook_id } of rows) this.prepared.delete(webhook_id);
    if (conflicts) this.options.onConflict();
    // The rest of them are asked about after the next batch.
    const asking = unconfirmed.slice(0, CONFIRM_AT_ONCE);
    await Promise.all(asking.map((delivery) => this.confirmWithShopify(delivery)));
    return {
      handled: rows.length - unconfirmed.length,
      more: rows.length === BATCH || asking.length > 0,
    };
  }

  /** Consecutive order deliveries go in together (a burst is mostly orders); anything else, one by one. */
  private async applyAll(client: pg.PoolClient, rows: StoredDelivery[], currency: string): Promise<number> {
    const prepared = new Map<string, OrderVersion>();
    for (const { webhook_id } of rows) {
      const version = this.prepared.get(webhook_id);
      if (version) prepared.set(webhook_id, version);
    }
    const bodies = await readBodies(
      client,
      rows.filter((row) => !prepared.has(row.webhook_id)).map((row) => row.webhook_id),
    );
    let conflicts = 0;
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
    return conflicts + (await this.applyOrderRun(client, orders, currency));
  }

  /**
   * After a batch failed as a whole: each delivery in a transaction of its own. The lock was let go
   * in between, so each is read again under it: another process (`shopkeep worker`) may have applied
   * it, set it aside or put it off meanwhile, and then it is left alone. One that fails alone is tried
   * again later when the failure may pass (a lost connection, a deadlock), else set aside at once.
   */
  private async applyEachAlone(rows: StoredDelivery[], currency: string): Promise<number> {
    let conflicts = 0;
    for (const row of rows) {
      let client: pg.PoolClient | undefined;
      let step: AloneStep = 'start';
      try {
        client = await this.pool.connect();
        await client.query('begin');
        if (!(await takeLock(client))) {
          // Another process applies now; it takes these up.
          await client.query('rollback');
          return conflicts;
        }
        const delivery = await stillDue(client, row.webhook_id);
        if (!delivery) {
          await client.query('rollback');
          continue;
        }
        step = 'apply';
        const version = this.prepared.get(row.webhook_id);
        if ((await this.applyOne(client, delivery, currency, version)) === 'conflict') conflicts += 1;
        step = 'commit';
        await client.query('commit');
      } catch (error) {
        const rolledBack = await client?.query('rollback').then(
          () => true,
          () => false,
        );
        // A connection that cannot even roll back is broken: the pool must not hand it out again.
        client?.release(rolledBack ? undefined : true);
        client = undefined;
        await this.failedAlone(row, step, error);
      } finally {
        client?.release();
      }
    }
    return conflicts;
  }

  /** Tried again with backoff when the failure may pass, else set aside by a statement of its own. */
  private async failedAlone(delivery: StoredDelivery, step: AloneStep, error: unknown): Promise<void> {
    const context = ALONE_CONTEXT[step];
    if (!mayPass(error)) {
      await this.setAsideOrHoldBack(delivery, `${context}: ${describeError(error)}`);
      return;
    }
    try {
      await this.recordFailure(this.pool, delivery, error, context);
    } catch (again) {
      // The database is not answering at all: no use trying before its next try would have been due.
      this.holdBack(delivery.webhook_id, backoffSeconds(delivery.attempts + 1) * 1000);
      this.logger.error(
        { webhookId: delivery.webhook_id, topic: delivery.topic, err: describeError(again) },
        'a Shopify webhook could not be applied and its next try could not be recorded; the others go on without it for now',
      );
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

  /**
   * One delivery in its own savepoint; a failure is recorded (its next try, or set aside) and the batch
   * goes on. If recording the failure fails, the error goes up and the batch is applied one by one.
   */
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
        `update shop_webhook_deliveries set applied_at = now(), outcome = $2::text, attempts = attempts + 1,
           last_error = null
         where webhook_id = $1::text`,
        [delivery.webhook_id, recorded(outcome)],
      );
      await client.query('release savepoint delivery');
      return outcome;
    } catch (error) {
      await client.query('rollback to savepoint delivery');
      await this.recordFailure(client, delivery, error);
      return 'failed';
    }
  }

  private async change(client: pg.PoolClient, delivery: StoredDelivery, currency: string) {
    if (!isTopic(delivery.topic))
      throw new PayloadError('topic', `${delivery.topic} is not a topic shopkeep applies`);
    const body = delivery.body ?? (await readBodies(client, [delivery.webhook_id])).get(delivery.webhook_id);
    if (body === undefined) throw new PayloadError('body', 'the stored delivery has no body');
    return changeFrom(delivery.topic, JSON.parse(body), currency)(client, this.options.lowStockDefault);
  }

  /**
   * Its next try with backoff, or set aside: at once when retrying cannot help, else after the last try.
   * The tries are counted by the database, and a delivery another process applied or set aside
   * meanwhile is left as it is.
   */
  private async recordFailure(
    db: Queryable,
    delivery: StoredDelivery,
    error: unknown,
    context = 'could not be applied',
  ): Promise<void> {
    const hopeless = cannotSucceed(error);
    const reason = `${context}: ${explain(error)}`.slice(0, 1000);
    // Every parameter is cast: PostgreSQL must not deduce a type from where it is used.
    const { rows } = await db.query<{ attempts: number; set_aside: boolean }>(
      `update shop_webhook_deliveries set attempts = attempts + 1, last_error = $2::text,
         set_aside_at = case when $3::boolean or attempts + 1 >= $4::int then now() end,
         outcome = case when $3::boolean or attempts + 1 >= $4::int then 'set_aside' end,
         next_attempt_at = case when $3::boolean or attempts + 1 >= $4::int then 'infinity'::timestamptz
           else now() + make_interval(secs => least($5::float8, $6::float8 * power(2, attempts + 1))) end
       where webhook_id = $1::text and applied_at is null and set_aside_at is null
       returning attempts, set_aside_at is not null as set_aside`,
      [delivery.webhook_id, reason, hopeless, MAX_ATTEMPTS, LONGEST_BACKOFF_S, FIRST_BACKOFF_S],
    );
    const recorded = rows[0];
    if (!recorded) return;
    if (recorded.set_aside) this.untold = true;
    this.logger.warn(
      { webhookId: delivery.webhook_id, topic: delivery.topic, attempts: recorded.attempts, err: reason },
      recorded.set_aside
        ? 'a Shopify webhook was set aside; it waits on the operations page'
        : 'a Shopify webhook could not be applied yet; retrying',
    );
  }

  /** Sets a delivery aside by a statement of its own, outside any batch. */
  private async setAside(delivery: StoredDelivery, reason: string): Promise<void> {
    await this.pool.query(
      `update shop_webhook_deliveries set set_aside_at = now(), outcome = 'set_aside',
         next_attempt_at = 'infinity', attempts = attempts + 1, last_error = $2::text
       where webhook_id = $1::text and applied_at is null`,
      [delivery.webhook_id, reason.slice(0, 1000)],
    );
    this.untold = true;
    this.logger.warn(
      { webhookId: delivery.webhook_id, topic: delivery.topic, err: reason },
      'a Shopify webhook was set aside; it waits on the operations page',
    );
  }

  private async setAsideOrHoldBack(delivery: StoredDelivery, reason: string): Promise<void> {
    try {
      await this.setAside(delivery, reason);
    } catch (error) {
      this.holdBack(delivery.webhook_id);
      this.logger.error(
        { webhookId: delivery.webhook_id, topic: delivery.topic, err: describeError(error), reason },
        'a Shopify webhook could not be applied and could not be set aside; the others go on without it for now',
      );
    }
  }

  /**
   * Asks Shopify about a delete, cancellation or uninstall: a confirmed one is applied by the next
   * batch, one Shopify contradicts is set aside (never acted on), one Shopify cannot answer waits.
   * Never throws: whatever goes wrong is recorded, or the delivery is left out for a while.
   */
  private async confirmWithShopify(delivery: StoredDelivery): Promise<void> {
    try {
      const body = (await readBodies(this.pool, [delivery.webhook_id])).get(delivery.webhook_id);
      // Gone meanwhile (pruned): nothing to ask, and nothing to pick up again.
      if (body === undefined) return this.holdBack(delivery.webhook_id);
      const verdict = await this.options.confirm(delivery.topic, JSON.parse(body));
      if (!verdict.confirmed) {
        await this.setAside(delivery, `not acted on: ${verdict.reason}`);
        return;
      }
      await this.pool.query(
        'update shop_webhook_deliveries set confirmed_at = now() where webhook_id = $1::text',
        [delivery.webhook_id],
      );
      if (delivery.topic === 'app/uninstalled') {
        await this.options.tellOwner({
          kind: 'shop.app-uninstalled',
          severity: 'warning',
          title: 'shopkeep’s app was uninstalled from the shop',
          body: 'Shopify confirms that shopkeep’s app was uninstalled: its admin token no longer works, so webhooks and reconciliation have stopped. Install the app again and connect the shop under Shopify to carry on.',
          dedupeKey: `shop.app-uninstalled:${delivery.webhook_id}`,
        });
      }
    } catch (error) {
      try {
        await this.recordFailure(this.pool, delivery, error, 'Shopify could not confirm it');
      } catch (again) {
        await this.setAsideOrHoldBack(delivery, `Shopify could not confirm it: ${describeError(again)}`);
      }
    }
  }

  /** The owner hears of each set-aside delivery once (the notice's dedupe key is the delivery's). */
  private async tellAboutSetAside(): Promise<void> {
    this.untold = false;
    try {
      const { rows } = await this.pool.query<{
        webhook_id: string;
        topic: string;
        received_at: Date;
        attempts: number;
        last_error: string | null;
      }>(
        `select webhook_id, topic, received_at, attempts, last_error from shop_webhook_deliveries
         where set_aside_at is not null and notified_at is null order by set_aside_at limit 50`,
      );
      for (const row of rows) {
        await this.options.tellOwner({
          kind: 'shop.webhook-set-aside',
          severity: 'warning',
          title: `A Shopify ${row.topic} webhook was set aside`,
          body: `Delivery ${row.webhook_id} (${row.topic}, received ${row.received_at.toISOString()}) was set aside after ${row.attempts} attempt(s): ${row.last_error ?? 'no reason recorded'}. The other webhooks carry on. It waits under Operations → Webhooks set aside, to be tried again or dismissed; reconciliation also brings what changed in Shopify.`,
          dedupeKey: `shop.webhook-set-aside:${row.webhook_id}`,
        });
        await this.pool.query(
          'update shop_webhook_deliveries set notified_at = now() where webhook_id = $1::text',
          [row.webhook_id],
        );
      }
      if (rows.length === 50) this.untold = true;
    } catch (error) {
      this.untold = true;
      this.tellAfter = Date.now() + TELL_AGAIN_MS;
      this.logger.error(
        { err: describeError(error) },
        'could not tell the owner about set-aside Shopify webhooks; trying again in a minute',
      );
    }
  }

  private holdBack(webhookId: string, forMs = HOLD_BACK_MS): void {
    this.heldBack.set(webhookId, Date.now() + forMs);
  }

  private heldBackIds(): string[] {
    const now = Date.now();
    for (const [webhookId, until] of this.heldBack) if (until <= now) this.heldBack.delete(webhookId);
    return [...this.heldBack.keys()];
  }
}

interface StoredDelivery {
  webhook_id: string;
  topic: string;
  attempts: number;
  /** A destructive topic Shopify's API has confirmed. */
  confirmed: boolean;
  /** Not read when the intake handed over the order version. */
  body?: string;
}

async function takeLock(client: pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(
    'select pg_try_advisory_xact_lock(hashtextextended($1::text, 0)) as ok',
    [APPLIER_LOCK],
  );
  return rows[0]!.ok;
}

/** The delivery as it is now, locked, if it is still to be applied here and now. */
async function stillDue(client: pg.PoolClient, webhookId: string): Promise<StoredDelivery | undefined> {
  const { rows } = await client.query<StoredDelivery>(
    `select webhook_id, topic, attempts, confirmed_at is not null as confirmed from shop_webhook_deliveries
     where webhook_id = $1::text and applied_at is null and set_aside_at is null and next_attempt_at <= now()
     for update`,
    [webhookId],
  );
  const delivery = rows[0];
  // Retried by hand meanwhile: a delete or cancellation is asked of Shopify again first.
  if (delivery && isDestructive(delivery.topic) && !delivery.confirmed) return undefined;
  return delivery;
}

async function readBodies(db: Queryable, webhookIds: string[]): Promise<Map<string, string>> {
  if (!webhookIds.length) return new Map();
  const { rows } = await db.query<{ webhook_id: string; body: string }>(
    'select webhook_id, body from shop_webhook_deliveries where webhook_id = any($1::text[])',
    [webhookIds],
  );
  return new Map(rows.map((row) => [row.webhook_id, row.body]));
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint): the same values fail the same way. */
const REFUSED_VALUE = /^2[23][0-9A-Z]{3}$/;

/** Retrying cannot help: the body does not map, Shopify refused the question, or the database a value. */
function cannotSucceed(error: unknown): boolean {
  if (error instanceof PayloadError || error instanceof SyntaxError) return true;
  if (error instanceof ShopifyError) return error.kind === 'query';
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && REFUSED_VALUE.test(code);
}

/**
 * Failures that say nothing about the delivery, so a later try may pass: the connection was lost (the
 * database restarted, a stale connection), the server was starting, stopping or out of connections,
 * or another transaction was in the way (serialization failure, deadlock, lock or statement timeout).
 */
const MAY_PASS = /^(08[0-9A-Z]{3}|40001|40P01|55P03|57014|57P0[1-5]|53300)$/;
/** The driver's own words when the connection went away (these errors carry no SQLSTATE). */
const CONNECTION_LOST =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|Query read timeout)/;
const SOCKET_ERROR = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function mayPass(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return MAY_PASS.test(code) || SOCKET_ERROR.has(code);
  return error instanceof Error && CONNECTION_LOST.test(error.message);
}

const backoffSeconds = (attempts: number) => Math.min(LONGEST_BACKOFF_S, FIRST_BACKOFF_S * 2 ** attempts);

/** Where a one-by-one transaction was when it failed, and how its reason begins. */
type AloneStep = 'start' | 'apply' | 'commit';
const ALONE_CONTEXT: Record<AloneStep, string> = {
  start: 'could not be tried on its own',
  apply: 'could not be applied, and recording why failed too',
  commit: 'could not be committed',
};

function explain(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = describeError(error);
  return typeof code === 'string' && REFUSED_VALUE.test(code)
    ? `the database refused a value in it (${message})`
    : message;
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
