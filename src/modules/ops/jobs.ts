// Housekeeping jobs: expired sessions and delivered events are removed nightly.
import { defineJob, type JobDefinition } from '../../platform/jobs/job-queue.ts';
import type { Services } from '../../platform/services.ts';

export function opsJobs({ accounts, pool, logger, jobs }: Services): JobDefinition<object>[] {
  return [
    defineJob({
      name: 'ops.collect-failed-jobs',
      cron: '*/5 * * * *',
      handler: async () => {
        const collected = await jobs.collectFailed();
        if (collected) logger.warn({ collected }, 'failed jobs added to the dead letters');
      },
    }),
    defineJob({
      name: 'ops.prune-sessions',
      cron: '17 * * * *',
      handler: async () => {
        const removed = await accounts.pruneSessions();
        if (removed) logger.info({ removed }, 'expired sessions removed');
        await accounts.pruneLoginFailures();
      },
    }),
    defineJob({
      name: 'ops.prune-events',
      cron: '23 3 * * *',
      handler: async () => {
        // An event a feed has not consumed yet stays, however old.
        await pool.query(
          `delete from events_outbox e where dispatched_at < now() - interval '30 days'
           and not exists (select 1 from events_feed_items f where f.event_id = e.id)`,
        );
      },
    }),
  ];
}
