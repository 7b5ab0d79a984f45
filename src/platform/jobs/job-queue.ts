// Durable jobs on pg-boss. A job is defined once, name and handler together, and registered at boot:
// a name with no handler or a handler registered twice stops start-up. Sending takes the definition,
// not a string, so a send to an unknown job does not compile. Cron schedules run in the shop's time zone.
import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { transaction, type Queryable } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import { jobsDeadLetters } from './schema.ts';
import { describeError, notFound } from '../errors.ts';
import type { Metrics } from '../http/metrics.ts';

export interface JobContext {
  jobId: string;
  attempt: number; // 1 on the first run
}

export interface JobDefinition<T extends object> {
  name: string; // '<module>.<action>', lowercase
  // A method, not a function property: its parameter is then compared both ways, so a job with its
  // own data type is also an AnyJob and a list of different jobs registers without casts. What data a
  // send carries is still checked, against the definition it names.
  handler(data: T, context: JobContext): Promise<void>;
  retryLimit?: number; // attempts after the first; default 5
  retryDelaySeconds?: number; // first delay, doubled each time (backoff); default 10
  expireInMinutes?: number; // a run longer than this counts as failed; default 15
  cron?: string; // run on this schedule in the shop's time zone
  concurrency?: number; // jobs fetched at once by this process; default 1
  /**
   * Runs only in the process that serves (`shopkeep serve`), never on a worker: the job works on this
   * box's data directory or host (backups, the host's alerts), which a second Pi does not have.
   */
  servedOnly?: boolean;
}

/** Any job, whatever its data: what a module's list of jobs holds and what the queue registers. */
export type AnyJob = JobDefinition<object>;

export function defineJob<T extends object>(definition: JobDefinition<T>): JobDefinition<T> {
  return definition;
}

export interface SendOptions {
  /** The same key for the same job name enqueues once, however often it is sent within a week. */
  idempotencyKey?: string;
  startAfterSeconds?: number;
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  tx?: Queryable;
}

export interface DeadLetter {
  id: string;
  queue: string;
  data: unknown;
  error: string;
  attempts: number;
  failedAt: Date;
}

const NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/;
/** pg-boss's statements that record a job's end: completing it, and failing it (which may retry it). */
const JOB_ENDED = /SET completed_on = now\(\)|retried_jobs AS/;

