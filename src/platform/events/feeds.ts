// Feeds: batched, in-order consumers of events (see migrations/0002_feeds.sql). A consumer's work
// and the removal of the items it handled commit together, so a crash repeats a batch at most,
// and a handler that is idempotent (keyed by what the events describe) changes nothing the second time.
import type pg from 'pg';
import { transaction } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { PollingWorker } from '../work/polling-worker.ts';
import type { DomainEvent } from './outbox.ts';
import type { EventType } from './catalogue.ts';

export interface Feed<T extends EventType = EventType> {
  name: string; // '<module>.<what it does>'
  types: readonly T[];
  /** Handles a batch of events (in id order within it), in the transaction that removes them from the feed. */
  handle(tx: pg.PoolClient, events: DomainEvent<T>[]): Promise<void>;
}

const BATCH = 500;

/**
 * Handles a feed in this process: in batches, every few seconds and whenever the dispatcher fills it.
 * Its `drain` handles everything waiting (tests and the CLI).
 */
export function feedConsumer(pool: pg.Pool, feed: Feed, logger: Logger): PollingWorker {
  return new PollingWorker({
    batch: async () => {
      const handled = await transaction(pool, (tx) => handleBatch(tx, feed), { retries: 3 });
      return { handled, more: handled === BATCH };
    },
    everyMs: 3000,
    logger,
    // The batch rolled back whole; a broken handler is tried again ever more rarely, not in a spin.
    failure: { message: 'an event feed failed; its batch will be tried again', fields: { feed: feed.name } },
    backoff: { firstMs: 2000, longestMs: 5 * 60_000 },
  });
}

interface EventRow {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

// What the outbox holds was written by emit, from the event map.
const storedEvents = (rows: EventRow[]) =>
  rows.map((row) => ({
    id: Number(row.id),
    type: row.type,
    payload: row.payload,
    createdAt: row.created_at,
  })) as unknown as DomainEvent[];

/**
 * The events of these types that a feed has not handled yet, in id order, as the caller's
 * transaction sees them (a feed's handler sees its own batch among them).
 */
export async function waitingInFeed<T extends EventType>(
  tx: pg.PoolClient,
  feed: string,
  types: readonly T[],
): Promise<DomainEvent<T>[]> {
  const { rows } = await tx.query<EventRow>(
    `select e.id, e.type, e.payload, e.created_at
     from events_feed_items f join events_outbox e on e.id = f.event_id
     where f.feed = $1 and e.type = any($2::text[]) order by f.event_id`,
    [feed, types],
  );
  return storedEvents(rows) as DomainEvent<T>[];
}

async function handleBatch(tx: pg.PoolClient, feed: Feed): Promise<number> {
  const { rows } = await tx.query<EventRow>(
    `select e.id, e.type, e.payload, e.created_at
     from events_feed_items f join events_outbox e on e.id = f.event_id
     where f.feed = $1 order by f.event_id limit $2 for update of f skip locked`,
    [feed.name, BATCH],
  );
  if (!rows.length) return 0;
  const events = storedEvents(rows);
  await feed.handle(tx, events);
  await tx.query('delete from events_feed_items where feed = $1 and event_id = any($2::bigint[])', [
    feed.name,
    events.map((event) => event.id),
  ]);
  return rows.length;
}
