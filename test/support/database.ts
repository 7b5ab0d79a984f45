// A fresh database per test file on the real PostgreSQL the run uses, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/platform/db/migrate.ts';
import { databaseUrl } from '../../src/platform/db/embedded-postgres.ts';
import { migrationSources } from '../../src/platform/runtime.ts';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.SHOPKEEP_TEST_DATABASE_URL;
  if (!url) throw new Error('SHOPKEEP_TEST_DATABASE_URL is not set: run the tests with `npm test`');
  return url;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Tests run as shopkeep does in production: a role that owns its database and is no superuser, so a
 * migration or query that would need more fails here first. Made once per server; the password only
 * matters to the embedded server (the system one in CI trusts 127.0.0.1).
 */
const APP_ROLE = 'sk_test_app';
const APP_PASSWORD = 'sk_test_app_password';

async function ensureAppRole(client: pg.Client): Promise<void> {
  await client.query(`
    do $$ begin
      create role ${APP_ROLE} login nosuperuser nocreatedb nocreaterole password '${APP_PASSWORD}';
    exception when duplicate_object or unique_violation then null;
    end $$`);
}

export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `sk_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (client) => {
    await ensureAppRole(client);
    await client.query(`create database ${name} owner ${APP_ROLE}`);
  });
  const admin = new URL(adminUrl());
  admin.username = APP_ROLE;
  admin.password = APP_PASSWORD;
  const url = databaseUrl(admin.toString(), name);
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  // Dropping the database ends its connections; that must not surface as an uncaught error.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  if (options.migrated !== false) await migrate(pool, migrationSources());
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
