// The SQL migrations create the tables; each module's Drizzle schema must describe them exactly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { MODULES } from '../../src/modules/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

const SQL_TYPE: Record<string, string> = {
  uuid: 'uuid',
  text: 'text',
  'integer[]': 'ARRAY',
  'text[]': 'ARRAY',
  boolean: 'boolean',
  integer: 'integer',
  bigint: 'bigint',
  bigserial: 'bigint',
  jsonb: 'jsonb',
  date: 'date',
  'numeric(20, 10)': 'numeric',
  bytea: 'bytea',
  tsvector: 'tsvector',
  'double precision': 'double precision',
  'timestamp with time zone': 'timestamp with time zone',
};

test('every Drizzle table matches its migrated table, column by column', async () => {
  // Every module's tables, as each declares them: a new module is held to its migrations too.
  const tables = MODULES.flatMap((module) =>
    Object.values(module.tables ?? {}).filter((table): table is PgTable => is(table, PgTable)),
  );
  assert.ok(tables.length >= 11);
  const { rows } = await db.pool.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>(
    `select table_name, column_name, data_type, is_nullable from information_schema.columns where table_schema = 'public'`,
  );
  const described = new Set<string>();
  for (const table of tables) {
    const config = getTableConfig(table);
    const actual = rows.filter((row) => row.table_name === config.name);
    assert.ok(actual.length > 0, `table ${config.name} exists`);
    assert.deepEqual(
      config.columns.map((c) => c.name).sort(),
      actual.map((r) => r.column_name).sort(),
      `${config.name} columns`,
    );
    for (const column of config.columns) {
      const row = actual.find((r) => r.column_name === column.name)!;
      assert.equal(SQL_TYPE[column.getSQLType()], row.data_type, `${config.name}.${column.name} type`);
      assert.equal(column.notNull, row.is_nullable === 'NO', `${config.name}.${column.name} nullability`);
    }
    described.add(config.name);
  }
  const undescribed = [...new Set(rows.map((r) => r.table_name))].filter(
    (name) => !described.has(name) && name !== 'schema_migrations',
  );
  assert.deepEqual(undescribed, [], 'every table has a Drizzle schema');
});
