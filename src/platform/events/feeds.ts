// Feeds: batched, in-order consumers of events (see migrations/0002_feeds.sql). A consumer's work
// and the removal of the items it handled commit together, so a crash repeats a batch at most,
// and a handler that is idempotent (keyed by what the events describe) changes nothing the second time.
import type pg from 'pg';
import { transaction } from '../db/database.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { DomainEvent } from './outbox.ts';

export interface Feed {
  name: string; // '<module>.<what it does>'
  types: string[]; // event types, 'order.*' patterns, or '*'
  /** Handles a batch of events (in id order within it), in the transaction that removes them from the feed. */
  handle: (tx: pg.PoolClient, events: DomainEvent[]) => Promise<void>;
}

const BATCH = 500;
const POLL_MS = 3000;
const MAX_BACKOFF_MS = 5 * 60_000;

export class FeedConsumer {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private retryAt = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly feed: Feed,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  kick(): void {
    if (!this.timer || Date.now() < this.retryAt) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.drain();
          this.failures = 0;
        } catch (error) {
          // The batch rolled back whole; wait longer each time so a broken handler does not spin.
          this.failures += 1;
          const wait = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.failures);
          this.retryAt = Date.now() + wait;
          this.logger.error(
            { err: describeError(error), feed: this.feed.name, retryInSeconds: wait / 1000 },
            'an event feed failed; its batch will be tried again',
          );
          return;
        }
      } while (this.again && this.timer);
    })().finally(() => (this.running = undefined));
  }

  /** Handles everything waiting in the feed; returns how many events. Exposed for tests and the CLI. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handled = await transaction(this.pool, (tx) => this.batch(tx));
      total += handled;
      if (handled < BATCH) return total;
    }
  }

  private async batch(tx: pg.PoolClient): Promise<number> {
    const { rows } = await tx.query<{
      id: string;
      type: string;
      payload: Record<string, unknown>;
      created_at: Date;
    }>(
      `select e.id, e.type, e.payload, e.created_at
       from events_feed_items f join events_outbox e on e.id = f.event_id
       where f.feed = $1 order by f.event_id limit $2 for update of f skip locked`,
      [this.feed.name, BATCH],
    );
    if (!rows.length) return 0;
    const events: DomainEvent[] = rows.map((row) => ({
      id: Number(row.id),
      type: row.type,
      payload: row.payload,
      createdAt: row.created_at,
    }));
    await this.feed.handle(tx, events);
    await tx.query('delete from events_feed_items where feed = $1 and event_id = any($2::bigint[])', [
      this.feed.name,
      events.map((event) => event.id),
    ]);
    return rows.length;
  }
}
