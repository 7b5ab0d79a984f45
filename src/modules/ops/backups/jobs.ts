// The backup schedule: a backup every 6 hours (by default), a restore drill weekly, a quarter-hourly
// watch that turns a missed backup into an alert and a catch-up run, and the heartbeat that tells
// something off this box that shopkeep is alive.
import { defineJob, type AnyJob, type JobQueue } from '../../../platform/jobs/job-queue.ts';
import { describeError } from '../../../platform/errors.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { Readiness } from '../../../platform/kit/kernel.ts';
import type { Backups } from './backups.ts';
import type { BackupSettings } from './settings.ts';

export interface BackupJobOptions {
  backups: Backups;
  settings: BackupSettings;
  queue: JobQueue;
  readiness: () => Promise<Readiness>;
  logger: Logger;
  now: () => Date;
}

export function backupJobs({ backups, settings, queue, readiness, logger, now }: BackupJobOptions) {
  const backup = defineJob<{ trigger?: 'schedule' | 'manual' | 'catch-up' }>({
    name: 'ops.backup',
    servedOnly: true,
    ...(settings.target ? { cron: settings.schedule } : {}),
    // A failure is recorded and alerted at once; two more tries, ten and twenty minutes on.
    retryLimit: 2,
    retryDelaySeconds: 600,
    expireInMinutes: 180,
    async handler(data) {
      await backups.run(data.trigger ?? 'schedule', (line) => logger.info({ backup: line }, 'backup'));
    },
  });
  const drill = defineJob<object>({
    name: 'ops.backup-verify',
    servedOnly: true,
    ...(settings.target ? { cron: settings.verifySchedule } : {}),
    retryLimit: 1,
    retryDelaySeconds: 1800,
    expireInMinutes: 180,
    async handler() {
      await backups.verify((line) => logger.info({ drill: line }, 'restore drill'));
    },
  });
  const watch = defineJob<object>({
    name: 'ops.backup-watch',
    servedOnly: true,
    cron: '*/15 * * * *',
    async handler() {
      if ((await backups.watch()) !== 'stale') return;
      // Runs were missed (the box was off at the hour): one catch-up run per hour until one works.
      const hour = now().toISOString().slice(0, 13);
      await queue.send(backup, { trigger: 'catch-up' }, { idempotencyKey: `catch-up:${hour}` });
    },
  });
  const jobs: AnyJob[] = [backup, drill, watch];
  if (settings.heartbeatUrl) {
    const url = settings.heartbeatUrl;
    jobs.push(
      defineJob<object>({
        name: 'ops.heartbeat',
        servedOnly: true,
        cron: '* * * * *',
        retryLimit: 0,
        async handler() {
          // Silence is the signal: no ping while the database or the jobs are down.
          const ready = await readiness();
          if (!ready.database || !ready.jobs) return;
          try {
            const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
            if (!response.ok) logger.warn({ status: response.status }, 'the heartbeat URL refused the ping');
          } catch (error) {
            logger.warn({ err: describeError(error) }, 'the heartbeat URL could not be reached');
          }
        },
      }),
    );
  }
  return { backup, all: jobs };
}
