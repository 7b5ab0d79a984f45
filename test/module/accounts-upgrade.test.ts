// An install from before TOTP secrets were sealed: its clear secrets are sealed into the vault at
// start-up, the clear columns are emptied, and its users log in as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { openServices } from '../../src/platform/runtime.ts';
import { hashPassword } from '../../src/platform/accounts/secrets.ts';
import { currentStep, newTotpSecret, totpCode } from '../../src/platform/accounts/totp.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const ACCOUNTS_MIGRATIONS = path.resolve(import.meta.dirname, '../../src/platform/accounts/migrations');
const PASSWORD = 'an old install password';

let db: TestDatabase;
let dataDir: string;

before(async () => {
  db = await createTestDatabase({ migrated: false });
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-upgrade-'));
});
after(async () => {
  await db.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('clear TOTP secrets of an older install are sealed at start-up and login still works', async () => {
  // The accounts tables as the first release made them.
  const first = path.join(dataDir, 'accounts-0001');
  mkdirSync(first);
  copyFileSync(path.join(ACCOUNTS_MIGRATIONS, '0001_accounts.sql'), path.join(first, '0001_accounts.sql'));
  await migrate(db.pool, [{ module: 'accounts', dir: first }]);
  const enrolled = newTotpSecret();
  const pending = newTotpSecret();
  const passwordHash = await hashPassword(PASSWORD);
  await db.pool.query(
    `insert into auth_users (email, role, password_hash, totp_secret) values ('old@shop.example', 'owner', $1, $2)`,
    [passwordHash, enrolled],
  );
  await db.pool.query(
    `insert into auth_users (email, role, password_hash, totp_pending_secret) values ('mid@shop.example', 'staff', $1, $2)`,
    [passwordHash, pending],
  );

  const config = parseConfig({ DATABASE_URL: db.url, SHOPKEEP_DATA_DIR: dataDir });
  const { services, database } = await openServices(config, createLogger('silent'), {
    ownsEmbeddedServer: false,
  });
  try {
    const { rows } = await db.pool.query(
      `select (select json_agg(u)::text from auth_users u) || (select coalesce(json_agg(v)::text, '') from vault_secrets v) as dump`,
    );
    assert.equal(rows[0].dump.includes(enrolled), false, 'the enrolled secret is sealed');
    assert.equal(rows[0].dump.includes(pending), false, 'the pending secret is sealed');
    const clear = await db.pool.query(
      'select count(*)::int as n from auth_users where totp_secret is not null or totp_pending_secret is not null',
    );
    assert.equal(clear.rows[0].n, 0, 'the clear columns are emptied');

    const session = await services.accounts.login({
      email: 'old@shop.example',
      password: PASSWORD,
      totp: totpCode(enrolled, currentStep(Date.now())),
      ip: '127.0.0.1',
    });
    assert.equal(session.stage, 'active');
    await assert.rejects(
      services.accounts.login({ email: 'old@shop.example', password: PASSWORD, ip: '127.0.0.2' }),
      /email, password or code is wrong/,
      'two-factor is still required',
    );
    const [mid] = (await services.accounts.listUsers()).filter((u) => u.email === 'mid@shop.example');
    assert.equal(await services.accounts.beginEnrolment(mid!.id), pending, 'the pending secret carries over');
  } finally {
    await database.close();
  }
});
