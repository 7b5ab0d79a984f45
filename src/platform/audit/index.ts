// The audit log: who did what, when, from where. Hash-chained, sealed under a key derived from the
// master key, anchored outside the database, and digested to the owner every morning.
import { defineModule } from '../kit/module.ts';
import { sourcePath } from '../paths.ts';
import { AuditLog } from './audit-log.ts';
import type { Notifications } from '../notify/notifications.ts';
import { auditDigestJob } from './audit-digest.ts';
import * as tables from './schema.ts';
import { auditRoutes } from './routes.ts';
import { auditCommands } from './commands.ts';
import { auditPanel } from './panel.ts';

export interface AuditParts {
  audit: AuditLog;
  notifications: Notifications;
  timezone: string;
}

declare module '../kit/faces.ts' {
  interface Faces {
    audit: AuditLog;
  }
}

export default defineModule<undefined, AuditParts>({
  name: 'audit',
  // The audit log began in the operations module; its migrations were applied under that name.
  migrations: { dir: sourcePath('platform/audit/migrations'), formerly: 'ops' },
  tables,
  needs: ['notifications'],
  build: ({ db, keys, config, logger, use }) => {
    const notifications = use('notifications');
    const audit = new AuditLog(db, { masterKeys: () => keys.keys(), dataDir: config.dataDir, logger });
    return { audit, timezone: config.timezone, notifications };
  },
  provides: { audit: ({ audit }) => audit },
  jobs: (parts) => [auditDigestJob(parts)],
  http: [{ prefix: '', register: auditRoutes }],
  panels: ({ audit, timezone }) => [auditPanel(audit, timezone)],
  commands: auditCommands,
});
