import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MasterKeyStore, Vault } from '../../src/platform/vault/vault.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let dataDir: string;
let vault: Vault;
const TOKEN = 'shpat_test_not_a_real_token_123';

before(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-vault-'));
  vault = new Vault({ pool: db.pool, keys: new MasterKeyStore(dataDir, undefined) });
});
after(() => db.drop());

test('secrets are sealed at rest under a generated key file with mode 0600', async () => {
  await vault.set('shopify.admin-token', TOKEN);
  assert.equal(await vault.get('shopify.admin-token'), TOKEN);
  const keyFile = path.join(dataDir, 'master.key');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const { rows } = await db.pool.query('select * from vault_secrets');
  const raw = JSON.stringify(rows) + rows.map((r) => r.ciphertext.toString('utf8')).join('');
  assert.ok(!raw.includes(TOKEN), 'no plaintext in the table');
  assert.ok(!raw.includes(readFileSync(keyFile, 'utf8').trim()), 'no key in the table');
});

test('a sealed value copied onto another name does not open', async () => {
  await vault.set('other', 'x');
  await db.pool.query(
    `update vault_secrets set (iv, ciphertext, auth_tag, key_id) = (select iv, ciphertext, auth_tag, key_id from vault_secrets where name = 'shopify.admin-token') where name = 'other'`,
  );
  await assert.rejects(vault.get('other'));
  await vault.remove('other');
});

test('rotate-key re-encrypts everything under a new key that a new process reads', async () => {
  await vault.set('telegram.bot-token', '123:abc');
  const before = (await db.pool.query('select key_id from vault_secrets')).rows.map((r) => r.key_id);
  const { count } = await vault.rotate();
  assert.equal(count, 2);
  const after = (await db.pool.query('select key_id from vault_secrets')).rows.map((r) => r.key_id);
  assert.notDeepEqual(after, before);
  assert.ok(!existsSync(path.join(dataDir, 'master.key.next')));
  // A new process with only the key file on disk reads everything.
  const reopened = new Vault({ pool: db.pool, keys: new MasterKeyStore(dataDir, undefined) });
  assert.equal(await reopened.get('shopify.admin-token'), TOKEN);
  assert.equal(await reopened.get('telegram.bot-token'), '123:abc');
});

test('a rotation interrupted after the database commit still opens with the staged key', async () => {
  const keys = new MasterKeyStore(dataDir, undefined);
  const crashing = new Vault({
    pool: db.pool,
    keys: {
      keys: () => keys.keys(),
      managedByFile: true,
      stageNext: (key: Buffer) => keys.stageNext(key),
      promoteNext: () => {
        throw new Error('power cut');
      },
    },
  });
  await assert.rejects(crashing.rotate(), /power cut/);
  const reopened = new Vault({ pool: db.pool, keys: new MasterKeyStore(dataDir, undefined) });
  assert.equal(await reopened.get('shopify.admin-token'), TOKEN);
  // The next rotation completes the story: everything ends under one key, the staged file is gone.
  await reopened.rotate();
  assert.ok(!existsSync(path.join(dataDir, 'master.key.next')));
  assert.equal(
    new Set((await db.pool.query('select key_id from vault_secrets')).rows.map((r) => r.key_id)).size,
    1,
  );
  assert.equal(
    await new Vault({ pool: db.pool, keys: new MasterKeyStore(dataDir, undefined) }).get(
      'telegram.bot-token',
    ),
    '123:abc',
  );
});

test('a bad secret name is refused', async () => {
  await assert.rejects(vault.set('Bad Name!', 'x'), /secret name/);
});

test('with SHOPKEEP_MASTER_KEY, a rotation keeps the new key on disk until the environment has it', async () => {
  const envDir = mkdtempSync(path.join(tmpdir(), 'sk-vault-env-'));
  const oldKey = Buffer.alloc(32, 1);
  await db.pool.query('delete from vault_secrets');
  const before = new Vault({ pool: db.pool, keys: new MasterKeyStore(envDir, oldKey) });
  await before.set('gemini.api-key', 'AI-secret-1');
  const { newKey } = await before.rotate();
  assert.ok(existsSync(path.join(envDir, 'master.key.next')), 'the new key is staged in a file');
  // A server still on the old environment reads everything, and seals new secrets with the new key.
  const stillOld = new Vault({ pool: db.pool, keys: new MasterKeyStore(envDir, oldKey) });
  assert.equal(await stillOld.get('gemini.api-key'), 'AI-secret-1');
  await stillOld.set('telegram.bot-token', '42:abc');
  // After the owner moves the key into the environment and deletes the staged file, all of it opens.
  rmSync(path.join(envDir, 'master.key.next'));
  const after = new Vault({ pool: db.pool, keys: new MasterKeyStore(envDir, newKey) });
  assert.equal(await after.get('gemini.api-key'), 'AI-secret-1');
  assert.equal(await after.get('telegram.bot-token'), '42:abc');
});

test('what shopkeep keeps for itself (two-factor secrets, webhook keys) is not listed, set or deleted as an integration secret', async () => {
  await vault.set('auth.totp.0b1e', 'JBSWY3DPEHPK3PXP');
  await vault.set('webhook.1234', 'whsec_abc');
  await vault.setIntegration('akaunting.password', 'hunter22');
  const names = (await vault.list()).map((secret) => secret.name);
  assert.ok(names.includes('akaunting.password'));
  assert.ok(!names.some((name) => name.startsWith('auth.') || name.startsWith('webhook.')), names.join());
  await assert.rejects(vault.removeIntegration('auth.totp.0b1e'), /kept by shopkeep itself.*reset-2fa/);
  await assert.rejects(vault.setIntegration('webhook.1234', 'mine now'), /kept by shopkeep itself/);
  assert.equal(await vault.get('auth.totp.0b1e'), 'JBSWY3DPEHPK3PXP');
  assert.equal(await vault.get('webhook.1234'), 'whsec_abc');
});
