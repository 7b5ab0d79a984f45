// What routes, pages, jobs and CLI commands are given: each service once, built at start-up.
import type pg from 'pg';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { AccountService } from './accounts/account-service.ts';
import type { AuditLog } from '../modules/ops/audit-log.ts';
import type { Vault } from './vault/vault.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import type { EventBus } from './events/outbox.ts';
import type { Notifications } from './notify/notifications.ts';
import type { WebhookEndpoints } from './events/webhooks.ts';
import type { Metrics } from './http/metrics.ts';
import type { AiService } from '../modules/ai/ai-service.ts';
import type { QaService } from '../modules/ai/qa/qa-service.ts';
import type { PostWriter } from '../modules/ai/writer.ts';
import type { ApprovalService } from '../modules/approvals/approval-service.ts';
import type { Catalog } from '../modules/ai/qa/catalog.ts';
import type { VoiceStore } from '../modules/ai/qa/voice-store.ts';
import type { ShopService } from '../modules/shop/shop-service.ts';
import type { LedgerService } from '../modules/ledger/ledger-service.ts';
import type { TelegramNotifier } from '../modules/approvals/telegram/notifier.ts';

export interface Readiness {
  database: boolean;
  jobs: boolean;
}

export interface Services {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  metrics: Metrics;
  accounts: AccountService;
  audit: AuditLog;
  vault: Vault;
  jobs: JobQueue;
  events: EventBus;
  notifications: Notifications;
  webhooks: WebhookEndpoints;
  ai: AiService;
  qa: QaService;
  writer: PostWriter;
  approvals: ApprovalService;
  catalog: Catalog;
  voice: VoiceStore;
  shop: ShopService;
  ledger: LedgerService;
  /** Present when TELEGRAM_BOT_TOKEN is set. */
  telegram: TelegramNotifier | undefined;
  readiness(): Promise<Readiness>;
  startedAt: Date;
  version: string;
}
