import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type pg from 'pg';
import { createLogger } from '../../src/platform/logger.ts';
import { openAccounts, type Accounts } from '../../src/platform/accounts/accounts.ts';
import { AuditLog } from '../../src/platform/audit/audit-log.ts';
import { Notifications, type Notice } from '../../src/platform/notify/notifications.ts';
import { MasterKeyStore, Vault } from '../../src/platform/vault/vault.ts';
import { AppError } from '../../src/platform/errors.ts';
import { currentStep, totpCode } from '../../src/platform/accounts/totp.ts';
import { sha256 } from '../../src/platform/accounts/secrets.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let clock = Date.parse('2026-11-26T09:00:00Z');
let accounts: Accounts;
const PASSWORD = 'a long shop password';
const keyDir = mkdtempSync(path.join(tmpdir(), 'sk-accounts-'));

/** The accounts part as the runtime builds it, on the test's clock; `log` gets each line it logs. */
function accountService(
  pool: pg.Pool,
  vault = new Vault({ pool, keys: new MasterKeyStore(keyDir, undefined) }),
  notifications = new Notifications({ pool }),
  log?: (line: string) => void,
) {
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      log?.(String(chunk));
      callback();
    },
  });
  return openAccounts({
    pool,
    audit: new AuditLog({ pool }),
    vault,
    notifications,
    logger: log ? createLogger('info', sink) : createLogger('silent'),
    sessions: { idleMinutes: 30, absoluteHours: 12 },
    timezone: 'Europe/London',
    now: () => clock,
  });
}

before(async () => {
  db = await createTestDatabase();
  accounts = accountService(db.pool);
});
after(async () => {
  await db.drop();
  rmSync(keyDir, { recursive: true, force: true });
});

const code = (secret: string) => totpCode(secret, currentStep(clock));
const kind = (expected: string) => (error: unknown) => error instanceof AppError && error.kind === expected;

test('a user logs in with password and a TOTP code; the code works once', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'Ana@Salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  const session = await accounts.logins.attempt({
    email: 'ana@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.0.0.1',
  });
  assert.equal(session.stage, 'active');
  assert.equal(session.user.email, 'ana@salon.example');
  const principal = await accounts.sessions.resolve(session.cookieValue);
  assert.deepEqual([...principal!.scopes].sort(), ['metrics', 'read', 'write']);
  await assert.rejects(
    accounts.logins.attempt({
      email: 'ana@salon.example',
      password: PASSWORD,
      totp: code(totpSecret!),
      ip: '10.0.0.1',
    }),
    kind('unauthenticated'),
  );
});

test('wrong password, unknown account and missing code are refused alike', async () => {
  await accounts.users.add({
    email: 'ben@salon.example',
    password: PASSWORD,
    role: 'viewer',
    by: 'test',
    withTotp: true,
  });
  for (const attempt of [
    { email: 'ben@salon.example', password: 'wrong password!!', totp: '000000' },
    { email: 'nobody@salon.example', password: PASSWORD, totp: '000000' },
    { email: 'ben@salon.example', password: PASSWORD },
  ]) {
    await assert.rejects(
      accounts.logins.attempt({ ...attempt, ip: '10.0.0.2' }),
      (e: unknown) => e instanceof AppError && e.message === 'email, password or code is wrong',
    );
  }
});

test('recovery codes log in once each', async () => {
  const { user } = await accounts.users.add({
    email: 'dee@salon.example',
    password: PASSWORD,
    role: 'owner',
    by: 'test',
    withTotp: false,
  });
  const enrolling = await accounts.logins.attempt({
    email: 'dee@salon.example',
    password: PASSWORD,
    ip: '10.2.0.1',
  });
  assert.equal(enrolling.stage, 'enrolling', 'no second factor yet: enrolment only');
  const principal = (await accounts.sessions.resolve(enrolling.cookieValue))!;
  assert.equal(principal.scopes.size, 0, 'an enrolling session grants nothing');
  const secret = await accounts.twoFactor.beginEnrolment(user.id);
  assert.equal(
    await accounts.twoFactor.beginEnrolment(user.id),
    secret,
    'the pending secret is kept until confirmed',
  );
  await assert.rejects(
    accounts.twoFactor.confirmEnrolment(principal, '000000', '10.2.0.1'),
    kind('invalid_request'),
  );
  const codes = await accounts.twoFactor.confirmEnrolment(principal, code(secret), '10.2.0.1');
  assert.equal(codes.length, 10);
  assert.equal(
    await accounts.sessions.resolve(enrolling.cookieValue),
    undefined,
    'the enrolling session id is retired',
  );
  clock += 30_000;
  const viaRecovery = await accounts.logins.attempt({
    email: 'dee@salon.example',
    password: PASSWORD,
    totp: codes[3]!.toUpperCase(),
    ip: '10.2.0.1',
  });
  assert.equal(viaRecovery.stage, 'active');
  await assert.rejects(
    accounts.logins.attempt({
      email: 'dee@salon.example',
      password: PASSWORD,
      totp: codes[3]!,
      ip: '10.2.0.1',
    }),
    kind('unauthenticated'),
  );
});

