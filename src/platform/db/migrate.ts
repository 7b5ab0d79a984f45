// Checked-in SQL migrations, per module, applied in order under an advisory lock so that two
// processes starting together never apply one twice. An applied file that was later edited stops start-up.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { transaction } from './database.ts';

export interface MigrationSource {
  module: string;
  dir: string;
  /** The module these files were applied under before they moved (the audit log was ops'). */
  formerly?: string;
}

export interface MigrationResult {
  applied: string[];
}

const LOCK_KEY = 7_301_042; // any constant; shared by every shopkeep process on this database

export interface MigrateOptions {
  /**
   * Only these migrations (`module/file`, a file moved from a former module counts under either name):
   * a restore builds the schema a backup was made under before it loads the data.
   */
  only?: Set<string>;
}

export async function migrate(
  pool: pg.Pool,
  sources: MigrationSource[],
  onProgress: (name: string) => void = () => undefined,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`create table if not exists schema_migrations (
      module text not null, name text not null, checksum text not null,
      applied_at timestamptz not null default now(), primary key (module, name))`);
    const done = await client.query<{ module: string; name: string; checksum: string }>(
      'select module, name, checksum from schema_migrations',
    );
    const known = new Map(done.rows.map((row) => [`${row.module}/${row.name}`, row.checksum]));
    for (const { module, file, sql, checksum, id, formerId } of migrationFiles(sources)) {
      if (options.only && !options.only.has(id) && !(formerId && options.only.has(formerId))) continue;
      const previous = known.get(id) ?? (formerId ? known.get(formerId) : undefined);
      if (previous !== undefined) {
        if (previous !== checksum) {
          throw new Error(`migration ${id} was changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      onProgress(id);
      await transaction(pool, async (tx) => {
        await tx.query(sql);
        await tx.query('insert into schema_migrations (module, name, checksum) values ($1, $2, $3)', [
          module,
          file,
          checksum,
        ]);
      });
      applied.push(id);
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return { applied };
}

interface MigrationFile {
  module: string;
  file: string;
  sql: string;
  checksum: string;
  /** `module/file`, and the same under the module it moved from. */
  id: string;
  formerId: string | undefined;
}

/** Every module's migration files, in the order they are applied. */
function* migrationFiles(sources: MigrationSource[]): Generator<MigrationFile> {
  for (const source of sources) {
    const files = readdirSync(source.dir)
      .filter((file) => file.endsWith('.sql'))
      .sort();
    for (const file of files) {
      const sql = readFileSync(`${source.dir}/${file}`, 'utf8');
      yield {
        module: source.module,
        file,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
        id: `${source.module}/${file}`,
        formerId: source.formerly ? `${source.formerly}/${file}` : undefined,
      };
    }
  }
}

/** Every migration shopkeep has, `module/file` to its checksum (a moved file under its former module too). */
export function migrationChecksums(sources: MigrationSource[]): Map<string, string> {
  const checksums = new Map<string, string>();
  for (const { id, formerId, checksum } of migrationFiles(sources)) {
    checksums.set(id, checksum);
    if (formerId) checksums.set(formerId, checksum);
  }
  return checksums;
}
