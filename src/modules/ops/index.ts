// Operations: the home page, the operations page (failed jobs, the sections other modules add, the
// job queues), the status API, and the backups with their restore drills, schedules, alerts, metrics
// and commands. The job API and the dead letters are the platform's jobs part.
import { defineModule, type HomeContribution, type Panel } from '../../platform/kit/module.ts';
import type { Logger } from '../../platform/logger.ts';
import { sourcePath } from '../../platform/paths.ts';
import { HomeLooks } from './home-looks.ts';
import { homePage } from './home-page.ts';
import * as tables from './schema.ts';
import type { JobQueues } from '../../platform/jobs/index.ts';
import type { Readiness } from '../../platform/kit/kernel.ts';
import { opsPages } from './pages.ts';
import { statusRoutes } from './routes.ts';
import { envFilePath } from '../../platform/config.ts';
import type { AnyJob } from '../../platform/jobs/job-queue.ts';
import { Backups } from './backups/backups.ts';
import { backupCommands } from './backups/commands.ts';
import { backupJobs } from './backups/jobs.ts';
import { watchBackups } from './backups/metrics.ts';
import { backupPanel, backupPages } from './backups/panel.ts';
import { backupRoutes } from './backups/routes.ts';
import { backupSettings, type BackupSettings } from './backups/settings.ts';
import { Alerts } from './alerts/alerts.ts';
import { alertJobs } from './alerts/jobs.ts';
import { SecurityWatch } from './alerts/security.ts';
import { alertSettings, type AlertSettings } from './alerts/settings.ts';
import { alertPanel, alertRoutes, maintenancePages } from './alerts/routes.ts';
import { readHost } from '../../platform/http/host-metrics.ts';
import path from 'node:path';

export interface OpsParts {
  jobs: JobQueues;
  readiness: () => Promise<Readiness>;
  version: string;
  startedAt: Date;
  timezone: string;
  /** The sections other modules add to the operations page. */
  panels: () => Panel[];
  /** What every module puts on the home page. */
  home: () => HomeContribution[];
  looks: HomeLooks;
  now: () => Date;
  logger: Logger;
  backups: Backups;
  alerts: Alerts;
  /** Queues a backup for the workers (the page's button, the API). */
  backUpNow(): Promise<void>;
  jobList: AnyJob[];
}

interface OpsSettings {
  backups: BackupSettings;
  alerts: AlertSettings;
}

const definition = defineModule<OpsSettings, OpsParts>({
  name: 'ops',
  migrations: { dir: sourcePath('modules/ops/migrations') },
  tables,
  settings: (read) => ({ backups: backupSettings(read), alerts: alertSettings(read) }),
  needs: ['jobQueues', 'notifications', 'audit', 'integrationSecrets'],
  build: (kernel) => {
    const { readiness, version, startedAt, config, contributions, use, db, now, logger } = kernel;
    const settings = kernel.settings.backups;
    const backups = new Backups({
      pool: db,
      settings,
      dataDir: config.dataDir,
      envFile: envFilePath(config.env),
      env: config.env,
      timezone: config.timezone,
      version,
      notifications: use('notifications'),
      logger,
      now,
      scratch: () => kernel.scratchDatabase(settings.scratchDatabaseUrl),
      migrations: () => contributions.migrations(),
      restoreChecks: () => contributions.restoreChecks(),
    });
    watchBackups(kernel.metrics, backups);
    const scheduled = backupJobs({ backups, settings, queue: kernel.jobs, readiness, logger, now });
    const security = new SecurityWatch({
      pool: db,
      audit: use('audit'),
      secrets: use('integrationSecrets'),
      masterKeyFile: kernel.keys.managedByFile ? path.join(config.dataDir, 'master.key') : undefined,
      notifications: use('notifications'),
      now,
      rotationDays: kernel.settings.alerts.secretRotationDays,
    });
    const alerts = new Alerts({
      pool: db,
      notifications: use('notifications'),
      now,
      escalateAfterHours: kernel.settings.alerts.escalateAfterHours,
      read: async () => ({
        host: await readHost(config.dataDir),
        dataDir: path.resolve(config.dataDir),
        deadLetters: await kernel.jobs.deadLetterCount(),
        failedLogins: await security.failedLogins(),
      }),
    });
    return {
      jobs: use('jobQueues'),
      readiness,
      version,
      startedAt,
      timezone: config.timezone,
      panels: () => contributions.panels('operations'),
      home: () => contributions.home(),
      looks: new HomeLooks(db),
      now,
      logger,
      backups,
      alerts,
      jobList: [...scheduled.all, ...alertJobs(alerts, security)],
      async backUpNow() {
        backups.restic(); // not set up: say so now, not in a failed job
        await kernel.jobs.send(scheduled.backup, { trigger: 'manual' });
      },
    };
  },
  jobs: ({ jobList }) => jobList,
  panels: (ops) => [alertPanel(ops), backupPanel(ops)],
  commands: backupCommands,
  http: [
    { prefix: '/api/v1', register: statusRoutes },
    { prefix: '/api/v1/ops', register: backupRoutes },
    { prefix: '/ops/backups', register: backupPages },
    { prefix: '/api/v1/ops', register: alertRoutes },
    { prefix: '/ops/maintenance', register: maintenancePages },
    { prefix: '', register: homePage },
    { prefix: '/ops', register: opsPages },
  ],
  menu: [
    { href: '/', label: 'Home', position: 0 },
    { href: '/ops', label: 'Operations', position: 70 },
  ],
});

export default definition;