test('sessions end after the idle timeout and after the absolute timeout', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'eve@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  clock += 60_000;
  const idle = await accounts.logins.attempt({
    email: 'eve@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.3.0.1',
  });
  clock += 29 * 60_000;
  assert.ok(await accounts.sessions.resolve(idle.cookieValue), 'still alive after 29 minutes');
  clock += 29 * 60_000;
  assert.ok(await accounts.sessions.resolve(idle.cookieValue), 'use keeps it alive');
  clock += 31 * 60_000;
  assert.equal(await accounts.sessions.resolve(idle.cookieValue), undefined, 'idle for 31 minutes');

  clock += 60_000;
  const busy = await accounts.logins.attempt({
    email: 'eve@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.3.0.1',
  });
  for (let hour = 0; hour < 12; hour += 1) {
    clock += 20 * 60_000;
    await accounts.sessions.resolve(busy.cookieValue);
    clock += 20 * 60_000;
    await accounts.sessions.resolve(busy.cookieValue);
    clock += 20 * 60_000;
  }
  assert.equal(
    await accounts.sessions.resolve(busy.cookieValue),
    undefined,
    'the absolute timeout ends even a busy session',
  );
});

test('API tokens are hashed at rest, scoped to the role, and revocable', async () => {
  await accounts.users.add({
    email: 'fay@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  await assert.rejects(
    accounts.tokens.create({ email: 'fay@salon.example', name: 'too much', scopes: ['admin'], by: 'test' }),
    kind('invalid_request'),
  );
  await assert.rejects(
    accounts.tokens.create({ email: 'fay@salon.example', name: 'n8n', scopes: ['everything'], by: 'test' }),
    kind('invalid_request'),
  );
  const { token, id } = await accounts.tokens.create({
    email: 'fay@salon.example',
    name: 'n8n',
    scopes: ['read', 'write'],
    by: 'test',
  });
  const stored = await db.pool.query('select token_hash, prefix from auth_api_tokens where id = $1', [id]);
  assert.notEqual(stored.rows[0].token_hash, token);
  assert.ok(!stored.rows[0].token_hash.includes(token.slice(4, 20)));
  const principal = await accounts.tokens.resolve(token);
  assert.deepEqual([...principal!.scopes].sort(), ['read', 'write']);
  assert.equal(await accounts.tokens.resolve(token + 'x'), undefined);
  await accounts.tokens.revoke(id, 'test');
  assert.equal(await accounts.tokens.resolve(token), undefined);
});

test('the owner setup link works once and only while there is no owner', async () => {
  const fresh = await createTestDatabase();
  try {
    const service = accountService(fresh.pool);
    const token = await service.setup.newSetupToken();
    assert.equal(await service.setup.setupTokenValid(token), true);
    assert.equal(await service.setup.setupTokenValid('forged'), false);
    const session = await service.setup.createOwner(token, 'owner@shop.example', PASSWORD, '127.0.0.1');
    assert.equal(session.stage, 'enrolling');
    await assert.rejects(
      service.setup.createOwner(token, 'second@shop.example', PASSWORD, '127.0.0.1'),
      kind('forbidden'),
    );
    assert.equal(
      await service.setup.setupTokenValid(await service.setup.newSetupToken()),
      false,
      'no new owner once one exists',
    );
  } finally {
    await fresh.drop();
  }
});

test('bad user input is refused with the reason', async () => {
  await assert.rejects(
    accounts.users.add({
      email: 'not-an-email',
      password: PASSWORD,
      role: 'staff',
      by: 'test',
      withTotp: true,
    }),
    /email/,
  );
  await assert.rejects(
    accounts.users.add({
      email: 'gil@salon.example',
      password: 'short',
      role: 'staff',
      by: 'test',
      withTotp: true,
    }),
    /at least 12/,
  );
  await assert.rejects(
    accounts.users.add({
      email: 'gil@salon.example',
      password: PASSWORD,
      role: 'king',
      by: 'test',
      withTotp: true,
    }),
    /role/,
  );
  await accounts.users.add({
    email: 'gil@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  await assert.rejects(
    accounts.users.add({
      email: 'GIL@salon.example',
      password: PASSWORD,
      role: 'staff',
      by: 'test',
      withTotp: true,
    }),
    kind('conflict'),
  );
});

test('resetting two-factor lifts the account lock and sends the user through enrolment', async () => {
  await accounts.users.add({
    email: 'hal@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  for (let i = 0; i < 5; i += 1) {
    await assert.rejects(
      accounts.logins.attempt({
        email: 'hal@salon.example',
        password: 'not the password',
        ip: `10.4.0.${i}`,
      }),
      kind('unauthenticated'),
    );
  }
  await assert.rejects(
    accounts.logins.attempt({ email: 'hal@salon.example', password: PASSWORD, ip: '10.4.0.9' }),
    kind('rate_limited'),
  );
  await accounts.users.resetTwoFactor('HAL@salon.example', 'owner@salon.example');
  const session = await accounts.logins.attempt({
    email: 'hal@salon.example',
    password: PASSWORD,
    ip: '10.4.0.9',
  });
  assert.equal(session.stage, 'enrolling');
});

test('parallel guesses cannot get past the limit: at most five attempts are checked', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'ivy@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  const attempts = await Promise.allSettled(
    Array.from({ length: 12 }, (_, i) =>
      accounts.logins.attempt({
        email: 'ivy@salon.example',
        password: PASSWORD,
        totp: String(100000 + i),
        ip: `10.5.0.${i}`,
      }),
    ),
  );
  const kinds = attempts.map((a) => (a.status === 'rejected' ? (a.reason as AppError).kind : 'ok'));
  assert.equal(kinds.filter((k) => k === 'unauthenticated').length, 5, kinds.join(','));
  assert.equal(kinds.filter((k) => k === 'rate_limited').length, 7);
  assert.ok(totpSecret);
});

test('an owner disables a user, changes roles and sets passwords; the last owner stays', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'jo@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  const session = await accounts.logins.attempt({
    email: 'jo@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.6.0.1',
  });
  const { token } = await accounts.tokens.create({
    email: 'jo@salon.example',
    name: 'phone',
    scopes: ['read'],
    by: 'test',
  });
  await accounts.users.setRole('jo@salon.example', 'viewer', 'owner@salon.example');
  assert.deepEqual(
    [...(await accounts.sessions.resolve(session.cookieValue))!.scopes],
    ['read'],
    'a role change applies at once',
  );
  await accounts.users.disable('jo@salon.example', 'owner@salon.example');
  assert.equal(await accounts.sessions.resolve(session.cookieValue), undefined, 'sessions end');
  assert.equal(await accounts.tokens.resolve(token), undefined, 'tokens are revoked');
  await assert.rejects(
    accounts.logins.attempt({ email: 'jo@salon.example', password: PASSWORD, ip: '10.6.0.1' }),
    kind('unauthenticated'),
  );
  assert.ok(!(await accounts.users.list()).some((u) => u.email === 'jo@salon.example'));

  const fresh = await createTestDatabase();
  try {
    const only = accountService(fresh.pool);
    await only.users.add({
      email: 'solo@salon.example',
      password: PASSWORD,
      role: 'owner',
      by: 'test',
      withTotp: true,
    });
    await assert.rejects(only.users.disable('solo@salon.example', 'cli'), /last owner/);
    await assert.rejects(only.users.setRole('solo@salon.example', 'staff', 'cli'), /last owner/);
    await only.users.setPassword('solo@salon.example', 'a brand new long password', 'cli');
    const enrolling = await only.logins
      .attempt({
        email: 'solo@salon.example',
        password: 'a brand new long password',
        totp: '000000',
        ip: '10.6.0.2',
      })
      .catch((e: AppError) => e);
    assert.equal(
      (enrolling as AppError).kind,
      'unauthenticated',
      'the new password is accepted up to the code check',
    );
    await assert.rejects(only.users.setPassword('solo@salon.example', 'short', 'cli'), /at least 12/);
  } finally {
    await fresh.drop();
  }
});

