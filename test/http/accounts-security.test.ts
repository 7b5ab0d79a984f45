// Accounts under attack, through the HTTP app: a stranger who knows the owner's email cannot keep
// the owner out, the owner unlocks with a recovery code or a one-time link, tokens die with a new
// password or when they expire, and no secret, code or unlock token reaches the log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { accountsOf } from '../support/accounts.ts';
import { currentStep, totpCode } from '../../src/platform/accounts/totp.ts';

let server: TestServer;
let owner: LoggedIn;
const OWNER_ADDRESS = '192.0.2.1';

before(async () => {
  server = await startTestServer();
  owner = await loginAs(server, 'owner', OWNER_ADDRESS);
});
after(() => server.close());

const login = (remoteAddress: string, payload: Record<string, string>) =>
  server.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload });
const asOwner = { cookie: () => owner.cookie, csrf: () => owner.csrf };
const me = (token: string) =>
  server.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

test("the owner's own address still logs in while a stranger guesses from elsewhere", async () => {
  for (let i = 0; i < 12; i += 1) {
    const guess = await login(`203.0.113.${i}`, { email: owner.email, password: 'a guessed password' });
    assert.ok([401, 429].includes(guess.statusCode), guess.body);
  }
  const slowed = await login('203.0.113.99', { email: owner.email, password: 'a guessed password' });
  assert.equal(slowed.statusCode, 429);
  assert.match(slowed.json().error.message, /recovery code/);
  assert.ok(Number(slowed.headers['retry-after']) <= 300, 'a delay, never a long lock');
  const own = await login(OWNER_ADDRESS, {
    email: owner.email,
    password: owner.password,
    totp: totpCode(owner.totpSecret, currentStep(Date.now()) + 1),
  });
  assert.equal(own.statusCode, 200, own.body);
  await accountsOf(server).logins.settle(); // the alert goes out after the answer
  const notices = await server.face('notifications').list();
  const alert = notices.find((n) => n.kind === 'auth.failed_logins' && n.body.includes(owner.email));
  assert.ok(alert, 'the owner is told');
  assert.match(alert.body, /203\.0\.113\.\d+/);
  assert.ok(!alert.body.includes('a guessed password'));
});

test('an unlock link works once, lifts the lock on the address that opens it and leaves two-factor alone', async () => {
  const staff = await loginAs(server, 'staff', '192.0.2.20');
  for (let i = 0; i < 6; i += 1)
    await login('198.51.100.7', { email: staff.email, password: 'wrong password!' });
  const locked = await login('198.51.100.7', {
    email: staff.email,
    password: staff.password,
    totp: totpCode(staff.totpSecret, currentStep(Date.now()) + 1),
  });
  assert.equal(locked.statusCode, 429);
  const { token } = await accountsOf(server).logins.newUnlockLink(staff.email, 'test');
  const page = await server.app.inject({ url: `/unlock?token=${token}`, remoteAddress: '198.51.100.7' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Unlock/);
  const unlock = () =>
    server.app.inject({
      method: 'POST',
      url: '/unlock',
      remoteAddress: '198.51.100.7',
      payload: { token },
    });
  const used = await unlock();
  assert.equal(used.statusCode, 200, used.body);
  const again = await unlock();
  assert.equal(again.statusCode, 403, 'a link works once');
  assert.match(again.body, /expired or was used/);
  const { rows } = await server.db.pool.query('select token_hash from auth_unlock_tokens');
  assert.ok(!JSON.stringify(rows).includes(token), 'stored hashed');
  const inAgain = await login('198.51.100.7', {
    email: staff.email,
    password: staff.password,
    totp: totpCode(staff.totpSecret, currentStep(Date.now()) + 1),
  });
  assert.equal(inAgain.statusCode, 200, inAgain.body);
  assert.equal(inAgain.json().user.twoFactorEnabled, true, 'two-factor untouched');
  const forged = await server.app.inject({ url: '/unlock?token=forged', remoteAddress: '198.51.100.7' });
  assert.equal(forged.statusCode, 403);
});

test('a new password revokes the API tokens and the answer says how many', async () => {
  const staff = await loginAs(server, 'staff', '192.0.2.30');
  const { token } = await accountsOf(server).tokens.create({
    email: staff.email,
    name: 'n8n',
    scopes: ['read'],
    by: 'test',
  });
  assert.equal((await me(token)).statusCode, 200);
  const changed = await server.app.inject({
    method: 'POST',
    url: '/api/v1/users/password',
    headers: { cookie: asOwner.cookie(), 'x-csrf-token': asOwner.csrf() },
    payload: { email: staff.email, password: 'a brand new long password' },
  });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.deepEqual(changed.json(), { tokensRevoked: 1, sessionsEnded: 1 });
  const refused = await me(token);
  assert.equal(refused.statusCode, 401);
  assert.match(refused.json().error.message, /revoked/);
});

test('an expired token is refused with a message that says so', async () => {
  const created = await server.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { cookie: asOwner.cookie(), 'x-csrf-token': asOwner.csrf() },
    payload: { name: 'short-lived', scopes: ['read'], expires: '7d' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const { token, id, expiresAt } = created.json();
  assert.ok(Date.parse(expiresAt) > Date.now() + 6 * 86_400_000);
  assert.equal((await me(token)).statusCode, 200);
  await server.db.pool.query(
    `update auth_api_tokens set expires_at = now() - interval '1 minute' where id = $1`,
    [id],
  );
  const refused = await me(token);
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.json().error.code, 'unauthenticated');
  assert.match(refused.json().error.message, /expired on \d{4}-\d{2}-\d{2}/);
  const listed = await server.app.inject({ url: '/api/v1/tokens', headers: { cookie: asOwner.cookie() } });
  const row = listed.json().tokens.find((t: { id: string }) => t.id === id);
  assert.ok(row.expiresAt, 'the list shows the expiry');
  assert.ok(row.lastUsedAt, 'and the last use');
  const bad = await server.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { cookie: asOwner.cookie(), 'x-csrf-token': asOwner.csrf() },
    payload: { name: 'x', scopes: ['read'], expires: 'next tuesday' },
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /expires/);
});

