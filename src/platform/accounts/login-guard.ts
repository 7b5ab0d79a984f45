// What stands before a password check: the address lock, the account-and-address lock, the slow-down
// for an account guessed at from many addresses (skipped for addresses the account logged in from
// before), the owner's alert when an account is being guessed at, and one-time unlock links.
// Counts are kept by client (an IPv4 address, an IPv6 /64: client-key.ts) and by the SHA-256 of the
// email: the email is whatever a stranger typed, and no size of it may reach a key or an index.
import { and, eq, gt, inArray, isNull, lt } from 'drizzle-orm';
import type pg from 'pg';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { transaction } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import { clientKey } from '../net/client-key.ts';
import type { Notifier } from '../notify/index.ts';
import { authKnownAddresses, authLoginFailures, authUnlockTokens, authUsers } from './schema.ts';
import { ACCOUNT_SLOW_DOWN, IP_POLICY, LoginThrottle, PAIR_POLICY, type SlowDown } from './login-throttle.ts';
import { randomToken, sha256 } from './secrets.ts';

/** An address an account fully logged in from stays known this long after its last such login. */
const KNOWN_FOR_MS = 90 * 86_400_000;
/** The owner hears of a burst once it has this many failures (when the slow-down begins). */
const ALERT_AFTER = ACCOUNT_SLOW_DOWN.freeFailures;
const UNLOCK_LINK_MINUTES = 30;
/** An id no user has: looked up for unknown accounts, so timing does not tell them apart. */
export const NO_USER = '00000000-0000-0000-0000-000000000000';

export type LockedBy = 'address' | 'pair' | 'account';

/** One login attempt as the throttles saw it. */
export interface Gate {
  /** Keys that counted this attempt: given back if it goes no further, settled when it ends. */
  counted: string[];
  slow?: SlowDown;
  refused?: { waitMs: number; by: LockedBy };
}

export class LoginGuard {
  private readonly pool: pg.Pool;
  private readonly notifications: Notifier;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly throttle: LoginThrottle;
  private readonly db: Orm;
  /** Alerts on their way to the owner (sent after the answer to the login). */
  private readonly alerts = new Set<Promise<void>>();

  constructor(options: { pool: pg.Pool; notifications: Notifier; logger: Logger; now: () => number }) {
    this.pool = options.pool;
    this.notifications = options.notifications;
    this.logger = options.logger;
    this.now = options.now;
    this.throttle = new LoginThrottle({ pool: options.pool, now: options.now });
    this.db = orm(options.pool);
  }

  /** Counts the attempt at each level in turn; the first level that says wait refuses it. */
  async admit(email: string, ip: string, userId: string | undefined): Promise<Gate> {
    const counted: string[] = [];
    const client = clientKey(ip);
    const account = accountKeyOf(email);
    const ipKey = `ip:${client}`;
    const ipWait = await this.throttle.attempt(ipKey, IP_POLICY, { address: client });
    if (ipWait) return { counted, refused: { waitMs: ipWait, by: 'address' } };
    counted.push(ipKey);
    const pairKey = pairKeyOf(email, ip);
    const pairWait = await this.throttle.attempt(pairKey, PAIR_POLICY, { account, address: client });
    if (pairWait) return { counted, refused: { waitMs: pairWait, by: 'pair' } };
    counted.push(pairKey);
    // Asked for unknown accounts too (with an id no user has), so timing does not tell them apart.
    if (await this.isKnown(userId ?? NO_USER, client)) return { counted };
    const slowKey = `slow:${account}`;
    const slow = await this.throttle.slowDown(slowKey, account, ACCOUNT_SLOW_DOWN);
    if (slow.waitMs) return { counted, slow, refused: { waitMs: slow.waitMs, by: 'account' } };
    counted.push(slowKey);
    return { counted, slow };
  }

  /** A refused attempt was never checked: it counts nowhere. */
  async giveBack(gate: Gate): Promise<void> {
    for (const key of gate.counted) await this.throttle.release(key);
  }

  /**
   * A good login clears its address's count for the account and gives back its other counts; a full
   * login (past the second factor) makes the address known to the account.
   */
  async succeeded(gate: Gate, email: string, ip: string, userId: string, full: boolean): Promise<void> {
    const pairKey = pairKeyOf(email, ip);
    for (const key of gate.counted) if (key !== pairKey) await this.throttle.release(key);
    await this.throttle.clear(pairKey);
    if (full) await this.remember(this.db, userId, clientKey(ip));
  }

  /**
   * Tells the owner once per burst when an account is being guessed at: the count and addresses.
   * Sent after the answer, never on its way: an answer that waited for it would take longer for an
   * account that exists than for one that does not. The addresses are read for unknown accounts too;
   * only an account that exists has someone to tell.
   */
  failed(gate: Gate, email: string, exists: boolean): void {
    const slow = gate.slow;
    if (!slow || slow.failures < ALERT_AFTER) return;
    const alert = this.alert(slow, email, exists).catch((error: unknown) => {
      // The refusal stood either way; a lost alert is logged, never the attempt's password (which an
      // unknown "email" may well be).
      this.logger.error(
        { err: describeError(error), ...(exists ? { email } : {}) },
        'could not alert the owner of failed logins',
      );
    });
    this.alerts.add(alert);
    void alert.then(() => this.alerts.delete(alert));
  }

