// The backup's own stream: what shopkeep hands restic as one file. A line of magic, then entries:
// each a JSON header line and its content as length-prefixed chunks (a zero length ends it). Table
// dumps stream straight from PostgreSQL into it, so nothing is spooled and no size is needed first.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

export const MAGIC = 'SHOPKEEP-BACKUP 1\n';
const MAX_HEADER = 1024 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;

export type EntryHeader =
  | { type: 'manifest'; manifest: BackupManifest }
  | { type: 'table'; name: string; columns: string[] }
  | { type: 'file'; path: string; mode: number }
  /** Its content is the BackupSummary as JSON: a shop's thousands of files do not fit a header line. */
  | { type: 'summary' };

/** What a restore needs before the first table: the schema to build and what the dump holds. */
export interface BackupManifest {
  id: string;
  createdAt: string;
  shopkeepVersion: string;
  postgresVersion: string;
  /** Every migration applied to the database when it was dumped: `module/file` with its checksum. */
  migrations: { module: string; name: string; checksum: string }[];
  /** Each sequence's value in the dump's snapshot. */
  sequences: { name: string; value: string; called: boolean }[];
}

/** What came in the stream, written last: a restore checks every entry against it. */
export interface BackupSummary {
  tables: Record<string, { rows: number; bytes: number; sha256: string }>;
  files: Record<string, { bytes: number; sha256: string }>;
}

/** Frames entries for the stream; `push` gets every byte in order (a pipe to restic). */
export class ArchiveWriter {
  bytes = 0;

  constructor(private readonly push: (chunk: Buffer) => Promise<void>) {}

  async begin(): Promise<void> {
    await this.write(Buffer.from(MAGIC));
  }

  /** An entry with its content from `source`; answers the content's size, rows (lines) and digest. */
  async entry(
    header: EntryHeader,
    source?: AsyncIterable<Buffer | string> | Iterable<Buffer>,
  ): Promise<{ bytes: number; rows: number; sha256: string }> {
    await this.write(Buffer.from(`${JSON.stringify(header)}\n`));
    const hash = createHash('sha256');
    let bytes = 0;
    let rows = 0;
    for await (const piece of source ?? []) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      if (!chunk.length) continue;
      hash.update(chunk);
      bytes += chunk.length;
      rows += countNewlines(chunk);
      for (let at = 0; at < chunk.length; at += MAX_CHUNK) {
        const part = chunk.subarray(at, at + MAX_CHUNK);
        const length = Buffer.alloc(4);
        length.writeUInt32BE(part.length);
        await this.write(length);
        await this.write(part);
      }
    }
    await this.write(Buffer.alloc(4));
    return { bytes, rows, sha256: hash.digest('hex') };
  }

  private async write(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    await this.push(chunk);
  }
}

function countNewlines(chunk: Buffer): number {
  let rows = 0;
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows++;
  return rows;
}

export class ArchiveError extends Error {}

/** Reads a stream written by ArchiveWriter: each entry's header, then its content as chunks. */
export class ArchiveReader {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly iterator: AsyncIterator<Buffer>;
  private ended = false;

  constructor(source: Readable) {
    this.iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async begin(): Promise<void> {
    const magic = await this.take(MAGIC.length);
    if (magic?.toString() !== MAGIC) throw new ArchiveError('this is not a shopkeep backup (no header)');
  }

  /** The next entry's header, or undefined at the end of the stream. */
  async next(): Promise<EntryHeader | undefined> {
    let newline = this.buffered.indexOf(10);
    while (newline === -1) {
      if (this.buffered.length > MAX_HEADER) throw new ArchiveError('an entry header is too long');
      if (!(await this.fill())) {
        if (this.buffered.length) throw new ArchiveError('the backup ends inside an entry header');
        return undefined;
      }
      newline = this.buffered.indexOf(10);
    }
    const line = this.buffered.subarray(0, newline).toString();
    this.buffered = this.buffered.subarray(newline + 1);
    try {
      return JSON.parse(line) as EntryHeader;
    } catch {
      throw new ArchiveError('an entry header is damaged');
    }
  }

  /** The current entry's content; must be read to its end before `next`. */
  async *content(): AsyncGenerator<Buffer> {
    for (;;) {
      const length = await this.take(4);
      if (!length) throw new ArchiveError('the backup ends inside an entry');
      const size = length.readUInt32BE();
      if (size === 0) return;
      if (size > MAX_CHUNK) throw new ArchiveError('a chunk is larger than any writer makes');
      const chunk = await this.take(size);
      if (!chunk) throw new ArchiveError('the backup ends inside an entry');
      yield chunk;
    }
  }

  /** The current entry's whole content as text (the summary: small, a few MB at most). */
  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.content()) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Reads an entry's content to its end, answering its size, rows and digest (a check, no copy). */
  async measure(): Promise<{ bytes: number; rows: number; sha256: string }> {
    const hash = createHash('sha256');
    let bytes = 0;
    let rows = 0;
    for await (const chunk of this.content()) {
      hash.update(chunk);
      bytes += chunk.length;
      rows += countNewlines(chunk);
    }
    return { bytes, rows, sha256: hash.digest('hex') };
  }

  private async take(size: number): Promise<Buffer | undefined> {
    if (this.buffered.length < size) {
      // Gathered and joined once: a large chunk arrives in many small reads.
      const parts = [this.buffered];
      let total = this.buffered.length;
      while (total < size) {
        const more = await this.read();
        if (!more) {
          this.buffered = Buffer.concat(parts, total);
          return undefined;
        }
        parts.push(more);
        total += more.length;
      }
      this.buffered = Buffer.concat(parts, total);
    }
    const taken = this.buffered.subarray(0, size);
    this.buffered = this.buffered.subarray(size);
    return taken;
  }

  private async fill(): Promise<boolean> {
    const more = await this.read();
    if (!more) return false;
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, more]) : more;
    return true;
  }

  private async read(): Promise<Buffer | undefined> {
    if (this.ended) return undefined;
    const { value, done } = await this.iterator.next();
    if (done) {
      this.ended = true;
      return undefined;
    }
    return value;
  }
}

/** Hashes content as it passes, counting rows, so a restore can hold each entry to the summary. */
export async function* measured(
  source: AsyncIterable<Buffer>,
  into: { bytes: number; rows: number; hash: ReturnType<typeof createHash> },
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    into.hash.update(chunk);
    into.bytes += chunk.length;
    into.rows += countNewlines(chunk);
    yield chunk;
  }
}
