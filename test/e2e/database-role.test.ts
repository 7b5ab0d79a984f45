// shopkeep runs as a role that owns its own database and nothing else: a superuser connection would let
// any SQL it sends run shell commands (`COPY … TO PROGRAM`) or read the server's files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { APP_USER, EmbeddedPostgres, databaseUrl } from '../../src/platform/db/embedded-postgres.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { parseConfig } from '../../src/platform/config.ts';
import { openModules } from '../../src/platform/runtime.ts';
import { freePort } from '../support/cli.ts';

let dir: string;
let server: EmbeddedPostgres;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sk-role-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as another user who must be able to walk in
  server = new EmbeddedPostgres({ dataDir: dir, port: await freePort(), logger: createLogger('silent') });
  await server.start();
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

test('shopkeep connects as a role that is no superuser and cannot run programs or read server files', async () => {
  await withClient(server.connectionString, async (client) => {
    const { rows } = await client.query(
      'select current_user as name, rolsuper from pg_roles where rolname = current_user',
    );
    assert.deepEqual(rows, [{ name: APP_USER, rolsuper: false }]);
    await assert.rejects(
      client.query(`copy (select 1) to program 'id'`),
      /permission denied|must be superuser|pg_execute_server_program/,
    );
    await assert.rejects(client.query(`select pg_read_file('postgresql.conf')`), /permission denied/);
    await assert.rejects(client.query('create database elsewhere'), /permission denied/);
  });
});

test('a database made by an older shopkeep, owned by the superuser, is handed over to the role at start', async () => {
  // What an older shopkeep left: tables, a serial, a view, a function and an enum, all the superuser's.
  await withClient(databaseUrl(server.adminConnectionString, 'shopkeep'), async (client) => {
    await client.query(`
      create schema legacy_queue;
      create type legacy_queue.state as enum ('created', 'done');
      create table legacy_queue.job (id serial primary key, state legacy_queue.state not null);
      create table public.legacy_orders (id bigint primary key, name text);
      create view public.legacy_names as select name from public.legacy_orders;
      create function public.legacy_count() returns bigint language sql as 'select count(*) from public.legacy_orders';
    `);
  });
  await server.stop();
  await server.start();
  await withClient(server.connectionString, async (client) => {
    const { rows } = await client.query(`
      select c.relname, pg_get_userbyid(c.relowner) as owner from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('public', 'legacy_queue') and c.relkind in ('r', 'v', 'S') order by 1`);
    assert.ok(rows.length >= 4, JSON.stringify(rows));
    assert.ok(
      rows.every((row) => row.owner === APP_USER),
      JSON.stringify(rows),
    );
    // Owning them, the role can do what migrations do.
    await client.query('alter table public.legacy_orders add column note text');
    await client.query(`insert into legacy_queue.job (state) values ('created')`);
    await client.query(
      'create or replace function public.legacy_count() returns bigint language sql as $$select 0::bigint$$',
    );
    await client.query(`alter type legacy_queue.state add value 'failed'`);
  });
});

test('the whole runtime migrates and starts as that role', async () => {
  const config = parseConfig({
    DATABASE_URL: server.connectionString,
    SHOPKEEP_DATA_DIR: path.join(dir, 'app'),
    SHOPKEEP_LOG_LEVEL: 'silent',
  });
  const { kernel, database } = await openModules(config, createLogger('silent'), {
    ownsEmbeddedServer: false,
  });
  try {
    assert.equal((await kernel.readiness()).database, true);
    const { rows } = await database.pool.query(
      `select count(*)::int as n from pg_tables where tableowner <> $1 and schemaname = 'public'`,
      [APP_USER],
    );
    assert.equal(rows[0].n, 0);
  } finally {
    await database.close();
  }
});
