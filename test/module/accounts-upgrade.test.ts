// Installs from before a change to the accounts tables: clear TOTP secrets are sealed into the vault
// at start-up (the clear columns emptied) and users log in as before; login counts and known addresses
// are carried into their new form.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { openModules } from '../../src/platform/runtime.ts';
import accountsModule from '../../src/platform/accounts/index.ts';
import { hashPassword } from '../../src/platform/accounts/secrets.ts';
import { currentStep, newTotpSecret, totpCode } from '../../src/platform/accounts/totp.ts';
import { clientKey } from '../../src/platform/net/client-key.ts';
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
  const { modules, database } = await openModules(config, createLogger('silent'), {
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

    const session = await modules.get(accountsModule).logins.attempt({
      email: 'old@shop.example',
      password: PASSWORD,
      totp: totpCode(enrolled, currentStep(Date.now())),
      ip: '127.0.0.1',
    });
    assert.equal(session.stage, 'active');
    await assert.rejects(
      modules
        .get(accountsModule)
        .logins.attempt({ email: 'old@shop.example', password: PASSWORD, ip: '127.0.0.2' }),
      /email, password or code is wrong/,
      'two-factor is still required',
    );
    const [mid] = (await modules.get(accountsModule).users.list()).filter(
      (u) => u.email === 'mid@shop.example',
    );
    assert.equal(
      await modules.get(accountsModule).twoFactor.beginEnrolment(mid!.id),
      pending,
      'the pending secret carries over',
    );
  } finally {
    await database.close();
  }
});

test('an upgrade drops login counts keyed by email and makes known IPv6 addresses their /64', async () => {
  const old = await createTestDatabase({ migrated: false });
  try {
    const before = path.join(dataDir, 'accounts-0004');
    mkdirSync(before);
    for (const file of [
      '0001_accounts.sql',
      '0002_login_defence.sql',
      '0003_sealed_totp.sql',
      '0004_token_expiry.sql',
    ])
      copyFileSync(path.join(ACCOUNTS_MIGRATIONS, file), path.join(before, file));
    await migrate(old.pool, [{ module: 'accounts', dir: before }]);
    const { rows: users } = await old.pool.query(
      `insert into auth_users (email, role, password_hash) values ('old@shop.example', 'owner', 'x') returning id`,
    );
    const userId = users[0].id as string;
    const seen = [
      ['192.0.2.9', '2026-01-01'],
      ['2001:db8:aaaa:bbbb:1::1', '2026-01-02'],
      ['2001:db8:aaaa:bbbb:2::2', '2026-01-05'],
      ['2001:0:0:1:ffff::', '2026-01-01'],
      ['0:0:1:2:3:4:5:6', '2026-01-01'],
      ['1:0:0:0:2::', '2026-01-01'],
      ['2a00:1450:4009:81f::200e', '2026-01-01'],
      ['fe80::1%eth0', '2026-01-01'],
      ['::ffff:198.51.100.4', '2026-01-01'],
      ['::ffff:c633:6405', '2026-01-01'],
      ['not:an:address', '2026-01-01'],
    ];
    for (const [address, at] of seen)
      await old.pool.query(
        'insert into auth_known_addresses (user_id, address, last_login_at) values ($1, $2, $3)',
        [userId, address, at],
      );
    for (const key of [
      'ip:192.0.2.9',
      'ip:2001:db8::1',
      'pair:192.0.2.9 old@shop.example',
      'slow:old@shop.example',
    ])
      await old.pool.query(
        `insert into auth_login_failures (key, failures, window_started_at, account) values ($1, 3, now(), 'old@shop.example')`,
        [key],
      );

    await migrate(old.pool, [{ module: 'accounts', dir: ACCOUNTS_MIGRATIONS }]);

    const failures = await old.pool.query('select key from auth_login_failures');
    assert.deepEqual(
      failures.rows.map((row) => row.key),
      ['ip:192.0.2.9'],
      'IPv4 address counts stay; counts keyed by email or a whole IPv6 address go',
    );
    const known = await old.pool.query(
      `select address, to_char(last_login_at at time zone 'UTC', 'YYYY-MM-DD') as at from auth_known_addresses order by address`,
    );
    const expected = new Map<string, string>();
    for (const [address, at] of seen.slice(0, -1)) {
      const key = clientKey(address!);
      if (!expected.has(key) || expected.get(key)! < at!) expected.set(key, at!);
    }
    assert.deepEqual(
      Object.fromEntries(known.rows.map((row) => [row.address, row.at])),
      Object.fromEntries(expected),
      'each address as client-key.ts writes it; one /64 is one row with its latest login',
    );
    assert.equal(expected.get('2001:db8:aaaa:bbbb::/64'), '2026-01-05');
    assert.equal(expected.get('198.51.100.5'), '2026-01-01');
  } finally {
    await old.drop();
  }
});
