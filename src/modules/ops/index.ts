// Operations: the start page, the operations page (failed jobs, the sections other modules add, the
// job queues) and the status and job API.
import { defineModule, type Panel } from '../../platform/kit/module.ts';
import type { JobQueue } from '../../platform/jobs/job-queue.ts';
import type { Readiness } from '../../platform/kit/kernel.ts';
import { opsPages } from './pages.ts';
import { opsRoutes } from './routes.ts';

export interface OpsParts {
  jobs: JobQueue;
  readiness: () => Promise<Readiness>;
  version: string;
  startedAt: Date;
  timezone: string;
  /** The sections other modules add to the operations page. */
  panels: () => Panel[];
}

export default defineModule<undefined, OpsParts>({
  name: 'ops',
  build: ({ jobs, readiness, version, startedAt, config, contributions }) => ({
    jobs,
    readiness,
    version,
    startedAt,
    timezone: config.timezone,
    panels: () => contributions.panels('operations'),
  }),
  http: [
    { prefix: '', register: opsRoutes },
    { prefix: '', register: opsPages },
  ],
  menu: [
    { href: '/', label: 'Home', position: 0 },
    { href: '/ops', label: 'Operations', position: 70 },
  ],
});
