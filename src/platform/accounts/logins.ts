// Logging in: email, password and a second factor, past the login guard (locks and slow-downs,
// login-guard.ts), into a session. Failures are logged in one stable line that fail2ban reads, counted
// in the metrics and audited; a refusal never tells a right password, code or account from a wrong
// one. A locked-out owner gets in with a recovery code, or with a one-time unlock link from the CLI.
import type { Logger } from '../logger.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import type { AuditTrail } from '../audit/index.ts';
import type { Metrics } from '../http/metrics.ts';
import type { Gate, LockedBy, LoginGuard } from './login-guard.ts';
import { decoyHash, verifyPassword } from './secrets.ts';
import type { NewSession, Sessions } from './sessions.ts';
import { isTotpCode, type TwoFactor } from './two-factor.ts';
import { toUser, type UserRow } from './user-rows.ts';
import { MAX_EMAIL_LENGTH, looksLikeEmail, type Users } from './users.ts';

export interface LoginAttempt {
  email: string;
  password: string;
  totp?: string | undefined; // a 6-digit code or a recovery code
  ip: string;
  userAgent?: string | undefined;
}

export class Logins {
  private readonly users: Users;
  private readonly guard: LoginGuard;
  private readonly twoFactor: TwoFactor;
  private readonly sessions: Sessions;
  private readonly audit: AuditTrail;
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;

  constructor(options: {
    users: Users;
    guard: LoginGuard;
    twoFactor: TwoFactor;
    sessions: Sessions;
    audit: AuditTrail;
    logger: Logger;
    metrics?: Metrics | undefined;
  }) {
    this.users = options.users;
    this.guard = options.guard;
    this.twoFactor = options.twoFactor;
    this.sessions = options.sessions;
    this.audit = options.audit;
    this.logger = options.logger;
    this.metrics = options.metrics;
  }

  /** A session for a right login: 'enrolling' while the user has no second factor yet, else 'active'. */
  async attempt(attempt: LoginAttempt): Promise<NewSession> {
    const email = attempt.email.trim().toLowerCase();
    // The API's schema refuses it too; the login form takes any field up to 2048 characters.
    if (email.length > MAX_EMAIL_LENGTH)
      throw invalid(`email must NOT have more than ${MAX_EMAIL_LENGTH} characters`);
    const row = await this.users.activeRow(email);
    const code = attempt.totp?.trim() ?? '';
    const gate = await this.guard.admit(email, attempt.ip, row?.id);
    // A recovery code is the owner's own way past a lock on their account (not past an address's
    // lock). It is spent here whatever the password turns out to be: a leaked code buys one guess.
    const unlocked =
      gate.refused !== undefined &&
      gate.refused.by !== 'address' &&
      row?.totpState === 'on' &&
      (await this.twoFactor.spendRecoveryCode(row.id, code));
    // A 6-digit code is checked past the slow-down of the account (never past a lock of the address or
    // of the account from this address, which counted the attempt already). Sound, because the code
    // is a second secret: without it the attempt gets the same refusal, whatever the password, so a
    // stranger spreading guesses over many addresses learns nothing about the password unless the
    // code is right too (3 in a million per try). A stranger trying codes from one address runs into
    // that address's locks as with any checked attempt. Without this the slow-down would be a lock
    // after all: a script that tries again the moment each wait ends keeps the owner out of every
    // new address (a phone on mobile data) for good.
    const pastSlowDown =
      gate.refused?.by === 'account' && !unlocked && isTotpCode(code) ? gate.refused : undefined;
    if (gate.refused && !unlocked && !pastSlowDown) {
      await this.guard.giveBack(gate);
      this.logRefusal(attempt.ip, email, gate.refused.by);
      throw refusal(gate.refused.by, gate.refused.waitMs);
    }
    const passwordOk = await verifyPassword(row?.passwordHash ?? (await decoyHash()), attempt.password);
    // A try past the slow-down that fails gets the slow-down's refusal, so the answer never tells a
    // right code from a wrong one. The code is not spent unless the password is right as well.
    const refused = pastSlowDown && refusal(pastSlowDown.by, pastSlowDown.waitMs);
    if (refused && (await this.twoFactor.unusedStep(row, code)) === undefined)
      return this.fail(attempt, email, gate, failureOf(row, passwordOk, code), row, refused);
    if (!row || !passwordOk)
      return this.fail(attempt, email, gate, failureOf(row, passwordOk, code), row, refused);
    if (row.totpState !== 'on') {
      // Password right, no second factor yet (new owner, or after reset-2fa): only enrolment is allowed.
      await this.guard.succeeded(gate, email, attempt.ip, row.id, false);
      return this.sessions.start(toUser(row), 'enrolling', attempt.ip, attempt.userAgent);
    }
    if (!unlocked && !(await this.twoFactor.check(row, code)))
      return this.fail(attempt, email, gate, failureOf(row, passwordOk, code), row, refused);
    await this.guard.succeeded(gate, email, attempt.ip, row.id, true);
    const session = await this.sessions.start(toUser(row), 'active', attempt.ip, attempt.userAgent);
    await this.audit.record({
      actor: `user:${row.id}`,
      actorLabel: row.email,
      ip: attempt.ip,
      action: unlocked ? 'auth.unlock' : 'auth.login',
      target: row.email,
      outcome: 'ok',
      ...(unlocked ? { details: { with: 'recovery code' } } : {}),
    });
    return session;
  }