// ---- issue 10: lockout, sealed TOTP, tokens (written before the fix) ---------------------------

const wrong = (email: string, ip: string) =>
  assert.rejects(
    accounts.logins.attempt({ email, password: 'not the password', ip }),
    kind('unauthenticated'),
  );

test("a stranger's guesses from other addresses never lock the owner out of their own address", async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'kim@salon.example',
    password: PASSWORD,
    role: 'owner',
    by: 'test',
    withTotp: true,
  });
  clock += 60_000;
  await accounts.logins.attempt({
    email: 'kim@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.7.0.1',
  });
  for (let i = 0; i < 30; i += 1) {
    await accounts.logins
      .attempt({ email: 'kim@salon.example', password: 'not the password', ip: `198.51.100.${i}` })
      .catch(() => undefined);
  }
  clock += 30_000;
  const session = await accounts.logins.attempt({
    email: 'kim@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.7.0.1',
  });
  assert.equal(session.stage, 'active');
});

test('failed tries during a lock never make it longer', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'lou@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  for (let i = 0; i < 5; i += 1) await wrong('lou@salon.example', '10.8.0.1');
  const lockedAt = clock;
  for (let minute = 0; minute < 15; minute += 1) {
    await assert.rejects(
      accounts.logins.attempt({ email: 'lou@salon.example', password: 'still not it', ip: '10.8.0.1' }),
      kind('rate_limited'),
    );
    clock += 60_000;
  }
  clock = lockedAt + 15 * 60_000 + 1_000;
  const session = await accounts.logins.attempt({
    email: 'lou@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.8.0.1',
  });
  assert.equal(session.stage, 'active', 'the lock ended 15 minutes after it began');
});

