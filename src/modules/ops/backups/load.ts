// A backup read back: the schema built by the migrations the dump was made under, every table copied
// in, sequences set, then the migrations this shopkeep has since. Everything from the archive is
// loaded in one transaction and held to the summary the backup wrote last (every table's rows and
// digest, every file's digest): a damaged or cut archive commits nothing.
import { createHash } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { migrate, migrationChecksums, type MigrationSource } from '../../../platform/db/migrate.ts';
import { AppError } from '../../../platform/errors.ts';
import {
  ArchiveError,
  measured,
  type ArchiveReader,
  type BackupManifest,
  type BackupSummary,
} from './archive.ts';
import { quote } from './dump.ts';

export interface LoadOptions {
  /** The database to load into; it must hold no shopkeep tables yet. */
  pool: pg.Pool;
  sources: MigrationSource[];
  /** Where the files go (a new data directory); undefined to check them without writing. */
  filesDir: string | undefined;
  onProgress?: (what: string) => void;
}

export interface LoadResult {
  manifest: BackupManifest;
  tables: number;
  rows: number;
  files: number;
  bytes: number;
}

/** Loads a whole archive; throws (committing nothing) on anything that does not match. */
export async function loadArchive(reader: ArchiveReader, options: LoadOptions): Promise<LoadResult> {
  const { pool, onProgress = () => undefined } = options;
  await reader.begin();
  const first = await reader.next();
  if (first?.type !== 'manifest') throw new ArchiveError('the backup does not start with its manifest');
  const { manifest } = first;
  await reader.measure();
  const known = knownMigrations(options.sources, manifest);
  await refuseNonEmpty(pool);
  onProgress(`building the schema of ${manifest.createdAt} (${manifest.migrations.length} migrations)`);
  await migrate(pool, options.sources, () => undefined, { only: known });
  const client = await pool.connect();
  const seen: Record<string, { bytes: number; rows: number; sha256: string }> = {};
  const files: Record<string, { bytes: number; sha256: string }> = {};
  const staged: { temp: string; final: string }[] = [];
  let rows = 0;
  let bytes = 0;
  try {
    await client.query('begin');
    // Rows the migrations seeded (the default slots, the chart) are in the dump as they were then.
    const { rows: present } = await client.query<{ name: string }>(
      `select table_name as name from information_schema.tables
       where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'schema_migrations'`,
    );
    if (present.length) await client.query(`truncate ${present.map((t) => quote(t.name)).join(', ')}`);
    for (;;) {
      const entry = await reader.next();
      if (!entry) throw new ArchiveError('the backup is cut short (no summary at its end)');
      if (entry.type === 'table') {
        onProgress(`loading ${entry.name}`);
        const into = { bytes: 0, rows: 0, hash: createHash('sha256') };
        const table = quote(entry.name);
        // Triggers that keep running totals or refuse entries in closed periods must not run again on
        // rows that passed them once; foreign keys are still checked.
        await client.query(`alter table ${table} disable trigger user`);
        await pipeline(
          Readable.from(measured(reader.content(), into)),
          client.query(copyFrom(`copy ${table} (${entry.columns.map(quote).join(', ')}) from stdin`)),
        );
        await client.query(`alter table ${table} enable trigger user`);
        seen[entry.name] = { bytes: into.bytes, rows: into.rows, sha256: into.hash.digest('hex') };
        rows += into.rows;
        bytes += into.bytes;
      } else if (entry.type === 'file') {
        const file = await takeFile(reader, entry.path, entry.mode, options.filesDir);
        files[entry.path] = { bytes: file.bytes, sha256: file.sha256 };
        if (file.staged) staged.push(file.staged);
        bytes += file.bytes;
      } else if (entry.type === 'summary') {
        const summary = parseSummary(await reader.text());
        compare('table', summary.tables, seen, true);
        compare('file', summary.files, files, false);
        break;
      } else {
        throw new ArchiveError(`an unexpected ${entry.type} entry inside the backup`);
      }
    }
    for (const sequence of manifest.sequences)
      await client.query('select setval($1::regclass, $2::bigint, $3)', [
        quote(sequence.name),
        sequence.value,
        sequence.called,
      ]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  // The files take their names only once the database is in: an interrupted restore leaves no file
  // that looks restored.
  for (const { temp, final } of staged) await rename(temp, final);
  onProgress('applying the migrations that came after the backup');
  await migrate(pool, options.sources);
  return { manifest, tables: Object.keys(seen).length, rows, files: Object.keys(files).length, bytes };
}

/**
 * The backup's migrations, each found in this shopkeep with the same content; one it does not have (a
 * newer shopkeep made the backup) or has differently stops the restore before anything is written.
 */
function knownMigrations(sources: MigrationSource[], manifest: BackupManifest): Set<string> {
  const ours = migrationChecksums(sources);
  const unknown = manifest.migrations.filter((m) => !ours.has(`${m.module}/${m.name}`));
  if (unknown.length)
    throw new AppError(
      'conflict',
      `this backup was made by a newer shopkeep (${manifest.shopkeepVersion}): it has migrations this one does not (${unknown
        .slice(0, 3)
        .map((m) => `${m.module}/${m.name}`)
        .join(', ')}). Install shopkeep ${manifest.shopkeepVersion} or later, then restore.`,
    );
  const changed = manifest.migrations.find((m) => ours.get(`${m.module}/${m.name}`) !== m.checksum);
  if (changed)
    throw new AppError(
      'conflict',
      `the migration ${changed.module}/${changed.name} differs between this shopkeep and the one that made the backup (${manifest.shopkeepVersion}); restore with that version`,
    );
  return new Set(manifest.migrations.map((m) => `${m.module}/${m.name}`));
}

async function refuseNonEmpty(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ n: string }>(
    `select count(*) as n from information_schema.tables
     where table_schema = 'public' and table_name <> 'schema_migrations'`,
  );
  if (Number(rows[0]!.n) > 0)
    throw new AppError(
      'conflict',
      'the database to restore into already has shopkeep tables: restore into a new data directory (or an empty database)',
    );
}

async function takeFile(
  reader: ArchiveReader,
  relative: string,
  mode: number,
  dir: string | undefined,
): Promise<{ bytes: number; sha256: string; staged?: { temp: string; final: string } }> {
  if (!dir) return reader.measure();
  const final = path.resolve(dir, relative);
  if (!final.startsWith(path.resolve(dir) + path.sep))
    throw new ArchiveError(`a file in the backup points outside the data directory (${relative})`);
  await mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
  const temp = `${final}.restoring`;
  const handle = await open(temp, 'w', mode & 0o777);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of reader.content()) {
      hash.update(chunk);
      bytes += chunk.length;
      await handle.write(chunk);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest('hex'), staged: { temp, final } };
}

function compare(
  what: 'table' | 'file',
  expected: Record<string, { bytes: number; sha256: string; rows?: number }>,
  actual: Record<string, { bytes: number; sha256: string; rows?: number }>,
  withRows: boolean,
): void {
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name];
    if (!got) throw new ArchiveError(`the ${what} ${name} is missing from the backup`);
    if (got.sha256 !== want.sha256 || got.bytes !== want.bytes || (withRows && got.rows !== want.rows))
      throw new ArchiveError(`the ${what} ${name} does not match its checksum: the backup is damaged`);
  }
  for (const name of Object.keys(actual))
    if (!expected[name])
      throw new ArchiveError(`the ${what} ${name} is in the backup but not in its summary`);
}

function parseSummary(text: string): BackupSummary {
  try {
    const summary = JSON.parse(text) as BackupSummary;
    if (typeof summary.tables === 'object' && typeof summary.files === 'object') return summary;
  } catch {
    // said below
  }
  throw new ArchiveError('the backup’s summary is damaged');
}
