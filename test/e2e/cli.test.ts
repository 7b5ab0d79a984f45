// The `shopkeep` command as the owner uses it, against a real database through DATABASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import PgBoss from 'pg-boss';
import { BIN, runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

let db: TestDatabase;
let dataDir: string;
let env: Record<string, string>;

before(async () => {
  db = await createTestDatabase({ migrated: false });
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-cli-'));
  chmodSync(dataDir, 0o755);
  env = { DATABASE_URL: db.url, SHOPKEEP_DATA_DIR: dataDir, SHOPKEEP_LOG_LEVEL: 'warn' };
});
after(async () => {
  await db.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('help, unknown commands and configuration errors', async () => {
  const help = await runCli(['--help'], env);
  assert.equal(help.code, 0);
  for (const command of [
    'serve',
    'worker',
    'migrate',
    'user',
    'token',
    'audit',
    'secrets',
    'doctor',
    'sandbox',
  ]) {
    assert.match(help.stdout, new RegExp(`\\n  ${command} `), command);
  }
  assert.match((await runCli(['user', '--help'], env)).stdout, /user add --email E --role/);
  const unknown = await runCli(['frobnicate'], env);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const badConfig = await runCli(['migrate'], { ...env, SHOPKEEP_TIMEZONE: 'Nowhere/Special' });
  assert.equal(badConfig.code, 78);
  assert.match(badConfig.stderr, /SHOPKEEP_TIMEZONE/);
  const badUsage = await runCli(['user', 'add', '--email'], env);
  assert.equal(badUsage.code, 2);
});

test('migrate, then user add prints the TOTP secret and recovery codes', async () => {
  const migrated = await runCli(['migrate'], env);
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.match(migrated.stdout, /Applied \d+ migration/);
  assert.match((await runCli(['migrate'], env)).stdout, /up to date/);

  const added = await runCli(
    ['user', 'add', '--email', 'owner@salon.example', '--role', 'owner', '--json'],
    env,
    'a long owner password\n',
  );
  assert.equal(added.code, 0, added.stderr);
  const result = JSON.parse(added.stdout);
  assert.equal(result.user.email, 'owner@salon.example');
  assert.match(result.totpSecret, /^[A-Z2-7]{32}$/);
  assert.equal(result.recoveryCodes.length, 10);
  assert.equal(JSON.stringify(result).includes('a long owner password'), false);

  const short = await runCli(
    ['user', 'add', '--email', 'x@salon.example', '--role', 'staff'],
    env,
    'short\n',
  );
  assert.equal(short.code, 1);
  assert.match(short.stderr, /at least 12 characters/);
});

test('token create prints a bearer token and nothing else', async () => {
  const created = await runCli(
    ['token', 'create', '--name', 'n8n', '--scope', 'read', '--scope', 'write'],
    env,
  );
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout.trim(), /^skt_[\w-]{40,}$/);
  const listed = await runCli(['token', 'list', '--json'], env);
  assert.equal(JSON.parse(listed.stdout).tokens[0].name, 'n8n');
  assert.equal(listed.stdout.includes(created.stdout.trim()), false);
});

test('secrets: set from stdin, list names only, rotate the key', async () => {
  const set = await runCli(['secrets', 'set', 'shopify.admin-token'], env, 'shpat_cli_test_value\n');
  assert.equal(set.code, 0, set.stderr);
  assert.equal(statSync(path.join(dataDir, 'master.key')).mode & 0o777, 0o600);
  const listed = await runCli(['secrets', 'list'], env);
  assert.match(listed.stdout, /shopify.admin-token/);
  assert.equal(listed.stdout.includes('shpat_cli_test_value'), false);
  const rotated = await runCli(['secrets', 'rotate-key'], env);
  assert.equal(rotated.code, 0, rotated.stderr);
  // The Shopify token and the owner's two-factor secret (sealed in the vault since `user add`).
  assert.match(rotated.stdout, /Re-encrypted 2 secret/);
});

test('audit verify reports an intact log, then an edited entry', async () => {
  const intact = await runCli(['audit', 'verify'], env);
  assert.equal(intact.code, 0, intact.stderr);
  assert.match(intact.stdout, /Audit log intact: \d+ entries/);
  await db.pool.query(`update ops_audit_log set actor_label = 'someone else' where seq = 2`);
  const tampered = await runCli(['audit', 'verify'], env);
  assert.equal(tampered.code, 3);
  assert.match(tampered.stdout, /TAMPERED/);
  assert.match(tampered.stdout, /entry 2: was changed after it was written/);
});

test('doctor says what is fine and what to fix', async () => {
  const doctor = await runCli(['doctor', '--json'], env);
  const report = JSON.parse(doctor.stdout);
  const database = report.checks.find((c: { name: string }) => c.name === 'database');
  assert.equal(database.ok, true);
  assert.equal(report.checks.find((c: { name: string }) => c.name === 'owner account').ok, true);
  // Nothing backs this shop up: said, with what to set, and the whole report is not ok.
  const backups = report.checks.find((c: { name: string }) => c.name === 'backups');
  assert.equal(backups.ok, false);
  assert.match(backups.fix, /SHOPKEEP_BACKUP_TARGET/);
  assert.equal(report.ok, false);
  assert.equal(doctor.code, 1);
});

test('a worker refuses to start without the master key, and runs jobs with it', async () => {
  const emptyDir = mkdtempSync(path.join(tmpdir(), 'sk-worker-'));
  const refused = await runCli(['worker'], { ...env, SHOPKEEP_DATA_DIR: emptyDir });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /no master key .* copy master.key/);
  rmSync(emptyDir, { recursive: true, force: true });

  const worker = spawn(process.execPath, [BIN, 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  worker.stdout.on('data', (chunk) => (output += chunk));
  worker.stderr.on('data', (chunk) => (output += chunk));
  try {
    await waitFor(() => /worker running/.test(output), 30_000, `the worker to start:\n${output}`);
    const boss = new PgBoss({ connectionString: db.url });
    await boss.start();
    const id = await boss.send('ops.prune-sessions', {});
    await waitFor(
      async () => (await boss.getJobById('ops.prune-sessions', id!))?.state === 'completed',
      30_000,
      'the job',
    );
    await boss.stop({ graceful: false });
  } finally {
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.on('exit', resolve));
  }
});

test('ai draft writes a post for a product and takes it through the QA gate', async () => {
  const status = await runCli(['ai', 'status', '--json'], env);
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual(
    JSON.parse(status.stdout).providers.map((p: { name: string }) => p.name),
    ['offline'],
  );
  const draft = await runCli(
    ['ai', 'draft', '--channel', 'instagram', '--product', '8800000000003', '--sandbox-catalog'],
    env,
  );
  assert.equal(draft.code, 0, draft.stderr);
  assert.match(
    draft.stdout,
    /Approved by the QA gate\.\nScore \d+ after 1 attempt\(s\), written by offline\./,
  );
  assert.match(draft.stdout, /Curl Defining Cream/);
  const unknown = await runCli(['ai', 'draft', '--channel', 'instagram', '--product', '8800000000003'], env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no product 8800000000003 in the catalog/);
});
