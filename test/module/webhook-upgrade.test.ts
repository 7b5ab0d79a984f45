// Outgoing webhooks made before private targets needed the owner's say: those whose address plainly
// names this box or the local network keep working; any other is checked at delivery like a new one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from '../../src/platform/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const EVENTS = path.resolve(import.meta.dirname, '../../src/platform/events/migrations');
let db: TestDatabase;
let dir: string;

before(async () => {
  db = await createTestDatabase({ migrated: false });
  dir = mkdtempSync(path.join(tmpdir(), 'sk-hooks-'));
});
after(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('an upgrade lets endpoints on plainly private addresses keep working, and no other', async () => {
  const earlier = path.join(dir, 'events');
  mkdirSync(earlier);
  for (const file of ['0001_events.sql', '0002_feeds.sql'])
    copyFileSync(path.join(EVENTS, file), path.join(earlier, file));
  await migrate(db.pool, [{ module: 'events', dir: earlier }]);
  const urls = {
    'http://localhost:5678/webhook/shopkeep': true,
    'http://n8n:5678/webhook/x': true,
    'http://192.168.1.20:5678/webhook/x': true,
    'http://172.16.4.2/hook': true,
    'http://[::1]:8080/hook': true,
    'http://n8n.local/hook': true,
    'https://hooks.zapier.com/hooks/catch/1/2': false,
    'https://n8n.example.com/webhook/x': false,
    'http://172.15.0.1/hook': false,
  };
  for (const url of Object.keys(urls))
    await db.pool.query(
      `insert into events_webhook_endpoints (url, event_types, secret_name) values ($1, '{*}', 'webhook.x')`,
      [url],
    );
  await migrate(db.pool, [{ module: 'events', dir: EVENTS }]);
  const { rows } = await db.pool.query<{ url: string; allow_private_target: boolean }>(
    'select url, allow_private_target from events_webhook_endpoints',
  );
  assert.deepEqual(Object.fromEntries(rows.map((row) => [row.url, row.allow_private_target])), urls);
});
