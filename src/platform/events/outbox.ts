// Domain events through a transactional outbox: a module writes its change and its event in one
// transaction. The dispatcher (in `serve`) claims new events and fans each out
// as durable jobs, one per in-process subscriber, webhook endpoint and the MQTT bridge, in the same
// transaction that marks the event dispatched. Delivery is at least once; each job carries the event
// id so a subscriber can ignore a repeat.
import type pg from 'pg';
import { asc, eq, inArray, isNull } from 'drizzle-orm';
import { transaction } from '../db/database.ts';
import { describeError } from '../errors.ts';
import { orm } from '../db/orm.ts';
import { eventsOutbox } from './schema.ts';
import type { EventMap, EventType } from './catalogue.ts';
import { checkingEvents } from '../checks.ts';
import { defineJob, type JobDefinition, type JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../http/metrics.ts';
import { feedConsumer, type Feed } from './feeds.ts';
import { PollingWorker, type BatchResult } from '../work/polling-worker.ts';

/** One event as it is written: its type, and the payload the event map gives that type. */
export type EventOf<T extends EventType = EventType> = { [K in T]: { type: K; payload: EventMap[K] } }[T];

/** An event as it was stored, read back: any of `T`, its payload told apart by its type. */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: { id: number; type: K; payload: EventMap[K]; createdAt: Date };
}[T];

/** An event type, every type under a prefix ('order.*'), or every event ('*'). */
export type EventPattern = EventType | `${string}.*` | '*';

/** The event types a pattern matches. */
export type Matching<P extends EventPattern> = P extends '*'
  ? EventType
  : P extends `${infer Prefix}.*`
    ? Extract<EventType, `${Prefix}.${string}`>
    : Extract<P, EventType>;

export interface Subscription<P extends EventPattern = EventPattern> {
  name: string; // '<module>.<what it does>', becomes the job 'event.<name>'
  types: readonly P[];
  handle(event: DomainEvent<Matching<P>>): Promise<void>;
}

/** A subscription to some events, their payloads typed from the event map by the types it names. */
export function subscription<P extends EventPattern>(definition: Subscription<P>): Subscription {
  return definition as unknown as Subscription;
}

/**
 * Other deliveries (webhooks, MQTT) decide per event whether they want it. They read their settings
 * once per batch of events (a first import brings many thousands), then answer per event.
 */
export interface EventSink {
  job: JobDefinition<{ eventId: number; target: string }>;
  targets: (tx: pg.PoolClient) => Promise<(event: DomainEvent) => string[]>;
}

const TYPE = /^[a-z][a-z_]*(\.[a-z_]+)+$/;

/** Writes an event in the caller's transaction: it exists exactly when the change it describes does. */
export async function emit<T extends EventType>(
  tx: pg.PoolClient,
  type: T,
  payload: EventMap[T],
): Promise<number> {
  if (!TYPE.test(type)) throw new Error(`event type "${type}" must look like noun.verb`);
  if (checkingEvents()) (await import('./payload-check.ts')).checkEvent(type, payload);
  const [row] = await orm(tx)
    .insert(eventsOutbox)
    .values({ type, payload: payload as Record<string, unknown> })
    .returning({ id: eventsOutbox.id });
  return row!.id;
}

/** Writes several events in one statement, in order (a change that causes more than one). */
export async function emitAll(tx: pg.PoolClient, events: readonly EventOf[]): Promise<void> {
  if (!events.length) return;
  for (const { type } of events) {
    if (!TYPE.test(type)) throw new Error(`event type "${type}" must look like noun.verb`);
  }
  if (checkingEvents()) {
    const { checkEvent } = await import('./payload-check.ts');
    for (const { type, payload } of events) checkEvent(type, payload);
  }
  await tx.query('insert into events_outbox (type, payload) select * from unnest($1::text[], $2::jsonb[])', [
    events.map((event) => event.type),
    events.map((event) => JSON.stringify(event.payload)),
  ]);
}

export async function loadEvent(pool: pg.Pool, id: number): Promise<DomainEvent | undefined> {
  const [row] = await orm(pool).select().from(eventsOutbox).where(eq(eventsOutbox.id, id));
  // What the outbox holds was written by emit, from the event map.
  return row ? (row as unknown as DomainEvent) : undefined;
}

/** Events claimed and fanned out in one transaction. */
const DISPATCH_BATCH = 500;

export class EventBus {
  private readonly subscriptions: { subscription: Subscription; job: JobDefinition<{ eventId: number }> }[] =
    [];
  private readonly sinks: EventSink[] = [];
  private readonly feeds: { feed: Feed; consumer: PollingWorker }[] = [];
  private listener: pg.PoolClient | undefined;
  private readonly dispatcher: PollingWorker;