test('guesses spread over many addresses slow the account down, never lock it', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'max@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  for (let i = 0; i < 5; i += 1) await wrong('max@salon.example', `203.0.113.${i}`);
  const slowed = await accounts.logins
    .attempt({ email: 'max@salon.example', password: 'not the password', ip: '203.0.113.50' })
    .catch((e: AppError) => e);
  assert.equal((slowed as AppError).kind, 'rate_limited');
  assert.equal((slowed as AppError).headers['retry-after'], '1', 'a short wait, not a 15-minute lock');
  clock += 1_000;
  await wrong('max@salon.example', '203.0.113.51');
  const longer = await accounts.logins
    .attempt({ email: 'max@salon.example', password: 'not the password', ip: '203.0.113.52' })
    .catch((e: AppError) => e);
  assert.equal((longer as AppError).headers['retry-after'], '2', 'each failure doubles the wait');
  clock += 2_000;
  const session = await accounts.logins.attempt({
    email: 'max@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '203.0.113.53',
  });
  assert.equal(session.stage, 'active', 'the right login after the wait gets in');
});

test('a recovery code lets the owner through a lock, once', async () => {
  const { user } = await accounts.users.add({
    email: 'nat@salon.example',
    password: PASSWORD,
    role: 'owner',
    by: 'test',
    withTotp: false,
  });
  const enrolling = await accounts.logins.attempt({
    email: 'nat@salon.example',
    password: PASSWORD,
    ip: '10.9.0.1',
  });
  const secret = await accounts.twoFactor.beginEnrolment(user.id);
  const codes = await accounts.twoFactor.confirmEnrolment(
    (await accounts.sessions.resolve(enrolling.cookieValue))!,
    code(secret),
    '10.9.0.1',
  );
  for (let i = 0; i < 6; i += 1)
    await accounts.logins
      .attempt({ email: 'nat@salon.example', password: 'not the password', ip: '10.9.0.2' })
      .catch(() => undefined);
  await assert.rejects(
    accounts.logins.attempt({
      email: 'nat@salon.example',
      password: PASSWORD,
      totp: code(secret),
      ip: '10.9.0.2',
    }),
    kind('rate_limited'),
  );
  const session = await accounts.logins.attempt({
    email: 'nat@salon.example',
    password: PASSWORD,
    totp: codes[0]!,
    ip: '10.9.0.2',
  });
  assert.equal(session.stage, 'active');
  await assert.rejects(
    accounts.logins.attempt({
      email: 'nat@salon.example',
      password: PASSWORD,
      totp: codes[0]!,
      ip: '10.9.0.2',
    }),
    kind('unauthenticated'),
    'the code is spent',
  );
});

