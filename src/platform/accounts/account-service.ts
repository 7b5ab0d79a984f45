// Accounts, login, sessions, two-factor enrolment, recovery codes, API tokens and the owner's setup link.
import { and, asc, eq, gt, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { transaction } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import { authApiTokens, authRecoveryCodes, authSessions, authSetupTokens, authUsers } from './schema.ts';
import { AppError, conflict, describeError, invalid, notFound } from '../errors.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Metrics } from '../http/metrics.ts';
import type { Notifications } from '../notify/notifications.ts';
import type { Vault } from '../vault/vault.ts';
import { LoginGuard, NO_USER, type Gate, type LockedBy } from './login-guard.ts';
import { TwoFactorSecrets } from './two-factor-secrets.ts';
import { ApiTokens, type TokenInfo } from './api-tokens.ts';
import { byEmail, toUser, type UserRow } from './user-rows.ts';
import { SCOPES_BY_ROLE, isRole, type Principal, type Scope, type User } from './roles.ts';
import {
  MIN_PASSWORD_LENGTH,
  decoyHash,
  hashPassword,
  newRecoveryCodes,
  normaliseRecoveryCode,
  randomToken,
  sha256,
  verifyPassword,
} from './secrets.ts';
import { newTotpSecret, verifyTotp } from './totp.ts';

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

export interface LoginAttempt {
  email: string;
  password: string;
  totp?: string | undefined; // a 6-digit code or a recovery code
  ip: string;
  userAgent?: string | undefined;
}

export interface AccountDeps {
  pool: pg.Pool;
  audit: AuditLog;
  vault: Vault;
  notifications: Notifications;
  logger: Logger;
  sessions: SessionPolicy;
  /** The shop's time zone: a token's expiry date ends at its midnight. */
  timezone: string;
  metrics?: Metrics | undefined;
  now?: () => number;
}

export type { TokenInfo };

/** What a new password or a two-factor reset took away, said to whoever made the change. */
export interface AccessEnded {
  tokensRevoked: number;
  sessionsEnded: number;
}

/** "1 session ended, 2 API tokens revoked": what a change took away, said where it was made. */
export function accessEndedText({ sessionsEnded, tokensRevoked }: AccessEnded): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `${count(sessionsEnded, 'session', 'sessions')} ended, ${count(tokensRevoked, 'API token', 'API tokens')} revoked`;
}

export interface NewSession {
  cookieValue: string;
  csrfToken: string;
  user: User;
  stage: 'enrolling' | 'active';
}

