import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/platform/logger.ts';
import { AccountService } from '../../src/platform/accounts/account-service.ts';
import { AuditLog } from '../../src/modules/ops/audit-log.ts';
import { AppError } from '../../src/platform/errors.ts';
import { currentStep, totpCode } from '../../src/platform/accounts/totp.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let clock = Date.parse('2026-11-26T09:00:00Z');
let accounts: AccountService;
const PASSWORD = 'a long shop password';

before(async () => {
  db = await createTestDatabase();
  accounts = new AccountService(
    db.pool,
    new AuditLog(db.pool),
    createLogger('silent'),
    { idleMinutes: 30, absoluteHours: 12 },
    undefined,
    () => clock,
  );
});
after(() => db.drop());

const code = (secret: string) => totpCode(secret, currentStep(clock));
const kind = (expected: string) => (error: unknown) => error instanceof AppError && error.kind === expected;

test('a user logs in with password and a TOTP code; the code works once', async () => {
  const { totpSecret } = await accounts.addUser('Ana@Salon.example', PASSWORD, 'staff', 'test', true);
  const session = await accounts.login({
    email: 'ana@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.0.0.1',
  });
  assert.equal(session.stage, 'active');
  assert.equal(session.user.email, 'ana@salon.example');
  const principal = await accounts.resolveSession(session.cookieValue);
  assert.deepEqual([...principal!.scopes].sort(), ['metrics', 'read', 'write']);
  await assert.rejects(
    accounts.login({
      email: 'ana@salon.example',
      password: PASSWORD,
      totp: code(totpSecret!),
      ip: '10.0.0.1',
    }),
    kind('unauthenticated'),
  );
});

test('wrong password, unknown account and missing code are refused alike', async () => {
  await accounts.addUser('ben@salon.example', PASSWORD, 'viewer', 'test', true);
  for (const attempt of [
    { email: 'ben@salon.example', password: 'wrong password!!', totp: '000000' },
    { email: 'nobody@salon.example', password: PASSWORD, totp: '000000' },
    { email: 'ben@salon.example', password: PASSWORD },
  ]) {
    await assert.rejects(
      accounts.login({ ...attempt, ip: '10.0.0.2' }),
      (e: unknown) => e instanceof AppError && e.message === 'email, password or code is wrong',
    );
  }
});

test('five failures lock the account for a while, whatever the IP', async () => {
  const { totpSecret } = await accounts.addUser('cara@salon.example', PASSWORD, 'staff', 'test', true);
  for (let i = 0; i < 5; i += 1) {
    await assert.rejects(
      accounts.login({ email: 'cara@salon.example', password: 'not the password', ip: `10.1.0.${i}` }),
      kind('unauthenticated'),
    );
  }
  clock += 31_000;
  await assert.rejects(
    accounts.login({
      email: 'cara@salon.example',
      password: PASSWORD,
      totp: code(totpSecret!),
      ip: '10.1.0.99',
    }),
    kind('rate_limited'),
  );
  clock += 16 * 60_000;
  const session = await accounts.login({
    email: 'cara@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.1.0.99',
  });
  assert.equal(session.stage, 'active');
});

test('recovery codes log in once each', async () => {
  const { user } = await accounts.addUser('dee@salon.example', PASSWORD, 'owner', 'test', false);
  const enrolling = await accounts.login({ email: 'dee@salon.example', password: PASSWORD, ip: '10.2.0.1' });
  assert.equal(enrolling.stage, 'enrolling', 'no second factor yet: enrolment only');
  const principal = (await accounts.resolveSession(enrolling.cookieValue))!;
  assert.equal(principal.scopes.size, 0, 'an enrolling session grants nothing');
  const secret = await accounts.beginEnrolment(user.id);
  assert.equal(await accounts.beginEnrolment(user.id), secret, 'the pending secret is kept until confirmed');
  await assert.rejects(accounts.confirmEnrolment(principal, '000000', '10.2.0.1'), kind('invalid_request'));
  const codes = await accounts.confirmEnrolment(principal, code(secret), '10.2.0.1');
  assert.equal(codes.length, 10);
  assert.equal(
    await accounts.resolveSession(enrolling.cookieValue),
    undefined,
    'the enrolling session id is retired',
  );
  clock += 30_000;
  const viaRecovery = await accounts.login({
    email: 'dee@salon.example',
    password: PASSWORD,
    totp: codes[3]!.toUpperCase(),
    ip: '10.2.0.1',
  });
  assert.equal(viaRecovery.stage, 'active');
  await assert.rejects(
    accounts.login({ email: 'dee@salon.example', password: PASSWORD, totp: codes[3]!, ip: '10.2.0.1' }),
    kind('unauthenticated'),
  );
});

