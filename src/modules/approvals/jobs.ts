import { defineJob, type JobDefinition } from '../../platform/jobs/job-queue.ts';
import type { Services } from '../../platform/services.ts';

export function approvalJobs({ approvals, logger }: Services): JobDefinition<object>[] {
  return [
    defineJob({
      name: 'approvals.expire',
      cron: '*/5 * * * *',
      handler: async () => {
        const expired = await approvals.expireDue();
        if (expired) logger.info({ expired }, 'approval requests expired');
      },
    }),
  ];
}
