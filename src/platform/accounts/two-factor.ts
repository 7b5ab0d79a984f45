// The second factor: a TOTP secret per user (sealed in the vault: two-factor-secrets.ts) and ten
// single-use recovery codes (stored hashed). A user enrols at their first login (or gets the secret
// printed by `shopkeep user add`); a login checks a code here; an owner's reset clears it all.
import { and, eq, isNull, lt } from 'drizzle-orm';
import type pg from 'pg';
import { transaction, type Client } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import { AppError, conflict, describeError, invalid } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AuditTrail } from '../audit/index.ts';
import type { Secrets } from '../vault/index.ts';
import { authRecoveryCodes, authUsers } from './schema.ts';
import { NO_USER } from './login-guard.ts';
import type { Principal } from './roles.ts';
import { newRecoveryCodes, normaliseRecoveryCode, sha256 } from './secrets.ts';
import type { Sessions } from './sessions.ts';
import { newTotpSecret, verifyTotp } from './totp.ts';
import { TwoFactorSecrets } from './two-factor-secrets.ts';
import { byEmail, type UserRow } from './user-rows.ts';

const TOTP_CODE = /^\d{6}$/;

/** A 6-digit code from an authenticator app (anything else typed in the code field is a recovery code). */
export function isTotpCode(code: string): boolean {
  return TOTP_CODE.test(code);
}

export class TwoFactor {
  private readonly pool: pg.Pool;
  private readonly db: Orm;
  private readonly secrets: TwoFactorSecrets;
  private readonly sessions: Sessions;
  private readonly audit: AuditTrail;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(options: {
    pool: pg.Pool;
    vault: Secrets;
    sessions: Sessions;
    audit: AuditTrail;
    logger: Logger;
    now: () => number;
  }) {
    this.pool = options.pool;
    this.db = orm(options.pool);
    this.secrets = new TwoFactorSecrets({ pool: options.pool, vault: options.vault, logger: options.logger });
    this.sessions = options.sessions;
    this.audit = options.audit;
    this.logger = options.logger;
    this.now = options.now;
  }

  /** Seals two-factor secrets an older install kept in clear (run at start-up, before serving). */
  async sealClearSecrets(): Promise<number> {
    return this.secrets.sealClearSecrets();
  }

  /** A new user's factor made at once (the CLI prints it): the secret and the recovery codes. */
  async enable(client: Client, userId: string): Promise<{ secret: string; recoveryCodes: string[] }> {
    const secret = newTotpSecret();
    await this.secrets.store(userId, secret, client);
    return { secret, recoveryCodes: await this.replaceRecoveryCodes(orm(client), userId) };
  }

  /** The secret to show as a QR code; kept pending (sealed) until a code from it is confirmed. */
  async beginEnrolment(userId: string): Promise<string> {
    return transaction(this.pool, async (client) => {
      const tx = orm(client);
      const [row] = await tx.select().from(authUsers).where(eq(authUsers.id, userId)).for('update');
      if (!row || row.totpState === 'on') throw conflict('two-factor authentication is set up already');
      // Reuse a pending secret, so a mistyped code does not make the owner scan a new QR code.
      const pending = row.totpState === 'pending' ? await this.secrets.read(row.id) : undefined;
      if (pending) return pending;
      const secret = newTotpSecret();
      await this.secrets.store(row.id, secret, client);
      await tx.update(authUsers).set({ totpState: 'pending' }).where(eq(authUsers.id, row.id));
      return secret;
    });
  }

