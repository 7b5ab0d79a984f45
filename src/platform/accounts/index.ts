// Accounts: users with two-factor login, roles, sessions and API tokens. The HTTP layer asks this
// part who is calling (a session cookie, a bearer token); Settings and the CLI manage API tokens; the
// serve command prints the owner's setup link while there is no owner.
import { defineJob } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { defineModule } from '../kit/module.ts';
import { sourcePath } from '../paths.ts';
import { openAccounts, type Accounts } from './accounts.ts';
import type { OwnerSetup, Principals, TokenIssuer } from './face.ts';
import * as tables from './schema.ts';
import { accountRoutes } from './routes.ts';
import { signInPages } from './sign-in-pages.ts';
import { userPages } from './user-pages.ts';
import { accountCommands } from './commands.ts';

export type { NewToken, OwnerSetup, Principals, TokenInfo, TokenIssuer } from './face.ts';
export type { Principal, Role, Scope, User } from './roles.ts';
export { actorOf } from './roles.ts';

export interface AccountsParts extends Accounts {
  logger: Logger;
}

declare module '../kit/faces.ts' {
  interface Faces {
    principals: Principals;
    ownerSetup: OwnerSetup;
    apiTokens: TokenIssuer;
  }
}

const definition = defineModule<undefined, AccountsParts>({
  name: 'accounts',
  migrations: { dir: sourcePath('platform/accounts/migrations') },
  tables,
  needs: ['audit', 'vault', 'notifications'],
  async build({ db, config, logger, metrics, use }) {
    const accounts = openAccounts({
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
    await accounts.twoFactor.sealClearSecrets();
    return { ...accounts, logger };
  },
  provides: {
    principals: ({ sessions, tokens }) => ({
      resolveSession: (cookieValue) => sessions.resolve(cookieValue),
      resolveToken: (bearer) => tokens.resolve(bearer),
    }),
    ownerSetup: ({ setup }) => setup,
    apiTokens: ({ tokens }) => tokens,
  },
  jobs: ({ sessions, logins, logger }) => [
    defineJob({
      name: 'ops.prune-sessions',
      cron: '17 * * * *',
      handler: async () => {
        const removed = await sessions.prune();
        if (removed) logger.info({ removed }, 'expired sessions removed');
        await logins.pruneFailures();
      },
    }),
  ],
  http: [
    { prefix: '/api/v1', register: accountRoutes },
    { prefix: '', register: signInPages },
    { prefix: '/users', register: userPages },
  ],
  menu: [{ href: '/users', label: 'Users', position: 99 }],
  commands: accountCommands,
  // Alerts of failed logins are sent after the answer; they finish before the database closes.
  stop: ({ logins }) => logins.settle(),
});

export default definition;
