// What Shopify's signature does not cover: the topic header and the trigger time. A signed body resent
// under another topic, or long after Shopify stopped retrying it, is refused with 400; an address that
// keeps sending bad signatures is refused with 429 before its body is read, and Shopify's own
// deliveries are never held back by that.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  rememberShop,
  sampleOrderWebhook,
  TEST_SHOP,
  testShopEnv,
  webhookDelivery,
} from '../support/shop.ts';
import { clientKey } from '../../src/platform/net/client-key.ts';

const SHOP = TEST_SHOP.domain;
let server: TestServer;

before(async () => {
  server = await startTestServer({ env: testShopEnv });
  await rememberShop(server.db.pool);
});
after(() => server.close());

const deliver = (delivery: Parameters<typeof webhookDelivery>[0]) =>
  server.app.inject(webhookDelivery(delivery));

async function stored(): Promise<number> {
  const { rows } = await server.db.pool.query('select count(*)::int as n from shop_webhook_deliveries');
  return rows[0].n as number;
}

async function metric(outcome: string): Promise<number> {
  const text = await server.kernel.metrics.registry.getSingleMetricAsString('shopkeep_shop_webhooks_total');
  const line = text.split('\n').find((l) => l.includes(`outcome="${outcome}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

const at = '2026-11-20T10:00:00+00:00';
const productBody = {
  id: 8_800_000_200_001,
  title: 'Argan Repair Oil',
  handle: 'argan-repair-oil',
  body_html: '<p>For dry hair.</p>',
  product_type: 'Hair oil',
  created_at: at,
  updated_at: at,
  variants: [{ id: 4_400_000_200_001, product_id: 8_800_000_200_001, price: '29.99', inventory_quantity: 4 }],
};
const refundBody = {
  id: 7_700_000_200_001,
  order_id: 5_550_000_000_001,
  created_at: at,
  note: null,
  refund_line_items: [{ id: 1, line_item_id: 1_300_000_000_001, quantity: 1, restock_type: 'return' }],
  order_adjustments: [],
  transactions: [],
};
const transactionBody = {
  id: 6_600_000_200_001,
  order_id: 5_550_000_000_001,
  kind: 'sale',
  status: 'success',
  gateway: 'shopify_payments',
  amount: '33.94',
  currency: 'GBP',
  created_at: at,
};
const levelBody = { inventory_item_id: 4_600_000_200_001, location_id: 1, available: 3, updated_at: at };

test('a body of another topic’s shape is refused with 400 naming why, counted as malformed, and kept nowhere', async () => {
  const order = sampleOrderWebhook({ id: 5_550_000_200_001, name: '#3001' });
  const cases: { topic: string; body: unknown; message: RegExp }[] = [
    // The attack as it was found: a products/update body resent as products/delete.
    { topic: 'products/delete', body: productBody, message: /carries only the product's id.*title/ },
    { topic: 'products/delete', body: levelBody, message: /carries only the product's id/ },
    {
      topic: 'orders/cancelled',
      body: order,
      message: /order\.cancelled_at: an orders\/cancelled delivery is a cancelled order/,
    },
    {
      topic: 'customers/update',
      body: order,
      message: /is a customer, but this body has line_items.*of an order/,
    },
    { topic: 'refunds/create', body: transactionBody, message: /is a refund and has refund_line_items/ },
    { topic: 'refunds/create', body: order, message: /is a refund and has order_id, refund_line_items/ },
    { topic: 'orders/updated', body: refundBody, message: /is an order and has line_items/ },
    { topic: 'order_transactions/create', body: refundBody, message: /is a transaction and has kind/ },
    { topic: 'products/update', body: order, message: /is a product and has title, variants/ },
    {
      topic: 'inventory_levels/update',
      body: productBody,
      message: /is an inventory level and has inventory_item_id/,
    },
    { topic: 'disputes/create', body: transactionBody, message: /is a dispute and has initiated_at/ },
    { topic: 'app/uninstalled', body: order, message: /is a shop and has myshopify_domain/ },
    {
      topic: 'app/uninstalled',
      body: { id: 1, name: 'Someone Else', myshopify_domain: 'someone-else.myshopify.com' },
      message: /shop\.myshopify_domain: is not sandbox-beauty\.myshopify\.com/,
    },
  ];
  const before = { stored: await stored(), malformed: await metric('malformed') };
  for (const { topic, body, message } of cases) {
    const response = await deliver({ topic, body });
    assert.equal(response.statusCode, 400, `${topic}: ${response.body}`);
    assert.match(response.json().error.message, new RegExp(`^malformed ${topic} delivery: `));
    assert.match(response.json().error.message, message, topic);
  }
  assert.equal(await stored(), before.stored);
  assert.equal(await metric('malformed'), before.malformed + cases.length);
});

test('each topic’s own body is still taken', async () => {
  const before = await stored();
  const cancelled = sampleOrderWebhook({
    id: 5_550_000_200_002,
    name: '#3002',
    updated_at: '2026-11-21T10:00:00+00:00',
    cancelled_at: '2026-11-21T10:00:00+00:00',
  });
  const bodies: [string, unknown][] = [
    ['orders/create', sampleOrderWebhook({ id: 5_550_000_200_003, name: '#3003' })],
    ['orders/cancelled', cancelled],
    ['products/update', productBody],
    ['products/delete', { id: productBody.id }],
    ['refunds/create', refundBody],
    ['order_transactions/create', transactionBody],
    ['inventory_levels/update', levelBody],
    [
      'customers/update',
      { id: 7_100_000_200_001, first_name: 'Ava', last_name: null, created_at: at, updated_at: at },
    ],
    [
      'disputes/create',
      {
        id: 1_100_000_200_001,
        order_id: 5_550_000_000_001,
        status: 'needs_response',
        currency: 'GBP',
        amount: '33.94',
        initiated_at: at,
        evidence_due_by: at,
      },
    ],
    ['app/uninstalled', { id: 1, name: 'Sandbox Beauty', myshopify_domain: SHOP }],
  ];
  for (const [topic, body] of bodies) {
    const response = await deliver({ topic, body });
    assert.equal(response.statusCode, 200, `${topic}: ${response.body}`);
  }
  assert.equal(await stored(), before + bodies.length);
});

test('a delivery triggered outside the window Shopify sends and retries in is refused with 400', async () => {
  const body = sampleOrderWebhook({ id: 5_550_000_200_010, name: '#3010' });
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString();
  const before = { stored: await stored(), stale: await metric('stale') };
  const refused: [string | undefined, RegExp][] = [
    [hoursAgo(6), /longer ago than Shopify sends or retries a delivery/],
    [hoursAgo(24 * 30), /longer ago than Shopify sends or retries a delivery/],
    [hoursAgo(-1), /in the future; check this server's clock/],
    [undefined, /missing X-Shopify-Triggered-At/],
    ['yesterday', /X-Shopify-Triggered-At is not a time/],
  ];
  for (const [triggeredAt, message] of refused) {
    const response = await deliver({
      topic: 'orders/create',
      body,
      headers: { 'x-shopify-triggered-at': triggeredAt },
    });
    assert.equal(response.statusCode, 400, String(triggeredAt));
    assert.match(response.json().error.message, /^orders\/create delivery refused: /);
    assert.match(response.json().error.message, message);
  }
  assert.equal(await stored(), before.stored);
  assert.equal(await metric('stale'), before.stale + refused.length);
  // Shopify's last retry comes about 4 hours after the first try, with the first try's time.
  const lastRetry = await deliver({
    topic: 'orders/create',
    body,
    headers: { 'x-shopify-triggered-at': hoursAgo(4) },
  });
  assert.equal(lastRetry.statusCode, 200);
});

/** A body that records whether anyone read it. */
function watchedBody(text: string): { stream: Readable; read: () => boolean } {
  let read = false;
  const stream = new Readable({
    read() {
      read = true;
      this.push(text);
      this.push(null);
    },
  });
  return { stream, read: () => read };
}

test('after 10 bad signatures an address is refused with 429 before its body is read; others are not', async () => {
  const attacker = '203.0.113.9';
  const throttled = await metric('throttled');
  const body = sampleOrderWebhook({ id: 5_550_000_200_020, name: '#3020' });
  for (let n = 1; n <= 10; n += 1) {
    const response = await deliver({
      topic: 'orders/create',
      body,
      remoteAddress: attacker,
      secret: 'not-it',
    });
    assert.equal(response.statusCode, 401, `bad signature ${n}`);
  }
  const big = JSON.stringify({ padding: 'x'.repeat(4 * 1024 * 1024) });
  const watched = watchedBody(big);
  const refused = await server.app.inject({
    method: 'POST',
    url: '/webhooks/shopify',
    remoteAddress: attacker,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': SHOP,
      'x-shopify-hmac-sha256': 'AAAA',
    },
    payload: watched.stream,
  });
  assert.equal(refused.statusCode, 429);
  assert.match(refused.json().error.message, /too many webhook deliveries with a bad signature/);
  assert.ok(Number(refused.headers['retry-after']) > 0);
  assert.equal(refused.headers.connection, 'close');
  assert.equal(watched.read(), false, 'the body was not read');
  assert.equal(await metric('throttled'), throttled + 1);

  // Before the limit the same body is read (and refused 401): the watch above would have seen it.
  const control = watchedBody(big);
  const readFirst = await server.app.inject({
    method: 'POST',
    url: '/webhooks/shopify',
    remoteAddress: '203.0.113.10',
    headers: {
      'content-type': 'application/json',
      'x-shopify-shop-domain': SHOP,
      'x-shopify-hmac-sha256': 'AAAA',
    },
    payload: control.stream,
  });
  assert.equal(readFirst.statusCode, 401);
  assert.equal(control.read(), true);

  const fromElsewhere = await deliver({ topic: 'orders/create', body, remoteAddress: '198.51.100.7' });
  assert.equal(fromElsewhere.statusCode, 200);
});

test('deliveries Shopify sends for another shop never hold back this shop’s deliveries from the same address', async () => {
  // Anyone can point their own shop's webhooks here: Shopify then sends them, signed with that shop's
  // app secret, from the addresses that also send ours. They are refused before the body, uncounted.
  const shopify = '192.0.2.50';
  const other = sampleOrderWebhook({ id: 5_550_000_200_030, name: '#3030' });
  for (let n = 0; n < 30; n += 1) {
    const watched = watchedBody(JSON.stringify(other));
    const response = await server.app.inject({
      method: 'POST',
      url: '/webhooks/shopify',
      remoteAddress: shopify,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': 'attacker-shop.myshopify.com',
        'x-shopify-hmac-sha256': createHmac('sha256', 'attacker-app-secret')
          .update(JSON.stringify(other))
          .digest('base64'),
      },
      payload: watched.stream,
    });
    assert.equal(response.statusCode, 401);
    assert.match(response.json().error.message, /this delivery is for attacker-shop\.myshopify\.com/);
    assert.equal(watched.read(), false);
  }
  const ours = await deliver({
    topic: 'orders/create',
    body: sampleOrderWebhook({ id: 5_550_000_200_031, name: '#3031' }),
    remoteAddress: shopify,
  });
  assert.equal(ours.statusCode, 200);
});

test('IPv6 addresses are counted by their /64, so walking through one line does not reset the count', async () => {
  assert.equal(clientKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:0db8:0001:0002:ffff:0:0:9'), '2001:db8:1:2::/64');
  assert.equal(clientKey('::ffff:203.0.113.9'), '203.0.113.9');
  assert.equal(clientKey('203.0.113.9'), '203.0.113.9');
  assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
  const body = sampleOrderWebhook({ id: 5_550_000_200_040, name: '#3040' });
  for (let n = 1; n <= 10; n += 1) {
    const response = await deliver({
      topic: 'orders/create',
      body,
      remoteAddress: `2001:db8:1:2::${n.toString(16)}`,
      secret: 'not-it',
    });
    assert.equal(response.statusCode, 401);
  }
  const next = await deliver({ topic: 'orders/create', body, remoteAddress: '2001:db8:1:2::ff' });
  assert.equal(next.statusCode, 429);
  const neighbour = await deliver({ topic: 'orders/create', body, remoteAddress: '2001:db8:1:3::1' });
  assert.equal(neighbour.statusCode, 200);
});
