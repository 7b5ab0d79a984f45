// API tokens for programs (n8n, scripts, Prometheus): stored hashed, scoped to their user's role,
// optionally expiring, their last use written at most once a minute.
import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type pg from 'pg';
import { orm, type Orm } from '../db/orm.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import type { AuditTrail } from '../audit/index.ts';
import type { NewToken, TokenInfo, TokenIssuer } from './face.ts';
import { authApiTokens, authUsers } from './schema.ts';
import { SCOPES_BY_ROLE, grantedBy, isScope, type Principal, type Scope } from './roles.ts';
import { randomToken, sha256 } from './secrets.ts';
import { tokenExpiry } from './token-expiry.ts';
import { byEmail, toUser } from './user-rows.ts';

const TOKEN_PREFIX = 'skt_';
const TOUCH_EVERY_MS = 60_000;

export class ApiTokens implements TokenIssuer {
  private readonly db: Orm;
  private readonly audit: AuditTrail;
  private readonly timezone: string;
  private readonly now: () => number;
  private readonly lookup;

  constructor(options: {
    pool: pg.Pool;
    audit: AuditTrail;
    /** The shop's time zone: a token's expiry date ends at its midnight. */
    timezone: string;
    now: () => number;
  }) {
    this.db = orm(options.pool);
    this.audit = options.audit;
    this.timezone = options.timezone;
    this.now = options.now;
    // Every request with a token runs this: built once, prepared once per connection.
    this.lookup = this.db
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

  async create({
    email,
    name,
    scopes,
    by,
    expires,
  }: NewToken): Promise<{ token: string; id: string; expiresAt: Date | null }> {
    if (!name.trim() || name.length > 100) throw invalid('a token needs a name of 1 to 100 characters');
    if (scopes.length === 0) throw invalid('a token needs at least one scope: read, write, admin or metrics');
    const unknown = scopes.filter((scope) => !isScope(scope));
    if (unknown.length)
      throw invalid(`unknown scope ${unknown.join(', ')}; use read, write, admin or metrics`);
    const expiresAt = expires?.trim() ? tokenExpiry(expires, this.now(), this.timezone) : null;
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
        expiresAt,
      })
      .returning({ id: authApiTokens.id });
    const id = inserted!.id;
    await this.audit.record({
      actor: by,
      actorLabel: by,
      action: 'token.create',
      target: `token:${id}`,
      outcome: 'ok',
      details: { name, scopes, user: user.email, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { token, id, expiresAt };
  }

  /** Tokens not revoked, expired ones included (marked by their date) until someone revokes them. */
  async list(): Promise<TokenInfo[]> {
    return this.db
      .select({
        id: authApiTokens.id,
        name: authApiTokens.name,
        prefix: authApiTokens.prefix,
        scopes: authApiTokens.scopes,
        user: authUsers.email,
        createdAt: authApiTokens.createdAt,
        lastUsedAt: authApiTokens.lastUsedAt,
        expiresAt: authApiTokens.expiresAt,
      })
      .from(authApiTokens)
      .innerJoin(authUsers, eq(authUsers.id, authApiTokens.userId))
      .where(isNull(authApiTokens.revokedAt))
      .orderBy(asc(authApiTokens.createdAt));
  }

  async revoke(id: string, by: string): Promise<void> {
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

  /** Revokes every token of a user inside the caller's transaction (their access ended); says how many. */
  async revokeAll(tx: Orm, userId: string): Promise<number> {
    const revoked = await tx
      .update(authApiTokens)
      .set({ revokedAt: new Date(this.now()) })
      .where(and(eq(authApiTokens.userId, userId), isNull(authApiTokens.revokedAt)))
      .returning({ id: authApiTokens.id });
    return revoked.length;
  }

  /**
   * The principal a bearer token acts as; undefined for an unknown or revoked token. An expired
   * token is refused here with its own message: only someone who once held a valid token can send
   * one, so it needs no place in the anonymous rate limit that unknown tokens count against.
   */
  async resolve(bearer: string): Promise<Principal | undefined> {
    if (!bearer.startsWith(TOKEN_PREFIX)) return undefined;
    const [row] = await this.lookup.execute({ tokenHash: sha256(bearer) });
    if (!row) return undefined;
    const { token } = row;
    const now = this.now();
    if (token.expiresAt && token.expiresAt.getTime() <= now) {
      const when = token.expiresAt.toISOString().slice(0, 16).replace('T', ' ');
      throw new AppError(
        'unauthenticated',
        `the API token "${token.name}" expired on ${when} UTC; ask an owner for a new one`,
      );
    }
    if (!token.lastUsedAt || now - token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      // Conditional, so parallel requests on a stale row still write it once a minute at most.
      await this.db
        .update(authApiTokens)
        .set({ lastUsedAt: new Date(now) })
        .where(
          and(
            eq(authApiTokens.id, token.id),
            or(
              isNull(authApiTokens.lastUsedAt),
              lt(authApiTokens.lastUsedAt, new Date(now - TOUCH_EVERY_MS)),
            ),
          ),
        );
    }
    const user = toUser(row.user);
    const allowed = SCOPES_BY_ROLE[user.role];
    // A token never grants more than its user's role grants today.
    const scopes = grantedBy(
      token.scopes.filter((scope): scope is Scope => isScope(scope) && allowed.includes(scope)),
    );
    return { user, scopes, via: { kind: 'token', tokenId: token.id } };
  }
}
