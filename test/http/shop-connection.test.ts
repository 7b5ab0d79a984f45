// Connecting the shop from the dashboard or the API (checked with Shopify, here the simulator, kept
// in the vault, the import queued), testing the connection, and registering the webhook topics at
// this server's address (again: nothing twice; at a new address: the old ones removed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShopifySimulator } from '../../src/sim/shopify/index.ts';
import { TOPICS } from '../../src/modules/shop/topics.ts';
import { simulatedClock } from '../support/clock.ts';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';

const TOKEN = 'shpat_connect_0123456789';
const SECRET = 'shpss_connect_0123456789';
const PUBLIC_URL = 'https://shop-office.example';

let sim: ShopifySimulator;
let server: TestServer;
let owner: LoggedIn;
let staff: LoggedIn;

before(async () => {
  sim = await ShopifySimulator.start({
    now: simulatedClock(),
    adminToken: TOKEN,
    apiSecret: SECRET,
    historyDays: 2,
    ordersPerDay: 2,
  });
  // Only where Shopify is: the shop itself is connected from the dashboard.
  server = await startTestServer({
    env: { SHOPIFY_API_BASE_URL: sim.baseUrl, SHOPKEEP_PUBLIC_URL: PUBLIC_URL },
  });
  owner = await loginAs(server, 'owner');
  staff = await loginAs(server, 'staff');
});
after(async () => {
  await server.close();
  await sim.stop();
});

function api(who: LoggedIn, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  return server.app.inject({
    method,
    url: `/api/v1/shop${url}`,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

const importsQueued = async () =>
  (await server.kernel.jobs.counts())
    .filter((row) => row.queue === 'shop.import')
    .reduce((sum, row) => sum + row.count, 0);

test('before the shop is connected, the sync says so and asking for a run or a test explains how to connect', async () => {
  const sync = await api(owner, 'GET', '/sync');
  assert.equal(sync.statusCode, 200);
  assert.equal(sync.json().connected, false);
  assert.equal(sync.json().shop, null);
  for (const url of ['/sync/reconcile', '/sync/import', '/connection/test']) {
    const response = await api(owner, 'POST', url);
    assert.equal(response.statusCode, 409, url);
    assert.match(response.json().error.message, /Shopify is not connected: enter the shop/, url);
  }
});

test('the owner connects the shop: checked with Shopify, kept in the vault, the import queued; the token is never echoed', async () => {
  const details = { shop: sim.shopDomain, adminToken: TOKEN, apiSecret: SECRET };
  assert.equal((await api(staff, 'PUT', '/connection', details)).statusCode, 403, 'the owner’s work');

  const wrong = await api(owner, 'PUT', '/connection', { ...details, adminToken: 'shpat_not_the_token' });
  assert.equal(wrong.statusCode, 403);
  assert.doesNotMatch(wrong.body, /shpat_not_the_token/);
  assert.equal(await server.face('vault').get('shopify.admin_token'), undefined, 'nothing kept');

  const queuedBefore = await importsQueued();
  const connected = await api(owner, 'PUT', '/connection', details);
  assert.equal(connected.statusCode, 200, connected.body);
  const { shop } = connected.json();
  assert.equal(shop.domain, sim.shopDomain);
  assert.match(shop.currency, /^[A-Z]{3}$/);
  assert.ok(shop.name && shop.timezone);
  assert.doesNotMatch(connected.body, new RegExp(`${TOKEN}|${SECRET}`));
  assert.equal(await server.face('vault').get('shopify.admin_token'), TOKEN);
  assert.equal(await importsQueued(), queuedBefore + 1, 'the import is queued');

  const sync = (await api(owner, 'GET', '/sync')).json();
  assert.deepEqual([sync.connected, sync.shop, sync.from], [true, sim.shopDomain, 'dashboard']);
  const tested = await api(staff, 'POST', '/connection/test');
  assert.equal(tested.statusCode, 200);
  assert.deepEqual(tested.json().shop, shop);
  // The books and the bot read the same through the face.
  assert.deepEqual(await server.face('shop').info(), shop);
  assert.doesNotMatch(server.logText(), new RegExp(`${TOKEN}|${SECRET}`));
});

test('webhooks are registered at the public address once; a new address replaces ours at the old one', async () => {
  assert.equal((await api(staff, 'POST', '/webhooks/sync')).statusCode, 403, 'the owner’s work');
  const first = await api(owner, 'POST', '/webhooks/sync');
  assert.equal(first.statusCode, 200, first.body);
  assert.deepEqual([...first.json().created].sort(), [...TOPICS].sort());
  assert.deepEqual(first.json().kept, []);
  assert.ok(sim.subscriptions().every((each) => each.uri === `${PUBLIC_URL}/webhooks/shopify`));

  const again = await api(owner, 'POST', '/webhooks/sync');
  assert.deepEqual(again.json(), { created: [], kept: first.json().created, removed: [] });

  // The sandbox registers through the face at its own address: ours at the old one go.
  const moved = await server.face('shop').syncWebhooks('http://127.0.0.1:8080');
  assert.equal(moved.created.length, TOPICS.length);
  assert.equal(moved.removed.length, TOPICS.length);
  assert.ok(moved.removed.every((each) => each.endsWith(`→ ${PUBLIC_URL}/webhooks/shopify`)));
  assert.deepEqual(
    [...new Set(sim.subscriptions().map((each) => each.uri))],
    ['http://127.0.0.1:8080/webhooks/shopify'],
  );
});

test('the Shopify page’s buttons answer with a notice on the page', async () => {
  const press = (who: LoggedIn, path: string, form: Record<string, string> = {}) =>
    server.app.inject({
      method: 'POST',
      url: path,
      headers: {
        cookie: who.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
      },
      payload: new URLSearchParams({ _csrf: who.csrf, ...form }).toString(),
    });
  const notice = (response: Awaited<ReturnType<typeof press>>) => {
    assert.equal(response.statusCode, 303, response.body);
    const location = new URL(String(response.headers.location), 'http://x');
    assert.equal(location.pathname, '/shop');
    return location.searchParams.get('notice') ?? location.searchParams.get('problem') ?? '';
  };
  assert.match(notice(await press(staff, '/shop/test')), /^Shopify answered: .+ \(.+\.myshopify\.com\)/);
  assert.match(notice(await press(staff, '/shop/reconcile')), /^Reconciliation queued/);
  assert.match(
    notice(await press(owner, '/shop/webhooks')),
    /^Webhooks: \d+ registered, \d+ already there, \d+ old ones removed\.$/,
  );
  assert.equal((await press(staff, '/shop/webhooks')).statusCode, 403);
  const refused = notice(
    await press(owner, '/shop/connect', { shop: 'not a shop', adminToken: TOKEN, apiSecret: SECRET }),
  );
  assert.match(refused, /^Not done: the shop is its myshopify\.com domain/);
  assert.match(
    notice(
      await press(owner, '/shop/connect', { shop: sim.shopDomain, adminToken: TOKEN, apiSecret: SECRET }),
    ),
    /^Connected to .+\. The import has started; register webhooks next\.$/,
  );
});
