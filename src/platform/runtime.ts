// The composition root: reads every module's settings, opens the database, migrates, makes the
// kernel and builds the modules once, then starts what the command asks for (HTTP, job workers,
// event dispatch). `serve` runs all three; `worker` no HTTP. It names no module: they declare
// themselves (src/platform/kit/module.ts) and the registry lists them (src/modules/index.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_ROOT, RESTORE_INCOMPLETE } from './paths.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { AppError, describeError } from './errors.ts';
import { openDatabase, scratchDatabase, type Database } from './db/database.ts';
import { migrate, type MigrationSource } from './db/migrate.ts';
import { MasterKeyStore } from './vault/vault.ts';
import { JobQueue, type JobDefinition } from './jobs/job-queue.ts';
import { EventBus } from './events/outbox.ts';
import { Metrics } from './http/metrics.ts';
import { buildApp } from './http/app.ts';
import type { Kernel, Readiness } from './kit/kernel.ts';
import type { AnyModule, ExtraPages } from './kit/module.ts';
import type { Faces } from './kit/faces.ts';
import { migrationSources as sourcesOf, Modules, readSettings } from './kit/modules.ts';
import { MODULES } from '../modules/index.ts';

export const VERSION = (
  JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

export interface OpenOptions {
  /** The server owns the embedded PostgreSQL and stops it at exit; others stop only what they started. */
  ownsEmbeddedServer: boolean;
  /** Make a master key file when none exists (false for workers, which must share the server's key). */
  createMasterKey?: boolean;
  /** The modules to run: the registry unless a test adds its own. */
  modules?: readonly AnyModule[];
  /** Faces given in place of a module's (the sandbox's products for the QA gate). */
  faces?: Partial<Faces>;
  /** The clock modules read "today" from: the wall clock unless a test fixes it. */
  clock?: () => Date;
  onProgress?: (step: string) => void;
}

export interface RuntimeOptions extends OpenOptions {
  http: boolean;
  work: boolean;
  /** Pages beyond the modules' own (the sandbox's simulated Telegram chat). */
  extraHttp?: ExtraPages[];
}

export interface Opened {
  kernel: Kernel;
  modules: Modules;
  database: Database;
}

export interface Runtime extends Opened {
  app: FastifyInstance | undefined;
  stop(): Promise<void>;
}

/** The registered modules' migrations, in registry order. */
export function migrationSources(modules: readonly AnyModule[] = MODULES): MigrationSource[] {
  return sourcesOf(modules);
}

/** Opens the database and builds the modules, without starting jobs or HTTP (CLI commands use this). */
export async function openModules(config: Config, logger: Logger, options: OpenOptions): Promise<Opened> {
  const { ownsEmbeddedServer, onProgress = () => undefined } = options;
  const registry = options.modules ?? MODULES;
  // Every setting is checked before anything starts: a bad one stops here, naming its variable.
  const settings = readSettings(registry, config.env);
  if (existsSync(path.join(config.dataDir, RESTORE_INCOMPLETE)))
    throw new AppError(
      'conflict',
      `a restore into ${config.dataDir} did not finish: run the same \`shopkeep backup restore … --data-dir ${config.dataDir}\` again (it starts over)`,
    );
  const keys = new MasterKeyStore(config.dataDir, config.masterKey, options.createMasterKey ?? true);
  // A process that may not make a key checks for one before anything else, not at the first secret it needs.
  if (options.createMasterKey === false) keys.keys();
  onProgress(config.databaseUrl ? 'connecting to PostgreSQL' : 'starting the embedded PostgreSQL');
  const database = await openDatabase(config, logger, { ownsEmbeddedServer });
  try {
    const { applied } = await migrate(database.pool, migrationSources(registry), (name) =>
      onProgress(`migrating ${name}`),
    );
    if (applied.length) logger.info({ applied }, 'database migrated');
    const pool = database.pool;
    const metrics = new Metrics();
    metrics.watchPool(pool);
    const jobs = new JobQueue(pool, logger, config.timezone, metrics);
    const events = new EventBus(pool, jobs, logger, metrics);
    const kernel: Kernel = {
      config,
      logger,
      db: pool,
      metrics,
      jobs,
      events,
      keys,
      version: VERSION,
      startedAt: new Date(),
      now: options.clock ?? (() => new Date()),
      scratchDatabase: (serverUrl) => scratchDatabase(database, serverUrl),
      async readiness(): Promise<Readiness> {
        const reachable = await pool.query('select 1').then(
          () => true,
          () => false,
        );
        const running = reachable && (await jobs.ready().catch(() => false));
        return { database: reachable, jobs: running };
      },
    };
    const modules = await Modules.build(registry, kernel, settings, options.faces);
    metrics.watchJobs(
      () => jobs.waiting(),
      () => jobs.deadLetterCount(),
    );
    return { kernel, modules, database };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export async function startRuntime(
  config: Config,
  logger: Logger,
  options: RuntimeOptions,
): Promise<Runtime> {
  const { kernel, modules, database } = await openModules(config, logger, options);
  const { jobs, events } = kernel;
  let app: FastifyInstance | undefined;
  const how = { http: options.http, work: options.work };
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const definitions: JobDefinition<any>[] = [];
    for (const { definition, parts } of modules.all()) {
      // A worker (no HTTP) leaves the jobs that belong to the serving box to it.
      definitions.push(...(definition.jobs?.(parts) ?? []).filter((job) => options.http || !job.servedOnly));
      for (const subscription of definition.subscriptions?.(parts) ?? [])
        definitions.push(events.subscribe(subscription));
      for (const feed of definition.feeds?.(parts) ?? []) events.addFeed(feed);
    }
    jobs.register(definitions);
    options.onProgress?.('starting the job queue');
    await jobs.start({ work: options.work });
    if (options.work) events.consumeFeeds();
    if (options.http) {
      kernel.metrics.watchHost(config.dataDir);
      app = await buildApp(kernel, modules, options.extraHttp ?? []);
    }
    for (const { definition, parts } of modules.all()) await definition.start?.(parts, how);
    // One dispatcher, in the server: it fans events out to the sinks and subscribers configured there,
    // so a worker with other settings (or an older build) can never drop a delivery.
    if (options.http) await events.start();
  } catch (error) {
    await jobs.stop().catch(() => undefined);
    await database.close();
    throw error;
  }
  return {
    kernel,
    modules,
    database,
    app,
    /** Each part stops even when the one before it failed: the database always closes last. */
    async stop() {
      const steps: [string, (() => Promise<unknown>) | undefined][] = [
        ['http', app && (() => app!.close())],
        ['event dispatcher', () => events.stop()],
        ...[...modules.all()]
          .reverse()
          .map(({ definition, parts }): [string, (() => Promise<unknown>) | undefined] => [
            definition.name,
            definition.stop && (async () => definition.stop!(parts)),
          ]),
        ['job queue', () => jobs.stop()],
        ['database', () => database.close()],
      ];
      for (const [name, step] of steps) {
        if (!step) continue;
        try {
          await Promise.race([
            step(),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('took longer than 15 s')), 15_000).unref(),
            ),
          ]);
        } catch (error) {
          logger.warn({ err: describeError(error), part: name }, 'a part did not stop cleanly');
        }
      }
    },
  };
}
