// Failed-login counts, kept in the database so every shopkeep process shares them. Two kinds:
// - a lock: a client address (many accounts tried from one place), or one account tried from one
//   address. A stranger's guesses lock only the stranger's own pair, never the owner's address.
// - a slow-down: one account tried from addresses not known for it (guesses spread over many
//   addresses). Never a lock: a delay between attempts that doubles with each failure, up to a cap.
// Attempts are counted before they are checked, in one statement, so parallel requests cannot slip
// past a limit. An attempt refused by a lock or a delay is not counted, so neither grows by tries
// made during it.
import { and, desc, eq, gte, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type pg from 'pg';
import { orm, type Orm } from '../db/orm.ts';
import { authLoginFailures } from './schema.ts';

export interface LockPolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export interface SlowDownPolicy {
  /** Failures before any delay. */
  freeFailures: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** A burst ends after this long without an attempt; the count starts again. */
  quietMs: number;
}

export const IP_POLICY: LockPolicy = { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 30 * 60_000 };
export const PAIR_POLICY: LockPolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
export const ACCOUNT_SLOW_DOWN: SlowDownPolicy = {
  freeFailures: 5,
  firstDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  quietMs: 15 * 60_000,
};

export interface SlowDown {
  /** 0: go ahead (the attempt was counted). */
  waitMs: number;
  failures: number;
  burstStartedAt: Date;
}

const t = authLoginFailures;

export class LoginThrottle {
  private readonly db: Orm;
  private readonly now: () => number;

  constructor(options: { pool: pg.Pool; now: () => number }) {
    this.db = orm(options.pool);
    this.now = options.now;
  }

  /**
   * Counts one attempt under a lock policy. Returns how long the key is locked (0: go ahead and check
   * the attempt). The attempt past the limit sets the lock; a lock that ended starts a fresh count.
   */
  async attempt(
    key: string,
    policy: LockPolicy,
    owner: { account?: string; address?: string } = {},
  ): Promise<number> {
    const now = new Date(this.now());
    const fresh = sql`(${t.windowStartedAt} < ${new Date(now.getTime() - policy.windowMs)} or ${t.lockedUntil} <= ${now})`;
    const [row] = await this.db
      .insert(t)
      .values({ key, failures: 1, windowStartedAt: now, lastAttemptAt: now, ...owner })
      .onConflictDoUpdate({
        target: t.key,
        set: {
          failures: sql`case when ${fresh} then 1 else ${t.failures} + 1 end`,
          windowStartedAt: sql`case when ${fresh} then ${now}::timestamptz else ${t.windowStartedAt} end`,
          lockedUntil: null,
          lastAttemptAt: now,
        },
        // Locked: not counted, and so never extended.
        setWhere: or(isNull(t.lockedUntil), lte(t.lockedUntil, now)),
      })
      .returning();
    if (!row) return this.remaining(key, now);
    if (row.failures <= policy.maxFailures) return 0;
    await this.db
      .update(t)
      .set({ lockedUntil: new Date(now.getTime() + policy.lockMs) })
      .where(and(eq(t.key, key), isNull(t.lockedUntil)));
    return policy.lockMs;
  }

  /**
   * Counts one attempt under a slow-down policy, unless the delay since the last one has not passed.
   * The delay set here applies to the next attempt.
   */
  async slowDown(key: string, account: string, policy: SlowDownPolicy): Promise<SlowDown> {
    const now = new Date(this.now());
    const quiet = sql`${t.lastAttemptAt} < ${new Date(now.getTime() - policy.quietMs)}`;
    const failures = sql`(case when ${quiet} then 1 else ${t.failures} + 1 end)`;
    const [row] = await this.db
      .insert(t)
      .values({
        key,
        account,
        failures: 1,
        windowStartedAt: now,
        lastAttemptAt: now,
        lockedUntil: new Date(now.getTime() + delayAfter(1, policy)),
      })
      .onConflictDoUpdate({
        target: t.key,
        set: {
          failures,
          windowStartedAt: sql`case when ${quiet} then ${now}::timestamptz else ${t.windowStartedAt} end`,
          lastAttemptAt: now,
          lockedUntil: sql`${now}::timestamptz + ${delaySql(failures, policy)} * interval '1 millisecond'`,
        },
        setWhere: or(isNull(t.lockedUntil), lte(t.lockedUntil, now)),
      })
      .returning();
    if (row) return { waitMs: 0, failures: row.failures, burstStartedAt: row.windowStartedAt };
    const [held] = await this.db.select().from(t).where(eq(t.key, key));
    return {
      waitMs: Math.max(1_000, (held?.lockedUntil?.getTime() ?? 0) - now.getTime()),
      failures: held?.failures ?? 0,
      burstStartedAt: held?.windowStartedAt ?? now,
    };
  }

  /** The addresses that failed for an account since a moment, most failures first. */
  async addressesOf(account: string, since: Date): Promise<{ address: string; failures: number }[]> {
    const rows = await this.db
      .select({ address: t.address, failures: t.failures })
      .from(t)
      .where(and(eq(t.account, account), isNotNull(t.address), gte(t.lastAttemptAt, since)))
      .orderBy(desc(t.failures), t.address);
    return rows.map((row) => ({ address: row.address!, failures: row.failures }));
  }

  async clear(key: string): Promise<void> {
    await this.db.delete(t).where(eq(t.key, key));
  }

  /** Takes back one counted attempt (one that succeeded, or was refused further on). */
  async release(key: string): Promise<void> {
    await this.db
      .update(t)
      .set({ failures: sql`greatest(${t.failures} - 1, 0)` })
      .where(eq(t.key, key));
  }

  /** Counts long over and locks long expired are forgotten (anonymous requests can create keys). */
  async prune(olderThanMs = 24 * 3_600_000): Promise<void> {
    const cutoff = new Date(this.now() - olderThanMs);
    await this.db
      .delete(t)
      .where(
        and(
          lt(sql`coalesce(${t.lastAttemptAt}, ${t.windowStartedAt})`, cutoff),
          or(isNull(t.lockedUntil), lt(t.lockedUntil, cutoff)),
        ),
      );
  }

  private async remaining(key: string, now: Date): Promise<number> {
    const [row] = await this.db.select({ lockedUntil: t.lockedUntil }).from(t).where(eq(t.key, key));
    // A lock that ended between the two statements still refuses this one attempt, briefly.
    return Math.max(1_000, (row?.lockedUntil?.getTime() ?? 0) - now.getTime());
  }
}

/** The wait after the n-th counted failure: none for the free ones, then 1 s, 2 s, 4 s … up to the cap. */
export function delayAfter(failures: number, policy: SlowDownPolicy): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.firstDelayMs * 2 ** (failures - policy.freeFailures), policy.maxDelayMs);
}

/** delayAfter in SQL, for the one statement that counts and sets the next wait together. */
function delaySql(failures: ReturnType<typeof sql>, policy: SlowDownPolicy) {
  const free = sql.raw(String(policy.freeFailures));
  const first = sql.raw(String(policy.firstDelayMs));
  const cap = sql.raw(String(policy.maxDelayMs));
  // The exponent is capped before power() so a long burst cannot overflow it.
  return sql`(case when ${failures} < ${free} then 0 else least(${first} * power(2, least(${failures} - ${free}, 30)), ${cap}) end)`;
}
