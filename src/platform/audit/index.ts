// The audit log: who did what, when, from where. Hash-chained, sealed under a key derived from the
// master key, anchored outside the database, and digested to the owner every morning.
import { defineModule } from '../kit/module.ts';
import { sourcePath } from '../paths.ts';
import { AuditLog } from './audit-log.ts';
import type { AuditTrail } from './face.ts';
import type { Notifier } from '../notify/index.ts';
import { auditDigestJob } from './audit-digest.ts';
import * as tables from './schema.ts';
import { auditRoutes } from './routes.ts';
import { auditCommands } from './commands.ts';
import { auditPanel } from './panel.ts';

export type { AuditTrail } from './face.ts';
export type {
  AuditEntry,
  AuditEntryInput,
  AuditProblem,
  AuditProblemKind,
  AuditVerification,
} from './audit-log.ts';
export type { AuditAnchor } from './audit-anchor.ts';

export interface AuditParts {
  audit: AuditLog;
  notifications: Notifier;
  timezone: string;
}

declare module '../kit/faces.ts' {
  interface Faces {
    audit: AuditTrail;
  }
}

const definition = defineModule<undefined, AuditParts>({
  name: 'audit',
  // The audit log began in the operations module; its migrations were applied under that name.
  migrations: { dir: sourcePath('platform/audit/migrations'), formerly: 'ops' },
  tables,
  needs: ['notifications'],
  build: ({ db, keys, config, logger, use }) => {
    const notifications = use('notifications');
    const audit = new AuditLog({
      pool: db,
      sealing: { masterKeys: () => keys.keys(), dataDir: config.dataDir, logger },
    });
    return { audit, timezone: config.timezone, notifications };
  },
  provides: { audit: ({ audit }) => audit },
  jobs: (parts) => [auditDigestJob(parts)],
  http: [{ prefix: '/api/v1/audit', register: auditRoutes }],
  panels: ({ audit, timezone }) => [auditPanel(audit, timezone)],
  commands: auditCommands,
});

export default definition;
