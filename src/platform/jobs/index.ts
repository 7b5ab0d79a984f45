// Jobs: the queue is the kernel's (pg-boss); this part keeps the jobs that failed every attempt
// (dead letters) and collects those that ended failed without their handler's last word.
import { defineJob } from './job-queue.ts';
import { defineModule } from '../kit/module.ts';
import { sourcePath } from '../paths.ts';
import type { JobQueue } from './job-queue.ts';
import type { Logger } from '../logger.ts';
import * as tables from './schema.ts';

export interface JobsParts {
  jobs: JobQueue;
  logger: Logger;
}

export default defineModule<undefined, JobsParts>({
  name: 'jobs',
  migrations: { dir: sourcePath('platform/jobs/migrations') },
  tables,
  build: ({ jobs, logger }) => ({ jobs, logger }),
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
});
