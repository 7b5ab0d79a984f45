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
  closeSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { transaction, type Queryable } from '../db/database.ts';
import { AppError, notFound } from '../errors.ts';

export interface SecretInfo {
  name: string;
  updatedAt: Date;
}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,99}$/;

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
  ) {
    this.file = path.join(dataDir, 'master.key');
    this.nextFile = path.join(dataDir, 'master.key.next');
  }

  /** The current key, first; a key from an interrupted rotation, second. */
  keys(): Buffer[] {
    if (this.fromEnvironment) return [this.fromEnvironment];
    if (!existsSync(this.file)) writeKeyFile(this.file, randomBytes(32));
    const keys = [readKeyFile(this.file)];
    if (existsSync(this.nextFile)) keys.push(readKeyFile(this.nextFile));
    return keys;
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

export class Vault {
  constructor(
    private readonly pool: pg.Pool,
    private readonly keys: MasterKeyStore,
  ) {}

  async set(name: string, value: string, q: Queryable = this.pool): Promise<void> {
    if (!NAME.test(name)) {
      throw new AppError(
        'invalid_request',
        'a secret name is lowercase letters, digits, ".", "_" or "-" (1-100)',
      );
    }
    const key = this.keys.keys()[0]!;
    const sealed = seal(key, name, value);
    await q.query(
      `insert into vault_secrets (name, key_id, iv, ciphertext, auth_tag) values ($1, $2, $3, $4, $5)
       on conflict (name) do update set key_id = $2, iv = $3, ciphertext = $4, auth_tag = $5, updated_at = now()`,
      [name, keyId(key), sealed.iv, sealed.ciphertext, sealed.authTag],
    );
  }

  async get(name: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<SealedRow>('select * from vault_secrets where name = $1', [name]);
    const row = rows[0];
    return row ? this.open(row) : undefined;
  }

  async list(): Promise<SecretInfo[]> {
    const { rows } = await this.pool.query<{ name: string; updated_at: Date }>(
      'select name, updated_at from vault_secrets order by name',
    );
    return rows.map((row) => ({ name: row.name, updatedAt: row.updated_at }));
  }

  async remove(name: string): Promise<void> {
    const result = await this.pool.query('delete from vault_secrets where name = $1', [name]);
    if (result.rowCount === 0) throw notFound(`no secret named ${name}`);
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
    if (this.keys.managedByFile) this.keys.stageNext(newKey);
    const count = await transaction(this.pool, async (tx) => {
      const { rows } = await tx.query<SealedRow>('select * from vault_secrets for update');
      for (const row of rows) {
        const sealed = seal(newKey, row.name, this.open(row, known));
        await tx.query(
          'update vault_secrets set key_id = $2, iv = $3, ciphertext = $4, auth_tag = $5 where name = $1',
          [row.name, keyId(newKey), sealed.iv, sealed.ciphertext, sealed.authTag],
        );
      }
      return rows.length;
    });
    if (this.keys.managedByFile) this.keys.promoteNext();
    return { count, newKey };
  }

  private open(row: SealedRow, keys: Buffer[] = this.keys.keys()): string {
    const key = keys.find((candidate) => keyId(candidate) === row.key_id);
    if (!key) {
      throw new AppError(
        'unavailable',
        `the secret "${row.name}" was sealed with a master key this server does not have (key id ${row.key_id})`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, row.iv);
    decipher.setAAD(Buffer.from(row.name));
    decipher.setAuthTag(row.auth_tag);
    return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
  }
}

interface SealedRow {
  name: string;
  key_id: string;
  iv: Buffer;
  ciphertext: Buffer;
  auth_tag: Buffer;
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
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, key.toString('hex') + '\n', { mode: 0o600 });
  const fd = openSync(temporary, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, file);
}
