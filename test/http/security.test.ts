// What an outsider tried against the HTTP layer: forged client addresses, another site posting the
// login form, and work done for a stranger before they were known (reading bodies, checking schemas).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTestServer, loginAs, type TestServer } from '../support/server.ts';
import { accountsOf } from '../support/accounts.ts';
import { totpCode, currentStep } from '../../src/platform/accounts/totp.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer({
    env: { SHOPKEEP_TRUST_PROXY: '1', SHOPKEEP_PUBLIC_URL: 'https://shop.example.com' },
  });
});

after(async () => {
  await server?.close();
});

test('behind one proxy, the client is the address the proxy saw, not one the client wrote', async () => {
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: '127.0.0.1',
    // The client sent its own X-Forwarded-For; the proxy appended the address it really came from.
    headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' },
    payload: { email: 'nobody@example.com', password: 'wrong password here' },
  });
  assert.equal(response.statusCode, 401);
  const failures = server
    .logText()
    .split('\n')
    .filter((line) => line.includes('login failed from'));
  assert.ok(
    failures.some((line) => line.includes('login failed from 198.51.100.7')),
    failures.join('\n'),
  );
  assert.ok(!failures.some((line) => line.includes('203.0.113.9')));
});

test('another site cannot post the login form (login CSRF); shopkeep’s own page can', async () => {
  const email = 'csrf-owner@example.com';
  const password = 'correct horse battery staple';
  const { totpSecret } = await accountsOf(server).users.add({
    email: email,
    password: password,
    role: 'owner',
    by: 'test',
    withTotp: true,
  });
  const form = (origin: Record<string, string>) =>
    server.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'shop.local:8080', ...origin },
      payload: new URLSearchParams({
        email,
        password,
        totp: totpCode(totpSecret!, currentStep(Date.now())),
      }).toString(),
    });
  const crossSite: Record<string, string>[] = [
    { origin: 'https://evil.example' },
    { origin: 'null' },
    { referer: 'https://evil.example/page' },
    // A public name of the attacker's, pointed at this box (DNS rebinding): the browser sends it as Host too.
    { origin: 'http://rebind.evil.example', host: 'rebind.evil.example' },
  ];
  for (const origin of crossSite) {
    const refused = await form(origin);
    assert.equal(refused.statusCode, 403, JSON.stringify(origin));
    assert.match(refused.body, /sent from another site/);
    assert.equal(
      refused.cookies.find((cookie) => cookie.name === 'sk_session'),
      undefined,
      'no session for a cross-site post',
    );
  }
  // The public address, and the host the browser asked for (a LAN name), are shopkeep itself.
  const lan = await form({ origin: 'http://shop.local:8080', referer: 'http://shop.local:8080/login' });
  assert.equal(lan.statusCode, 303, lan.body);
  const own = await form({ origin: 'https://shop.example.com' });
  assert.notEqual(own.statusCode, 403, own.body); // the code was just used; only the origin matters here
  assert.doesNotMatch(own.body, /another site/);
});

test('a stranger is refused before the body is checked against the route’s schema', async () => {
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/expenses',
    payload: { nonsense: true },
  });
  assert.equal(response.statusCode, 401);
  assert.doesNotMatch(response.body, /must have|required|property/);
  // A viewer is refused for lack of permission, also before the schema is applied.
  const viewer = await loginAs(server, 'viewer');
  const forbidden = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/expenses',
    headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
    payload: { nonsense: true },
  });
  assert.equal(forbidden.statusCode, 403);
});

test('an anonymous upload is refused when its headers arrive, without waiting for its 9 MB', async () => {
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.app.server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  // Headers and the first kilobyte only: a server that reads the body first never answers.
  socket.write(
    'POST /api/v1/ledger/receipts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n' +
      `Content-Length: ${9 * 1024 * 1024}\r\n\r\n`,
  );
  socket.write(Buffer.alloc(1024));
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  const answered = await Promise.race([
    once(socket, 'data').then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000).unref()),
  ]);
  socket.destroy();
  assert.ok(answered, 'the server answered before the body was sent');
  assert.match(answer, /^HTTP\/1\.1 401/);
});