export class JobQueue {
  private readonly definitions = new Map<string, AnyJob>();
  private readonly boss: PgBoss;
  private readonly db: Orm;
  private started = false;
  /** Stopped for good: pg-boss's last words about abandoned jobs must not reach a closed pool. */
  private closed = false;
  private readonly stopTimeoutMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly timezone: string,
    private readonly metrics?: Metrics,
    options: { stopTimeoutMs?: number } = {},
  ) {
    this.db = orm(pool);
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => this.executeSql(text, values) },
      schedule: true,
      supervise: true,
      // Completed jobs stay in the job table a week: an idempotency key holds for that long.
      archiveCompletedAfterSeconds: 7 * 24 * 3600,
      deleteAfterDays: 14,
    });
    this.boss.on('error', (error) => logger.error({ err: describeError(error) }, 'job queue error'));
  }

  register(definitions: readonly AnyJob[]): void {
    for (const definition of definitions) {
      if (!NAME.test(definition.name)) {
        throw new Error(`job name "${definition.name}" must look like module.action (lowercase)`);
      }
      if (typeof definition.handler !== 'function')
        throw new Error(`job "${definition.name}" has no handler`);
      if (this.definitions.has(definition.name))
        throw new Error(`job "${definition.name}" is registered twice`);
      this.definitions.set(definition.name, definition);
    }
  }

  get names(): string[] {
    return [...this.definitions.keys()];
  }

  /** Creates the queues and schedules; with `work`, this process also runs the handlers. */
  async start({ work }: { work: boolean }): Promise<void> {
    await this.boss.start();
    for (const definition of this.definitions.values()) {
      await this.boss.createQueue(definition.name, {
        name: definition.name,
        retryLimit: definition.retryLimit ?? 5,
        retryDelay: definition.retryDelaySeconds ?? 10,
        retryBackoff: true,
        expireInSeconds: (definition.expireInMinutes ?? 15) * 60,
      });
      if (definition.cron) {
        await this.boss.schedule(definition.name, definition.cron, {}, { tz: this.timezone });
      }
    }
    if (work) {
      for (const definition of this.definitions.values()) {
        await this.boss.work<object>(
          definition.name,
          { includeMetadata: true, batchSize: definition.concurrency ?? 1, pollingIntervalSeconds: 1 },
          (jobs) => this.runBatch(definition, jobs),
        );
      }
    }
    this.started = true;
  }

  /** Waits for running jobs (up to the stop timeout); those still running are abandoned, to run again later. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    try {
      await this.boss.stop({ graceful: true, wait: true, timeout: this.stopTimeoutMs });
    } finally {
      this.closed = true;
    }
  }

  /**
   * pg-boss records that a job ended (completed or failed) without awaiting the statement, so a
   * database that is down at that moment, or a pool already closed at shutdown, would surface as an
   * unhandled rejection and take the process down. Such a statement is let go instead: the job stays
   * active, expires, and runs again (every handler is idempotent). No result at all is what pg-boss
   * reads as "nothing affected".
   */
  private async executeSql(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    const nothing = undefined as unknown as pg.QueryResult;
    if (this.closed || this.pool.ending) return nothing;
    try {
      return await this.pool.query(text, values);
    } catch (error) {
      if (!JOB_ENDED.test(text)) throw error;
      this.logger.warn(
        { err: describeError(error) },
        'could not record that a job ended; it runs again once it expires',
      );
      return nothing;
    }
  }

  async send<T extends object>(
    definition: JobDefinition<T>,
    data: T,
    options: SendOptions = {},
  ): Promise<string | null> {
    if (this.definitions.get(definition.name) !== definition) {
      throw new Error(`job "${definition.name}" is not registered; add it to its module's jobs`);
    }
    if (this.closed) throw new Error(`the job queue has stopped; "${definition.name}" was not queued`);
    const tx = options.tx;
    return this.boss.send(definition.name, data, {
      ...(options.idempotencyKey ? { id: idempotentId(definition.name, options.idempotencyKey) } : {}),
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      ...(tx ? { db: { executeSql: (text: string, values: unknown[]) => tx.query(text, values) } } : {}),
    });
  }

  async ready(): Promise<boolean> {
    if (!this.started) return false;
    await this.pool.query('select 1 from pgboss.version');
    return true;
  }

  /** Jobs waiting, running and failed per queue (for /metrics and the dashboard). */
  async counts(): Promise<{ queue: string; state: string; count: number }[]> {
    const { rows } = await this.pool.query<{ name: string; state: string; count: string }>(
      `select name, state, count(*) from pgboss.job group by name, state`,
    );
    return rows.map((row) => ({ queue: row.name, state: row.state, count: Number(row.count) }));
  }

  /**
   * The jobs waiting to run (created, or failed once and waiting to retry), per queue: what /metrics
   * reports at every scrape. Read through pg-boss's own partial index of waiting jobs, so a week of
   * completed jobs kept in the table costs nothing.
   */
  async waiting(): Promise<{ queue: string; state: string; count: number }[]> {
    // Prepared once per connection: planning over every queue's partition costs more than the count.
    const { rows } = await this.pool.query<{ name: string; state: string; count: string }>({
      name: 'shopkeep-jobs-waiting',
      text: `select name, state, count(*) from pgboss.job where state < 'active' group by name, state`,
    });
    return rows.map((row) => ({ queue: row.name, state: row.state, count: Number(row.count) }));
  }

  /** How many dead letters wait, counted in the database (for /metrics, the start page, doctor). */
  async deadLetterCount(): Promise<number> {
    const [row] = await this.db
      .select({ count: count() })
      .from(jobsDeadLetters)
      .where(isNull(jobsDeadLetters.resolvedAt));
    return row?.count ?? 0;
  }

  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    return this.db
      .select({
        id: jobsDeadLetters.id,
        queue: jobsDeadLetters.queue,
        data: jobsDeadLetters.data,
        error: jobsDeadLetters.error,
        attempts: jobsDeadLetters.attempts,
        failedAt: jobsDeadLetters.failedAt,
      })
      .from(jobsDeadLetters)
      .where(isNull(jobsDeadLetters.resolvedAt))
      .orderBy(desc(jobsDeadLetters.failedAt))
      .limit(limit);
  }

  /** Sends a dead letter's data to its queue again, or dismisses it; the two happen together or not at all. */
  async resolveDeadLetter(id: string, resolution: 'retried' | 'dismissed'): Promise<void> {
    await transaction(this.pool, async (client) => {
      const [letter] = await orm(client)
        .update(jobsDeadLetters)
        .set({ resolvedAt: new Date(), resolution })
        .where(and(eq(jobsDeadLetters.id, id), isNull(jobsDeadLetters.resolvedAt)))
        .returning();
      if (!letter) throw notFound('no open dead letter with that id');
      if (resolution === 'dismissed') return;
      const definition = this.definitions.get(letter.queue);
      if (!definition) throw notFound(`the job ${letter.queue} no longer exists`);
      await this.send(definition, letter.data, { tx: client });
    });
  }

  /** In a batch each job succeeds or fails on its own; pg-boss then completes only those still active. */
  private async runBatch(definition: AnyJob, jobs: PgBoss.JobWithMetadata<object>[]): Promise<void> {
    const outcomes = await Promise.allSettled(jobs.map((job) => this.run(definition, job)));
    const failed = outcomes.flatMap((outcome, i) =>
      outcome.status === 'rejected' ? [{ job: jobs[i]!, reason: outcome.reason as unknown }] : [],
    );
    if (jobs.length === 1 && failed[0]) throw failed[0].reason;
    for (const { job, reason } of failed)
      await this.boss.fail(definition.name, job.id, { message: describeError(reason) });
  }

  /**
   * Jobs that ended failed without their handler's last word (a run past its expiry, a process killed
   * mid-job) become dead letters too, so every failure reaches the dashboard.
   */
  async collectFailed(): Promise<number> {
    const { rowCount } = await this.pool.query(
      `insert into jobs_dead_letters (queue, job_id, data, error, attempts)
       select name, id::text, coalesce(data, '{}'::jsonb),
              left(coalesce(output->>'message', output #>> '{value,message}', 'failed without a message'), 2000), retry_count + 1
       from pgboss.job where state = 'failed' and name = any($1)
       on conflict (job_id) do nothing`,
      [this.names],
    );
    return rowCount ?? 0;
  }

  private async run(definition: AnyJob, job: PgBoss.JobWithMetadata<object>): Promise<void> {
    const attempt = job.retryCount + 1;
    const stopTimer = this.metrics?.jobDuration.startTimer({ queue: definition.name });
    try {
      await definition.handler(job.data, { jobId: job.id, attempt });
      stopTimer?.({ outcome: 'completed' });
      this.metrics?.jobsProcessed.inc({ queue: definition.name, outcome: 'completed' });
    } catch (error) {
      stopTimer?.({ outcome: 'failed' });
      this.metrics?.jobsProcessed.inc({ queue: definition.name, outcome: 'failed' });
      const message = describeError(error);
      if (this.closed) {
        this.logger.warn(
          { job: definition.name, jobId: job.id, err: message },
          'a job ended after shopkeep stopped; it runs again at the next start',
        );
        throw error;
      }
      const final = job.retryCount >= job.retryLimit;
      this.logger.warn({ job: definition.name, jobId: job.id, attempt, final, err: message }, 'job failed');
      if (final) {
        await this.db
          .insert(jobsDeadLetters)
          .values({
            queue: definition.name,
            jobId: job.id,
            data: job.data,
            error: message.slice(0, 2000),
            attempts: attempt,
          })
          .onConflictDoNothing({ target: jobsDeadLetters.jobId });
      }
      throw error;
    }
  }
}

/** A UUID derived from the job name and key, so pg-boss's primary key rejects the duplicate. */
function idempotentId(name: string, key: string): string {
  const hex = createHash('sha256').update(`${name}\n${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
