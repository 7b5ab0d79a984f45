// The composition root: opens the database, migrates, builds every service once, and starts what the
// command asks for (HTTP, job workers, event dispatch). `serve` runs all three; `worker` no HTTP.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './paths.ts';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { describeError } from './errors.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { AccountService } from './accounts/account-service.ts';
import { AuditLog } from '../modules/ops/audit-log.ts';
import { MasterKeyStore, Vault } from './vault/vault.ts';
import { JobQueue, type JobDefinition } from './jobs/job-queue.ts';
import { EventBus } from './events/outbox.ts';
import { Notifications } from './notify/notifications.ts';
import { WebhookEndpoints } from './events/webhooks.ts';
import { MqttBridge } from './events/mqtt.ts';
import { Metrics } from './http/metrics.ts';
import { buildApp, type RouteModule } from './http/app.ts';
import type { Services } from './services.ts';
import { MODULES, migrationSources } from '../modules/index.ts';
import { AiService } from '../modules/ai/ai-service.ts';
import { QaService } from '../modules/ai/qa/qa-service.ts';
import type { Catalog } from '../modules/ai/qa/catalog.ts';
import { ShopService } from '../modules/shop/shop-service.ts';
import { LedgerService } from '../modules/ledger/ledger-service.ts';
import { ReceiptReader } from '../modules/ledger/ocr.ts';
import { ApprovalService } from '../modules/approvals/approval-service.ts';
import { VoiceStore } from '../modules/ai/qa/voice-store.ts';
import { PostWriter } from '../modules/ai/writer.ts';
import { TelegramNotifier } from '../modules/approvals/telegram/notifier.ts';
import type { OwnerBot } from '../modules/approvals/telegram/bot.ts';

