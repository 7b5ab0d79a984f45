// Operations: the home page, the operations page (failed jobs, the sections other modules add, the
// job queues) and the status API. The job API and the dead letters are the platform's jobs part.
import { defineModule, type HomeContribution, type Panel } from '../../platform/kit/module.ts';
import type { Logger } from '../../platform/logger.ts';
import { sourcePath } from '../../platform/paths.ts';
import { HomeLooks } from './home-looks.ts';
import { homePage } from './home-page.ts';
import * as tables from './schema.ts';
import type { JobQueues } from '../../platform/jobs/index.ts';
import type { Readiness } from '../../platform/kit/kernel.ts';
import { opsPages } from './pages.ts';
import { statusRoutes } from './routes.ts';

export interface OpsParts {
  jobs: JobQueues;
  readiness: () => Promise<Readiness>;
  version: string;
  startedAt: Date;
  timezone: string;
  /** The sections other modules add to the operations page. */
  panels: () => Panel[];
  /** What every module puts on the home page. */
  home: () => HomeContribution[];
  looks: HomeLooks;
  now: () => Date;
  logger: Logger;
}

const definition = defineModule<undefined, OpsParts>({
  name: 'ops',
  migrations: { dir: sourcePath('modules/ops/migrations') },
  tables,
  needs: ['jobQueues'],
  build: ({ readiness, version, startedAt, config, contributions, use, db, now, logger }) => ({
    jobs: use('jobQueues'),
    readiness,
    version,
    startedAt,
    timezone: config.timezone,
    panels: () => contributions.panels('operations'),
    home: () => contributions.home(),
    looks: new HomeLooks(db),
    now,
    logger,
  }),
  http: [
    { prefix: '/api/v1', register: statusRoutes },
    { prefix: '', register: homePage },
    { prefix: '/ops', register: opsPages },
  ],
  menu: [
    { href: '/', label: 'Home', position: 0 },
    { href: '/ops', label: 'Operations', position: 70 },
  ],
});

export default definition;
