// Failed-login throttling per account and per client IP, shared by every shopkeep process through
// the database. A key is locked for a while once it collects too many failures in its window.
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
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

  /**
   * Counts one attempt before it is checked, in one statement, so parallel requests cannot slip past
   * the limit: each learns its own place in the count. The attempt past the limit sets the lock.
   * Returns how long this attempt is locked out (0: go ahead and check it).
   */
  async attempt(key: string, policy: ThrottlePolicy): Promise<number> {
    const now = new Date(this.now());
    const stale = lt(authLoginFailures.windowStartedAt, new Date(now.getTime() - policy.windowMs));
    const [row] = await this.db
      .insert(authLoginFailures)
      .values({ key, failures: 1, windowStartedAt: now })
      .onConflictDoUpdate({
        target: authLoginFailures.key,
        set: {
          failures: sql`case when ${stale} then 1 else ${authLoginFailures.failures} + 1 end`,
          windowStartedAt: sql`case when ${stale} then ${now} else ${authLoginFailures.windowStartedAt} end`,
        },
      })
      .returning();
    if (row!.failures > policy.maxFailures) {
      const until = new Date(now.getTime() + policy.lockMs);
      await this.db
        .update(authLoginFailures)
        .set({ lockedUntil: until })
        .where(
          and(
            eq(authLoginFailures.key, key),
            or(isNull(authLoginFailures.lockedUntil), lt(authLoginFailures.lockedUntil, until)),
          ),
        );
      return policy.lockMs;
    }
    return Math.max(0, (row!.lockedUntil?.getTime() ?? 0) - now.getTime());
  }

  async clear(key: string): Promise<void> {
    await this.db.delete(authLoginFailures).where(eq(authLoginFailures.key, key));
  }

  /** Takes back one counted attempt (a login that succeeded). */
  async release(key: string): Promise<void> {
    await this.db
      .update(authLoginFailures)
      .set({ failures: sql`greatest(${authLoginFailures.failures} - 1, 0)` })
      .where(eq(authLoginFailures.key, key));
  }

  /** Windows long over and locks long expired are forgotten (anonymous requests can create keys). */
  async prune(olderThanMs = 24 * 3_600_000): Promise<void> {
    const cutoff = new Date(this.now() - olderThanMs);
    await this.db
      .delete(authLoginFailures)
      .where(
        and(
          lt(authLoginFailures.windowStartedAt, cutoff),
          or(isNull(authLoginFailures.lockedUntil), lt(authLoginFailures.lockedUntil, cutoff)),
        ),
      );
  }
}
