// The alert rounds: every minute the security watch reads the new audit entries and the rules run;
// every night the audit chain is verified and the secrets' ages are checked.
import { defineJob, type AnyJob } from '../../../platform/jobs/job-queue.ts';
import type { Alerts } from './alerts.ts';
import type { SecurityWatch } from './security.ts';

export function alertJobs(alerts: Alerts, security: SecurityWatch): AnyJob[] {
  return [
    defineJob<object>({
      name: 'ops.alerts',
      servedOnly: true,
      cron: '* * * * *',
      retryLimit: 0,
      async handler() {
        await security.scan();
        await alerts.evaluate();
      },
    }),
    defineJob<object>({
      name: 'ops.security-checks',
      servedOnly: true,
      cron: '15 3 * * *',
      retryLimit: 2,
      retryDelaySeconds: 600,
      async handler() {
        await security.checkAuditChain();
        await security.checkSecretAges();
      },
    }),
  ];
}
