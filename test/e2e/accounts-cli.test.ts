// The owner's account commands as run on the machine: an unlock link that leaves two-factor alone,
// a new password that says which tokens it revoked, tokens with an expiry and their last use.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let dataDir: string;
let env: Record<string, string>;

before(async () => {
  db = await createTestDatabase({ migrated: false });
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-accounts-cli-'));
  env = {
    DATABASE_URL: db.url,
    SHOPKEEP_DATA_DIR: dataDir,
    SHOPKEEP_LOG_LEVEL: 'warn',
    SHOPKEEP_PUBLIC_URL: 'https://shop.example.com',
  };
});
after(async () => {
  await db.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('user unlock prints a one-time link and leaves two-factor on', async () => {
  const added = await runCli(
    ['user', 'add', '--email', 'owner@salon.example', '--role', 'owner'],
    env,
    'a long owner password\n',
  );
  assert.equal(added.code, 0, added.stderr);
  const unlock = await runCli(['user', 'unlock', '--email', 'owner@salon.example'], env);
  assert.equal(unlock.code, 0, unlock.stderr);
  assert.match(unlock.stdout, /works once, for 30 minutes/);
  const token = /https:\/\/shop\.example\.com\/unlock\?token=([\w-]{43})\n/.exec(unlock.stdout)?.[1];
  assert.ok(token, unlock.stdout);
  const { rows } = await db.pool.query(
    `select (select json_agg(t)::text from auth_unlock_tokens t) as tokens,
            (select totp_state from auth_users where email = 'owner@salon.example') as totp`,
  );
  assert.equal(rows[0].tokens.includes(token), false, 'only its hash is stored');
  assert.equal(rows[0].totp, 'on', 'two-factor untouched');
  const nobody = await runCli(['user', 'unlock', '--email', 'nobody@salon.example'], env);
  assert.equal(nobody.code, 1);
  assert.match(nobody.stderr, /no active user with the email nobody@salon.example/);
});

test('tokens: an expiry, the last use in the list, and revoked by a new password with the count', async () => {
  const created = await runCli(
    ['token', 'create', '--name', 'n8n', '--scope', 'read', '--expires', '90d', '--json'],
    env,
  );
  assert.equal(created.code, 0, created.stderr);
  const { expiresAt } = JSON.parse(created.stdout);
  assert.ok(Date.parse(expiresAt) > Date.now() + 89 * 86_400_000);
  const listed = await runCli(['token', 'list'], env);
  assert.match(
    listed.stdout,
    /\tn8n\tread\towner@salon\.example\tnever used\texpires \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/,
  );
  const refused = await runCli(
    ['token', 'create', '--name', 'x', '--scope', 'read', '--expires', 'soon'],
    env,
  );
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /expires must be a number of days like 90d, or a date like 2027-03-31/);

  const passwd = await runCli(
    ['user', 'passwd', '--email', 'owner@salon.example'],
    env,
    'another long owner password\n',
  );
  assert.equal(passwd.code, 0, passwd.stderr);
  assert.match(
    passwd.stdout,
    /owner@salon\.example has a new password: 0 sessions ended, 1 API token revoked\./,
  );
  assert.match((await runCli(['token', 'list'], env)).stdout, /No tokens/);
  const reset = await runCli(['user', 'reset-2fa', '--email', 'owner@salon.example', '--json'], env);
  assert.deepEqual(JSON.parse(reset.stdout), { tokensRevoked: 0, sessionsEnded: 0 });
});