  /** Resolves when every alert on its way has been sent or given up (before the database closes). */
  async settled(): Promise<void> {
    await Promise.all([...this.alerts]);
  }

  private async alert(slow: SlowDown, email: string, exists: boolean): Promise<void> {
    const addresses = await this.throttle.addressesOf(accountKeyOf(email), slow.burstStartedAt);
    if (!exists) return;
    const listed = addresses
      .slice(0, 10)
      .map(({ address, failures }) => `${address} (${failures})`)
      .join(', ');
    const more = addresses.length > 10 ? ` and ${addresses.length - 10} more` : '';
    const since = slow.burstStartedAt.toISOString().slice(0, 16).replace('T', ' ');
    await this.notifications.send({
      kind: 'auth.failed_logins',
      severity: 'warning',
      title: `Failed logins for ${email}`,
      body: [
        `${slow.failures} failed logins for ${email} since ${since} UTC, from ${listed || 'unknown addresses'}${more}.`,
        'Logins from addresses new to this account are slowed down, unless both password and code are right; addresses it logged in from before are not.',
        `Locked out? Log in with a recovery code in the code field, or run "shopkeep user unlock --email ${email}" on the machine for a one-time link.`,
      ].join('\n'),
      dedupeKey: `auth.failed_logins:${email}:${slow.burstStartedAt.toISOString()}`,
    });
  }

  /** Lifts every count and lock kept for an account (an owner's reset of its two-factor). */
  async clearAccount(tx: Orm, email: string): Promise<void> {
    await tx.delete(authLoginFailures).where(eq(authLoginFailures.account, accountKeyOf(email)));
  }

  async newUnlockLink(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = randomToken(32);
    const expiresAt = new Date(this.now() + UNLOCK_LINK_MINUTES * 60_000);
    await this.db.insert(authUnlockTokens).values({ tokenHash: sha256(token), userId, expiresAt });
    return { token, expiresAt };
  }

  async unlockLinkValid(token: string): Promise<boolean> {
    const rows = await this.db.select().from(authUnlockTokens).where(this.usableLink(token));
    return rows.length > 0;
  }

  /**
   * Spends an unlock link: the address that opened it loses its locks (for the account and as an
   * address) and becomes known to the account. Returns the user's id, or undefined for a used,
   * expired or unknown link.
   */
  async useUnlockLink(token: string, ip: string): Promise<string | undefined> {
    return transaction(this.pool, async (client) => {
      const tx = orm(client);
      const [used] = await tx
        .update(authUnlockTokens)
        .set({ usedAt: new Date(this.now()) })
        .where(this.usableLink(token))
        .returning({ userId: authUnlockTokens.userId });
      if (!used) return undefined;
      const [user] = await tx
        .select({ email: authUsers.email })
        .from(authUsers)
        .where(eq(authUsers.id, used.userId));
      const lifted = [`ip:${clientKey(ip)}`, ...(user ? [pairKeyOf(user.email, ip)] : [])];
      await tx.delete(authLoginFailures).where(inArray(authLoginFailures.key, lifted));
      await this.remember(tx, used.userId, clientKey(ip));
      return used.userId;
    });
  }

  async prune(): Promise<void> {
    await this.throttle.prune();
    const now = this.now();
    await this.db
      .delete(authKnownAddresses)
      .where(lt(authKnownAddresses.lastLoginAt, new Date(now - KNOWN_FOR_MS)));
    await this.db.delete(authUnlockTokens).where(lt(authUnlockTokens.expiresAt, new Date(now)));
  }

  private async isKnown(userId: string, client: string): Promise<boolean> {
    const rows = await this.db
      .select({ userId: authKnownAddresses.userId })
      .from(authKnownAddresses)
      .where(
        and(
          eq(authKnownAddresses.userId, userId),
          eq(authKnownAddresses.address, client),
          gt(authKnownAddresses.lastLoginAt, new Date(this.now() - KNOWN_FOR_MS)),
        ),
      );
    return rows.length > 0;
  }

  private async remember(db: Orm, userId: string, client: string): Promise<void> {
    const at = new Date(this.now());
    await db
      .insert(authKnownAddresses)
      .values({ userId, address: client, lastLoginAt: at })
      .onConflictDoUpdate({
        target: [authKnownAddresses.userId, authKnownAddresses.address],
        set: { lastLoginAt: at },
      });
  }

  private usableLink(token: string) {
    return and(
      eq(authUnlockTokens.tokenHash, sha256(token)),
      isNull(authUnlockTokens.usedAt),
      gt(authUnlockTokens.expiresAt, new Date(this.now())),
    );
  }
}

/** What the counts of an account are kept under: the hash of its email as login compares it. */
function accountKeyOf(email: string): string {
  return sha256(email.trim().toLowerCase());
}

function pairKeyOf(email: string, ip: string): string {
  return `pair:${clientKey(ip)} ${accountKeyOf(email)}`;
}
