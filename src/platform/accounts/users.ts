// The people who use shopkeep: their email, password and role. Adding one, changing a role, a new
// password, a two-factor reset and disabling are audited; the last three also end the user's access
// (sessions and API tokens), since whoever had the old password or factor may have used it. The shop
// always keeps at least one active owner.
import { and, asc, eq } from 'drizzle-orm';
import type pg from 'pg';
import { transaction } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import type { AuditTrail } from '../audit/index.ts';
import type { ApiTokens } from './api-tokens.ts';
import type { LoginGuard } from './login-guard.ts';
import { isRole, type User } from './roles.ts';
import { authUsers } from './schema.ts';
import { MIN_PASSWORD_LENGTH, hashPassword } from './secrets.ts';
import type { Sessions } from './sessions.ts';
import type { TwoFactor } from './two-factor.ts';
import { byEmail, toUser, type UserRow } from './user-rows.ts';

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

export interface NewUser {
  email: string;
  password: string;
  role: string;
  /** Who adds them, as the audit log names them. */
  by: string;
  /**
   * Make the second factor now and answer it (the CLI prints it); otherwise the user enrols their
   * own authenticator at their first login (the dashboard, the API).
   */
  withTotp: boolean;
}

const EMAIL = /^[^\s@<>"',;]{1,64}@[^\s@<>"',;]{1,190}\.[a-z0-9-]{2,}$/i;
export const MAX_EMAIL_LENGTH = 254;

/** Whether a text is shaped like an email address (what may be logged of a failed login). */
export function looksLikeEmail(text: string): boolean {
  return EMAIL.test(text) && text.length <= MAX_EMAIL_LENGTH;
}

export class Users {
  private readonly pool: pg.Pool;
  private readonly db: Orm;
  private readonly audit: AuditTrail;
  private readonly twoFactor: TwoFactor;
  private readonly sessions: Sessions;
  private readonly tokens: ApiTokens;
  private readonly guard: LoginGuard;
  private readonly now: () => number;

  constructor(options: {
    pool: pg.Pool;
    audit: AuditTrail;
    twoFactor: TwoFactor;
    sessions: Sessions;
    tokens: ApiTokens;
    guard: LoginGuard;
    now: () => number;
  }) {
    this.pool = options.pool;
    this.db = orm(options.pool);
    this.audit = options.audit;
    this.twoFactor = options.twoFactor;
    this.sessions = options.sessions;
    this.tokens = options.tokens;
    this.guard = options.guard;
    this.now = options.now;
  }

  async add({
    email,
    password,
    role,
    by,
    withTotp,
  }: NewUser): Promise<{ user: User; totpSecret?: string; recoveryCodes?: string[] }> {
    return transaction(this.pool, async (client) => {
      const user = await this.insert(orm(client), { email, password, role, withTotp });
      const factor = withTotp ? await this.twoFactor.enable(client, user.id) : undefined;
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
      return factor ? { user, totpSecret: factor.secret, recoveryCodes: factor.recoveryCodes } : { user };
    });
  }

  /** Active users, oldest first. */
  async list(): Promise<User[]> {
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

  /** An active user's row, or undefined (a login compares its password and code with it). */
  async activeRow(email: string): Promise<UserRow | undefined> {
    const [row] = await this.db
      .select()
      .from(authUsers)
      .where(and(byEmail(email), eq(authUsers.disabled, false)));
    return row;
  }

  async byId(id: string): Promise<User | undefined> {
    const [row] = await this.db.select().from(authUsers).where(eq(authUsers.id, id));
    return row && toUser(row);
  }

  /**
   * Clears a user's second factor; the next login goes through enrolment again. Their sessions end
   * and their API tokens are revoked (someone may have had the old factor), and their login locks lift.
   */
  async resetTwoFactor(email: string, by: string): Promise<AccessEnded> {
    const { user, ended } = await transaction(this.pool, async (client) => {
      const tx = orm(client);
      const user = await this.twoFactor.reset(tx, email);
      if (!user) throw notFound(`no user with the email ${email}`);
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
    await this.twoFactor.forget(user.id);
    return ended;
  }

  /** A disabled user cannot log in; their sessions end and their API tokens are revoked at once. */
  async disable(email: string, by: string): Promise<AccessEnded> {
    return this.change(email, by, 'user.disable', async (tx, user) => {
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
    await this.change(email, by, 'user.role', async (tx, user) => {
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
    return this.change(email, by, 'user.password', async (tx, user) => {
      await tx
        .update(authUsers)
        .set({ passwordHash, updatedAt: new Date(this.now()) })
        .where(eq(authUsers.id, user.id));
      return this.endAccess(tx, user.id);
    });
  }

  /** Inserts a user inside the caller's transaction (adding one, or the owner from the setup link). */
  async insert(
    tx: Orm,
    { email, password, role, withTotp }: { email: string; password: string; role: string; withTotp: boolean },
  ): Promise<User> {
    const clean = email.trim().toLowerCase();
    if (!EMAIL.test(clean) || clean.length > MAX_EMAIL_LENGTH)
      throw invalid('email is not a valid email address');
    if (!isRole(role)) throw invalid('role must be owner, staff or viewer');
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    try {
      const [row] = await tx
        .insert(authUsers)
        .values({ email: clean, role, passwordHash, totpState: withTotp ? 'on' : null })
        .returning();
      return toUser(row!);
    } catch (error) {
      if (uniqueViolation(error)) throw conflict(`a user with the email ${clean} exists already`);
      throw error;
    }
  }

  /** One change to one active user, audited with what the change reports. */
  private async change<T extends object>(
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
    const sessionsEnded = await this.sessions.endAll(tx, userId);
    const tokensRevoked = await this.tokens.revokeAll(tx, userId);
    return { tokensRevoked, sessionsEnded };
  }

  private async keepAnOwner(tx: Orm, user: UserRow, what: string): Promise<void> {
    if (user.role !== 'owner') return;
    const owners = await tx
      .select({ id: authUsers.id })
      .from(authUsers)
      .where(and(eq(authUsers.role, 'owner'), eq(authUsers.disabled, false)))
      .for('update');
    if (owners.length <= 1) throw conflict(`cannot ${what} the last owner; make another user owner first`);
  }
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
