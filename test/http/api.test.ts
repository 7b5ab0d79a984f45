import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  loginAs,
  sessionCookie,
  startTestServer,
  type LoggedIn,
  type TestServer,
} from '../support/server.ts';
import { accountsOf } from '../support/accounts.ts';
import { currentStep, totpCode } from '../../src/platform/accounts/totp.ts';

let server: TestServer;
let owner: LoggedIn;

before(async () => {
  server = await startTestServer();
  owner = await loginAs(server, 'owner');
});
after(() => server.close());

const me = (headers: Record<string, string>) =>
  server.app.inject({ method: 'GET', url: '/api/v1/me', headers });

test('health and readiness', async () => {
  assert.equal((await server.app.inject('/healthz')).statusCode, 200);
  const ready = await server.app.inject('/readyz');
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json(), { status: 'ready', database: true, jobs: true });
});

test('GET /api/v1/me: 401 without a session, the user with a session cookie', async () => {
  const anonymous = await me({});
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.json().error.code, 'unauthenticated');
  const signedIn = await me({ cookie: owner.cookie });
  assert.equal(signedIn.statusCode, 200);
  assert.equal(signedIn.json().user.email, owner.email);
  assert.equal(signedIn.json().user.role, 'owner');
  assert.equal(JSON.stringify(signedIn.json()).includes('password'), false);
});

test('the session cookie is HttpOnly and SameSite; its id changes at every login', async () => {
  const login = () =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: {
        email: owner.email,
        password: owner.password,
        totp: totpCode(owner.totpSecret, currentStep(Date.now()) + 1),
      },
    });
  const response = await login();
  assert.equal(response.statusCode, 200, response.body);
  const cookie = response.cookies.find((c) => c.name === 'sk_session')!;
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.notEqual(sessionCookie(response), owner.cookie);
});

test('API tokens: created by the owner, accepted as Bearer, refused once revoked', async () => {
  const withoutCsrf = await server.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { cookie: owner.cookie },
    payload: { name: 'n8n', scopes: ['read'] },
  });
  assert.equal(withoutCsrf.statusCode, 403, 'a cookie session needs the CSRF token');
  const created = await server.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: { name: 'n8n', scopes: ['read'] },
  });
  assert.equal(created.statusCode, 201, created.body);
  const { token, id } = created.json();
  const viaToken = await me({ authorization: `Bearer ${token}` });
  assert.equal(viaToken.statusCode, 200);
  assert.deepEqual(viaToken.json().scopes, ['read']);
  const writeWithReadToken = await server.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { authorization: `Bearer ${token}` },
    payload: { name: 'x', scopes: ['read'] },
  });
  assert.equal(writeWithReadToken.statusCode, 403);
  const listed = await server.app.inject({
    method: 'GET',
    url: '/api/v1/tokens',
    headers: { cookie: owner.cookie },
  });
  assert.equal(listed.body.includes(token), false, 'the token itself is never listed');
  const revoke = await server.app.inject({
    method: 'DELETE',
    url: `/api/v1/tokens/${id}`,
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
  });
  assert.equal(revoke.statusCode, 204);
  assert.equal((await me({ authorization: `Bearer ${token}` })).statusCode, 401);
});

test('roles: a viewer reads but cannot manage users; the refusal is audited', async () => {
  const viewer = await loginAs(server, 'viewer');
  assert.equal((await me({ cookie: viewer.cookie })).statusCode, 200);
  const denied = await server.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
    payload: { email: 'new@shop.example', password: 'another long password', role: 'owner' },
  });
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.json().error.code, 'forbidden');
  const entries = await server.face('audit').recent(20);
  assert.ok(
    entries.some(
      (e) => e.action === 'POST /api/v1/users' && e.outcome === 'denied' && e.actorLabel === viewer.email,
    ),
  );
});

