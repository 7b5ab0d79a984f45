// The module registry: every module's migrations, routes and pages, and jobs, in one list.
// A new module adds one entry here.
import type { MigrationSource } from '../platform/db/migrate.ts';
import type { RouteModule } from '../platform/http/app.ts';
import type { JobDefinition } from '../platform/jobs/job-queue.ts';
import type { Services } from '../platform/services.ts';
import type { Subscription } from '../platform/events/outbox.ts';
import { accountRoutes } from '../platform/accounts/routes.ts';
import { accountPages } from '../platform/accounts/pages.ts';
import { systemRoutes } from '../platform/http/system-routes.ts';
import { integrationRoutes } from '../platform/events/routes.ts';
import { settingsPages } from '../platform/dashboard/settings-pages.ts';
import { opsRoutes } from './ops/routes.ts';
import { opsPages } from './ops/pages.ts';
import { opsJobs } from './ops/jobs.ts';

export interface ModuleDefinition {
  name: string;
  migrations?: URL;
  routes?: RouteModule[];
  jobs?: (services: Services) => JobDefinition<object>[];
  subscriptions?: (services: Services) => Subscription[];
}

const dir = (relative: string) => new URL(relative, import.meta.url);

export const MODULES: ModuleDefinition[] = [
  {
    name: 'accounts',
    migrations: dir('../platform/accounts/migrations/'),
    routes: [accountRoutes, accountPages],
  },
  { name: 'vault', migrations: dir('../platform/vault/migrations/') },
  { name: 'jobs', migrations: dir('../platform/jobs/migrations/') },
  { name: 'events', migrations: dir('../platform/events/migrations/'), routes: [integrationRoutes] },
  {
    name: 'ops',
    migrations: dir('./ops/migrations/'),
    routes: [systemRoutes, opsRoutes, opsPages, settingsPages],
    jobs: opsJobs,
  },
];

export function migrationSources(): MigrationSource[] {
  return MODULES.filter((module) => module.migrations).map((module) => ({
    module: module.name,
    dir: module.migrations!.pathname,
  }));
}
