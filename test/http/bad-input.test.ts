// Every route gets malformed JSON, wrong types, missing and unknown fields, oversized bodies,
// hostile strings and hostile path parameters. Every answer must be a 4xx with the error shape,
// never a 5xx, and no table may change.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, rowCounts, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';

let server: TestServer;
let owner: LoggedIn;

before(async () => {
  // The anonymous rate limit would answer most of these with 429; the point here is validation.
  server = await startTestServer({ env: { SHOPKEEP_RATE_LIMIT_PER_MINUTE: '1000000' } });
  owner = await loginAs(server, 'owner');
});
after(() => server.close());

const HOSTILE = [
  "'; drop table auth_users; --",
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '\u0000nul',
  '𝔰𝔥𝔬𝔭 \ud800 lone surrogate',
  '%00%2e%2e%2f',
  'x'.repeat(5000),
  '${jndi:ldap://example.invalid/a}',
  '{{7*7}}',
];

const WRONG_TYPES = {
  email: 42,
  password: ['x'],
  totp: {},
  role: 7,
  name: null,
  scopes: 'read',
  url: false,
  eventTypes: {},
  value: 12,
  code: [],
  token: 1,
};
const UNKNOWN_ONLY = {
  surprise: 'field',
  __proto__: { polluted: true },
  constructor: { prototype: { polluted: true } },
};

