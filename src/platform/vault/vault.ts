// The secrets vault: integration credentials sealed with AES-256-GCM under a master key that never
// enters the database. The key comes from SHOPKEEP_MASTER_KEY(_FILE) or a generated key file (0600).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  readFileSync,
  renameSync,
  writeFileSync,
  openSync,
  fsyncSync,
  mkdirSync,
  closeSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { asc, eq } from 'drizzle-orm';
import { transaction } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import { vaultSecrets } from './schema.ts';
import { AppError, notFound } from '../errors.ts';
import type { IntegrationSecrets, SecretInfo, Secrets } from './face.ts';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
/**
 * Secrets shopkeep keeps for itself (each user's two-factor secret, each webhook's signing key): not
 * listed with the integration secrets, and never set or deleted by hand, which would lock a user out
 * or break a webhook without saying why.
 */
const KEPT_BY_SHOPKEEP = /^(auth|webhook)\./;
const VAULT_LOCK = 7_301_044;

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Where the master key lives and how a rotation moves it. */
export class MasterKeyStore {
  private readonly file: string;
  private readonly nextFile: string;

  constructor(
    dataDir: string,
    private readonly fromEnvironment: Buffer | undefined,
    private readonly createIfMissing = true,
  ) {
    this.file = path.join(dataDir, 'master.key');
    this.nextFile = path.join(dataDir, 'master.key.next');
  }

  /** The current key, first; a key from an interrupted rotation, second. */
  /**
   * Every key that may have sealed a row, the one to seal with first: a key staged by a rotation
   * (master.key.next) comes before the current one. With SHOPKEEP_MASTER_KEY the staged key stays
   * until the owner has put it into the environment.
   */
  keys(): Buffer[] {
    const staged = existsSync(this.nextFile) ? [readKeyFile(this.nextFile)] : [];
    if (this.fromEnvironment) return [...staged, this.fromEnvironment];
    if (!existsSync(this.file)) {
      if (!this.createIfMissing) {
        throw new AppError(
          'unavailable',
          `no master key at ${this.file}: copy master.key from the main shopkeep box (mode 0600) or set SHOPKEEP_MASTER_KEY`,
        );
      }
      writeKeyFile(this.file, randomBytes(32));
    }
    return [...staged, readKeyFile(this.file)];
  }

  get stagedKeyFile(): string {
    return this.nextFile;
  }

  get managedByFile(): boolean {
    return this.fromEnvironment === undefined;
  }

  stageNext(key: Buffer): void {
    writeKeyFile(this.nextFile, key);
  }

  promoteNext(): void {
    renameSync(this.nextFile, this.file);
  }

  discardNext(): void {
    rmSync(this.nextFile, { force: true });
  }
}

/** What the vault needs of the master key's store (a test stands in for it to crash a rotation). */
export type MasterKeys = Pick<MasterKeyStore, 'keys' | 'stageNext' | 'promoteNext' | 'managedByFile'>;

export class Vault implements Secrets, IntegrationSecrets {
  private readonly pool: pg.Pool;
  private readonly keys: MasterKeys;
  private readonly db: Orm;

  constructor(options: { pool: pg.Pool; keys: MasterKeys }) {
    this.pool = options.pool;
    this.keys = options.keys;
    this.db = orm(options.pool);
  }

  /** Stores or replaces a secret; inside `client`'s transaction when given. */
  async set(name: string, value: string, client?: pg.PoolClient): Promise<void> {
    if (!NAME.test(name)) {
      throw new AppError(
        'invalid_request',
        'a secret name is lowercase letters, digits, ".", "_" or "-" (1-100)',
      );
    }
    const write = async (tx: pg.PoolClient) => {
      // Serialised with rotate(): a secret written during a rotation is sealed with a key that survives it.
      await tx.query('select pg_advisory_xact_lock($1)', [VAULT_LOCK]);
      const key = this.keys.keys()[0]!;
      const sealed = { ...seal(key, name, value), keyId: keyId(key), updatedAt: new Date() };
      await orm(tx)
        .insert(vaultSecrets)
        .values({ name, ...sealed })
        .onConflictDoUpdate({ target: vaultSecrets.name, set: sealed });
    };
    if (client) await write(client);
    else await transaction(this.pool, write);
  }