  constructor(
    private readonly pool: pg.Pool,
    private readonly jobs: JobQueue,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {
    this.dispatcher = new PollingWorker({
      batch: () => this.dispatch(),
      // LISTEN kicks it as soon as an event commits; the timer is for a notification that was lost.
      everyMs: 3000,
      logger,
      failure: { message: 'event dispatch failed; will retry' },
    });
  }

  /** Returns the job definitions to register with the job queue. */
  subscribe(subscription: Subscription): JobDefinition<{ eventId: number }> {
    const job = defineJob<{ eventId: number }>({
      name: `event.${subscription.name}`,
      handler: async ({ eventId }) => {
        const event = await loadEvent(this.pool, eventId);
        if (event) await subscription.handle(event);
      },
    });
    this.subscriptions.push({ subscription, job });
    return job;
  }

  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** Every process adds the same feeds, so the dispatcher fills each whichever process consumes it. */
  addFeed(feed: Feed): PollingWorker {
    const consumer = feedConsumer(this.pool, feed, this.logger);
    this.feeds.push({ feed, consumer });
    return consumer;
  }

  /** Starts consuming the feeds in this process (the server and workers; not one-off CLI commands). */
  consumeFeeds(): void {
    for (const { consumer } of this.feeds) consumer.start();
  }

  /** Dispatches as soon as an event commits (LISTEN), and every few seconds in case a notification was lost. */
  async start(): Promise<void> {
    this.listener = await this.pool.connect();
    this.listener.on('notification', () => this.dispatcher.kick());
    this.listener.on('error', (error) =>
      this.logger.warn({ err: describeError(error) }, 'event listener connection lost'),
    );
    await this.listener.query('listen events_outbox');
    this.dispatcher.start();
  }

  /** Forgets events delivered more than 30 days ago; one a feed has not consumed yet stays, however old. */
  async pruneDelivered(): Promise<void> {
    await this.pool.query(
      `delete from events_outbox e where dispatched_at < now() - interval '30 days'
       and not exists (select 1 from events_feed_items f where f.event_id = e.id)`,
    );
  }

  /** A long backlog (a first import's events) stops between batches, not at its end. */
  async stop(): Promise<void> {
    await Promise.all([...this.feeds.map(({ consumer }) => consumer.stop()), this.dispatcher.stop()]);
    if (this.listener) {
      this.listener.release(true);
      this.listener = undefined;
    }
  }

  /** Dispatches until the outbox is empty; returns how many events. Exposed for tests. */
  drain(): Promise<number> {
    return this.dispatcher.drain();
  }

  private async dispatch(): Promise<BatchResult> {
    const types = await transaction(this.pool, (tx) => this.dispatchBatch(tx), { retries: 3 });
    // Counted once committed: a transaction run again must not count its events twice.
    for (const type of types) this.metrics?.eventsDispatched.inc({ type });
    if (types.length) for (const { consumer } of this.feeds) consumer.kick();
    return { handled: types.length, more: types.length === DISPATCH_BATCH };
  }

  /** Returns the type of each event dispatched. */
  private async dispatchBatch(tx: pg.PoolClient): Promise<string[]> {
    const db = orm(tx);
    const rows = await db
      .select()
      .from(eventsOutbox)
      .where(isNull(eventsOutbox.dispatchedAt))
      .orderBy(asc(eventsOutbox.id))
      .limit(DISPATCH_BATCH)
      .for('update', { skipLocked: true });
    const sinks = await Promise.all(
      this.sinks.map(async (sink) => ({ job: sink.job, targets: await sink.targets(tx) })),
    );
    for (const row of rows) {
      // What the outbox holds was written by emit, from the event map.
      const event = row as unknown as DomainEvent;
      for (const { subscription, job } of this.subscriptions) {
        if (!matches(subscription.types, event.type)) continue;
        await this.jobs.send(job, { eventId: event.id }, { idempotencyKey: String(event.id), tx });
      }
      for (const sink of sinks) {
        for (const target of sink.targets(event)) {
          await this.jobs.send(
            sink.job,
            { eventId: event.id, target },
            { idempotencyKey: `${event.id}:${target}`, tx },
          );
        }
      }
    }
    for (const { feed } of this.feeds) {
      const ids = rows.filter((row) => matches(feed.types, row.type)).map((row) => row.id);
      if (!ids.length) continue;
      await tx.query(
        'insert into events_feed_items (feed, event_id) select $1, unnest($2::bigint[]) on conflict do nothing',
        [feed.name, ids],
      );
    }
    if (rows.length > 0) {
      await db
        .update(eventsOutbox)
        .set({ dispatchedAt: new Date() })
        .where(
          inArray(
            eventsOutbox.id,
            rows.map((row) => row.id),
          ),
        );
    }
    return rows.map((row) => row.type);
  }
}

export function matches(types: readonly string[], type: string): boolean {
  return types.some(
    (pattern) =>
      pattern === '*' ||
      pattern === type ||
      (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}