test('the owner hears of repeated failures once per burst, with the count and addresses', async () => {
  await accounts.users.add({
    email: 'ola@salon.example',
    password: PASSWORD,
    role: 'owner',
    by: 'test',
    withTotp: true,
  });
  clock += 3_600_000;
  for (let i = 0; i < 5; i += 1) await wrong('ola@salon.example', `192.0.2.${10 + (i % 2)}`);
  for (let i = 0; i < 3; i += 1) {
    clock += 10 * 60_000;
    await accounts.logins
      .attempt({ email: 'ola@salon.example', password: 'secret-guess-123', ip: '192.0.2.12' })
      .catch(() => undefined);
  }
  await accounts.logins.settle(); // the alert goes out after the answer
  const { rows } = await db.pool.query(
    `select title, body, severity, dedupe_key from notify_inbox where body like '%ola@salon.example%'`,
  );
  assert.equal(rows.length, 1, 'one notice for the burst');
  assert.match(rows[0].body, /5 failed logins/);
  assert.match(rows[0].body, /192\.0\.2\.10/);
  assert.match(rows[0].body, /192\.0\.2\.11/);
  assert.ok(!JSON.stringify(rows).includes('not the password'));
  assert.equal(rows[0].severity, 'warning');
});

test('two-factor secrets are sealed: the database holds none in clear after enrolment', async () => {
  const { user, totpSecret } = await accounts.users.add({
    email: 'pia@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  const later = await accounts.users.add({
    email: 'quin@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: false,
  });
  const enrolling = await accounts.logins.attempt({
    email: 'quin@salon.example',
    password: PASSWORD,
    ip: '10.10.0.1',
  });
  const pending = await accounts.twoFactor.beginEnrolment(later.user.id);
  const dumpHas = async (secret: string) => {
    const { rows } = await db.pool.query(
      `select (select json_agg(u)::text from auth_users u) || (select coalesce(json_agg(v)::text, '') from vault_secrets v) as dump`,
    );
    return rows[0].dump.includes(secret);
  };
  assert.equal(await dumpHas(totpSecret!), false, 'a secret made by the CLI');
  assert.equal(await dumpHas(pending), false, 'a pending secret');
  await accounts.twoFactor.confirmEnrolment(
    (await accounts.sessions.resolve(enrolling.cookieValue))!,
    code(pending),
    '10.10.0.1',
  );
  assert.equal(await dumpHas(pending), false, 'a confirmed secret');
  clock += 30_000;
  const session = await accounts.logins.attempt({
    email: 'pia@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.10.0.1',
  });
  assert.equal(session.user.id, user.id);
});

test('a sealed secret that cannot be opened fails closed; a recovery code still logs in', async () => {
  const { user } = await accounts.users.add({
    email: 'val@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: false,
  });
  const enrolling = await accounts.logins.attempt({
    email: 'val@salon.example',
    password: PASSWORD,
    ip: '10.13.0.1',
  });
  const secret = await accounts.twoFactor.beginEnrolment(user.id);
  const codes = await accounts.twoFactor.confirmEnrolment(
    (await accounts.sessions.resolve(enrolling.cookieValue))!,
    code(secret),
    '10.13.0.1',
  );
  // The same users, served with a master key that is not the one that sealed the secret.
  const otherKeyDir = mkdtempSync(path.join(tmpdir(), 'sk-other-key-'));
  const otherKey = accountService(
    db.pool,
    new Vault({ pool: db.pool, keys: new MasterKeyStore(otherKeyDir, undefined) }),
  );
  clock += 30_000;
  await assert.rejects(
    otherKey.logins.attempt({
      email: 'val@salon.example',
      password: PASSWORD,
      totp: code(secret),
      ip: '10.13.0.1',
    }),
    kind('unauthenticated'),
  );
  const session = await otherKey.logins.attempt({
    email: 'val@salon.example',
    password: PASSWORD,
    totp: codes[0]!,
    ip: '10.13.0.1',
  });
  assert.equal(session.stage, 'active');
  rmSync(otherKeyDir, { recursive: true, force: true });
});

