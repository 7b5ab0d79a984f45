// Accounts: users with two-factor login, roles, sessions and API tokens. The HTTP layer asks this
// part who is calling (a session cookie, a bearer token).
import { defineJob } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { defineModule } from '../kit/module.ts';
import { sourcePath } from '../paths.ts';
import { AccountService } from './account-service.ts';
import * as tables from './schema.ts';
import { accountRoutes } from './routes.ts';
import { accountPages } from './pages.ts';
import { accountCommands } from './commands.ts';

export interface AccountsParts {
  accounts: AccountService;
  logger: Logger;
}

declare module '../kit/faces.ts' {
  interface Faces {
    accounts: AccountService;
  }
}

export default defineModule<undefined, AccountsParts>({
  name: 'accounts',
  migrations: { dir: sourcePath('platform/accounts/migrations') },
  tables,
  needs: ['audit', 'vault', 'notifications'],
  async build({ db, config, logger, metrics, use }) {
    const accounts = new AccountService({
      pool: db,
      audit: use('audit'),
      vault: use('vault'),
      notifications: use('notifications'),
      logger,
      sessions: { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours },
      timezone: config.timezone,
      metrics,
    });
    // Two-factor secrets an older install kept in clear are sealed before anything can read them.
    await accounts.sealClearTotpSecrets();
    return { accounts, logger };
  },
  provides: { accounts: ({ accounts }) => accounts },
  jobs: ({ accounts, logger }) => [
    defineJob({
      name: 'ops.prune-sessions',
      cron: '17 * * * *',
      handler: async () => {
        const removed = await accounts.pruneSessions();
        if (removed) logger.info({ removed }, 'expired sessions removed');
        await accounts.pruneLoginFailures();
      },
    }),
  ],
  http: [
    { prefix: '', register: accountRoutes },
    { prefix: '', register: accountPages },
  ],
  menu: [{ href: '/users', label: 'Users', position: 99 }],
  commands: accountCommands,
  // Alerts of failed logins are sent after the answer; they finish before the database closes.
  stop: ({ accounts }) => accounts.settle(),
});