test('state changes are audited with user, IP and target', async () => {
  const response = await server.app.inject({
    method: 'PUT',
    url: '/api/v1/secrets/shopify.admin-token',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: { value: 'shpat_secret_value_for_test' },
  });
  assert.equal(response.statusCode, 204);
  const [entry] = await server.face('audit').recent(1);
  assert.equal(entry!.action, 'PUT /api/v1/secrets/:name');
  assert.equal(entry!.actorLabel, owner.email);
  assert.equal(entry!.ip, '127.0.0.1');
  assert.match(entry!.target!, /shopify.admin-token/);
  const listed = await server.app.inject({
    method: 'GET',
    url: '/api/v1/secrets',
    headers: { cookie: owner.cookie },
  });
  assert.equal(listed.body.includes('shpat_secret_value_for_test'), false);
  assert.equal(
    JSON.stringify(server.logLines()).includes('shpat_secret_value_for_test'),
    false,
    'never logged',
  );
  assert.equal(
    JSON.stringify(await server.face('audit').recent(50)).includes('shpat_secret_value_for_test'),
    false,
  );
});

test('security headers on every answer', async () => {
  const response = await server.app.inject('/login');
  const csp = String(response.headers['content-security-policy']);
  for (const directive of [
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "script-src 'self'",
  ])
    assert.ok(csp.includes(directive), directive);
  assert.equal(response.headers['x-content-type-options'], 'nosniff');
  assert.equal(response.headers['strict-transport-security'], undefined, 'no HSTS over plain http');
});

test('a failed login writes one stable log line with the client IP for fail2ban', async () => {
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: '203.0.113.9',
    payload: { email: 'mallory@example.com', password: 'guessing-guessing' },
  });
  assert.equal(response.statusCode, 401);
  assert.deepEqual(response.json(), {
    error: { code: 'unauthenticated', message: 'email, password or code is wrong' },
  });
  const line = server.logLines().find((l) => l.event === 'auth.failure' && l.email === 'mallory@example.com');
  assert.equal(line?.msg, 'login failed from 203.0.113.9');
  assert.equal(JSON.stringify(line).includes('guessing-guessing'), false, 'the password is never logged');
});

test('OpenAPI describes the API', async () => {
  const spec = (await server.app.inject('/api/docs/openapi.json')).json();
  assert.equal(spec.openapi.startsWith('3.'), true);
  for (const path of ['/api/v1/me', '/api/v1/auth/login', '/api/v1/tokens', '/api/v1/audit'])
    assert.ok(spec.paths[path], path);
  const page = await server.app.inject('/api/docs');
  assert.match(page.body, /\/api\/v1\/auth\/login/);
});

test('/metrics: Prometheus text from the box itself, refused through a proxy without a token', async () => {
  const local = await server.app.inject('/metrics');
  assert.equal(local.statusCode, 200);
  for (const name of [
    'shopkeep_http_request_duration_seconds_bucket',
    'shopkeep_process_resident_memory_bytes',
    'shopkeep_db_pool_connections',
    'shopkeep_jobs_dead_letters',
  ]) {
    assert.ok(local.body.includes(name), name);
  }
  const proxied = await server.app.inject({
    url: '/metrics',
    headers: { 'x-forwarded-for': '198.51.100.1' },
  });
  assert.equal(proxied.statusCode, 401);
});

test('dashboard pages render for the owner and redirect strangers to login', async () => {
  const anonymous = await server.app.inject({ url: '/', headers: { accept: 'text/html' } });
  assert.equal(anonymous.statusCode, 302);
  assert.equal(anonymous.headers.location, '/login');
  for (const url of ['/', '/users', '/settings', '/ops', '/orders', '/ai', '/approvals']) {
    const page = await server.app.inject({ url, headers: { cookie: owner.cookie, accept: 'text/html' } });
    assert.equal(page.statusCode, 200, url);
    assert.match(page.body, /<nav>/, url);
    assert.match(page.body, /name="viewport"/, url);
  }
  const forbidden = await server.app.inject({
    url: '/users',
    headers: { cookie: (await loginAs(server, 'staff')).cookie, accept: 'text/html' },
  });
  assert.equal(forbidden.statusCode, 403);
  assert.match(forbidden.body, /permission/);
});