test('a master key rotation re-seals two-factor secrets with the rest; codes keep working', async () => {
  const vault = new Vault({ pool: db.pool, keys: new MasterKeyStore(keyDir, undefined) });
  const rotating = accountService(db.pool, vault);
  const { totpSecret } = await rotating.users.add({
    email: 'uma@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  const { count } = await vault.rotate();
  assert.ok(count >= 1);
  clock += 30_000;
  const session = await rotating.logins.attempt({
    email: 'uma@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.12.0.1',
  });
  assert.equal(session.stage, 'active');
});

test('a new password or a two-factor reset revokes the user API tokens and sessions, and says how many', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'rae@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  clock += 30_000;
  const session = await accounts.logins.attempt({
    email: 'rae@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.11.0.1',
  });
  const first = await accounts.tokens.create({
    email: 'rae@salon.example',
    name: 'n8n',
    scopes: ['read'],
    by: 'test',
  });
  const second = await accounts.tokens.create({
    email: 'rae@salon.example',
    name: 'script',
    scopes: ['read'],
    by: 'test',
  });
  const changed = (await accounts.users.setPassword(
    'rae@salon.example',
    'another long password',
    'test',
  )) as unknown;
  assert.deepEqual(changed, { tokensRevoked: 2, sessionsEnded: 1 });
  assert.equal(await accounts.sessions.resolve(session.cookieValue), undefined);
  for (const { token } of [first, second])
    assert.ok(!('user' in ((await accounts.tokens.resolve(token)) ?? {})));
  const third = await accounts.tokens.create({
    email: 'rae@salon.example',
    name: 'again',
    scopes: ['read'],
    by: 'test',
  });
  const reset = (await accounts.users.resetTwoFactor('rae@salon.example', 'test')) as unknown;
  assert.deepEqual(reset, { tokensRevoked: 1, sessionsEnded: 0 });
  assert.ok(!('user' in ((await accounts.tokens.resolve(third.token)) ?? {})));
  const [entry] = await new AuditLog({ pool: db.pool }).recent(1);
  assert.equal(entry!.action, 'user.reset-2fa');
  assert.deepEqual(entry!.details, { tokensRevoked: 1, sessionsEnded: 0 });
});

test('a token with an expiry stops working when it expires', async () => {
  await accounts.users.add({
    email: 'sam@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  const { token, expiresAt } = await accounts.tokens.create({
    email: 'sam@salon.example',
    name: 'n8n',
    scopes: ['read'],
    by: 'test',
    expires: '30d',
  });
  assert.equal(expiresAt!.getTime(), clock + 30 * 86_400_000);
  assert.ok(await accounts.tokens.resolve(token));
  clock += 30 * 86_400_000;
  await assert.rejects(
    accounts.tokens.resolve(token),
    (e: unknown) =>
      e instanceof AppError && e.kind === 'unauthenticated' && /"n8n" expired on/.test(e.message),
  );
  const dated = await accounts.tokens.create({
    email: 'sam@salon.example',
    name: 'till spring',
    scopes: ['read'],
    by: 'test',
    expires: '2027-03-31',
  });
  assert.equal(
    dated.expiresAt!.toISOString(),
    '2027-03-31T23:00:00.000Z',
    'through that day in London (BST)',
  );
  await assert.rejects(
    accounts.tokens.create({
      email: 'sam@salon.example',
      name: 'x',
      scopes: ['read'],
      by: 'test',
      expires: 'soon',
    }),
    (e: unknown) =>
      e instanceof AppError && e.kind === 'invalid_request' && /expires must be/.test(e.message),
  );
});

test('a token records its last use at most once a minute', async () => {
  await accounts.users.add({
    email: 'tia@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  const { token, id } = await accounts.tokens.create({
    email: 'tia@salon.example',
    name: 'n8n',
    scopes: ['read'],
    by: 'test',
  });
  const lastUsed = async () =>
    (await accounts.tokens.list()).find((t) => t.id === id)!.lastUsedAt?.getTime() ?? null;
  assert.equal(await lastUsed(), null);
  await accounts.tokens.resolve(token);
  const first = clock;
  assert.equal(await lastUsed(), first);
  clock += 59_000;
  await accounts.tokens.resolve(token);
  assert.equal(await lastUsed(), first, 'not written again within the minute');
  clock += 2_000;
  await accounts.tokens.resolve(token);
  assert.equal(await lastUsed(), clock);
});

// ---- review of issue 10 (written before the fix) -------------------------------------------------

/** CJK characters that differ one from the next, so PostgreSQL cannot compress them. */
const differentCjk = (length: number) =>
  Array.from({ length }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20_000))).join('');

