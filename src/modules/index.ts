// The module registry: every module's migrations, routes and pages, and jobs, in one list.
// A new module adds one entry here.
import type { MigrationSource } from '../platform/db/migrate.ts';
import type { RouteModule } from '../platform/http/app.ts';
import type { JobDefinition } from '../platform/jobs/job-queue.ts';
import type { Services } from '../platform/services.ts';
import type { Subscription } from '../platform/events/outbox.ts';
import type { Feed } from '../platform/events/feeds.ts';
import { sourcePath } from '../platform/paths.ts';
import { accountRoutes } from '../platform/accounts/routes.ts';
import { accountPages } from '../platform/accounts/pages.ts';
import { systemRoutes } from '../platform/http/system-routes.ts';
import { integrationRoutes } from '../platform/events/routes.ts';
import { settingsPages } from '../platform/dashboard/settings-pages.ts';
import { inboxPages, inboxRoutes } from '../platform/notify/routes.ts';
import { opsRoutes } from './ops/routes.ts';
import { opsPages } from './ops/pages.ts';
import { opsJobs } from './ops/jobs.ts';
import { auditDigestJob } from './ops/audit-digest.ts';
import { aiRoutes } from './ai/routes.ts';
import { aiPages } from './ai/pages.ts';
import { aiSubscriptions } from './ai/subscriptions.ts';
import { approvalRoutes } from './approvals/routes.ts';
import { approvalPages } from './approvals/pages.ts';
import { approvalJobs } from './approvals/jobs.ts';
import { shopRoutes } from './shop/routes.ts';
import { shopPages } from './shop/pages.ts';
import { ledgerRoutes } from './ledger/routes.ts';
import { ledgerPages } from './ledger/pages.ts';
import { stockPages } from './ledger/stock-pages.ts';
import { cashPages } from './ledger/cash-pages.ts';
import { marginPages } from './ledger/margin-pages.ts';
import { ledgerAccountPages } from './ledger/account-pages.ts';

export interface ModuleDefinition {
  name: string;
  migrations?: string; // a folder of NNNN_name.sql files
  routes?: RouteModule[];
  jobs?: (services: Services) => JobDefinition<object>[];
  subscriptions?: (services: Services) => Subscription[];
  /** Batched, in-order consumers of events (the books). */
  feeds?: (services: Services) => Feed[];
}

export const MODULES: ModuleDefinition[] = [
  {
    name: 'accounts',
    migrations: sourcePath('platform/accounts/migrations'),
    routes: [accountRoutes, accountPages],
  },
  { name: 'vault', migrations: sourcePath('platform/vault/migrations') },
  { name: 'jobs', migrations: sourcePath('platform/jobs/migrations') },
  { name: 'notify', migrations: sourcePath('platform/notify/migrations'), routes: [inboxRoutes, inboxPages] },
  { name: 'events', migrations: sourcePath('platform/events/migrations'), routes: [integrationRoutes] },
  {
    name: 'ops',
    migrations: sourcePath('modules/ops/migrations'),
    routes: [systemRoutes, opsRoutes, opsPages, settingsPages],
    jobs: (services) => [...opsJobs(services), auditDigestJob(services)],
  },
  {
    name: 'ai',
    migrations: sourcePath('modules/ai/migrations'),
    routes: [aiRoutes, aiPages],
    subscriptions: aiSubscriptions,
  },
  {
    name: 'approvals',
    migrations: sourcePath('modules/approvals/migrations'),
    routes: [approvalRoutes, approvalPages],
    jobs: approvalJobs,
    subscriptions: ({ telegram }) => telegram?.subscriptions() ?? [],
  },
  {
    name: 'shop',
    migrations: sourcePath('modules/shop/migrations'),
    routes: [shopRoutes, shopPages],
    jobs: ({ shop }) => shop.jobs(),
  },
  {
    name: 'ledger',
    migrations: sourcePath('modules/ledger/migrations'),
    routes: [ledgerRoutes, ledgerPages, stockPages, cashPages, marginPages, ledgerAccountPages],
    jobs: ({ ledger }) => ledger.jobs(),
    feeds: ({ ledger }) => [ledger.feed()],
    subscriptions: ({ ledger }) => ledger.subscriptions(),
  },
];

export function migrationSources(): MigrationSource[] {
  return MODULES.filter((module) => module.migrations).map((module) => ({
    module: module.name,
    dir: module.migrations!,
  }));
}