test('sessions end after the idle timeout and after the absolute timeout', async () => {
  const { totpSecret } = await accounts.addUser('eve@salon.example', PASSWORD, 'staff', 'test', true);
  clock += 60_000;
  const idle = await accounts.login({
    email: 'eve@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.3.0.1',
  });
  clock += 29 * 60_000;
  assert.ok(await accounts.resolveSession(idle.cookieValue), 'still alive after 29 minutes');
  clock += 29 * 60_000;
  assert.ok(await accounts.resolveSession(idle.cookieValue), 'use keeps it alive');
  clock += 31 * 60_000;
  assert.equal(await accounts.resolveSession(idle.cookieValue), undefined, 'idle for 31 minutes');

  clock += 60_000;
  const busy = await accounts.login({
    email: 'eve@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.3.0.1',
  });
  for (let hour = 0; hour < 12; hour += 1) {
    clock += 20 * 60_000;
    await accounts.resolveSession(busy.cookieValue);
    clock += 20 * 60_000;
    await accounts.resolveSession(busy.cookieValue);
    clock += 20 * 60_000;
  }
  assert.equal(
    await accounts.resolveSession(busy.cookieValue),
    undefined,
    'the absolute timeout ends even a busy session',
  );
});

test('API tokens are hashed at rest, scoped to the role, and revocable', async () => {
  await accounts.addUser('fay@salon.example', PASSWORD, 'staff', 'test', true);
  await assert.rejects(
    accounts.createToken('fay@salon.example', 'too much', ['admin'], 'test'),
    kind('invalid_request'),
  );
  await assert.rejects(
    accounts.createToken('fay@salon.example', 'n8n', ['everything'], 'test'),
    kind('invalid_request'),
  );
  const { token, id } = await accounts.createToken('fay@salon.example', 'n8n', ['read', 'write'], 'test');
  const stored = await db.pool.query('select token_hash, prefix from auth_api_tokens where id = $1', [id]);
  assert.notEqual(stored.rows[0].token_hash, token);
  assert.ok(!stored.rows[0].token_hash.includes(token.slice(4, 20)));
  const principal = await accounts.resolveToken(token);
  assert.deepEqual([...principal!.scopes].sort(), ['read', 'write']);
  assert.equal(await accounts.resolveToken(token + 'x'), undefined);
  await accounts.revokeToken(id, 'test');
  assert.equal(await accounts.resolveToken(token), undefined);
});

test('the owner setup link works once and only while there is no owner', async () => {
  const fresh = await createTestDatabase();
  try {
    const service = new AccountService(
      fresh.pool,
      new AuditLog(fresh.pool),
      createLogger('silent'),
      { idleMinutes: 30, absoluteHours: 12 },
      undefined,
      () => clock,
    );
    const token = await service.newSetupToken();
    assert.equal(await service.setupTokenValid(token), true);
    assert.equal(await service.setupTokenValid('forged'), false);
    const session = await service.createOwner(token, 'owner@shop.example', PASSWORD, '127.0.0.1');
    assert.equal(session.stage, 'enrolling');
    await assert.rejects(
      service.createOwner(token, 'second@shop.example', PASSWORD, '127.0.0.1'),
      kind('forbidden'),
    );
    assert.equal(
      await service.setupTokenValid(await service.newSetupToken()),
      false,
      'no new owner once one exists',
    );
  } finally {
    await fresh.drop();
  }
});