test('an email over 254 characters is refused before anything is counted; counts never hold the email', async () => {
  const before = await db.pool.query('select count(*)::int as n from auth_login_failures');
  await assert.rejects(
    accounts.logins.attempt({
      email: `${differentCjk(2040)}@salon.example`,
      password: PASSWORD,
      ip: '10.14.0.1',
    }),
    (e: unknown) =>
      e instanceof AppError &&
      e.kind === 'invalid_request' &&
      e.message === 'email must NOT have more than 254 characters',
  );
  const after = await db.pool.query('select count(*)::int as n from auth_login_failures');
  assert.equal(after.rows[0].n, before.rows[0].n, 'nothing counted');

  const email = `${differentCjk(240)}@salon.example`; // 254 characters, 734 bytes
  for (let i = 0; i < 6; i += 1) {
    await accounts.logins
      .attempt({ email: email.toUpperCase(), password: 'not the password', ip: `10.14.0.${10 + i}` })
      .catch((e: AppError) => assert.ok(['unauthenticated', 'rate_limited'].includes(e.kind), e.message));
  }
  await accounts.users.add({
    email: 'xan@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  await wrong('Xan@Salon.example ', '10.14.0.30');
  const { rows } = await db.pool.query(
    `select key, account, address from auth_login_failures where address like '10.14.0.%'`,
  );
  assert.ok(rows.length >= 7);
  const dump = JSON.stringify(rows);
  assert.ok(
    !dump.includes(email.slice(0, 10)) && !dump.includes('xan@'),
    `no email in ${dump.slice(0, 200)}`,
  );
  const xan = rows.filter((row) => row.address === '10.14.0.30');
  assert.deepEqual(xan.map((row) => row.key).sort(), [
    `ip:10.14.0.30`,
    `pair:10.14.0.30 ${sha256('xan@salon.example')}`,
  ]);
  assert.equal(xan.find((row) => row.key.startsWith('pair:'))!.account, sha256('xan@salon.example'));
});

/** Failed tries from a new address each, each after the wait the last one set, until the wait is 5 minutes. */
async function slowToTheCap(email: string, net: string): Promise<void> {
  for (let i = 0; i < 5; i += 1) await wrong(email, `${net}.${i}`);
  for (let i = 5; ; i += 1) {
    const refused = await accounts.logins
      .attempt({ email, password: 'not the password', ip: `${net}.${i}` })
      .then(() => assert.fail('a wrong password got in'))
      .catch((e: AppError) => e);
    if (refused.kind === 'rate_limited') {
      const wait = Number(refused.headers['retry-after']);
      if (wait === 300) return;
      clock += wait * 1000;
    }
  }
}

test('while an account waits 5 minutes for new addresses, its owner gets in at once with password and code', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'yan@salon.example',
    password: PASSWORD,
    role: 'owner',
    by: 'test',
    withTotp: true,
  });
  clock += 3_600_000;
  await slowToTheCap('yan@salon.example', '203.0.114');
  const session = await accounts.logins.attempt({
    email: 'yan@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '100.70.0.1', // a phone on mobile data: an address the account never used
  });
  assert.equal(session.stage, 'active');
});

test('a code only passes the slow-down with the right password; what it says never tells a right code from a wrong one', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'zoe@salon.example',
    password: PASSWORD,
    role: 'owner',
    by: 'test',
    withTotp: true,
  });
  clock += 3_600_000;
  await slowToTheCap('zoe@salon.example', '203.0.115');
  const answer = (password: string, totp: string, ip: string) =>
    accounts.logins
      .attempt({ email: 'zoe@salon.example', password, totp, ip })
      .then(() => assert.fail('got in'))
      .catch((e: AppError) => ({ kind: e.kind, message: e.message, wait: e.headers['retry-after'] }));
  const rightCode = code(totpSecret!);
  const wrongCode = rightCode === '000000' ? '000001' : '000000';
  const withRightCode = await answer('a guessed password', rightCode, '198.18.0.1');
  const withWrongCode = await answer('a guessed password', wrongCode, '198.18.0.2');
  const rightPasswordWrongCode = await answer(PASSWORD, wrongCode, '198.18.0.3');
  assert.equal(withRightCode.kind, 'rate_limited');
  assert.deepEqual(withRightCode, withWrongCode);
  assert.deepEqual(rightPasswordWrongCode, withWrongCode);
  const session = await accounts.logins.attempt({
    email: 'zoe@salon.example',
    password: PASSWORD,
    totp: rightCode,
    ip: '198.18.0.4',
  });
  assert.equal(session.stage, 'active', 'the code tried with a wrong password was not spent');
});