  /** A one-time link for a user locked out by failed logins; their two-factor stays as it is. */
  async newUnlockLink(email: string, by: string): Promise<{ token: string; expiresAt: Date }> {
    const user = await this.users.activeRow(email);
    if (!user) throw notFound(`no active user with the email ${email}`);
    const link = await this.guard.newUnlockLink(user.id);
    await this.audit.record({
      actor: by,
      actorLabel: by,
      action: 'user.unlock-link',
      target: user.email,
      outcome: 'ok',
      details: { expiresAt: link.expiresAt.toISOString() },
    });
    return link;
  }

  async unlockLinkValid(token: string): Promise<boolean> {
    return this.guard.unlockLinkValid(token);
  }

  /** Spends an unlock link from the address that opened it; a used or expired link is refused. */
  async unlockWithLink(token: string, ip: string): Promise<void> {
    const userId = await this.guard.useUnlockLink(token, ip);
    if (!userId) {
      throw new AppError(
        'forbidden',
        'this unlock link has expired or was used; run "shopkeep user unlock" again for a new one',
      );
    }
    const user = await this.users.byId(userId);
    await this.audit.record({
      actor: `user:${userId}`,
      actorLabel: user?.email ?? userId,
      ip,
      action: 'auth.unlock',
      target: user?.email,
      outcome: 'ok',
      details: { with: 'link' },
    });
  }

  /** Old failure counts, addresses not used for long and expired unlock links. */
  async pruneFailures(): Promise<void> {
    await this.guard.prune();
  }

  /** Waits for the owner's alerts of failed logins still on their way (they go after the answer). */
  async settle(): Promise<void> {
    await this.guard.settled();
  }

  /**
   * The attempt was counted before it was checked; here it is logged and audited, and refused with
   * `refused` when given (a try past the slow-down), else as a wrong login.
   */
  private async fail(
    attempt: LoginAttempt,
    email: string,
    gate: Gate,
    reason: string,
    row: UserRow | undefined,
    refused: AppError | undefined,
  ): Promise<never> {
    this.logFailure(attempt.ip, email, reason);
    await this.audit.record({
      actor: 'anonymous',
      actorLabel: shownEmail(email),
      ip: attempt.ip,
      action: 'auth.login',
      target: shownEmail(email),
      outcome: 'denied',
      details: { reason },
    });
    this.guard.failed(gate, email, row !== undefined);
    throw refused ?? new AppError('unauthenticated', 'email, password or code is wrong');
  }

  /**
   * One stable line per failure; deploy/fail2ban/filter.d/shopkeep.conf matches it. A lock on the
   * address or on this account from this address is the address's own doing and is logged the same;
   * a slow-down comes from others' failures elsewhere, so it is not a failure of this address.
   */
  private logRefusal(ip: string, email: string, by: LockedBy): void {
    if (by !== 'account') return this.logFailure(ip, email, 'locked');
    this.metrics?.loginFailures.inc({ reason: 'slowed' });
    this.logger.info(
      { event: 'auth.slowed', email: shownEmail(email), ip },
      'login attempt slowed down: the account has many recent failures',
    );
  }

  private logFailure(ip: string, email: string, reason: string): void {
    this.metrics?.loginFailures.inc({ reason });
    this.logger.warn({ event: 'auth.failure', email: shownEmail(email), reason }, `login failed from ${ip}`);
  }
}

/**
 * What a refused login is told. The address's lock is not the account's business; the other two say
 * how the owner gets past them.
 */
function refusal(by: LockedBy, waitMs: number): AppError {
  const seconds = Math.ceil(waitMs / 1000);
  const wait =
    seconds < 60
      ? `${seconds} second${seconds === 1 ? '' : 's'}`
      : `${Math.ceil(seconds / 60)} minute${Math.ceil(seconds / 60) === 1 ? '' : 's'}`;
  const recovery = 'or log in with a recovery code in the code field';
  const message = {
    address: `too many failed logins from this address; try again in ${wait}`,
    pair: `too many failed logins for this account from this address; try again in ${wait}, ${recovery}`,
    account: `this account had many failed logins from other addresses, so logins from new addresses are slowed down unless password and code are both right; try again in ${wait}, ${recovery}`,
  }[by];
  return new AppError('rate_limited', message, { 'retry-after': String(seconds) });
}

/** Why a checked login failed, as the log, the audit trail and the metrics name it. */
function failureOf(row: UserRow | undefined, passwordOk: boolean, code: string): string {
  if (!row) return 'unknown_account';
  if (!passwordOk) return 'bad_password';
  return code ? 'bad_code' : 'missing_code';
}

/** Someone may type their password into the email field: only what looks like an email is logged. */
function shownEmail(email: string): string {
  return looksLikeEmail(email) ? email : '(not an email address)';
}
