// Operations: the start page, the operations page (failed jobs, the sections other modules add, the
// job queues) and the status API. The job API and the dead letters are the platform's jobs part.
import { defineModule, type Panel } from '../../platform/kit/module.ts';
import type { JobQueues } from '../../platform/jobs/index.ts';
import type { Readiness } from '../../platform/kit/kernel.ts';
import { homePage, opsPages } from './pages.ts';
import { statusRoutes } from './routes.ts';

export interface OpsParts {
  jobs: JobQueues;
  readiness: () => Promise<Readiness>;
  version: string;
  startedAt: Date;
  timezone: string;
  /** The sections other modules add to the operations page. */
  panels: () => Panel[];
}

const definition = defineModule<undefined, OpsParts>({
  name: 'ops',
  needs: ['jobQueues'],
  build: ({ readiness, version, startedAt, config, contributions, use }) => ({
    jobs: use('jobQueues'),
    readiness,
    version,
    startedAt,
    timezone: config.timezone,
    panels: () => contributions.panels('operations'),
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
