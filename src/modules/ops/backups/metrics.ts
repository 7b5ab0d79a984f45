// Backup figures at /metrics, read from the runs' records once per scrape: when the last backup
// succeeded and failed, when a restore drill last passed and how long its restore took, and the
// size of the last backup. Prometheus's rules (deploy/prometheus) alert on their age.
import client from 'prom-client';
import type { Metrics } from '../../../platform/http/metrics.ts';
import type { Backups, BackupStatus } from './backups.ts';

export function watchBackups(metrics: Metrics, backups: Backups): void {
  // Every gauge of one scrape shares one read of the records.
  let latest: { at: number; status: Promise<BackupStatus | undefined> } | undefined;
  const status = () => {
    if (!latest || Date.now() - latest.at > 1000)
      latest = { at: Date.now(), status: backups.status().catch(() => undefined) };
    return latest.status;
  };
  const seconds = (date: Date | null | undefined) => (date ? date.getTime() / 1000 : undefined);
  const gauge = (name: string, help: string, read: (s: BackupStatus) => number | undefined) =>
    new client.Gauge({
      name,
      help,
      registers: [metrics.registry],
      async collect() {
        const value = await status().then((s) => (s ? read(s) : undefined));
        if (value === undefined) this.reset();
        else this.set(value);
      },
    });
  gauge(
    'shopkeep_backup_configured',
    'Whether a backup target is set (1) or nothing backs the shop up (0)',
    (s) => (s.configured ? 1 : 0),
  );
  gauge(
    'shopkeep_backup_last_success_timestamp_seconds',
    'When the last backup that succeeded started',
    (s) => seconds(s.lastSuccess?.startedAt),
  );
  gauge('shopkeep_backup_last_failure_timestamp_seconds', 'When the last backup that failed started', (s) =>
    seconds(s.lastFailure?.startedAt),
  );
  gauge(
    'shopkeep_backup_bytes',
    'What the last good backup holds (the dump and the files), in bytes',
    (s) => s.lastSuccess?.bytes ?? undefined,
  );
  gauge(
    'shopkeep_backup_last_verified_timestamp_seconds',
    'When the last restore drill that passed finished',
    (s) => seconds(s.lastGoodDrill?.finishedAt),
  );
  gauge(
    'shopkeep_backup_restore_duration_seconds',
    'How long the last passing restore drill took to restore and check the newest backup',
    (s) => s.lastGoodDrill?.restoreSeconds ?? undefined,
  );
}
