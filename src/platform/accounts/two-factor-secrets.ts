// Two-factor (TOTP) secrets live sealed in the vault, one per user (auth.totp.<user id>), never in
// clear in the database: someone who reads the database or a backup cannot make codes. The vault's
// key rotation re-seals them with every other secret. auth_users keeps only the state.
import { eq, isNotNull, or } from 'drizzle-orm';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { transaction } from '../db/database.ts';
import { orm } from '../db/orm.ts';
import { AppError } from '../errors.ts';
import type { Secrets } from '../vault/index.ts';
import { authUsers } from './schema.ts';

export class TwoFactorSecrets {
  private readonly pool: pg.Pool;
  private readonly vault: Secrets;
  private readonly logger: Logger;

  constructor(options: { pool: pg.Pool; vault: Secrets; logger: Logger }) {
    this.pool = options.pool;
    this.vault = options.vault;
    this.logger = options.logger;
  }

  /** The vault name binds the sealed secret to its user: copied onto another user, it does not open. */
  static nameOf(userId: string): string {
    return `auth.totp.${userId}`;
  }

  async read(userId: string): Promise<string | undefined> {
    return this.vault.get(TwoFactorSecrets.nameOf(userId));
  }

  /** Seals a user's secret inside the caller's transaction, so it commits with the state that names it. */
  async store(userId: string, secret: string, client: pg.PoolClient): Promise<void> {
    await this.vault.set(TwoFactorSecrets.nameOf(userId), secret, client);
  }

  /** After a reset: the secret is gone for good (a new enrolment makes a new one). */
  async remove(userId: string): Promise<void> {
    try {
      await this.vault.remove(TwoFactorSecrets.nameOf(userId));
    } catch (error) {
      if (!(error instanceof AppError && error.kind === 'not_found')) throw error;
    }
  }

  /**
   * Installs from before sealing kept secrets in clear in auth_users. Each is sealed into the vault
   * and its clear column emptied in one transaction; run at every start, it finds nothing after the first.
   */
  async sealClearSecrets(): Promise<number> {
    const sealed = await transaction(this.pool, async (client) => {
      const tx = orm(client);
      const rows = await tx
        .select()
        .from(authUsers)
        .where(or(isNotNull(authUsers.totpSecret), isNotNull(authUsers.totpPendingSecret)))
        .for('update');
      for (const row of rows) {
        await this.store(row.id, (row.totpSecret ?? row.totpPendingSecret)!, client);
        await tx
          .update(authUsers)
          .set({
            totpSecret: null,
            totpPendingSecret: null,
            // A row written by an older process after the migration still gets the state it needs.
            totpState: row.totpSecret ? 'on' : (row.totpState ?? 'pending'),
          })
          .where(eq(authUsers.id, row.id));
      }
      return rows.length;
    });
    if (sealed) this.logger.info({ sealed }, 'two-factor secrets sealed in the vault');
    return sealed;
  }
}