test('a token with the write scope can read too, as in Shopify’s scopes', async () => {
  const created = await server.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: { name: 'zapier', scopes: ['write'] },
  });
  assert.equal(created.statusCode, 201, created.body);
  const authorization = `Bearer ${created.json().token}`;
  const viaToken = await me({ authorization });
  assert.deepEqual([...viaToken.json().scopes].sort(), ['read', 'write']);
  const read = await server.app.inject({
    method: 'GET',
    url: '/api/v1/approvals',
    headers: { authorization },
  });
  assert.equal(read.statusCode, 200, read.body);
  const readOnly = await server.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: { name: 'reader', scopes: ['read'] },
  });
  const pause = await server.app.inject({
    method: 'POST',
    url: '/api/v1/pause',
    headers: { authorization: `Bearer ${readOnly.json().token}` },
  });
  assert.equal(pause.statusCode, 403, 'read still does not imply write');
});

test('an API token, even with the admin scope, cannot change users, tokens or secrets', async () => {
  const { token } = await accountsOf(server).tokens.create({
    email: owner.email,
    name: 'ops script',
    scopes: ['read', 'admin'],
    by: 'test',
  });
  const headers = { authorization: `Bearer ${token}` };
  assert.equal(
    (await server.app.inject({ url: '/api/v1/users', headers })).statusCode,
    200,
    'reading is fine',
  );
  const attempts = [
    {
      method: 'POST' as const,
      url: '/api/v1/users',
      payload: { email: 'mallory@example.com', password: 'a long evil password', role: 'owner' },
    },
    {
      method: 'POST' as const,
      url: '/api/v1/tokens',
      payload: { name: 'wider', scopes: ['read', 'write', 'admin'] },
    },
    { method: 'PUT' as const, url: '/api/v1/secrets/x', payload: { value: 'y' } },
  ];
  for (const attempt of attempts) {
    const response = await server.app.inject({ ...attempt, headers });
    assert.equal(response.statusCode, 403, attempt.url);
    assert.match(response.json().error.message, /API tokens cannot/);
  }
  assert.ok(!(await accountsOf(server).users.list()).some((u) => u.email === 'mallory@example.com'));
});

test('POST /api/v1/qa/check scores and routes a draft, with the breakdown', async () => {
  const check = (payload: Record<string, unknown>) =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/qa/check',
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
      payload,
    });
  const response = await check({
    channel: 'instagram',
    text: 'This serum stops hair loss in a week! Link in bio.',
  });
  assert.equal(response.statusCode, 200, response.body);
  const result = response.json();
  assert.equal(result.decision, 'regenerate');
  assert.ok(result.hardFails.some((f: { check: string }) => f.check === 'claims'));
  assert.equal(result.criteria.length, 5);
  assert.ok(result.score >= 0 && result.score <= 100);
  assert.equal(result.reviewer.provider, 'offline', 'no AI key configured: the rule-based reviewer answers');
  assert.equal((await check({ channel: 'myspace', text: 'hi' })).statusCode, 400);
  const status = await server.app.inject({ url: '/api/v1/ai/status', headers: { cookie: owner.cookie } });
  assert.deepEqual(
    status.json().providers.map((p: { name: string }) => p.name),
    ['offline'],
  );
});

test('the owner edits the brand voice; the QA gate holds drafts to it', async () => {
  const headers = { cookie: owner.cookie, 'x-csrf-token': owner.csrf };
  const before = (await server.app.inject({ url: '/api/v1/ai/voice', headers })).json().voice;
  assert.ok(!before.wordsToAvoid.includes('fabulous'));
  const bad = await server.app.inject({
    method: 'PUT',
    url: '/api/v1/ai/voice',
    headers,
    payload: { ...before, languages: ['english'] },
  });
  assert.equal(bad.statusCode, 400);
  const saved = await server.app.inject({
    method: 'PUT',
    url: '/api/v1/ai/voice',
    headers,
    payload: { ...before, wordsToAvoid: [...before.wordsToAvoid, 'fabulous'] },
  });
  assert.equal(saved.statusCode, 200, saved.body);
  const check = await server.app.inject({
    method: 'POST',
    url: '/api/v1/qa/check',
    headers,
    payload: { channel: 'instagram', text: 'A fabulous new look for spring! Link in bio.' },
  });
  assert.ok(
    check
      .json()
      .findings.some(
        (f: { check: string; message: string }) => f.check === 'voice' && /fabulous/.test(f.message),
      ),
  );
  const page = await server.app.inject({
    url: '/ai',
    headers: { cookie: owner.cookie, accept: 'text/html' },
  });
  assert.match(page.body, /Save the voice/);
  assert.match(page.body, /fabulous/);
});

