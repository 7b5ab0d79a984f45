// What every module is built with: the platform's own machinery, made once per process before any
// module. A module's routes never see it; its service does (its tables are reached through `db`).
import type pg from 'pg';
import type { ScratchDatabase } from '../db/database.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../http/metrics.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { EventBus } from '../events/outbox.ts';
import type { MasterKeyStore } from '../vault/vault.ts';

export interface Kernel {
  config: Config;
  logger: Logger;
  /** The module's own tables; other modules' data comes through their faces. */
  db: pg.Pool;
  metrics: Metrics;
  jobs: JobQueue;
  events: EventBus;
  /** The master key, outside the database: the vault seals with it, the audit log keys its seals. */
  keys: MasterKeyStore;
  version: string;
  startedAt: Date;
  /** What time it is: the wall clock, or a fixed one in the tests (so no result depends on the day). */
  now: () => Date;
  /** A database beside shopkeep's for a while (a restore drill), dropped when done; on `serverUrl`'s server and role when given. */
  scratchDatabase(serverUrl?: string): Promise<ScratchDatabase>;
  /** Whether the database answers and the job queue runs (/readyz, the status API, the bot's /status). */
  readiness(): Promise<Readiness>;
}

export interface Readiness {
  database: boolean;
  jobs: boolean;
}
