// Browser sessions. The cookie holds a random id; the database keeps only its hash, with the CSRF token
// forms must send back. A session is 'enrolling' between the password and the second factor (it grants
// nothing but enrolment) and 'active' after; it ends when idle too long, when old enough, at logout, and
// when its user's access ends (a new password, a two-factor reset, a disabled account).
import { and, eq, lte, or, sql } from 'drizzle-orm';
import type pg from 'pg';
import { orm, type Orm } from '../db/orm.ts';
import type { AuditTrail } from '../audit/index.ts';
import { authSessions, authUsers } from './schema.ts';
import { SCOPES_BY_ROLE, type Principal, type Scope, type User } from './roles.ts';
import { randomToken, sha256 } from './secrets.ts';
import { toUser } from './user-rows.ts';

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

export type SessionStage = 'enrolling' | 'active';

export interface NewSession {
  cookieValue: string;
  csrfToken: string;
  user: User;
  stage: SessionStage;
}

/** Last use is written at most this often: every request reads the session, few need to write it. */
const TOUCH_EVERY_MS = 60_000;

export class Sessions {
  private readonly db: Orm;
  private readonly audit: AuditTrail;
  private readonly policy: SessionPolicy;
  private readonly now: () => number;
  private readonly lookup;

  constructor(options: { pool: pg.Pool; audit: AuditTrail; policy: SessionPolicy; now: () => number }) {
    this.db = orm(options.pool);
    this.audit = options.audit;
    this.policy = options.policy;
    this.now = options.now;
    // Every authenticated session request runs this: built once, prepared once per connection.
    this.lookup = this.db
      .select({ user: authUsers, session: authSessions })
      .from(authSessions)
      .innerJoin(authUsers, eq(authUsers.id, authSessions.userId))
      .where(and(eq(authSessions.idHash, sql.placeholder('idHash')), eq(authUsers.disabled, false)))
      .prepare('auth_session_lookup');
  }

  /** A new session id (never one the browser had before: no session fixation). */
  async start(
    user: User,
    stage: SessionStage,
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
      expiresAt: new Date(now.getTime() + this.policy.absoluteHours * 3_600_000),
      ip,
      userAgent: userAgent?.slice(0, 300) ?? null,
    });
    return { cookieValue, csrfToken, user, stage };
  }

  /** The principal a session cookie stands for; undefined when unknown, ended or timed out. */
  async resolve(cookieValue: string): Promise<Principal | undefined> {
    const idHash = sha256(cookieValue);
    const [row] = await this.lookup.execute({ idHash });
    if (!row) return undefined;
    const { session } = row;
    const now = this.now();
    if (
      session.expiresAt.getTime() <= now ||
      session.lastSeenAt.getTime() + this.policy.idleMinutes * 60_000 <= now
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

  /** Logout: the caller's session ends (an API token has none to end). */
  async end(principal: Principal, ip: string): Promise<void> {
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

  /** Ends one session inside the caller's transaction (the enrolling one, once enrolment is done). */
  async retire(tx: Orm, sessionHash: string): Promise<void> {
    await tx.delete(authSessions).where(eq(authSessions.idHash, sessionHash));
  }

  /** Ends every session of a user inside the caller's transaction; says how many. */
  async endAll(tx: Orm, userId: string): Promise<number> {
    const ended = await tx
      .delete(authSessions)
      .where(eq(authSessions.userId, userId))
      .returning({ idHash: authSessions.idHash });
    return ended.length;
  }

  /** Removes sessions past their idle or absolute timeout. */
  async prune(): Promise<number> {
    const now = this.now();
    const removed = await this.db
      .delete(authSessions)
      .where(
        or(
          lte(authSessions.expiresAt, new Date(now)),
          lte(authSessions.lastSeenAt, new Date(now - this.policy.idleMinutes * 60_000)),
        ),
      )
      .returning({ idHash: authSessions.idHash });
    return removed.length;
  }
}