  async get(name: string): Promise<string | undefined> {
    const [row] = await this.db.select().from(vaultSecrets).where(eq(vaultSecrets.name, name));
    return row ? this.open(row) : undefined;
  }

  /** The integration secrets, by name (never their values); what shopkeep keeps for itself is left out. */
  async list(): Promise<SecretInfo[]> {
    const rows = await this.db
      .select({ name: vaultSecrets.name, updatedAt: vaultSecrets.updatedAt })
      .from(vaultSecrets)
      .orderBy(asc(vaultSecrets.name));
    return rows.filter((row) => !KEPT_BY_SHOPKEEP.test(row.name));
  }

  /** An integration secret stored by the owner (dashboard, API, CLI). */
  async setIntegration(name: string, value: string): Promise<void> {
    refuseKept(name);
    await this.set(name, value);
  }

  async removeIntegration(name: string): Promise<void> {
    refuseKept(name);
    await this.remove(name);
  }

  async remove(name: string): Promise<void> {
    const removed = await this.db
      .delete(vaultSecrets)
      .where(eq(vaultSecrets.name, name))
      .returning({ name: vaultSecrets.name });
    if (removed.length === 0) throw notFound(`no secret named ${name}`);
  }

  /**
   * Re-encrypts every secret under a new key in one transaction. The new key is written to disk
   * before the transaction and promoted after it, so a crash at any point leaves a key that opens
   * every row (both are tried by key id).
   */
  async rotate(newKey: Buffer = randomBytes(32)): Promise<{ count: number; newKey: Buffer }> {
    // Every key that may have sealed a row (including one staged by an interrupted rotation) is read
    // before the new key is staged over it.
    const known = this.keys.keys();
    // Staged on disk (0600) before anything changes, so a crash at any point leaves a key for every row.
    this.keys.stageNext(newKey);
    const count = await transaction(this.pool, async (client) => {
      await client.query('select pg_advisory_xact_lock($1)', [VAULT_LOCK]);
      const tx = orm(client);
      const rows = await tx.select().from(vaultSecrets).for('update');
      for (const row of rows) {
        const sealed = seal(newKey, row.name, this.open(row, known));
        await tx
          .update(vaultSecrets)
          .set({ ...sealed, keyId: keyId(newKey) })
          .where(eq(vaultSecrets.name, row.name));
      }
      return rows.length;
    });
    if (this.keys.managedByFile) this.keys.promoteNext();
    return { count, newKey };
  }

  private open(row: SealedRow, keys: Buffer[] = this.keys.keys()): string {
    const key = keys.find((candidate) => keyId(candidate) === row.keyId);
    if (!key) {
      throw new AppError(
        'unavailable',
        `the secret "${row.name}" was sealed with a master key this server does not have (key id ${row.keyId})`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, row.iv);
    decipher.setAAD(Buffer.from(row.name));
    decipher.setAuthTag(row.authTag);
    return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
  }
}

type SealedRow = typeof vaultSecrets.$inferSelect;

function refuseKept(name: string): void {
  if (KEPT_BY_SHOPKEEP.test(name))
    throw new AppError(
      'invalid_request',
      `"${name}" is kept by shopkeep itself (a two-factor secret or a webhook's signing key); reset two-factor with \`shopkeep user reset-2fa\`, or remove the webhook on Settings`,
    );
}

/** The name is authenticated data: a sealed value copied onto another name does not open. */
function seal(key: Buffer, name: string, value: string): { iv: Buffer; ciphertext: Buffer; authTag: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name));
  return {
    iv,
    ciphertext: Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]),
    authTag: cipher.getAuthTag(),
  };
}

function readKeyFile(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length !== 32)
    throw new AppError('unavailable', `the master key file ${file} is damaged (expected 64 hex digits)`);
  return key;
}

function writeKeyFile(file: string, key: Buffer): void {
  // The data directory may not exist yet when the first secret is sealed (a DATABASE_URL install).
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, key.toString('hex') + '\n', { mode: 0o600 });
  const fd = openSync(temporary, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, file);
}