  /** Confirms the pending secret with a code from the app; returns the recovery codes (shown once). */
  async confirmEnrolment(principal: Principal, code: string, ip: string): Promise<string[]> {
    if (principal.via.kind !== 'session')
      throw new AppError('forbidden', 'enrolment needs a browser session');
    const sessionHash = principal.via.sessionHash;
    return transaction(this.pool, async (client) => {
      const tx = orm(client);
      const [row] = await tx
        .select()
        .from(authUsers)
        .where(eq(authUsers.id, principal.user.id))
        .for('update');
      const pending = row?.totpState === 'pending' ? await this.secrets.read(row.id) : undefined;
      if (!row || !pending) throw invalid('start enrolment again: no pending secret');
      const step = verifyTotp(pending, code.trim(), this.now(), 0);
      if (step === undefined) {
        throw invalid('that code does not match; check the time on your phone and try the next code');
      }
      await tx
        .update(authUsers)
        .set({ totpState: 'on', totpLastStep: step, updatedAt: new Date(this.now()) })
        .where(eq(authUsers.id, row.id));
      const codes = await this.replaceRecoveryCodes(tx, row.id);
      // The session that enrolled ends here; the caller starts a new one (a new id) for the full login.
      await this.sessions.retire(tx, sessionHash);
      await this.audit.record(
        {
          actor: `user:${row.id}`,
          actorLabel: row.email,
          ip,
          action: 'user.enrol-2fa',
          target: row.email,
          outcome: 'ok',
        },
        client,
      );
      return codes;
    });
  }

  /**
   * Clears the factor of the user with this email inside the caller's transaction (their next login
   * enrols again) and answers their row; the sealed secret goes with `forget` once that has committed.
   */
  async reset(tx: Orm, email: string): Promise<UserRow | undefined> {
    const [user] = await tx
      .update(authUsers)
      .set({
        totpState: null,
        totpSecret: null,
        totpPendingSecret: null,
        totpLastStep: 0,
        updatedAt: new Date(this.now()),
      })
      .where(byEmail(email))
      .returning();
    if (user) await tx.delete(authRecoveryCodes).where(eq(authRecoveryCodes.userId, user.id));
    return user;
  }

  /** After a reset: the secret is gone for good (a new enrolment makes a new one). */
  async forget(userId: string): Promise<void> {
    await this.secrets.remove(userId);
  }

  /**
   * Checks a code at login and spends it: a TOTP code's step is taken (two logins racing with the same
   * code cannot both win), a recovery code is marked used.
   */
  async check(row: UserRow, code: string): Promise<boolean> {
    if (!isTotpCode(code)) return this.spendRecoveryCode(row.id, code);
    const step = await this.unusedStep(row, code);
    if (step === undefined) return false;
    const won = await this.db
      .update(authUsers)
      .set({ totpLastStep: step })
      .where(and(eq(authUsers.id, row.id), lt(authUsers.totpLastStep, step)))
      .returning({ id: authUsers.id });
    return won.length === 1;
  }

  /**
   * The time step of a TOTP code the user has not used yet, or undefined; nothing is spent. The vault
   * is asked for every account, under an id no user has when there is no secret to check, so the
   * time taken does not tell which accounts exist or have two-factor on.
   */
  async unusedStep(row: UserRow | undefined, code: string): Promise<number | undefined> {
    const on = row?.totpState === 'on';
    // Missing, or sealed under a master key this server lacks: fails closed. Recovery codes still
    // work, and an owner can reset the factor.
    const secret = await this.secrets.read(on ? row.id : NO_USER).catch((error: unknown) => {
      this.logger.error(
        { err: describeError(error), user: row?.email },
        'a two-factor secret cannot be opened',
      );
      return undefined;
    });
    if (!on || !secret) return undefined;
    return verifyTotp(secret, code, this.now(), row.totpLastStep);
  }

  /** Marks a recovery code used; false when it is not one of the user's unused codes. */
  async spendRecoveryCode(userId: string, code: string): Promise<boolean> {
    if (isTotpCode(code) || code.length < 8 || code.length > 20) return false;
    const used = await this.db
      .update(authRecoveryCodes)
      .set({ usedAt: new Date(this.now()) })
      .where(
        and(
          eq(authRecoveryCodes.userId, userId),
          eq(authRecoveryCodes.codeHash, sha256(normaliseRecoveryCode(code))),
          isNull(authRecoveryCodes.usedAt),
        ),
      )
      .returning({ userId: authRecoveryCodes.userId });
    return used.length === 1;
  }

  /** Ten new single-use recovery codes (shown once); any earlier ones stop working. */
  private async replaceRecoveryCodes(tx: Orm, userId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    await tx.delete(authRecoveryCodes).where(eq(authRecoveryCodes.userId, userId));
    await tx
      .insert(authRecoveryCodes)
      .values(codes.map((code) => ({ userId, codeHash: sha256(normaliseRecoveryCode(code)) })));
    return codes;
  }
}
