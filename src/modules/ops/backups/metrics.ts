// Backup figures at /metrics, read from the runs' records once per scrape: when the last backup
// succeeded and failed, when a restore drill last passed and how long its restore took, and the
// size of the last backup. Prometheus's rules (deploy/prometheus) alert on their age.
import client from 'prom-client';
import type { Metrics } from '../../../platform/http/metrics.ts';
import { oncePerScrape } from '../../../platform/http/once-per-scrape.ts';
import type { BackupFigures, Backups } from './backups.ts';

export function watchBackups(metrics: Metrics, backups: Backups): void {
  const figures = oncePerScrape(() => backups.figures());
  const gauge = (name: string, help: string, read: (f: BackupFigures) => number | undefined) =>
    new client.Gauge({
      name,
      help,
      registers: [metrics.registry],
      async collect() {
        const value = await figures().then((f) => (f ? read(f) : undefined));
        if (value === undefined) this.reset();
        else this.set(value);
      },
    });
  new client.Gauge({
    name: 'shopkeep_backup_configured',
    help: 'Whether a backup target is set (1) or nothing backs the shop up (0)',
    registers: [metrics.registry],
    collect() {
      this.set(backups.configured ? 1 : 0);
    },
  });
  gauge(
    'shopkeep_backup_last_success_timestamp_seconds',
    'When the last backup that succeeded started',
    (f) => f.lastSuccess,
  );
  gauge(
    'shopkeep_backup_last_failure_timestamp_seconds',
    'When the last backup that failed started',
    (f) => f.lastFailure,
  );
  gauge(
    'shopkeep_backup_bytes',
    'What the last good backup holds (the dump and the files), in bytes',
    (f) => f.bytes,
  );
  gauge(
    'shopkeep_backup_last_verified_timestamp_seconds',
    'When the last restore drill that passed finished',
    (f) => f.lastVerified,
  );
  gauge(
    'shopkeep_backup_restore_duration_seconds',
    'How long the last passing restore drill took to restore and check the newest backup',
    (f) => f.restoreSeconds,
  );
}
