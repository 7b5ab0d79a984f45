// Accounts, login, sessions, two-factor enrolment, recovery codes, API tokens and the owner's setup link.
import { and, asc, eq, gt, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { transaction } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import {
  authApiTokens,
  authLoginFailures,
  authRecoveryCodes,
  authSessions,
  authSetupTokens,
  authUsers,
} from './schema.ts';
import { AppError, conflict, invalid, notFound } from '../errors.ts';
import type { AuditLog } from '../../modules/ops/audit-log.ts';
import type { Metrics } from '../http/metrics.ts';
import { ACCOUNT_POLICY, IP_POLICY, LoginThrottle } from './login-throttle.ts';
import { SCOPES_BY_ROLE, isRole, isScope, type Principal, type Scope, type User } from './roles.ts';
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

export interface NewSession {
  cookieValue: string;
  csrfToken: string;
  user: User;
  stage: 'enrolling' | 'active';
}

const EMAIL = /^[^\s@<>"',;]{1,64}@[^\s@<>"',;]{1,190}\.[a-z0-9-]{2,}$/i;
const TOUCH_EVERY_MS = 60_000;
const SETUP_LINK_HOURS = 24;
const TOKEN_PREFIX = 'skt_';

export class AccountService {
  private readonly throttle: LoginThrottle;
  private readonly db: Orm;
  private readonly sessionLookup;
  private readonly tokenLookup;

  constructor(
    private readonly pool: pg.Pool,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
    private readonly sessions: SessionPolicy,
    private readonly metrics?: Metrics,
    private readonly now: () => number = Date.now,
  ) {
    this.throttle = new LoginThrottle(pool, now);
    this.db = orm(pool);
    // Every authenticated request runs one of these two: built once, prepared once per connection.
    this.sessionLookup = this.db
      .select({ user: authUsers, session: authSessions })
      .from(authSessions)
      .innerJoin(authUsers, eq(authUsers.id, authSessions.userId))
      .where(and(eq(authSessions.idHash, sql.placeholder('idHash')), eq(authUsers.disabled, false)))
      .prepare('auth_session_lookup');
    this.tokenLookup = this.db
      .select({ user: authUsers, token: authApiTokens })
      .from(authApiTokens)
      .innerJoin(authUsers, eq(authUsers.id, authApiTokens.userId))
      .where(
        and(
          eq(authApiTokens.tokenHash, sql.placeholder('tokenHash')),
          isNull(authApiTokens.revokedAt),
          eq(authUsers.disabled, false),
        ),
      )
      .prepare('auth_token_lookup');
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
      const user = await this.insertUser(tx, email, password, role, totpSecret);
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

  /** Clears a user's second factor and sessions; the next login goes through enrolment again. */
  async resetTwoFactor(email: string, by: string): Promise<void> {
    await transaction(this.pool, async (client) => {
      const tx = orm(client);
      const [user] = await tx
        .update(authUsers)
        .set({ totpSecret: null, totpPendingSecret: null, totpLastStep: 0, updatedAt: new Date(this.now()) })
        .where(byEmail(email))
        .returning();
      if (!user) throw notFound(`no user with the email ${email}`);
      await tx.delete(authRecoveryCodes).where(eq(authRecoveryCodes.userId, user.id));
      await tx.delete(authSessions).where(eq(authSessions.userId, user.id));
      // An owner helping a locked-out user resets their factor and lifts the account's lock together.
      await tx.delete(authLoginFailures).where(eq(authLoginFailures.key, `account:${user.email}`));
      await this.audit.record(
        { actor: by, actorLabel: by, action: 'user.reset-2fa', target: user.email, outcome: 'ok' },
        client,
      );
    });
  }

  /** A disabled user cannot log in; their sessions end and their API tokens are revoked at once. */
  async disableUser(email: string, by: string): Promise<void> {
    await this.changeUser(email, by, 'user.disable', async (tx, user) => {
      await this.keepAnOwner(tx, user, 'disable');
      await tx
        .update(authUsers)
        .set({ disabled: true, updatedAt: new Date(this.now()) })
        .where(eq(authUsers.id, user.id));
      await tx.delete(authSessions).where(eq(authSessions.userId, user.id));
      await tx
        .update(authApiTokens)
        .set({ revokedAt: new Date(this.now()) })
        .where(and(eq(authApiTokens.userId, user.id), isNull(authApiTokens.revokedAt)));
    });
  }

  async setRole(email: string, role: string, by: string): Promise<void> {
    if (!isRole(role)) throw invalid('role must be owner, staff or viewer');
    await this.changeUser(
      email,
      by,
      'user.role',
      async (tx, user) => {
        if (role !== 'owner') await this.keepAnOwner(tx, user, 'demote');
        await tx
          .update(authUsers)
          .set({ role, updatedAt: new Date(this.now()) })
          .where(eq(authUsers.id, user.id));
      },
      { role },
    );
  }

  /** Sets a new password (forgotten, or a temporary one from an owner); every session of the user ends. */
  async setPassword(email: string, password: string, by: string): Promise<void> {
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    await this.changeUser(email, by, 'user.password', async (tx, user) => {
      await tx
        .update(authUsers)
        .set({ passwordHash, updatedAt: new Date(this.now()) })
        .where(eq(authUsers.id, user.id));
      await tx.delete(authSessions).where(eq(authSessions.userId, user.id));
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
      const created = await this.insertUser(tx, email, password, 'owner', undefined);
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

  /** The secret to show as a QR code; kept pending until a code from it is confirmed. */
  async beginEnrolment(userId: string): Promise<string> {
    // Reuse a pending secret, so a mistyped code does not make the owner scan a new QR code.
    const [row] = await this.db
      .update(authUsers)
      .set({ totpPendingSecret: sql`coalesce(${authUsers.totpPendingSecret}, ${newTotpSecret()})` })
      .where(and(eq(authUsers.id, userId), isNull(authUsers.totpSecret)))
      .returning({ secret: authUsers.totpPendingSecret });
    if (!row?.secret) throw conflict('two-factor authentication is set up already');
    return row.secret;
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
      if (!row?.totpPendingSecret || row.totpSecret)
        throw invalid('start enrolment again: no pending secret');
      const step = verifyTotp(row.totpPendingSecret, code.trim(), this.now(), 0);
      if (step === undefined) {
        throw invalid('that code does not match; check the time on your phone and try the next code');
      }
      await tx
        .update(authUsers)
        .set({
          totpSecret: row.totpPendingSecret,
          totpPendingSecret: null,
          totpLastStep: step,
          updatedAt: new Date(this.now()),
        })
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
    const accountKey = `account:${email}`;
    const ipKey = `ip:${attempt.ip}`;
    const lockedMs = Math.max(
      await this.throttle.attempt(accountKey, ACCOUNT_POLICY),
      await this.throttle.attempt(ipKey, IP_POLICY),
    );
    if (lockedMs > 0) {
      this.logFailure(attempt.ip, email, 'locked');
      const minutes = Math.ceil(lockedMs / 60_000);
      throw new AppError(
        'rate_limited',
        `too many failed logins; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
        {
          'retry-after': String(Math.ceil(lockedMs / 1000)),
        },
      );
    }
    const [row] = await this.db
      .select()
      .from(authUsers)
      .where(and(byEmail(email), eq(authUsers.disabled, false)));
    const passwordOk = await verifyPassword(row?.passwordHash ?? (await decoyHash()), attempt.password);
    if (!row || !passwordOk) return this.fail(attempt, email, row ? 'bad_password' : 'unknown_account');
    if (!row.totpSecret) {
      // Password right, no second factor yet (new owner, or after reset-2fa): only enrolment is allowed.
      await this.succeeded(accountKey, ipKey);
      return this.startSession(toUser(row), 'enrolling', attempt.ip, attempt.userAgent);
    }
    const code = attempt.totp?.trim() ?? '';
    if (!(await this.checkSecondFactor(row, code)))
      return this.fail(attempt, email, code ? 'bad_code' : 'missing_code');
    await this.succeeded(accountKey, ipKey);
    const session = await this.startSession(toUser(row), 'active', attempt.ip, attempt.userAgent);
    await this.audit.record({
      actor: `user:${row.id}`,
      actorLabel: row.email,
      ip: attempt.ip,
      action: 'auth.login',
      target: row.email,
      outcome: 'ok',
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

  async pruneLoginFailures(): Promise<void> {
    await this.throttle.prune();
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

  // ---- API tokens ------------------------------------------------------------------------------

  async createToken(
    email: string,
    name: string,
    scopes: string[],
    by: string,
  ): Promise<{ token: string; id: string }> {
    if (!name.trim() || name.length > 100) throw invalid('a token needs a name of 1 to 100 characters');
    if (scopes.length === 0) throw invalid('a token needs at least one scope: read, write, admin or metrics');
    const unknown = scopes.filter((scope) => !isScope(scope));
    if (unknown.length)
      throw invalid(`unknown scope ${unknown.join(', ')}; use read, write, admin or metrics`);
    const [user] = await this.db
      .select()
      .from(authUsers)
      .where(and(byEmail(email), eq(authUsers.disabled, false)));
    if (!user) throw notFound(`no user with the email ${email}`);
    const allowed = SCOPES_BY_ROLE[user.role];
    const beyond = scopes.filter((scope) => !allowed.includes(scope as Scope));
    if (beyond.length) throw invalid(`a ${user.role} cannot hand out the scope ${beyond.join(', ')}`);
    const token = TOKEN_PREFIX + randomToken(32);
    const [inserted] = await this.db
      .insert(authApiTokens)
      .values({
        userId: user.id,
        name: name.trim(),
        tokenHash: sha256(token),
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        scopes: [...new Set(scopes)],
      })
      .returning({ id: authApiTokens.id });
    const id = inserted!.id;
    await this.audit.record({
      actor: by,
      actorLabel: by,
      action: 'token.create',
      target: `token:${id}`,
      outcome: 'ok',
      details: { name, scopes, user: user.email },
    });
    return { token, id };
  }

  async listTokens(): Promise<
    {
      id: string;
      name: string;
      prefix: string;
      scopes: string[];
      user: string;
      createdAt: Date;
      lastUsedAt: Date | null;
    }[]
  > {
    return this.db
      .select({
        id: authApiTokens.id,
        name: authApiTokens.name,
        prefix: authApiTokens.prefix,
        scopes: authApiTokens.scopes,
        user: authUsers.email,
        createdAt: authApiTokens.createdAt,
        lastUsedAt: authApiTokens.lastUsedAt,
      })
      .from(authApiTokens)
      .innerJoin(authUsers, eq(authUsers.id, authApiTokens.userId))
      .where(isNull(authApiTokens.revokedAt))
      .orderBy(asc(authApiTokens.createdAt));
  }

  async revokeToken(id: string, by: string): Promise<void> {
    const revoked = await this.db
      .update(authApiTokens)
      .set({ revokedAt: new Date(this.now()) })
      .where(and(eq(authApiTokens.id, id), isNull(authApiTokens.revokedAt)))
      .returning({ id: authApiTokens.id });
    if (revoked.length === 0) throw notFound('no active token with that id');
    await this.audit.record({
      actor: by,
      actorLabel: by,
      action: 'token.revoke',
      target: `token:${id}`,
      outcome: 'ok',
    });
  }

  async resolveToken(bearer: string): Promise<Principal | undefined> {
    if (!bearer.startsWith(TOKEN_PREFIX)) return undefined;
    const [row] = await this.tokenLookup.execute({ tokenHash: sha256(bearer) });
    if (!row) return undefined;
    const { token } = row;
    if (!token.lastUsedAt || this.now() - token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await this.db
        .update(authApiTokens)
        .set({ lastUsedAt: new Date(this.now()) })
        .where(eq(authApiTokens.id, token.id));
    }
    const user = toUser(row.user);
    const allowed = SCOPES_BY_ROLE[user.role];
    // A token never grants more than its user's role grants today.
    const scopes = new Set(
      token.scopes.filter((scope): scope is Scope => isScope(scope) && allowed.includes(scope)),
    );
    return { user, scopes, via: { kind: 'token', tokenId: token.id } };
  }

  // ---- internals -------------------------------------------------------------------------------

  private async changeUser(
    email: string,
    by: string,
    action: string,
    change: (tx: Orm, user: UserRow) => Promise<void>,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await transaction(this.pool, async (client) => {
      const tx = orm(client);
      const [user] = await tx
        .select()
        .from(authUsers)
        .where(and(byEmail(email), eq(authUsers.disabled, false)))
        .for('update');
      if (!user) throw notFound(`no active user with the email ${email}`);
      await change(tx, user);
      await this.audit.record(
        { actor: by, actorLabel: by, action, target: user.email, outcome: 'ok', details },
        client,
      );
    });
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
    totpSecret: string | undefined,
  ): Promise<User> {
    const clean = email.trim().toLowerCase();
    if (!EMAIL.test(clean) || clean.length > 254) throw invalid('email is not a valid email address');
    if (!isRole(role)) throw invalid('role must be owner, staff or viewer');
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    try {
      const [row] = await db
        .insert(authUsers)
        .values({ email: clean, role, passwordHash, totpSecret: totpSecret ?? null })
        .returning();
      return toUser(row!);
    } catch (error) {
      if (uniqueViolation(error)) throw conflict(`a user with the email ${clean} exists already`);
      throw error;
    }
  }

  private async checkSecondFactor(row: UserRow, code: string): Promise<boolean> {
    if (/^\d{6}$/.test(code)) {
      const step = verifyTotp(row.totpSecret!, code, this.now(), row.totpLastStep);
      if (step === undefined) return false;
      // Conditional update: two logins racing with the same code cannot both win.
      const won = await this.db
        .update(authUsers)
        .set({ totpLastStep: step })
        .where(and(eq(authUsers.id, row.id), lt(authUsers.totpLastStep, step)))
        .returning({ id: authUsers.id });
      return won.length === 1;
    }
    if (code.length < 8 || code.length > 20) return false;
    const used = await this.db
      .update(authRecoveryCodes)
      .set({ usedAt: new Date(this.now()) })
      .where(
        and(
          eq(authRecoveryCodes.userId, row.id),
          eq(authRecoveryCodes.codeHash, sha256(normaliseRecoveryCode(code))),
          isNull(authRecoveryCodes.usedAt),
        ),
      )
      .returning({ userId: authRecoveryCodes.userId });
    return used.length === 1;
  }

  /** A good login clears its account's count and gives back its attempt on the address. */
  private async succeeded(accountKey: string, ipKey: string): Promise<void> {
    await this.throttle.clear(accountKey);
    await this.throttle.release(ipKey);
  }

  /** The attempt was counted before it was checked; here it is logged and audited. */
  private async fail(attempt: LoginAttempt, email: string, reason: string): Promise<never> {
    this.logFailure(attempt.ip, email, reason);
    await this.audit.record({
      actor: 'anonymous',
      actorLabel: email.slice(0, 254),
      ip: attempt.ip,
      action: 'auth.login',
      target: email.slice(0, 254),
      outcome: 'denied',
      details: { reason },
    });
    throw new AppError('unauthenticated', 'email, password or code is wrong');
  }

  /** One stable line per failure; deploy/fail2ban/filter.d/shopkeep.conf matches it. */
  private logFailure(ip: string, email: string, reason: string): void {
    this.metrics?.loginFailures.inc({ reason });
    this.logger.warn(
      { event: 'auth.failure', email: email.slice(0, 254), reason },
      `login failed from ${ip}`,
    );
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

type UserRow = typeof authUsers.$inferSelect;

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    twoFactorEnabled: row.totpSecret !== null,
    createdAt: row.createdAt,
  };
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw invalid(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > 1024) throw invalid('password must be at most 1024 characters');
}

function byEmail(email: string) {
  return sql`lower(${authUsers.email}) = lower(${email.trim()})`;
}

function uniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e.code === '23505' || e.cause?.code === '23505';
}