test('bad user input is refused with the reason', async () => {
  await assert.rejects(accounts.addUser('not-an-email', PASSWORD, 'staff', 'test', true), /email/);
  await assert.rejects(accounts.addUser('gil@salon.example', 'short', 'staff', 'test', true), /at least 12/);
  await assert.rejects(accounts.addUser('gil@salon.example', PASSWORD, 'king', 'test', true), /role/);
  await accounts.addUser('gil@salon.example', PASSWORD, 'staff', 'test', true);
  await assert.rejects(
    accounts.addUser('GIL@salon.example', PASSWORD, 'staff', 'test', true),
    kind('conflict'),
  );
});

test('resetting two-factor lifts the account lock and sends the user through enrolment', async () => {
  await accounts.addUser('hal@salon.example', PASSWORD, 'staff', 'test', true);
  for (let i = 0; i < 5; i += 1) {
    await assert.rejects(
      accounts.login({ email: 'hal@salon.example', password: 'not the password', ip: `10.4.0.${i}` }),
      kind('unauthenticated'),
    );
  }
  await assert.rejects(
    accounts.login({ email: 'hal@salon.example', password: PASSWORD, ip: '10.4.0.9' }),
    kind('rate_limited'),
  );
  await accounts.resetTwoFactor('HAL@salon.example', 'owner@salon.example');
  const session = await accounts.login({ email: 'hal@salon.example', password: PASSWORD, ip: '10.4.0.9' });
  assert.equal(session.stage, 'enrolling');
});

test('parallel guesses cannot get past the limit: at most five attempts are checked', async () => {
  const { totpSecret } = await accounts.addUser('ivy@salon.example', PASSWORD, 'staff', 'test', true);
  const attempts = await Promise.allSettled(
    Array.from({ length: 12 }, (_, i) =>
      accounts.login({
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
  const { totpSecret } = await accounts.addUser('jo@salon.example', PASSWORD, 'staff', 'test', true);
  const session = await accounts.login({
    email: 'jo@salon.example',
    password: PASSWORD,
    totp: code(totpSecret!),
    ip: '10.6.0.1',
  });
  const { token } = await accounts.createToken('jo@salon.example', 'phone', ['read'], 'test');
  await accounts.setRole('jo@salon.example', 'viewer', 'owner@salon.example');
  assert.deepEqual(
    [...(await accounts.resolveSession(session.cookieValue))!.scopes],
    ['read'],
    'a role change applies at once',
  );
  await accounts.disableUser('jo@salon.example', 'owner@salon.example');
  assert.equal(await accounts.resolveSession(session.cookieValue), undefined, 'sessions end');
  assert.equal(await accounts.resolveToken(token), undefined, 'tokens are revoked');
  await assert.rejects(
    accounts.login({ email: 'jo@salon.example', password: PASSWORD, ip: '10.6.0.1' }),
    kind('unauthenticated'),
  );
  assert.ok(!(await accounts.listUsers()).some((u) => u.email === 'jo@salon.example'));

  const fresh = await createTestDatabase();
  try {
    const only = new AccountService(
      fresh.pool,
      new AuditLog(fresh.pool),
      createLogger('silent'),
      { idleMinutes: 30, absoluteHours: 12 },
      undefined,
      () => clock,
    );
    await only.addUser('solo@salon.example', PASSWORD, 'owner', 'test', true);
    await assert.rejects(only.disableUser('solo@salon.example', 'cli'), /last owner/);
    await assert.rejects(only.setRole('solo@salon.example', 'staff', 'cli'), /last owner/);
    await only.setPassword('solo@salon.example', 'a brand new long password', 'cli');
    const enrolling = await only
      .login({
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
    await assert.rejects(only.setPassword('solo@salon.example', 'short', 'cli'), /at least 12/);
  } finally {
    await fresh.drop();
  }
});