test('guessing codes past the slow-down still runs into the lock of the account from that address', async () => {
  await accounts.users.add({
    email: 'abe@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  clock += 3_600_000;
  await slowToTheCap('abe@salon.example', '203.0.116');
  const guess = (i: number) =>
    accounts.logins
      .attempt({ email: 'abe@salon.example', password: PASSWORD, totp: String(200000 + i), ip: '198.18.1.1' })
      .then(() => assert.fail('a guessed code got in'))
      .catch((e: AppError) => e);
  for (let i = 0; i < 5; i += 1) assert.match((await guess(i)).message, /slowed down/);
  const locked = await guess(5);
  assert.match(locked.message, /too many failed logins for this account from this address/);
  assert.equal(locked.headers['retry-after'], '900');
});

test('an IPv6 client is one /64: rotating addresses in it runs into the same lock', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'bea@salon.example',
    password: PASSWORD,
    role: 'staff',
    by: 'test',
    withTotp: true,
  });
  clock += 3_600_000;
  for (let i = 1; i <= 5; i += 1) await wrong('bea@salon.example', `2001:db8:1:2::${i.toString(16)}`);
  const locked = await accounts.logins
    .attempt({
      email: 'bea@salon.example',
      password: PASSWORD,
      totp: code(totpSecret!),
      ip: '2001:db8:1:2:8a3e:22ff:fe01:9c4d',
    })
    .catch((e: AppError) => e);
  assert.equal((locked as AppError).kind, 'rate_limited');
  assert.match((locked as AppError).message, /for this account from this address/);
  const { rows } = await db.pool.query(
    `select key from auth_login_failures where key like 'pair:2001:db8:1:2::%'`,
  );
  assert.deepEqual(
    rows.map((row) => row.key),
    [`pair:2001:db8:1:2::/64 ${sha256('bea@salon.example')}`],
  );
});

test('a phone that changes its IPv6 address within its /64 stays known to the account', async () => {
  const { totpSecret } = await accounts.users.add({
    email: 'cal@salon.example',
    password: PASSWORD,
    role: 'owner',
    by: 'test',
    withTotp: true,
  });
  clock += 3_600_000;
  await accounts.logins.attempt({
    email: 'cal@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '2001:db8:77:1:1c2d:3e4f:5a6b:7c8d',
  });
  for (let i = 0; i < 6; i += 1)
    await accounts.logins
      .attempt({ email: 'cal@salon.example', password: 'not the password', ip: `203.0.117.${i}` })
      .catch(() => undefined);
  // A wrong password from the phone's next address is checked (401), not slowed down (429).
  await wrong('cal@salon.example', '2001:db8:77:1:9a8b:7c6d:5e4f:3a2b');
  await assert.rejects(
    accounts.logins.attempt({
      email: 'cal@salon.example',
      password: 'not the password',
      ip: '2001:db8:77:2::1',
    }),
    kind('rate_limited'),
    'another /64 is new',
  );
});

test("the refusal never waits for the owner's alert, and an alert that fails is logged", async () => {
  const events: string[] = [];
  class SlowInbox extends Notifications {
    override async send(notice: Notice) {
      events.push('alert started');
      await new Promise((resolve) => setImmediate(resolve));
      events.push('alert sent');
      return super.send(notice);
    }
  }
  const service = accountService(db.pool, undefined, new SlowInbox({ pool: db.pool }));
  await service.users.add({
    email: 'dan@salon.example',
    password: PASSWORD,
    role: 'owner',
    by: 'test',
    withTotp: true,
  });
  clock += 3_600_000;
  for (let i = 0; i < 5; i += 1) {
    await service.logins
      .attempt({ email: 'dan@salon.example', password: 'not the password', ip: `203.0.118.${i}` })
      .catch((e: AppError) =>
        events.push(events.includes('alert sent') ? `${e.kind} after the alert` : e.kind),
      );
  }
  assert.deepEqual(events.slice(0, 5), Array(5).fill('unauthenticated'), events.join(', '));
  await service.logins.settle();
  assert.deepEqual(events.slice(5), ['alert started', 'alert sent']);

  const lines: string[] = [];
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  class BrokenInbox extends Notifications {
    override send(): Promise<undefined> {
      return Promise.reject(new Error('the inbox is down'));
    }
  }
  const broken = accountService(db.pool, undefined, new BrokenInbox({ pool: db.pool }), (line) =>
    lines.push(line),
  );
  await broken.users.add({
    email: 'eli@salon.example',
    password: PASSWORD,
    role: 'owner',
    by: 'test',
    withTotp: true,
  });
  for (let i = 0; i < 5; i += 1) {
    await assert.rejects(
      broken.logins.attempt({
        email: 'eli@salon.example',
        password: 'not the password',
        ip: `203.0.119.${i}`,
      }),
      kind('unauthenticated'),
    );
  }
  await broken.logins.settle();
  await new Promise((resolve) => setImmediate(resolve));
  process.off('unhandledRejection', onRejection);
  assert.deepEqual(rejections, []);
  assert.ok(
    lines.some(
      (line) =>
        line.includes('could not alert the owner of failed logins') && line.includes('the inbox is down'),
    ),
    lines.join('\n'),
  );
});
