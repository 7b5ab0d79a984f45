// `shopkeep audit verify` as the owner runs it: the head to compare with the daily digest, a master
// key rotation that leaves the log intact, and a log cut back in the database found through the
// anchor file in the data directory.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let dataDir: string;
let env: Record<string, string>;

before(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-audit-cli-'));
  chmodSync(dataDir, 0o700);
  env = { DATABASE_URL: db.url, SHOPKEEP_DATA_DIR: dataDir, SHOPKEEP_LOG_LEVEL: 'warn' };
});
after(async () => {
  await db.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('verify prints the head and an entry a digest named; a key rotation keeps the log intact', async () => {
  for (const name of ['shopify.admin-token', 'akaunting.password']) {
    const set = await runCli(['secrets', 'set', name], env, 'a value\n');
    assert.equal(set.code, 0, set.stderr);
  }
  const anchorFile = path.join(dataDir, 'audit-head.json');
  assert.equal(statSync(anchorFile).mode & 0o777, 0o600);
  const { rows } = await db.pool.query('select seq, hash from ops_audit_log order by seq');
  assert.equal(rows.length, 2);

  const verified = await runCli(['audit', 'verify', '--entry', '1'], env);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /Audit log intact: 2 entries/);
  assert.match(verified.stdout, /Sealed with the master key from entry 1 on/);
  assert.ok(verified.stdout.includes(`Head: entry 2, hash ${rows[1].hash}`), verified.stdout);
  assert.ok(verified.stdout.includes(`Entry 1: hash ${rows[0].hash}`), verified.stdout);
  assert.match(verified.stdout, /audit-head\.json records entry 2 .*, and matches/);

  const rotated = await runCli(['secrets', 'rotate-key'], env);
  assert.equal(rotated.code, 0, rotated.stderr);
  const afterRotation = await runCli(['audit', 'verify', '--json', '--entry', '1'], env);
  assert.equal(afterRotation.code, 0, afterRotation.stdout);
  const result = JSON.parse(afterRotation.stdout);
  assert.deepEqual(result.problems, []);
  // The seals changed with the key; the link a digest named did not.
  assert.deepEqual(result.entry, { seq: 1, hash: rows[0].hash });
  const { rows: actions } = await db.pool.query('select action from ops_audit_log order by seq');
  assert.deepEqual(
    actions.map((row) => row.action),
    ['secret.set', 'secret.set', 'audit.resealed', 'secret.rotate-key'],
  );

  const unknown = await runCli(['audit', 'verify', '--entry', '99'], env);
  assert.equal(unknown.code, 3);
  assert.match(unknown.stdout, /not in the log/);
  const bad = await runCli(['audit', 'verify', '--entry', 'last'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--entry takes an entry number/);
});

test('a tail removed with the head fixed in the database: verify says so, and what to do', async () => {
  const anchored = JSON.parse(readFileSync(path.join(dataDir, 'audit-head.json'), 'utf8'));
  const { rows } = await db.pool.query('select hash from ops_audit_log where seq = 2');
  await db.pool.query('delete from ops_audit_log where seq > 2');
  await db.pool.query('update ops_audit_head set seq = 2, hash = $1', [rows[0].hash]);

  const cut = await runCli(['audit', 'verify'], env);
  assert.equal(cut.code, 3, cut.stdout);
  assert.match(cut.stdout, /TAMPERED/);
  assert.match(
    cut.stdout,
    new RegExp(
      `entries 3 to ${anchored.seq}: the log ends at entry 2, but audit-head\\.json recorded entry ${anchored.seq}`,
    ),
  );
  assert.match(cut.stdout, /What to do:/);
  assert.match(cut.stdout, /Change the database password/);
});