export const VERSION = (
  JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

export interface OpenOptions {
  /** The server owns the embedded PostgreSQL and stops it at exit; others stop only what they started. */
  ownsEmbeddedServer: boolean;
  /** Make a master key file when none exists (false for workers, which must share the server's key). */
  createMasterKey?: boolean;
  /** Products the QA gate checks drafts against; the shop's own catalog by default. */
  catalog?: Catalog;
  /** Pages beyond the modules' own (the sandbox's simulated Telegram chat). */
  extraRoutes?: RouteModule[];
  onProgress?: (step: string) => void;
}

export interface RuntimeOptions extends OpenOptions {
  http: boolean;
  work: boolean;
}

export interface Runtime {
  services: Services;
  database: Database;
  app: FastifyInstance | undefined;
  stop(): Promise<void>;
}

/** Opens the database and builds the services, without starting jobs or HTTP (CLI commands use this). */
export async function openServices(config: Config, logger: Logger, options: OpenOptions) {
  const { ownsEmbeddedServer, onProgress = () => undefined } = options;
  const masterKeys = new MasterKeyStore(config.dataDir, config.masterKey, options.createMasterKey ?? true);
  // A process that may not make a key checks for one before anything else, not at the first secret it needs.
  if (options.createMasterKey === false) masterKeys.keys();
  onProgress(config.databaseUrl ? 'connecting to PostgreSQL' : 'starting the embedded PostgreSQL');
  const database = await openDatabase(config, logger, { ownsEmbeddedServer });
  try {
    const { applied } = await migrate(database.pool, migrationSources(), (name) =>
      onProgress(`migrating ${name}`),
    );
    if (applied.length) logger.info({ applied }, 'database migrated');
  } catch (error) {
    await database.close();
    throw error;
  }
  const pool = database.pool;
  const metrics = new Metrics();
  metrics.watchPool(pool);
  const audit = new AuditLog(pool, { masterKeys: () => masterKeys.keys(), dataDir: config.dataDir, logger });
  const vault = new Vault(pool, masterKeys);
  const jobs = new JobQueue(pool, logger, config.timezone, metrics);
  const events = new EventBus(pool, jobs, logger, metrics);
  const notifications = new Notifications(pool);
  const accounts = new AccountService({
    pool,
    audit,
    vault,
    notifications,
    logger,
    sessions: { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours },
    timezone: config.timezone,
    metrics,
  });
  // Two-factor secrets an older install kept in clear are sealed before anything can read them.
  await accounts.sealClearTotpSecrets();
  const webhooks = new WebhookEndpoints(pool, vault);
  const ai = new AiService(pool, config.ai, logger, metrics, undefined, undefined, notifications);
  const shop = new ShopService(
    pool,
    config.shopify,
    vault,
    logger,
    metrics,
    config.timezone,
    jobs,
    notifications,
  );
  const ledger = new LedgerService(pool, shop, logger, config.timezone, {
    akaunting: config.akaunting,
    costing: config.costing,
    receipts: { ai, jobs, reader: new ReceiptReader() },
    notifications,
  });
  const catalog = options.catalog ?? shop.catalog;
  const voice = new VoiceStore(pool, audit);
  const qa = new QaService(pool, ai, catalog, config.qa, () => voice.get());
  const approvals = new ApprovalService(pool, audit);
  const writer = new PostWriter(pool, ai, qa, catalog, approvals, config.qa.maxAttempts, () => voice.get());
  const { token } = config.telegram;
  // grammY is loaded only when there is a bot to talk to (about 10 MB a shopkeep without one saves).
  const telegram = token
    ? new TelegramNotifier(
        pool,
        (await import('../modules/approvals/telegram/telegram-api.ts')).telegramApi({
          ...config.telegram,
          token,
        }),
        config.telegram.allowedChatIds,
        approvals,
        qa,
        catalog,
        notifications,
        logger,
      )
    : undefined;
  const services: Services = {
    config,
    logger,
    pool,
    metrics,
    accounts,
    audit,
    vault,
    jobs,
    events,
    notifications,
    webhooks,
    ai,
    qa,
    writer,
    approvals,
    catalog,
    voice,
    shop,
    ledger,
    telegram,
    startedAt: new Date(),
    version: VERSION,
    async readiness() {
      const database = await pool.query('select 1').then(
        () => true,
        () => false,
      );
      const ready = database && (await jobs.ready().catch(() => false));
      return { database, jobs: ready };
    },
  };
  metrics.watchJobs(
    () => jobs.counts(),
    () => jobs.deadLetterCount(),
  );
  return { services, database };
}

export async function startRuntime(
  config: Config,
  logger: Logger,
  options: RuntimeOptions,
): Promise<Runtime> {
  const { services, database } = await openServices(config, logger, options);
  const { jobs, events, webhooks } = services;
  let mqtt: MqttBridge | undefined;
  let app: FastifyInstance | undefined;
  let bot: OwnerBot | undefined;
  try {
    const definitions: JobDefinition<object>[] = [webhooks.job as unknown as JobDefinition<object>];
    events.addSink(webhooks.sink());
    if (config.mqttUrl) {
      mqtt = new MqttBridge(services.pool, config.mqttUrl);
      definitions.push(mqtt.job as unknown as JobDefinition<object>);
      events.addSink(mqtt.sink());
    }
    for (const module of MODULES) {
      definitions.push(...(module.jobs?.(services) ?? []));
      for (const subscription of module.subscriptions?.(services) ?? []) {
        definitions.push(events.subscribe(subscription) as unknown as JobDefinition<object>);
      }
      for (const feed of module.feeds?.(services) ?? []) events.addFeed(feed);
    }
    jobs.register(definitions);
    await services.ledger.ensureChart();
    options.onProgress?.('starting the job queue');
    await jobs.start({ work: options.work });
    if (options.work) {
      services.shop.applier.start();
      events.consumeFeeds();
    }
    // On start: the first import if none finished, else a reconciliation to catch what was missed
    // while shopkeep was down.
    if (options.http) {
      await services.shop
        .catchUp(jobs)
        .catch((error: unknown) =>
          logger.warn({ err: describeError(error) }, 'could not queue the Shopify catch-up'),
        );
    }
    // One dispatcher, in the server: it fans events out to the sinks and subscribers configured there,
    // so a worker with other settings (or an older build) can never drop a delivery.
    if (options.http) await events.start();
    // The bot runs in the server only: Telegram allows one consumer of a bot's updates.
    const { token: botToken } = config.telegram;
    if (options.http && botToken && services.telegram) {
      const { OwnerBot } = await import('../modules/approvals/telegram/bot.ts');
      bot = new OwnerBot({ ...config.telegram, token: botToken }, services, services.telegram, logger);
    }
    if (options.http) {
      app = await buildApp(services, [
        ...MODULES.flatMap((module) => module.routes ?? []),
        ...(options.extraRoutes ?? []),
        ...(bot ? [bot.webhookRoute()] : []),
      ]);
    }
    await bot?.start(`${config.publicUrl}/webhooks/telegram`);
  } catch (error) {
    await jobs.stop().catch(() => undefined);
    await database.close();
    throw error;
  }
  return {
    services,
    database,
    app,
    /** Each part stops even when the one before it failed: the database always closes last. */
    async stop() {
      const steps: [string, (() => Promise<unknown>) | undefined][] = [
        ['telegram bot', bot && (() => bot!.stop())],
        ['http', app && (() => app!.close())],
        ['event dispatcher', () => events.stop()],
        ['shopify webhooks', () => services.shop.applier.stop()],
        ['job queue', () => jobs.stop()],
        ['mqtt', mqtt && (() => mqtt!.close())],
        ['login alerts', () => services.accounts.settle()],
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