function bodiesFor(): { label: string; payload: string; contentType: string }[] {
  const hostileBody = (value: string) =>
    JSON.stringify({
      email: value,
      password: value,
      totp: value,
      role: value,
      name: value,
      scopes: [value],
      url: value,
      eventTypes: [value],
      value,
      code: value,
      token: value,
      confirm: value,
    });
  return [
    { label: 'malformed JSON', payload: '{"email": "a@b.c", ', contentType: 'application/json' },
    { label: 'JSON that is not an object', payload: '"just a string"', contentType: 'application/json' },
    { label: 'empty JSON body', payload: '', contentType: 'application/json' },
    { label: 'wrong types', payload: JSON.stringify(WRONG_TYPES), contentType: 'application/json' },
    { label: 'unknown fields only', payload: JSON.stringify(UNKNOWN_ONLY), contentType: 'application/json' },
    { label: 'missing fields', payload: '{}', contentType: 'application/json' },
    {
      label: 'oversized body',
      payload: JSON.stringify({ value: 'x'.repeat(1_200_000) }),
      contentType: 'application/json',
    },
    { label: 'unsupported media type', payload: '<xml/>', contentType: 'application/xml' },
    {
      label: 'deeply nested JSON',
      payload: '['.repeat(5000) + ']'.repeat(5000),
      contentType: 'application/json',
    },
    ...HOSTILE.map((value, i) => ({
      label: `hostile strings #${i}`,
      payload: hostileBody(value),
      contentType: 'application/json',
    })),
    ...HOSTILE.slice(0, 4).map((value, i) => ({
      label: `hostile form #${i}`,
      payload: new URLSearchParams({
        email: value,
        password: value,
        name: value,
        value,
        url: value,
        code: value,
        token: value,
        role: value,
      }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    })),
  ];
}

function urlsFor(url: string): string[] {
  if (!url.includes(':')) return [url, `${url}?unexpected=%00&limit=-1`];
  return [
    "'%20or%201=1--",
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    'x'.repeat(300),
    '00000000-0000-0000-0000-000000000000',
  ].map((value) => url.replace(/:[a-z]+/gi, value));
}

// Routes that take no input: the request is the action. Logging out is tested on its own below,
// pausing and resuming in test/http/approvals.test.ts, the Shopify page's buttons in test/e2e/shop.test.ts.
const SKIP = new Set([
  'POST /logout',
  'POST /api/v1/auth/logout',
  'POST /api/v1/pause',
  'POST /api/v1/resume',
  'POST /approvals/pause',
  'POST /approvals/resume',
  'POST /shop/test',
  'POST /shop/reconcile',
  'POST /shop/import',
  'POST /shop/webhooks',
  // Actions with no fields: an empty body is all they take.
  'POST /api/v1/ledger/stock/opening',
  'POST /books/stock/opening',
  'POST /books/akaunting',
  'POST /social/plan',
  'POST /api/v1/ops/backups',
  'POST /ops/backups/run',
  'POST /ops/maintenance/end',
]);

test('every route answers bad input with a 4xx in the error shape and writes nothing', async () => {
  // A failed login is recorded by design (throttling and the audit trail need it), and so is opening
  // the home page (it says what happened since the last look); those rows are expected.
  const expectedToGrow = new Set([
    'auth_login_failures',
    'ops_audit_log',
    'ops_audit_head',
    'ops_home_looks',
  ]);
  const before = await rowCounts(server);
  const routes = server.app.routeList.filter((route) => !SKIP.has(`${route.method} ${route.url}`));
  assert.ok(routes.length > 30, `found ${routes.length} routes`);
  let requests = 0;
  for (const route of routes) {
    for (const url of urlsFor(route.url)) {
      const bodies = route.method === 'GET' || route.method === 'DELETE' ? [undefined] : bodiesFor();
      for (const body of bodies) {
        for (const headers of [{ cookie: owner.cookie, 'x-csrf-token': owner.csrf }, {}]) {
          requests += 1;
          const response = await server.app.inject({
            method: route.method as 'GET',
            url,
            headers: { ...headers, ...(body ? { 'content-type': body.contentType } : {}) },
            ...(body ? { payload: body.payload } : {}),
          });
          const where = `${route.method} ${url.slice(0, 80)} ${body?.label ?? ''} ${Object.keys(headers).length ? 'as owner' : 'anonymous'}`;
          assert.ok(
            response.statusCode < 500,
            `${where} answered ${response.statusCode}: ${response.body.slice(0, 200)}`,
          );
          if (
            response.statusCode >= 400 &&
            !String(response.headers['content-type']).startsWith('text/html')
          ) {
            const parsed = response.json();
            assert.equal(typeof parsed.error?.code, 'string', `${where}: ${response.body.slice(0, 200)}`);
            assert.equal(typeof parsed.error?.message, 'string', where);
            assert.ok(
              !/at \w+ \(|node_modules|\/src\//.test(response.body),
              `${where} leaks internals: ${response.body.slice(0, 200)}`,
            );
          }
          if (body && route.method !== 'GET') {
            assert.ok(response.statusCode >= 400, `${where} was accepted with ${response.statusCode}`);
          }
        }
      }
    }
  }
  const afterCounts = await rowCounts(server);
  for (const [table, count] of Object.entries(afterCounts)) {
    if (expectedToGrow.has(table)) continue;
    assert.equal(count, before[table], `table ${table} changed`);
  }
  assert.ok(({} as Record<string, unknown>).polluted === undefined, 'no prototype pollution');
  assert.ok(requests > 1000, `${requests} requests`);
});

/** Query values at and past the edges of what each parameter can hold. */
const cursorOf = (text: string) => Buffer.from(text).toString('base64url');
const EDGE_QUERY_VALUES = [
  '-1',
  '0',
  '99999999999999999999',
  '1e400',
  'NaN',
  '0000-00-00',
  '9999-12-31',
  '275760-09-13',
  '2026-02-30',
  '%00',
  'x'.repeat(300),
  cursorOf('2026-01-01T00:00:00Z|99999999999999999999'),
  cursorOf('+275760-09-13T00:00:00Z|1'),
  cursorOf('-000001-01-01T00:00:00Z|1'),
  cursorOf('garbage'),
  cursorOf('1|5'),
  cursorOf('2020-02-30|5'),
  cursorOf('2020-02-30T00:00:00Z|5'),
  cursorOf('+010000-01-01T00:00:00.000Z|5'),
];

test('every query parameter answers values at and past its edges with a 4xx or a page, never a 5xx', async () => {
  const routes = server.app.routeList.filter((route) => route.method === 'GET' && route.query.length);
  assert.ok(routes.length > 10, `found ${routes.length} routes with query parameters`);
  const failures: string[] = [];
  for (const route of routes) {
    const url = route.url.replace(/:[a-z]+/gi, '1');
    for (const name of route.query) {
      for (const value of EDGE_QUERY_VALUES) {
        const response = await server.app.inject({
          url: `${url}?${name}=${encodeURIComponent(value)}`,
          headers: { cookie: owner.cookie },
        });
        if (response.statusCode >= 500)
          failures.push(`GET ${url}?${name}=${value.slice(0, 60)} answered ${response.statusCode}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('logout with any body only ends the session', async () => {
  const someone = await loginAs(server, 'staff', '192.0.2.200'); // 127.0.0.1 used up its login allowance above
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/logout',
    headers: { cookie: someone.cookie, 'x-csrf-token': someone.csrf, 'content-type': 'application/json' },
    payload: JSON.stringify({
      anything: HOSTILE.filter(
        (value) => !value.includes('\u0000') && Buffer.from(value).toString() === value,
      ),
    }),
  });
  assert.equal(response.statusCode, 204);
  assert.equal(
    (await server.app.inject({ url: '/api/v1/me', headers: { cookie: someone.cookie } })).statusCode,
    401,
  );
});
