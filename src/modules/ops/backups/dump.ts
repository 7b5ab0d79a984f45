// The database as the backup keeps it: every table of shopkeep's schema copied out of one consistent
// snapshot (a read-only repeatable-read transaction), in an order a restore can load it in, with the
// migrations that built the schema and each sequence's value. PostgreSQL does the copying itself
// (COPY … TO STDOUT), so no dump tool of the server's version is needed, embedded or not, and a dump
// from one major version loads into another.
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { ArchiveWriter, BackupManifest, BackupSummary } from './archive.ts';

export interface DumpedTable {
  name: string;
  /** Its columns, without generated ones (PostgreSQL computes those again). */
  columns: string[];
}

export const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Writes the manifest and every table into the archive; answers what each table held. */
export async function dumpDatabase(
  pool: pg.Pool,
  archive: ArchiveWriter,
  identity: Pick<BackupManifest, 'id' | 'createdAt' | 'shopkeepVersion'>,
  onTable: (name: string, done: number, total: number) => void = () => undefined,
): Promise<BackupSummary['tables']> {
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const manifest: BackupManifest = {
      ...identity,
      postgresVersion: (await client.query<{ v: string }>('show server_version')).rows[0]!.v,
      migrations: (
        await client.query<{ module: string; name: string; checksum: string }>(
          'select module, name, checksum from schema_migrations order by applied_at, module, name',
        )
      ).rows,
      sequences: await sequences(client),
    };
    const tables = await tablesInLoadOrder(client);
    await archive.entry({ type: 'manifest', manifest });
    const summary: BackupSummary['tables'] = {};
    for (const [index, table] of tables.entries()) {
      onTable(table.name, index, tables.length);
      const copy = client.query(
        copyTo(`copy ${quote(table.name)} (${table.columns.map(quote).join(', ')}) to stdout`),
      );
      summary[table.name] = await archive.entry(
        { type: 'table', name: table.name, columns: table.columns },
        copy,
      );
    }
    await client.query('commit');
    client.release();
    return summary;
  } catch (error) {
    // A copy cut off in the middle (restic stopped reading) leaves the connection inside COPY, where
    // no rollback can reach it: the connection is thrown away, which ends the transaction.
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

async function sequences(client: pg.PoolClient): Promise<BackupManifest['sequences']> {
  const { rows } = await client.query<{ name: string }>(
    `select sequencename as name from pg_sequences where schemaname = 'public' order by 1`,
  );
  const values: BackupManifest['sequences'] = [];
  for (const { name } of rows) {
    const [state] = (
      await client.query<{ last_value: string; is_called: boolean }>(
        `select last_value::text, is_called from ${quote(name)}`,
      )
    ).rows;
    values.push({ name, value: state!.last_value, called: state!.is_called });
  }
  return values;
}

/**
 * shopkeep's tables (the public schema, but not the migrations' own record), each after the tables
 * its foreign keys point at, so a restore loads them in stream order with every key checked.
 */
export async function tablesInLoadOrder(client: pg.ClientBase): Promise<DumpedTable[]> {
  const { rows } = await client.query<{ name: string; columns: string[] }>(
    `select c.table_name as name,
            array_agg(c.column_name::text order by c.ordinal_position) as columns
     from information_schema.columns c
     join information_schema.tables t using (table_schema, table_name)
     where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
       and c.table_name <> 'schema_migrations' and c.is_generated = 'NEVER'
     group by c.table_name order by c.table_name`,
  );
  const { rows: keys } = await client.query<{ child: string; parent: string }>(
    `select conrelid::regclass::text as child, confrelid::regclass::text as parent
     from pg_constraint
     where contype = 'f' and connamespace = 'public'::regnamespace and conrelid <> confrelid`,
  );
  const parents = new Map<string, Set<string>>();
  for (const { child, parent } of keys) {
    const set = parents.get(unquote(child)) ?? new Set();
    set.add(unquote(parent));
    parents.set(unquote(child), set);
  }
  const ordered: DumpedTable[] = [];
  const placed = new Set<string>();
  let remaining = rows;
  while (remaining.length) {
    const ready = remaining.filter((table) =>
      [...(parents.get(table.name) ?? [])].every((parent) => placed.has(parent)),
    );
    // Tables that point at each other (none today) go in name order; their keys are checked at commit
    // only if deferrable, so such a schema would need one.
    const next = ready.length ? ready : remaining.slice(0, 1);
    for (const table of next) {
      ordered.push(table);
      placed.add(table.name);
    }
    remaining = remaining.filter((table) => !placed.has(table.name));
  }
  return ordered;
}

const unquote = (name: string): string => name.replace(/^"(.*)"$/, '$1').replace(/""/g, '"');
