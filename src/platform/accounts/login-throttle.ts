// Failed-login throttling per account and per client IP, shared by every shopkeep process through
// the database. A key is locked for a while once it collects too many failures in its window.
import type pg from 'pg';

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
export const IP_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 30 * 60_000 };

export class LoginThrottle {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the first locked key unlocks, or 0 when none is locked. */
  async lockedFor(keys: string[]): Promise<number> {
    const { rows } = await this.pool.query<{ locked_until: Date }>(
      'select locked_until from auth_login_failures where key = any($1) and locked_until is not null',
      [keys],
    );
    const now = this.now();
    return Math.max(0, ...rows.map((row) => row.locked_until.getTime() - now));
  }

  async recordFailure(key: string, policy: ThrottlePolicy): Promise<void> {
    const now = new Date(this.now());
    // One statement: a new window starts when the old one is over; the lock is set on the failure that reaches the limit.
    await this.pool.query(
      `insert into auth_login_failures (key, failures, window_started_at) values ($1, 1, $2)
       on conflict (key) do update set
         failures = case when auth_login_failures.window_started_at < $2 - $3 * interval '1 millisecond'
                         then 1 else auth_login_failures.failures + 1 end,
         window_started_at = case when auth_login_failures.window_started_at < $2 - $3 * interval '1 millisecond'
                         then $2 else auth_login_failures.window_started_at end`,
      [key, now, policy.windowMs],
    );
    await this.pool.query(
      `update auth_login_failures set locked_until = $2 + $4 * interval '1 millisecond'
       where key = $1 and failures >= $3 and (locked_until is null or locked_until < $2)`,
      [key, now, policy.maxFailures, policy.lockMs],
    );
  }

  async clear(key: string): Promise<void> {
    await this.pool.query('delete from auth_login_failures where key = $1', [key]);
  }
}
