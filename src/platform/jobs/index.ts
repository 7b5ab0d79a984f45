// Jobs: the queue is the kernel's (pg-boss); this part keeps the jobs that failed every attempt
// (dead letters), collects those that ended failed without their handler's last word, and answers
// the job API. The operations pages show the queues and the dead letters through its face.
import { defineJob } from './job-queue.ts';
import { defineModule } from '../kit/module.ts';
import { sourcePath } from '../paths.ts';
import type { JobQueue } from './job-queue.ts';
import type { Logger } from '../logger.ts';
import type { JobQueues } from './face.ts';
import * as tables from './schema.ts';
import { jobRoutes } from './routes.ts';

export type { JobQueues } from './face.ts';
export type { DeadLetter } from './job-queue.ts';

export interface JobsParts {
  jobs: JobQueue;
  logger: Logger;
}

declare module '../kit/faces.ts' {
  interface Faces {
    jobQueues: JobQueues;
  }
}

const definition = defineModule<undefined, JobsParts>({
  name: 'jobs',
  migrations: { dir: sourcePath('platform/jobs/migrations') },
  tables,
  build: ({ jobs, logger }) => ({ jobs, logger }),
  provides: { jobQueues: ({ jobs }) => jobs },
  jobs: ({ jobs, logger }) => [
    defineJob({
      name: 'ops.collect-failed-jobs',
      cron: '*/5 * * * *',
      handler: async () => {
        const collected = await jobs.collectFailed();
        if (collected) logger.warn({ collected }, 'failed jobs added to the dead letters');
      },
    }),
  ],
  http: [{ prefix: '/api/v1/jobs', register: jobRoutes }],
});

export default definition;