const EMAIL = /^[^\s@<>"',;]{1,64}@[^\s@<>"',;]{1,190}\.[a-z0-9-]{2,}$/i;
const MAX_EMAIL_LENGTH = 254;
const TOTP_CODE = /^\d{6}$/;
const TOUCH_EVERY_MS = 60_000;
const SETUP_LINK_HOURS = 24;

export class AccountService {
  private readonly pool: pg.Pool;
  private readonly audit: AuditLog;
  private readonly logger: Logger;
  private readonly sessions: SessionPolicy;
  private readonly metrics: Metrics | undefined;
  private readonly now: () => number;
  private readonly guard: LoginGuard;
  private readonly secrets: TwoFactorSecrets;
  private readonly tokens: ApiTokens;
  private readonly db: Orm;
  private readonly sessionLookup;

  constructor(deps: AccountDeps) {
    this.pool = deps.pool;
    this.audit = deps.audit;
    this.logger = deps.logger;
    this.sessions = deps.sessions;
    this.metrics = deps.metrics;
    this.now = deps.now ?? Date.now;
    this.guard = new LoginGuard(deps.pool, deps.notifications, deps.logger, this.now);
    this.secrets = new TwoFactorSecrets(deps.pool, deps.vault, deps.logger);
    this.db = orm(deps.pool);
    // Every authenticated session request runs this: built once, prepared once per connection.
    this.sessionLookup = this.db
      .select({ user: authUsers, session: authSessions })
      .from(authSessions)
      .innerJoin(authUsers, eq(authUsers.id, authSessions.userId))
      .where(and(eq(authSessions.idHash, sql.placeholder('idHash')), eq(authUsers.disabled, false)))
      .prepare('auth_session_lookup');
    this.tokens = new ApiTokens(deps.pool, deps.audit, deps.timezone, this.now);
  }

  /** Seals two-factor secrets an older install kept in clear (run at start-up, before serving). */
  async sealClearTotpSecrets(): Promise<number> {
    return this.secrets.sealClearSecrets();
  }

  // ---- users ----------------------------------------------------------------------------------

  /**
   * Adds a user. From the CLI the TOTP secret is made at once and printed; from the dashboard or API
   * the new user enrols their own authenticator at first login.
   */
  async addUser(
    email: string,
    password: string,
    role: string,
    by: string,
    withTotp: boolean,
  ): Promise<{ user: User; totpSecret?: string; recoveryCodes?: string[] }> {
    const totpSecret = withTotp ? newTotpSecret() : undefined;
    return transaction(this.pool, async (client) => {
      const tx = orm(client);
      const user = await this.insertUser(tx, email, password, role, totpSecret !== undefined);
      if (totpSecret) await this.secrets.store(user.id, totpSecret, client);
      const recoveryCodes = totpSecret ? await this.replaceRecoveryCodes(tx, user.id) : undefined;
      await this.audit.record(
        {
          actor: by,
          actorLabel: by,
          action: 'user.add',
          target: user.email,
          outcome: 'ok',
          details: { role },
        },
        client,
      );
      return totpSecret ? { user, totpSecret, recoveryCodes } : { user };
    });
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.db
      .select()
      .from(authUsers)
      .where(eq(authUsers.disabled, false))
      .orderBy(asc(authUsers.createdAt));
    return rows.map(toUser);
  }

  async hasOwner(): Promise<boolean> {
    const rows = await this.db
      .select({ id: authUsers.id })
      .from(authUsers)
      .where(and(eq(authUsers.role, 'owner'), eq(authUsers.disabled, false)))
      .limit(1);
    return rows.length > 0;
  }

  /**
   * Clears a user's second factor; the next login goes through enrolment again. Their sessions end
   * and their API tokens are revoked (someone may have had the old factor), and their login locks lift.
   */
  async resetTwoFactor(email: string, by: string): Promise<AccessEnded> {
    const { user, ended } = await transaction(this.pool, async (client) => {
      const tx = orm(client);
      const [user] = await tx
        .update(authUsers)
        .set({
          totpState: null,
          totpSecret: null,
          totpPendingSecret: null,
          totpLastStep: 0,
          updatedAt: new Date(this.now()),
        })
        .where(byEmail(email))
        .returning();
      if (!user) throw notFound(`no user with the email ${email}`);
      await tx.delete(authRecoveryCodes).where(eq(authRecoveryCodes.userId, user.id));
      const ended = await this.endAccess(tx, user.id);
      await this.guard.clearAccount(tx, user.email);
      await this.audit.record(
        {
          actor: by,
          actorLabel: by,
          action: 'user.reset-2fa',
          target: user.email,
          outcome: 'ok',
          details: { ...ended },
        },
        client,
      );
      return { user, ended };
    });
    await this.secrets.remove(user.id);
    return ended;
  }

  /** A disabled user cannot log in; their sessions end and their API tokens are revoked at once. */
  async disableUser(email: string, by: string): Promise<AccessEnded> {
    return this.changeUser(email, by, 'user.disable', async (tx, user) => {
      await this.keepAnOwner(tx, user, 'disable');
      await tx
        .update(authUsers)
        .set({ disabled: true, updatedAt: new Date(this.now()) })
        .where(eq(authUsers.id, user.id));
      return this.endAccess(tx, user.id);
    });
  }

  async setRole(email: string, role: string, by: string): Promise<void> {
    if (!isRole(role)) throw invalid('role must be owner, staff or viewer');
    await this.changeUser(email, by, 'user.role', async (tx, user) => {
      if (role !== 'owner') await this.keepAnOwner(tx, user, 'demote');
      await tx
        .update(authUsers)
        .set({ role, updatedAt: new Date(this.now()) })
        .where(eq(authUsers.id, user.id));
      return { role };
    });
  }

  /**
   * Sets a new password (forgotten, or a temporary one from an owner). Every session of the user ends
   * and their API tokens are revoked: whoever knew the old password may have made them.
   */
  async setPassword(email: string, password: string, by: string): Promise<AccessEnded> {
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    return this.changeUser(email, by, 'user.password', async (tx, user) => {
      await tx
        .update(authUsers)
        .set({ passwordHash, updatedAt: new Date(this.now()) })
        .where(eq(authUsers.id, user.id));
      return this.endAccess(tx, user.id);
    });
  }

  // ---- locked out: one-time unlock links --------------------------------------------------------

  /** A one-time link for a user locked out by failed logins; their two-factor stays as it is. */
  async newUnlockLink(email: string, by: string): Promise<{ token: string; expiresAt: Date }> {
    const [user] = await this.db
      .select()
      .from(authUsers)
      .where(and(byEmail(email), eq(authUsers.disabled, false)));
    if (!user) throw notFound(`no active user with the email ${email}`);
    const link = await this.guard.newUnlockLink(user.id);
    await this.audit.record({
      actor: by,
      actorLabel: by,
      action: 'user.unlock-link',
      target: user.email,
      outcome: 'ok',
      details: { expiresAt: link.expiresAt.toISOString() },
    });
    return link;
  }

  async unlockLinkValid(token: string): Promise<boolean> {
    return this.guard.unlockLinkValid(token);
  }

  /** Spends an unlock link from the address that opened it; a used or expired link is refused. */
  async unlockWithLink(token: string, ip: string): Promise<void> {
    const userId = await this.guard.useUnlockLink(token, ip);
    if (!userId) {
      throw new AppError(
        'forbidden',
        'this unlock link has expired or was used; run "shopkeep user unlock" again for a new one',
      );
    }
    const [user] = await this.db.select().from(authUsers).where(eq(authUsers.id, userId));
    await this.audit.record({
      actor: `user:${userId}`,
      actorLabel: user?.email ?? userId,
      ip,
      action: 'auth.unlock',
      target: user?.email,
      outcome: 'ok',
      details: { with: 'link' },
    });
  }

  // ---- first start: the owner's setup link ----------------------------------------------------

  /** A one-time link for creating the owner account; a new one replaces any earlier one. */
  async newSetupToken(): Promise<string> {
    const token = randomToken();
    await transaction(this.pool, async (client) => {
      const tx = orm(client);
      await tx.delete(authSetupTokens);
      await tx
        .insert(authSetupTokens)
        .values({ tokenHash: sha256(token), expiresAt: new Date(this.now() + SETUP_LINK_HOURS * 3_600_000) });
    });
    return token;
  }

  async setupTokenValid(token: string): Promise<boolean> {
    const rows = await this.db.select().from(authSetupTokens).where(this.usableSetupToken(token));
    return rows.length > 0 && !(await this.hasOwner());
  }

  /** Creates the owner from the setup link and starts an enrolment session (second factor next). */
  async createOwner(token: string, email: string, password: string, ip: string): Promise<NewSession> {
    const user = await transaction(this.pool, async (client) => {
      const tx = orm(client);
      const used = await tx
        .update(authSetupTokens)
        .set({ usedAt: new Date(this.now()) })
        .where(this.usableSetupToken(token))
        .returning();
      if (used.length === 0) {
        throw new AppError(
          'forbidden',
          'this setup link has expired or was used; restart shopkeep for a new one',
        );
      }
      const owners = await tx
        .select({ id: authUsers.id })
        .from(authUsers)
        .where(eq(authUsers.role, 'owner'))
        .limit(1);
      if (owners.length) throw conflict('the owner account exists already; log in instead');
      const created = await this.insertUser(tx, email, password, 'owner', false);
      await this.audit.record(
        {
          actor: 'anonymous',
          actorLabel: created.email,
          ip,
          action: 'user.setup-owner',
          target: created.email,
          outcome: 'ok',
        },
        client,
      );
      return created;
    });
    return this.startSession(user, 'enrolling', ip, undefined);
  }

  // ---- two-factor enrolment ---------------------------------------------------------------------

  /** The secret to show as a QR code; kept pending (sealed) until a code from it is confirmed. */
  async beginEnrolment(userId: string): Promise<string> {
    return transaction(this.pool, async (client) => {
      const tx = orm(client);
      const [row] = await tx.select().from(authUsers).where(eq(authUsers.id, userId)).for('update');
      if (!row || row.totpState === 'on') throw conflict('two-factor authentication is set up already');
      // Reuse a pending secret, so a mistyped code does not make the owner scan a new QR code.
      const pending = row.totpState === 'pending' ? await this.secrets.read(row.id) : undefined;
      if (pending) return pending;
      const secret = newTotpSecret();
      await this.secrets.store(row.id, secret, client);
      await tx.update(authUsers).set({ totpState: 'pending' }).where(eq(authUsers.id, row.id));
      return secret;
    });
  }

  /** Confirms the pending secret with a code from the app; returns the recovery codes (shown once). */
  async confirmEnrolment(principal: Principal, code: string, ip: string): Promise<string[]> {
    if (principal.via.kind !== 'session')
      throw new AppError('forbidden', 'enrolment needs a browser session');
    const sessionHash = principal.via.sessionHash;
    return transaction(this.pool, async (client) => {
      const tx = orm(client);
      const [row] = await tx
        .select()
        .from(authUsers)
        .where(eq(authUsers.id, principal.user.id))
        .for('update');
      const pending = row?.totpState === 'pending' ? await this.secrets.read(row.id) : undefined;
      if (!row || !pending) throw invalid('start enrolment again: no pending secret');
      const step = verifyTotp(pending, code.trim(), this.now(), 0);
      if (step === undefined) {
        throw invalid('that code does not match; check the time on your phone and try the next code');
      }
      await tx
        .update(authUsers)
        .set({ totpState: 'on', totpLastStep: step, updatedAt: new Date(this.now()) })
        .where(eq(authUsers.id, row.id));
      const codes = await this.replaceRecoveryCodes(tx, row.id);
      // The session that enrolled ends here; the caller starts a new one (a new id) for the full login.
      await tx.delete(authSessions).where(eq(authSessions.idHash, sessionHash));
      await this.audit.record(
        {
          actor: `user:${row.id}`,
          actorLabel: row.email,
          ip,
          action: 'user.enrol-2fa',
          target: row.email,
          outcome: 'ok',
        },
        client,
      );
      return codes;
    });
  }

  // ---- login and sessions ----------------------------------------------------------------------

  async login(attempt: LoginAttempt): Promise<NewSession> {
    const email = attempt.email.trim().toLowerCase();
    // The API's schema refuses it too; the login form takes any field up to 2048 characters.
    if (email.length > MAX_EMAIL_LENGTH)
      throw invalid(`email must NOT have more than ${MAX_EMAIL_LENGTH} characters`);
    const [row] = await this.db
      .select()
      .from(authUsers)
      .where(and(byEmail(email), eq(authUsers.disabled, false)));
    const code = attempt.totp?.trim() ?? '';
    const gate = await this.guard.admit(email, attempt.ip, row?.id);
    // A recovery code is the owner's own way past a lock on their account (not past an address's
    // lock). It is spent here whatever the password turns out to be: a leaked code buys one guess.
    const unlocked =
      gate.refused !== undefined &&
      gate.refused.by !== 'address' &&
      row?.totpState === 'on' &&
      (await this.spendRecoveryCode(row.id, code));
    // A 6-digit code is checked past the slow-down of the account (never past a lock of the address or
    // of the account from this address, which counted the attempt already). Sound, because the code
    // is a second secret: without it the attempt gets the same refusal, whatever the password, so a
    // stranger spreading guesses over many addresses learns nothing about the password unless the
    // code is right too (3 in a million per try). A stranger trying codes from one address runs into
    // that address's locks as with any checked attempt. Without this the slow-down would be a lock
    // after all: a script that tries again the moment each wait ends keeps the owner out of every
    // new address (a phone on mobile data) for good.
    const pastSlowDown =
      gate.refused?.by === 'account' && !unlocked && TOTP_CODE.test(code) ? gate.refused : undefined;
    if (gate.refused && !unlocked && !pastSlowDown) {
      await this.guard.giveBack(gate);
      this.logRefusal(attempt.ip, email, gate.refused.by);
      throw refusal(gate.refused.by, gate.refused.waitMs);
    }
    const passwordOk = await verifyPassword(row?.passwordHash ?? (await decoyHash()), attempt.password);
    // A try past the slow-down that fails gets the slow-down's refusal, so the answer never tells a
    // right code from a wrong one. The code is not spent unless the password is right as well.
    const refused = pastSlowDown && refusal(pastSlowDown.by, pastSlowDown.waitMs);
    if (refused && (await this.totpStep(row, code)) === undefined)
      return this.fail(attempt, email, gate, failureOf(row, passwordOk, code), row, refused);
    if (!row || !passwordOk)
      return this.fail(attempt, email, gate, failureOf(row, passwordOk, code), row, refused);
    if (row.totpState !== 'on') {
      // Password right, no second factor yet (new owner, or after reset-2fa): only enrolment is allowed.
      await this.guard.succeeded(gate, email, attempt.ip, row.id, false);
      return this.startSession(toUser(row), 'enrolling', attempt.ip, attempt.userAgent);
    }
    if (!unlocked && !(await this.checkSecondFactor(row, code)))
      return this.fail(attempt, email, gate, failureOf(row, passwordOk, code), row, refused);
    await this.guard.succeeded(gate, email, attempt.ip, row.id, true);
    const session = await this.startSession(toUser(row), 'active', attempt.ip, attempt.userAgent);
    await this.audit.record({
      actor: `user:${row.id}`,
      actorLabel: row.email,
      ip: attempt.ip,
      action: unlocked ? 'auth.unlock' : 'auth.login',
      target: row.email,
      outcome: 'ok',
      ...(unlocked ? { details: { with: 'recovery code' } } : {}),
    });
    return session;
  }

  async logout(principal: Principal, ip: string): Promise<void> {
    if (principal.via.kind !== 'session') return;
    await this.db.delete(authSessions).where(eq(authSessions.idHash, principal.via.sessionHash));
    await this.audit.record({
      actor: `user:${principal.user.id}`,
      actorLabel: principal.user.email,
      ip,
      action: 'auth.logout',
      outcome: 'ok',
    });
  }

  /** After enrolment: a fresh session id for a fully logged-in user. */
  async startActiveSession(user: User, ip: string, userAgent?: string): Promise<NewSession> {
    return this.startSession(user, 'active', ip, userAgent);
  }

  async resolveSession(cookieValue: string): Promise<Principal | undefined> {
    const idHash = sha256(cookieValue);
    const [row] = await this.sessionLookup.execute({ idHash });
    if (!row) return undefined;
    const { session } = row;
    const now = this.now();
    if (
      session.expiresAt.getTime() <= now ||
      session.lastSeenAt.getTime() + this.sessions.idleMinutes * 60_000 <= now
    ) {
      await this.db.delete(authSessions).where(eq(authSessions.idHash, idHash));
      return undefined;
    }
    if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      await this.db
        .update(authSessions)
        .set({ lastSeenAt: new Date(now) })
        .where(eq(authSessions.idHash, idHash));
    }
    const user = toUser(row.user);
    const scopes = session.stage === 'active' ? new Set(SCOPES_BY_ROLE[user.role]) : new Set<Scope>();
    return {
      user,
      scopes,
      via: { kind: 'session', sessionHash: idHash, csrfToken: session.csrfToken, stage: session.stage },
    };
  }

  /** Old failure counts, addresses not used for long and expired unlock links. */
  async pruneLoginFailures(): Promise<void> {
    await this.guard.prune();
  }

  /** Waits for the owner's alerts of failed logins still on their way (they go after the answer). */
  async settle(): Promise<void> {
    await this.guard.settled();
  }

  async pruneSessions(): Promise<number> {
    const now = this.now();
    const removed = await this.db
      .delete(authSessions)
      .where(
        or(
          lte(authSessions.expiresAt, new Date(now)),
          lte(authSessions.lastSeenAt, new Date(now - this.sessions.idleMinutes * 60_000)),
        ),
      )
      .returning({ idHash: authSessions.idHash });
    return removed.length;
  }

  // ---- API tokens (api-tokens.ts) ----------------------------------------------------------------

  /** `expires`: `90d` or a date (`2027-03-31`, the last day it works); without it, until revoked. */
  async createToken(email: string, name: string, scopes: string[], by: string, expires?: string) {
    return this.tokens.create(email, name, scopes, by, expires);
  }

  async listTokens(): Promise<TokenInfo[]> {
    return this.tokens.list();
  }

  async revokeToken(id: string, by: string): Promise<void> {
    return this.tokens.revoke(id, by);
  }

  /** The principal a bearer token acts as; undefined when unknown or revoked; refused when expired. */
  async resolveToken(bearer: string): Promise<Principal | undefined> {
    return this.tokens.resolve(bearer);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** One change to one active user, audited with what the change reports. */
  private async changeUser<T extends object>(
    email: string,
    by: string,
    action: string,
    change: (tx: Orm, user: UserRow) => Promise<T>,
  ): Promise<T> {
    return transaction(this.pool, async (client) => {
      const tx = orm(client);
      const [user] = await tx
        .select()
        .from(authUsers)
        .where(and(byEmail(email), eq(authUsers.disabled, false)))
        .for('update');
      if (!user) throw notFound(`no active user with the email ${email}`);
      const outcome = await change(tx, user);
      await this.audit.record(
        {
          actor: by,
          actorLabel: by,
          action,
          target: user.email,
          outcome: 'ok',
          details: Object.fromEntries(Object.entries(outcome)),
        },
        client,
      );
      return outcome;
    });
  }

  /** Ends every session of a user and revokes their API tokens; says how many of each. */
  private async endAccess(tx: Orm, userId: string): Promise<AccessEnded> {
    const sessions = await tx
      .delete(authSessions)
      .where(eq(authSessions.userId, userId))
      .returning({ idHash: authSessions.idHash });
    const tokens = await tx
      .update(authApiTokens)
      .set({ revokedAt: new Date(this.now()) })
      .where(and(eq(authApiTokens.userId, userId), isNull(authApiTokens.revokedAt)))
      .returning({ id: authApiTokens.id });
    return { tokensRevoked: tokens.length, sessionsEnded: sessions.length };
  }

  /** The shop always keeps at least one active owner. */
  private async keepAnOwner(tx: Orm, user: UserRow, what: string): Promise<void> {
    if (user.role !== 'owner') return;
    const owners = await tx
      .select({ id: authUsers.id })
      .from(authUsers)
      .where(and(eq(authUsers.role, 'owner'), eq(authUsers.disabled, false)))
      .for('update');
    if (owners.length <= 1) throw conflict(`cannot ${what} the last owner; make another user owner first`);
  }

  /** Ten new single-use recovery codes (shown once); any earlier ones stop working. */
  private async replaceRecoveryCodes(tx: Orm, userId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    await tx.delete(authRecoveryCodes).where(eq(authRecoveryCodes.userId, userId));
    await tx
      .insert(authRecoveryCodes)
      .values(codes.map((code) => ({ userId, codeHash: sha256(normaliseRecoveryCode(code)) })));
    return codes;
  }

  private usableSetupToken(token: string) {
    return and(
      eq(authSetupTokens.tokenHash, sha256(token)),
      isNull(authSetupTokens.usedAt),
      gt(authSetupTokens.expiresAt, new Date(this.now())),
    );
  }

  private async insertUser(
    db: Orm,
    email: string,
    password: string,
    role: string,
    withTotp: boolean,
  ): Promise<User> {
    const clean = email.trim().toLowerCase();
    if (!EMAIL.test(clean) || clean.length > 254) throw invalid('email is not a valid email address');
    if (!isRole(role)) throw invalid('role must be owner, staff or viewer');
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    try {
      const [row] = await db
        .insert(authUsers)
        .values({ email: clean, role, passwordHash, totpState: withTotp ? 'on' : null })
        .returning();
      return toUser(row!);
    } catch (error) {
      if (uniqueViolation(error)) throw conflict(`a user with the email ${clean} exists already`);
      throw error;
    }
  }

  private async checkSecondFactor(row: UserRow, code: string): Promise<boolean> {
    if (!TOTP_CODE.test(code)) return this.spendRecoveryCode(row.id, code);
    const step = await this.totpStep(row, code);
    if (step === undefined) return false;
    // Conditional update: two logins racing with the same code cannot both win.
    const won = await this.db
      .update(authUsers)
      .set({ totpLastStep: step })
      .where(and(eq(authUsers.id, row.id), lt(authUsers.totpLastStep, step)))
      .returning({ id: authUsers.id });
    return won.length === 1;
  }

  /**
   * The time step of a TOTP code the user has not used yet, or undefined; nothing is spent. The vault
   * is asked for every account, under an id no user has when there is no secret to check, so the
   * time taken does not tell which accounts exist or have two-factor on.
   */
  private async totpStep(row: UserRow | undefined, code: string): Promise<number | undefined> {
    const on = row?.totpState === 'on';
    // Missing, or sealed under a master key this server lacks: fails closed. Recovery codes still
    // work, and an owner can reset the factor.
    const secret = await this.secrets.read(on ? row.id : NO_USER).catch((error: unknown) => {
      this.logger.error(
        { err: describeError(error), user: row?.email },
        'a two-factor secret cannot be opened',
      );
      return undefined;
    });
    if (!on || !secret) return undefined;
    return verifyTotp(secret, code, this.now(), row.totpLastStep);
  }

  /** Marks a recovery code used; false when it is not one of the user's unused codes. */
  private async spendRecoveryCode(userId: string, code: string): Promise<boolean> {
    if (TOTP_CODE.test(code) || code.length < 8 || code.length > 20) return false;
    const used = await this.db
      .update(authRecoveryCodes)
      .set({ usedAt: new Date(this.now()) })
      .where(
        and(
          eq(authRecoveryCodes.userId, userId),
          eq(authRecoveryCodes.codeHash, sha256(normaliseRecoveryCode(code))),
          isNull(authRecoveryCodes.usedAt),
        ),
      )
      .returning({ userId: authRecoveryCodes.userId });
    return used.length === 1;
  }

  /**
   * The attempt was counted before it was checked; here it is logged and audited, and refused with
   * `refused` when given (a try past the slow-down), else as a wrong login.
   */
  private async fail(
    attempt: LoginAttempt,
    email: string,
    gate: Gate,
    reason: string,
    row: UserRow | undefined,
    refused: AppError | undefined,
  ): Promise<never> {
    this.logFailure(attempt.ip, email, reason);
    await this.audit.record({
      actor: 'anonymous',
      actorLabel: shownEmail(email),
      ip: attempt.ip,
      action: 'auth.login',
      target: shownEmail(email),
      outcome: 'denied',
      details: { reason },
    });
    this.guard.failed(gate, email, row !== undefined);
    throw refused ?? new AppError('unauthenticated', 'email, password or code is wrong');
  }

  /**
   * One stable line per failure; deploy/fail2ban/filter.d/shopkeep.conf matches it. A lock on the
   * address or on this account from this address is the address's own doing and is logged the same;
   * a slow-down comes from others' failures elsewhere, so it is not a failure of this address.
   */
  private logRefusal(ip: string, email: string, by: LockedBy): void {
    if (by !== 'account') return this.logFailure(ip, email, 'locked');
    this.metrics?.loginFailures.inc({ reason: 'slowed' });
    this.logger.info(
      { event: 'auth.slowed', email: shownEmail(email), ip },
      'login attempt slowed down: the account has many recent failures',
    );
  }

  private logFailure(ip: string, email: string, reason: string): void {
    this.metrics?.loginFailures.inc({ reason });
    this.logger.warn({ event: 'auth.failure', email: shownEmail(email), reason }, `login failed from ${ip}`);
  }

  private async startSession(
    user: User,
    stage: 'enrolling' | 'active',
    ip: string,
    userAgent: string | undefined,
  ): Promise<NewSession> {
    const cookieValue = randomToken(32);
    const csrfToken = randomToken(24);
    const now = new Date(this.now());
    await this.db.insert(authSessions).values({
      idHash: sha256(cookieValue),
      userId: user.id,
      csrfToken,
      stage,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.sessions.absoluteHours * 3_600_000),
      ip,
      userAgent: userAgent?.slice(0, 300) ?? null,
    });
    return { cookieValue, csrfToken, user, stage };
  }
}

