// audit-head.json: the head of the audit log as last seen by this box, kept outside the database.
// Someone who can only write to the database can cut the log and fix the head there, but not here.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

export interface AuditAnchor {
  /** The last entry anchored, and its link. */
  seq: number;
  hash: string;
  /** The first sealed entry: earlier ones come from before sealing began. */
  sealedFrom: number;
  updatedAt: string;
}

export const ANCHOR_FILE = 'audit-head.json';

export class AnchorFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = path.join(dataDir, ANCHOR_FILE);
  }

  /** The anchor, or undefined when this box has none yet; a damaged file is an error, never ignored. */
  read(): AuditAnchor | undefined {
    if (!existsSync(this.path)) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      throw damaged(this.path, 'it is not JSON');
    }
    const anchor = value as Partial<AuditAnchor> | null;
    if (!anchor || typeof anchor !== 'object') throw damaged(this.path, 'it is not an object');
    if (!isEntryNumber(anchor.seq)) throw damaged(this.path, '"seq" is not an entry number');
    if (typeof anchor.hash !== 'string' || !/^[0-9a-f]{64}$/.test(anchor.hash))
      throw damaged(this.path, '"hash" is not 64 hex digits');
    if (!isEntryNumber(anchor.sealedFrom) || anchor.sealedFrom > anchor.seq)
      throw damaged(this.path, '"sealedFrom" is not an entry number up to "seq"');
    if (typeof anchor.updatedAt !== 'string') throw damaged(this.path, '"updatedAt" is missing');
    return { seq: anchor.seq, hash: anchor.hash, sealedFrom: anchor.sealedFrom, updatedAt: anchor.updatedAt };
  }

  /**
   * Replaces the file in one step: a crash leaves the old anchor or the new one, never half of one.
   * Each writer has its own temporary name, since a worker and the server may share the data dir.
   */
  write(anchor: AuditAnchor): void {
    const dir = path.dirname(this.path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const fd = openSync(temporary, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(anchor, null, 2) + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    // The rename is durable only once the directory itself is on disk.
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}

function isEntryNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function damaged(file: string, why: string): AppError {
  return new AppError('unavailable', `the audit anchor ${file} is damaged (${why})`);
}
