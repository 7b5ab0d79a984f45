// Accounts, login, sessions, two-factor enrolment, recovery codes, API tokens and the owner's setup link.
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { transaction } from '../db/database.ts';
import { AppError, conflict, invalid, notFound } from '../errors.ts';
import type { AuditLog } from '../../modules/ops/audit-log.ts';
import type { Metrics } from '../http/metrics.ts';
import { ACCOUNT_POLICY, IP_POLICY, LoginThrottle } from './login-throttle.ts';
import {
  SCOPES_BY_ROLE,
  isRole,
  isScope,
  type Principal,
  type Role,
  type Scope,
  type User,
} from './roles.ts';
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

  constructor(
    private readonly pool: pg.Pool,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
    private readonly sessions: SessionPolicy,
    private readonly metrics?: Metrics,
    private readonly now: () => number = Date.now,
  ) {
    this.throttle = new LoginThrottle(pool, now);
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
  ): Promise<{ user: User; totpSecret?: string }> {
    const totpSecret = withTotp ? newTotpSecret() : undefined;
    const user = await this.insertUser(email, password, role, { totpSecret });
    await this.audit.record({
      actor: by,
      actorLabel: by,
      action: 'user.add',
      target: user.email,
      outcome: 'ok',
      details: { role },
    });
    return totpSecret ? { user, totpSecret } : { user };
  }

  async listUsers(): Promise<User[]> {
    const { rows } = await this.pool.query<UserRow>(
      'select * from auth_users where not disabled order by created_at',
    );
    return rows.map(toUser);
  }

  async hasOwner(): Promise<boolean> {
    const { rows } = await this.pool.query(
      `select 1 from auth_users where role = 'owner' and not disabled limit 1`,
    );
    return rows.length > 0;
  }

  /** Clears a user's second factor and sessions; the next login goes through enrolment again. */
  async resetTwoFactor(email: string, by: string): Promise<void> {
    await transaction(this.pool, async (tx) => {
      const { rows } = await tx.query<UserRow>(
        `update auth_users set totp_secret = null, totp_pending_secret = null, totp_last_step = 0, updated_at = now()
         where lower(email) = lower($1) returning *`,
        [email],
      );
      if (!rows[0]) throw notFound(`no user with the email ${email}`);
      await tx.query('delete from auth_recovery_codes where user_id = $1', [rows[0].id]);
      await tx.query('delete from auth_sessions where user_id = $1', [rows[0].id]);
      await this.audit.record(
        { actor: by, actorLabel: by, action: 'user.reset-2fa', target: rows[0].email, outcome: 'ok' },
        tx,
      );
    });
  }

  // ---- first start: the owner's setup link ----------------------------------------------------

  /** A one-time link for creating the owner account; a new one replaces any earlier one. */
  async newSetupToken(): Promise<string> {
    const token = randomToken();
    await transaction(this.pool, async (tx) => {
      await tx.query('delete from auth_setup_tokens');
      await tx.query(`insert into auth_setup_tokens (token_hash, expires_at) values ($1, $2)`, [
        sha256(token),
        new Date(this.now() + SETUP_LINK_HOURS * 3_600_000),
      ]);
    });
    return token;
  }

  async setupTokenValid(token: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      'select 1 from auth_setup_tokens where token_hash = $1 and used_at is null and expires_at > $2',
      [sha256(token), new Date(this.now())],
    );
    return rows.length > 0 && !(await this.hasOwner());
  }

  /** Creates the owner from the setup link and starts an enrolment session (second factor next). */
  async createOwner(token: string, email: string, password: string, ip: string): Promise<NewSession> {
    const user = await transaction(this.pool, async (tx) => {
      const used = await tx.query(
        'update auth_setup_tokens set used_at = now() where token_hash = $1 and used_at is null and expires_at > $2',
        [sha256(token), new Date(this.now())],
      );
      if (used.rowCount === 0)
        throw new AppError(
          'forbidden',
          'this setup link has expired or was used; restart shopkeep for a new one',
        );
      const owners = await tx.query(`select 1 from auth_users where role = 'owner'`);
      if (owners.rowCount) throw conflict('the owner account exists already; log in instead');
      const created = await this.insertUser(email, password, 'owner', {}, tx);
      await this.audit.record(
        {
          actor: 'anonymous',
          actorLabel: created.email,
          ip,
          action: 'user.setup-owner',
          target: created.email,
          outcome: 'ok',
        },
        tx,
      );
      return created;
    });
    return this.startSession(user, 'enrolling', ip, undefined);
  }

  // ---- two-factor enrolment ---------------------------------------------------------------------

  /** The secret to show as a QR code; kept pending until a code from it is confirmed. */
  async beginEnrolment(userId: string): Promise<string> {
    // Reuse a pending secret, so a mistyped code does not make the owner scan a new QR code.
    const { rows } = await this.pool.query<{ totp_pending_secret: string }>(
      `update auth_users set totp_pending_secret = coalesce(totp_pending_secret, $2)
       where id = $1 and totp_secret is null returning totp_pending_secret`,
      [userId, newTotpSecret()],
    );
    if (!rows[0]) throw conflict('two-factor authentication is set up already');
    return rows[0].totp_pending_secret;
  }

  /** Confirms the pending secret with a code from the app; returns the recovery codes (shown once). */
  async confirmEnrolment(principal: Principal, code: string, ip: string): Promise<string[]> {
    if (principal.via.kind !== 'session')
      throw new AppError('forbidden', 'enrolment needs a browser session');
    const sessionHash = principal.via.sessionHash;
    const codes = newRecoveryCodes();
    await transaction(this.pool, async (tx) => {
      const { rows } = await tx.query<UserRow>('select * from auth_users where id = $1 for update', [
        principal.user.id,
      ]);
      const row = rows[0];
      if (!row?.totp_pending_secret || row.totp_secret)
        throw invalid('start enrolment again: no pending secret');
      const step = verifyTotp(row.totp_pending_secret, code.trim(), this.now(), 0);
      if (step === undefined)
        throw invalid('that code does not match; check the time on your phone and try the next code');
      await tx.query(
        `update auth_users set totp_secret = totp_pending_secret, totp_pending_secret = null, totp_last_step = $2, updated_at = now()
         where id = $1`,
        [row.id, step],
      );
      await tx.query('delete from auth_recovery_codes where user_id = $1', [row.id]);
      for (const recovery of codes) {
        await tx.query('insert into auth_recovery_codes (user_id, code_hash) values ($1, $2)', [
          row.id,
          sha256(normaliseRecoveryCode(recovery)),
        ]);
      }
      // The session that enrolled becomes a full session; its id is rotated by the caller's new cookie.
      await tx.query('delete from auth_sessions where id_hash = $1', [sessionHash]);
      await this.audit.record(
        {
          actor: `user:${row.id}`,
          actorLabel: row.email,
          ip,
          action: 'user.enrol-2fa',
          target: row.email,
          outcome: 'ok',
        },
        tx,
      );
    });
    return codes;
  }

  // ---- login and sessions ----------------------------------------------------------------------

  async login(attempt: LoginAttempt): Promise<NewSession> {
    const email = attempt.email.trim().toLowerCase();
    const keys = [`account:${email}`, `ip:${attempt.ip}`];
    const lockedMs = await this.throttle.lockedFor(keys);
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
    const { rows } = await this.pool.query<UserRow>(
      'select * from auth_users where lower(email) = $1 and not disabled',
      [email],
    );
    const row = rows[0];
    const passwordOk = await verifyPassword(row?.password_hash ?? (await decoyHash()), attempt.password);
    if (!row || !passwordOk) return this.fail(attempt, email, row ? 'bad_password' : 'unknown_account');
    if (!row.totp_secret) {
      // Password right, no second factor yet (new owner, or after reset-2fa): only enrolment is allowed.
      await this.throttle.clear(`account:${email}`);
      return this.startSession(toUser(row), 'enrolling', attempt.ip, attempt.userAgent);
    }
    const code = attempt.totp?.trim() ?? '';
    if (!(await this.checkSecondFactor(row, code)))
      return this.fail(attempt, email, code ? 'bad_code' : 'missing_code');
    await this.throttle.clear(`account:${email}`);
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
    await this.pool.query('delete from auth_sessions where id_hash = $1', [principal.via.sessionHash]);
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
    const { rows } = await this.pool.query<
      UserRow & { csrf_token: string; stage: 'enrolling' | 'active'; last_seen_at: Date; expires_at: Date }
    >(
      `select u.*, s.csrf_token, s.stage, s.last_seen_at, s.expires_at
       from auth_sessions s join auth_users u on u.id = s.user_id where s.id_hash = $1 and not u.disabled`,
      [idHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    const now = this.now();
    if (
      row.expires_at.getTime() <= now ||
      row.last_seen_at.getTime() + this.sessions.idleMinutes * 60_000 <= now
    ) {
      await this.pool.query('delete from auth_sessions where id_hash = $1', [idHash]);
      return undefined;
    }
    if (now - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
      await this.pool.query('update auth_sessions set last_seen_at = $2 where id_hash = $1', [
        idHash,
        new Date(now),
      ]);
    }
    const user = toUser(row);
    const scopes = row.stage === 'active' ? new Set(SCOPES_BY_ROLE[user.role]) : new Set<Scope>();
    return {
      user,
      scopes,
      via: { kind: 'session', sessionHash: idHash, csrfToken: row.csrf_token, stage: row.stage },
    };
  }

  async pruneSessions(): Promise<number> {
    const now = new Date(this.now());
    const { rowCount } = await this.pool.query(
      `delete from auth_sessions where expires_at <= $1 or last_seen_at <= $1 - $2 * interval '1 minute'`,
      [now, this.sessions.idleMinutes],
    );
    return rowCount ?? 0;
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
    const { rows } = await this.pool.query<UserRow>(
      'select * from auth_users where lower(email) = lower($1) and not disabled',
      [email],
    );
    const user = rows[0];
    if (!user) throw notFound(`no user with the email ${email}`);
    const allowed = SCOPES_BY_ROLE[user.role];
    const beyond = scopes.filter((scope) => !allowed.includes(scope as Scope));
    if (beyond.length) throw invalid(`a ${user.role} cannot hand out the scope ${beyond.join(', ')}`);
    const token = TOKEN_PREFIX + randomToken(32);
    const inserted = await this.pool.query<{ id: string }>(
      'insert into auth_api_tokens (user_id, name, token_hash, prefix, scopes) values ($1, $2, $3, $4, $5) returning id',
      [user.id, name.trim(), sha256(token), token.slice(0, TOKEN_PREFIX.length + 6), [...new Set(scopes)]],
    );
    const id = inserted.rows[0]!.id;
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
    const { rows } = await this.pool.query(
      `select t.id, t.name, t.prefix, t.scopes, u.email, t.created_at, t.last_used_at from auth_api_tokens t
       join auth_users u on u.id = t.user_id where t.revoked_at is null order by t.created_at`,
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      scopes: row.scopes,
      user: row.email,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
    }));
  }

  async revokeToken(id: string, by: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      'update auth_api_tokens set revoked_at = now() where id = $1 and revoked_at is null',
      [id],
    );
    if (rowCount === 0) throw notFound('no active token with that id');
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
    const { rows } = await this.pool.query<
      UserRow & { token_id: string; scopes: string[]; last_used_at: Date | null }
    >(
      `select u.*, t.id as token_id, t.scopes, t.last_used_at from auth_api_tokens t join auth_users u on u.id = t.user_id
       where t.token_hash = $1 and t.revoked_at is null and not u.disabled`,
      [sha256(bearer)],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (!row.last_used_at || this.now() - row.last_used_at.getTime() > TOUCH_EVERY_MS) {
      await this.pool.query('update auth_api_tokens set last_used_at = now() where id = $1', [row.token_id]);
    }
    const user = toUser(row);
    const allowed = SCOPES_BY_ROLE[user.role];
    // A token never grants more than its user's role grants today.
    const scopes = new Set(
      row.scopes.filter((scope): scope is Scope => isScope(scope) && allowed.includes(scope)),
    );
    return { user, scopes, via: { kind: 'token', tokenId: row.token_id } };
  }

  // ---- internals -------------------------------------------------------------------------------

  private async insertUser(
    email: string,
    password: string,
    role: string,
    twoFactor: { totpSecret?: string | undefined },
    q: pg.Pool | pg.PoolClient = this.pool,
  ): Promise<User> {
    const clean = email.trim().toLowerCase();
    if (!EMAIL.test(clean) || clean.length > 254) throw invalid('email is not a valid email address');
    if (!isRole(role)) throw invalid('role must be owner, staff or viewer');
    if (password.length < MIN_PASSWORD_LENGTH)
      throw invalid(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    if (password.length > 1024) throw invalid('password must be at most 1024 characters');
    const hash = await hashPassword(password);
    try {
      const { rows } = await q.query<UserRow>(
        'insert into auth_users (email, role, password_hash, totp_secret) values ($1, $2, $3, $4) returning *',
        [clean, role as Role, hash, twoFactor.totpSecret ?? null],
      );
      return toUser(rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw conflict(`a user with the email ${clean} exists already`);
      throw error;
    }
  }

  private async checkSecondFactor(row: UserRow, code: string): Promise<boolean> {
    if (/^\d{6}$/.test(code)) {
      const step = verifyTotp(row.totp_secret!, code, this.now(), Number(row.totp_last_step));
      if (step === undefined) return false;
      // Conditional update: two logins racing with the same code cannot both win.
      const { rowCount } = await this.pool.query(
        'update auth_users set totp_last_step = $2 where id = $1 and totp_last_step < $2',
        [row.id, step],
      );
      return rowCount === 1;
    }
    if (code.length < 8 || code.length > 20) return false;
    const { rowCount } = await this.pool.query(
      'update auth_recovery_codes set used_at = now() where user_id = $1 and code_hash = $2 and used_at is null',
      [row.id, sha256(normaliseRecoveryCode(code))],
    );
    return rowCount === 1;
  }

  private async fail(attempt: LoginAttempt, email: string, reason: string): Promise<never> {
    await this.throttle.recordFailure(`account:${email}`, ACCOUNT_POLICY);
    await this.throttle.recordFailure(`ip:${attempt.ip}`, IP_POLICY);
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
    const now = this.now();
    await this.pool.query(
      `insert into auth_sessions (id_hash, user_id, csrf_token, stage, created_at, last_seen_at, expires_at, ip, user_agent)
       values ($1, $2, $3, $4, $5, $5, $6, $7, $8)`,
      [
        sha256(cookieValue),
        user.id,
        csrfToken,
        stage,
        new Date(now),
        new Date(now + this.sessions.absoluteHours * 3_600_000),
        ip,
        userAgent?.slice(0, 300) ?? null,
      ],
    );
    return { cookieValue, csrfToken, user, stage };
  }
}

interface UserRow {
  id: string;
  email: string;
  role: Role;
  password_hash: string;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_last_step: string;
  disabled: boolean;
  created_at: Date;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    twoFactorEnabled: row.totp_secret !== null,
    createdAt: row.created_at,
  };
}