/**
 * What a refused login is told. The address's lock is not the account's business; the other two say
 * how the owner gets past them.
 */
function refusal(by: LockedBy, waitMs: number): AppError {
  const seconds = Math.ceil(waitMs / 1000);
  const wait =
    seconds < 60
      ? `${seconds} second${seconds === 1 ? '' : 's'}`
      : `${Math.ceil(seconds / 60)} minute${Math.ceil(seconds / 60) === 1 ? '' : 's'}`;
  const recovery = 'or log in with a recovery code in the code field';
  const message = {
    address: `too many failed logins from this address; try again in ${wait}`,
    pair: `too many failed logins for this account from this address; try again in ${wait}, ${recovery}`,
    account: `this account had many failed logins from other addresses, so logins from new addresses are slowed down unless password and code are both right; try again in ${wait}, ${recovery}`,
  }[by];
  return new AppError('rate_limited', message, { 'retry-after': String(seconds) });
}

/** Why a checked login failed, as the log, the audit trail and the metrics name it. */
function failureOf(row: UserRow | undefined, passwordOk: boolean, code: string): string {
  if (!row) return 'unknown_account';
  if (!passwordOk) return 'bad_password';
  return code ? 'bad_code' : 'missing_code';
}

/** Someone may type their password into the email field: only what looks like an email is logged. */
function shownEmail(email: string): string {
  return EMAIL.test(email) && email.length <= 254 ? email : '(not an email address)';
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw invalid(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > 1024) throw invalid('password must be at most 1024 characters');
}

function uniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e.code === '23505' || e.cause?.code === '23505';
}