test('users over the API: added without two-factor, given a role, reset and disabled', async () => {
  const headers = { cookie: owner.cookie, 'x-csrf-token': owner.csrf };
  const post = (url: string, payload: Record<string, string>) =>
    server.app.inject({ method: 'POST', url, headers, payload });
  const added = await post('/api/v1/users', {
    email: 'Rob@Salon.example',
    password: 'a temporary long password',
    role: 'staff',
  });
  assert.equal(added.statusCode, 201, added.body);
  assert.equal(added.json().user.email, 'rob@salon.example');
  assert.equal(added.json().user.twoFactorEnabled, false, 'he enrols at his first login');
  assert.equal(
    (await post('/api/v1/users/role', { email: 'rob@salon.example', role: 'viewer' })).statusCode,
    204,
  );
  const listed = (await server.app.inject({ url: '/api/v1/users', headers })).json().users;
  assert.equal(listed.find((user: { email: string }) => user.email === 'rob@salon.example')?.role, 'viewer');
  const reset = await post('/api/v1/users/reset-2fa', { email: 'rob@salon.example' });
  assert.deepEqual(reset.json(), { tokensRevoked: 0, sessionsEnded: 0 });
  assert.equal((await post('/api/v1/users/disable', { email: 'rob@salon.example' })).statusCode, 204);
  assert.equal(
    (await post('/api/v1/users/role', { email: 'rob@salon.example', role: 'staff' })).statusCode,
    404,
    'a disabled user is not changed',
  );
});

test('outgoing webhooks over the API: the secret in the answer only, a private target allowed, removed', async () => {
  const headers = { cookie: owner.cookie, 'x-csrf-token': owner.csrf };
  const refused = await server.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers,
    payload: { url: 'http://127.0.0.1:5678/webhook/api', eventTypes: ['order.*'] },
  });
  assert.equal(refused.statusCode, 400, 'a private address needs the owner to say so');
  const created = await server.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers,
    payload: { url: 'http://127.0.0.1:5678/webhook/api', eventTypes: ['order.*'], allowPrivateTarget: true },
  });
  assert.equal(created.statusCode, 201, created.body);
  const { endpoint, secret } = created.json();
  assert.match(secret, /^whsec_/);
  const listed = await server.app.inject({ url: '/api/v1/webhooks', headers });
  assert.ok(listed.json().webhooks.some((each: { id: string }) => each.id === endpoint.id));
  assert.equal(listed.body.includes(secret), false, 'the secret is never listed');
  const changed = await server.app.inject({
    method: 'PATCH',
    url: `/api/v1/webhooks/${endpoint.id}`,
    headers,
    payload: { allowPrivateTarget: false },
  });
  assert.equal(changed.json().webhook.allowPrivateTarget, false);
  const remove = () =>
    server.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${endpoint.id}`, headers });
  assert.equal((await remove()).statusCode, 204);
  assert.equal((await remove()).statusCode, 404);
});

test('the audit log API: newest first, a page at a time back by entry number', async () => {
  const audit = server.face('audit');
  for (const crate of ['c-1', 'c-2', 'c-3'])
    await audit.record({
      actor: 'cli',
      actorLabel: 'cli',
      action: 'crate.count',
      target: crate,
      outcome: 'ok',
    });
  const page = (query: string) =>
    server.app.inject({ url: `/api/v1/audit?${query}`, headers: { cookie: owner.cookie } });
  const first = (await page('limit=2')).json().entries;
  assert.deepEqual(
    first.map((entry: { target: string }) => entry.target),
    ['c-3', 'c-2'],
  );
  assert.equal(first[0].seq, first[1].seq + 1);
  const next = (await page(`limit=1&before=${first[1].seq}`)).json().entries;
  assert.equal(next[0].target, 'c-1');
  assert.equal((await page('limit=1000')).statusCode, 400);
});
