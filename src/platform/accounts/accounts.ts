// The accounts part put together: users, their second factor, logins past the guard, sessions, API
// tokens and the owner's setup link, each in its own file, sharing one clock (tests move it).
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../http/metrics.ts';
import type { AuditTrail } from '../audit/index.ts';
import type { Notifier } from '../notify/index.ts';
import type { Secrets } from '../vault/index.ts';
import { ApiTokens } from './api-tokens.ts';
import { LoginGuard } from './login-guard.ts';
import { Logins } from './logins.ts';
import { Sessions, type SessionPolicy } from './sessions.ts';
import { SetupLinks } from './setup-links.ts';
import { TwoFactor } from './two-factor.ts';
import { Users } from './users.ts';

export interface AccountsOptions {
  pool: pg.Pool;
  audit: AuditTrail;
  /** Where two-factor secrets are sealed. */
  vault: Secrets;
  /** Tells the owner when an account is being guessed at. */
  notifications: Notifier;
  logger: Logger;
  sessions: SessionPolicy;
  /** The shop's time zone: a token's expiry date ends at its midnight. */
  timezone: string;
  metrics?: Metrics | undefined;
  now?: () => number;
}

export interface Accounts {
  users: Users;
  twoFactor: TwoFactor;
  logins: Logins;
  sessions: Sessions;
  tokens: ApiTokens;
  setup: SetupLinks;
}

export function openAccounts(options: AccountsOptions): Accounts {
  const { pool, audit, logger } = options;
  const now = options.now ?? Date.now;
  const sessions = new Sessions({ pool, audit, policy: options.sessions, now });
  const tokens = new ApiTokens({ pool, audit, timezone: options.timezone, now });
  const guard = new LoginGuard({ pool, notifications: options.notifications, logger, now });
  const twoFactor = new TwoFactor({ pool, vault: options.vault, sessions, audit, logger, now });
  const users = new Users({ pool, audit, twoFactor, sessions, tokens, guard, now });
  const logins = new Logins({ users, guard, twoFactor, sessions, audit, logger, metrics: options.metrics });
  const setup = new SetupLinks({ pool, users, sessions, audit, now });
  return { users, twoFactor, logins, sessions, tokens, setup };
}
