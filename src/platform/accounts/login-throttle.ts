// Failed-login throttling per account and per client IP, shared by every shopkeep process through
// the database. A key is locked for a while once it collects too many failures in its window.
import { and, eq, gte, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type pg from 'pg';
import { orm, type Orm } from '../db/orm.ts';
import { authLoginFailures } from './schema.ts';

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
export const IP_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 30 * 60_000 };

export class LoginThrottle {
  private readonly db: Orm;

  constructor(
    pool: pg.Pool,
    private readonly now: () => number = Date.now,
  ) {
    this.db = orm(pool);
  }

  /** Milliseconds until the first locked key unlocks, or 0 when none is locked. */
  async lockedFor(keys: string[]): Promise<number> {
    const rows = await this.db
      .select({ lockedUntil: authLoginFailures.lockedUntil })
      .from(authLoginFailures)
      .where(and(inArray(authLoginFailures.key, keys), isNotNull(authLoginFailures.lockedUntil)));
    const now = this.now();
    return Math.max(0, ...rows.map((row) => row.lockedUntil!.getTime() - now));
  }

  async recordFailure(key: string, policy: ThrottlePolicy): Promise<void> {
    const now = new Date(this.now());
    const windowStart = new Date(now.getTime() - policy.windowMs);
    const stale = lt(authLoginFailures.windowStartedAt, windowStart);
    // One statement: a new window starts when the old one is over.
    await this.db
      .insert(authLoginFailures)
      .values({ key, failures: 1, windowStartedAt: now })
      .onConflictDoUpdate({
        target: authLoginFailures.key,
        set: {
          failures: sql`case when ${stale} then 1 else ${authLoginFailures.failures} + 1 end`,
          windowStartedAt: sql`case when ${stale} then ${now} else ${authLoginFailures.windowStartedAt} end`,
        },
      });
    // The failure that reaches the limit sets the lock.
    await this.db
      .update(authLoginFailures)
      .set({ lockedUntil: new Date(now.getTime() + policy.lockMs) })
      .where(
        and(
          eq(authLoginFailures.key, key),
          gte(authLoginFailures.failures, policy.maxFailures),
          or(isNull(authLoginFailures.lockedUntil), lt(authLoginFailures.lockedUntil, now)),
        ),
      );
  }

  async clear(key: string): Promise<void> {
    await this.db.delete(authLoginFailures).where(eq(authLoginFailures.key, key));
  }
}
