// Behind HTTPS (SHOPKEEP_PUBLIC_URL https://…): Secure cookies and HSTS. And the anonymous rate limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { currentStep, totpCode } from '../../src/platform/accounts/totp.ts';
import { loginAs, startTestServer, type TestServer } from '../support/server.ts';
import { accountsOf, newUser } from '../support/accounts.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: { SHOPKEEP_PUBLIC_URL: 'https://shop.example', SHOPKEEP_RATE_LIMIT_PER_MINUTE: '5' },
  });
});
after(() => server.close());

test('HSTS on every answer and a Secure session cookie', async () => {
  assert.match(
    String((await server.app.inject('/healthz')).headers['strict-transport-security']),
    /max-age=\d+/,
  );
  const owner = await newUser(accountsOf(server));
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: {
      email: owner.email,
      password: owner.password,
      totp: totpCode(owner.totpSecret!, currentStep(Date.now())),
    },
  });
  assert.equal(response.statusCode, 200);
  const cookie = response.cookies.find((c) => c.name === 'sk_session')!;
  assert.equal(cookie.secure, true);
  assert.equal(cookie.httpOnly, true);
});

test('anonymous traffic is rate limited per address; signed-in users and bad tokens are told apart', async () => {
  const codes: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    codes.push(
      (
        await server.app.inject({
          url: '/api/v1/me',
          remoteAddress: '198.51.100.20',
          headers: { authorization: 'Bearer skt_guess' },
        })
      ).statusCode,
    );
  }
  assert.deepEqual(codes, [401, 401, 401, 401, 401, 429, 429]);
  const limited = await server.app.inject({ url: '/healthz', remoteAddress: '198.51.100.20' });
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json().error.code, 'rate_limited');
  assert.ok(Number(limited.headers['retry-after']) > 0);
  assert.equal(
    (await server.app.inject({ url: '/healthz', remoteAddress: '198.51.100.21' })).statusCode,
    200,
    'another address is not affected',
  );
  const staff = await loginAs(server, 'staff');
  for (let i = 0; i < 10; i += 1) {
    assert.equal(
      (
        await server.app.inject({
          url: '/api/v1/me',
          remoteAddress: '198.51.100.20',
          headers: { cookie: staff.cookie },
        })
      ).statusCode,
      200,
    );
  }
});

test('/api/docs answers JSON to tools and HTML to people', async () => {
  const json = await server.app.inject({
    url: '/api/docs',
    remoteAddress: '198.51.100.30',
    headers: { accept: 'application/json' },
  });
  assert.equal(json.json().info.title, 'shopkeep API');
  const page = await server.app.inject({
    url: '/api/docs',
    remoteAddress: '198.51.100.30',
    headers: { accept: 'text/html' },
  });
  assert.match(String(page.headers['content-type']), /text\/html/);
});