test('no password, secret, code or unlock token reaches the log', async () => {
  // People type their password into the email field; a failed login must not log it.
  await login('198.51.100.40', { email: 'correct horse battery staple', password: 'x' });
  const { token } = await accountsOf(server).logins.newUnlockLink(owner.email, 'test');
  await server.app.inject({
    method: 'POST',
    url: '/unlock',
    remoteAddress: '198.51.100.41',
    payload: { token },
  });
  const log = server.logText();
  for (const secret of [owner.password, 'a guessed password', 'wrong password!', owner.totpSecret, token]) {
    assert.equal(log.includes(secret), false, `the log holds ${secret.slice(0, 6)}…`);
  }
  assert.ok(log.includes('"event":"auth.failure"'), 'failures are still logged');
});

test('the dashboard: a token with an expiry from Settings shows its last use; a two-factor reset says what it revoked', async () => {
  const form = (url: string, fields: Record<string, string>) =>
    server.app.inject({
      method: 'POST',
      url,
      headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...fields, _csrf: owner.csrf }).toString(),
    });
  const created = await form('/settings/tokens', { name: 'dashboard-made', scopes: 'read', expires: '30d' });
  assert.equal(created.statusCode, 200, created.body.slice(0, 300));
  const token = /data-testid="shown-once">(skt_[\w-]+)</.exec(created.body)![1]!;
  assert.equal((await me(token)).statusCode, 200);
  const settings = await server.app.inject({ url: '/settings', headers: { cookie: owner.cookie } });
  const row = settings.body
    .split('<tr>')
    .find((cells) => cells.includes('dashboard-made'))!
    .split('</tr>')[0]!;
  const dates = row.match(/\d{1,2} \w{3} \d{4}, \d{2}:\d{2}/g) ?? [];
  assert.equal(dates.length, 2, `last use and expiry in: ${row}`);

  const staff = await loginAs(server, 'staff', '192.0.2.40');
  await accountsOf(server).tokens.create({ email: staff.email, name: 'n8n', scopes: ['read'], by: 'test' });
  const reset = await form('/users/reset-2fa', { email: staff.email });
  assert.equal(reset.statusCode, 200);
  assert.match(reset.body, /Two-factor reset for [^:]+: 1 session ended, 1 API token revoked/);
});

test('an owner sets a new password for a staff member from the dashboard: their sessions end, tokens are revoked, the new one works', async () => {
  const form = (who: LoggedIn, fields: Record<string, string>) =>
    server.app.inject({
      method: 'POST',
      url: '/users/password',
      remoteAddress: '192.0.2.51',
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...fields, _csrf: who.csrf }).toString(),
    });
  const staff = await loginAs(server, 'staff', '192.0.2.50');
  await accountsOf(server).tokens.create({
    email: staff.email,
    name: 'zapier',
    scopes: ['read'],
    by: 'test',
  });
  const page = await server.app.inject({ url: '/users', headers: { cookie: owner.cookie } });
  assert.match(page.body, /<form method="post" action="\/users\/password"/);

  const refused = await form(staff, { email: staff.email, password: 'a staff-chosen password' });
  assert.equal(refused.statusCode, 403, 'only an owner resets a password from the dashboard');
  const short = await form(owner, { email: staff.email, password: 'short' });
  assert.equal(short.statusCode, 400);
  assert.match(short.body, /class="notice bad" role="alert">Not changed: .*at least/);

  const reset = await form(owner, { email: staff.email, password: 'a new temporary password' });
  assert.equal(reset.statusCode, 200, reset.body.slice(0, 300));
  assert.match(reset.body, /New password set for [^:]+: 1 session ended, 1 API token revoked/);
  const old = await server.app.inject({ url: '/api/v1/me', headers: { cookie: staff.cookie } });
  assert.equal(old.statusCode, 401, 'the old session ended');
  const login = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: '192.0.2.50',
    payload: {
      email: staff.email,
      password: 'a new temporary password',
      totp: totpCode(staff.totpSecret, currentStep(Date.now()) + 1),
    },
  });
  assert.equal(login.statusCode, 200, login.body);
});

// ---- review of issue 10 (written before the fix) -------------------------------------------------

test('a long non-ASCII email is refused with a clear message on the form and the API, never a 500', async () => {
  // 2030 different CJK characters (~6 KB of UTF-8 that does not compress), within the form's 2048.
  const cjk = Array.from({ length: 2030 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20_000)));
  const email = `${cjk.join('')}@example.com`;
  const form = await server.app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress: '198.51.100.60',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ email, password: 'a guessed password', totp: '123456' }).toString(),
  });
  assert.equal(form.statusCode, 400, form.body.slice(0, 300));
  assert.match(form.body, /email must NOT have more than 254 characters/);
  assert.match(form.body, /<form method="post" action="\/login"/, 'the form is shown again');
  const api = await login('198.51.100.61', { email, password: 'a guessed password' });
  assert.equal(api.statusCode, 400);
  assert.equal(api.json().error.message, 'email must NOT have more than 254 characters');
});
