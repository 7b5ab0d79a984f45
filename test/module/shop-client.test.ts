// The Admin API client against the Shopify simulator: it waits out the cost bucket instead of
// failing, retries server errors and timeouts with backoff, and says clearly when the token is wrong.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShopifySimulator } from '../../src/sim/shopify/index.ts';
import { simulatedClock } from '../support/clock.ts';
import { ShopifyClient, ShopifyError } from '../../src/modules/shop/client.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { CUSTOMERS_QUERY, SHOP_QUERY } from '../../src/modules/shop/queries.ts';

let sim: ShopifySimulator;
before(async () => {
  // A small bucket that refills quickly: a few pages of customers overdraw it.
  sim = await ShopifySimulator.start({
    now: simulatedClock(),
    adminToken: 'shpat_client_0123456789',
    apiSecret: 'shpss_client_0123456789',
    historyDays: 10,
    ordersPerDay: 5,
    bucket: { maximumAvailable: 1100, restoreRate: 500 },
  });
});
after(() => sim.stop());

const client = (options: { token?: string; timeoutMs?: number; sleeps?: number[] } = {}) =>
  new ShopifyClient(
    { shop: sim.shopDomain, adminToken: options.token ?? sim.adminToken, baseUrl: sim.baseUrl },
    {
      logger: createLogger('silent'),
      timeoutMs: options.timeoutMs ?? 5000,
      maxRetries: 3,
      // Backoff delays are recorded and shortened, so the rules are tested without long sleeps.
      sleep: async (ms) => {
        options.sleeps?.push(ms);
        await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50)));
      },
    },
  );

test('pages through every customer, waiting for the cost bucket instead of failing', async () => {
  const sleeps: number[] = [];
  const shopify = client({ sleeps });
  const seen = new Set<string>();
  for await (const page of shopify.pages<{ customers: never }, { id: string }>(
    CUSTOMERS_QUERY,
    { first: 250 },
    (data) => data.customers,
  )) {
    for (const node of page.nodes) seen.add(node.id);
  }
  assert.equal(seen.size, sim.counts().customers);
  assert.ok(sleeps.length > 0, 'it waited for the bucket at least once');
  // Each wait is what the restore rate needs, not a blind retry storm.
  assert.ok(
    sleeps.every((ms) => ms <= 2000),
    `waits ${sleeps.join(', ')}`,
  );
});

test('a THROTTLED answer is waited out and the query succeeds', async () => {
  sim.failures.add('rate-limit', 2);
  const shopify = client();
  const { shop } = await shopify.query<{ shop: { name: string } }>(SHOP_QUERY);
  assert.equal(shop.name, 'Sandbox Beauty');
  assert.equal(shopify.throttledWaits, 2);
});

test('server errors and a hung request are retried with growing delays', async () => {
  sim.failures.add('server-error', 2);
  sim.failures.add('hang', 1);
  const sleeps: number[] = [];
  const shopify = client({ sleeps, timeoutMs: 300 });
  const { shop } = await shopify.query<{ shop: { currencyCode: string } }>(SHOP_QUERY);
  assert.equal(shop.currencyCode, 'GBP');
  assert.equal(sleeps.length, 3);
  assert.ok(
    sleeps[1]! > sleeps[0]! * 1.2 && sleeps[2]! > sleeps[1]! * 1.2,
    `backoff grows: ${sleeps.join(', ')}`,
  );
});

test('when Shopify stays down the error says so, after the retries', async () => {
  sim.failures.add('server-error', 10);
  const shopify = client();
  await assert.rejects(shopify.query(SHOP_QUERY), (error: unknown) => {
    assert.ok(error instanceof ShopifyError);
    assert.equal(error.kind, 'unavailable');
    assert.match(error.message, /did not answer after 4 attempts/);
    return true;
  });
  sim.failures.clear();
});

test('a wrong token is an auth error naming the shop, never retried, never echoing the token', async () => {
  const sleeps: number[] = [];
  await assert.rejects(
    client({ token: 'shpat_wrong_token_123', sleeps }).query(SHOP_QUERY),
    (error: unknown) => {
      assert.ok(error instanceof ShopifyError);
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /sandbox-beauty\.myshopify\.com/);
      assert.ok(!error.message.includes('shpat_wrong_token_123'));
      return true;
    },
  );
  assert.equal(sleeps.length, 0);
});

test('a query Shopify rejects is a query error with its message', async () => {
  await assert.rejects(
    client().query('{ shop { noSuchField } }'),
    /Shopify refused the query: .*noSuchField/,
  );
});
