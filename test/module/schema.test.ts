// The SQL migrations create the tables; each module's Drizzle schema must describe them exactly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import * as accounts from '../../src/platform/accounts/schema.ts';
import * as vault from '../../src/platform/vault/schema.ts';
import * as events from '../../src/platform/events/schema.ts';
import * as jobs from '../../src/platform/jobs/schema.ts';
import * as ops from '../../src/modules/ops/schema.ts';
import * as ai from '../../src/modules/ai/schema.ts';
import * as approvals from '../../src/modules/approvals/schema.ts';
import * as shop from '../../src/modules/shop/schema.ts';
import * as ledger from '../../src/modules/ledger/schema.ts';
import * as notify from '../../src/platform/notify/schema.ts';
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
  'timestamp with time zone': 'timestamp with time zone',
};

test('every Drizzle table matches its migrated table, column by column', async () => {
  const tables = [accounts, vault, events, jobs, notify, ops, ai, approvals, shop, ledger].flatMap(
    (module) => Object.values(module) as PgTable[],
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
