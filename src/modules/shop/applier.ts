// Applies stored webhook deliveries, oldest first, in batches: each delivery in its own savepoint, so
// one that fails is retried later with backoff (and after eight tries waits for the owner) while the
// rest of the batch lands. A delivery and its effects commit together: a crash loses nothing and
// applies nothing twice. One process applies at a time (an advisory lock), so order is kept.
import type pg from 'pg';
import { describeError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { changeFrom, isTopic } from './topics.ts';

const BATCH = 100;
const MAX_ATTEMPTS = 8;
const APPLIER_LOCK = 'shop.applier';

export class DeliveryApplier {
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
        await client.query('rollback');
        return 0;
      }
      const { rows } = await client.query<{
        webhook_id: string;
        topic: string;
        body: string;
        attempts: number;
      }>(
        `select webhook_id, topic, body, attempts from shop_webhook_deliveries
         where applied_at is null and next_attempt_at <= now() and attempts < $2
         order by received_at, webhook_id limit $1`,
        [BATCH, MAX_ATTEMPTS],
      );
      // Asked only when there is work: a shop that is not connected has no deliveries either.
      const currency = rows.length ? await this.shopCurrency() : '';
      let conflicts = 0;
      for (const delivery of rows) {
        await client.query('savepoint delivery');
        try {
          if (!isTopic(delivery.topic)) throw new Error(`unknown topic ${delivery.topic}`);
          const change = changeFrom(delivery.topic, JSON.parse(delivery.body), currency);
          const outcome = await change(client, this.lowStockDefault);
          if (outcome === 'conflict') conflicts += 1;
          await client.query(
            `update shop_webhook_deliveries set applied_at = now(), outcome = $2, attempts = attempts + 1, last_error = null
             where webhook_id = $1`,
            [delivery.webhook_id, outcome === 'created' || outcome === 'updated' ? 'applied' : outcome],
          );
          await client.query('release savepoint delivery');
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
        }
      }
      await client.query('commit');
      if (conflicts) this.onConflict();
      return rows.length;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
