// Deletes, cancellations and uninstalls are asked of Shopify's Admin API (here the simulator) before
// shopkeep acts on them: what Shopify confirms is applied, what it contradicts is set aside, shown and
// told to the owner, and nothing is removed or cancelled.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { ShopifySimulator } from '../../src/sim/shopify/index.ts';
import type { Delivery } from '../../src/sim/shopify/webhooks.ts';
import { simulatedClock } from '../support/clock.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { shopOf } from '../support/shop.ts';

let sim: ShopifySimulator;
let server: TestServer;

before(async () => {
  sim = await ShopifySimulator.start({
    now: simulatedClock(),
    adminToken: 'shpat_confirm_0123456789',
    apiSecret: 'shpss_confirm_0123456789',
    historyDays: 10,
    ordersPerDay: 5,
  });
  server = await startTestServer({
    env: {
      SHOPIFY_SHOP: sim.shopDomain,
      SHOPIFY_ADMIN_TOKEN: sim.adminToken,
      SHOPIFY_API_SECRET: sim.apiSecret,
      SHOPIFY_API_BASE_URL: sim.baseUrl,
    },
  });
});
after(async () => {
  await server.close();
  await sim.stop();
});

/** Sends a delivery as Shopify made it, or with another topic (the header the signature does not cover). */
function send(delivery: Delivery, topic = delivery.topic) {
  return server.app.inject({
    method: 'POST',
    url: '/webhooks/shopify',
    headers: { ...delivery.headers, 'X-Shopify-Topic': topic },
    payload: delivery.body,
  });
}

/** A body signed with the app's secret, as only Shopify (or someone holding the secret) can. */
function signed(topic: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const webhookId = randomUUID();
  return {
    webhookId,
    response: server.app.inject({
      method: 'POST',
      url: '/webhooks/shopify',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-shop-domain': sim.shopDomain,
        'x-shopify-webhook-id': webhookId,
        'x-shopify-triggered-at': new Date().toISOString(),
        'x-shopify-hmac-sha256': createHmac('sha256', sim.apiSecret).update(body).digest('base64'),
      },
      payload: body,
    }),
  };
}

async function delivery(webhookId: string) {
  const { rows } = await server.db.pool.query<{ outcome: string | null; last_error: string | null }>(
    'select outcome, last_error from shop_webhook_deliveries where webhook_id = $1',
    [webhookId],
  );
  return rows[0]!;
}

/** The owner's notices about a delivery set aside, by title. */
const told = async (webhookId: string) =>
  (await server.face('notifications').list({ limit: 1000 }))
    .filter((notice) => notice.dedupeKey === `shop.webhook-set-aside:${webhookId}`)
    .map((notice) => notice.title);

const productGone = async (id: number) =>
  (await server.db.pool.query('select deleted_at is not null as gone from shop_products where id = $1', [id]))
    .rows[0]?.gone as boolean | undefined;

const drain = () => shopOf(server).shop.applier.drain();

test('a products/update body resent as products/delete is refused; a delete of a product Shopify still has is not acted on', async () => {
  const productId = (sim.restOrder(sim.orderIds()[0]!).line_items as { product_id: number }[])[0]!.product_id;
  const update = sim.delivery('products/update', productId);
  assert.equal((await send(update)).statusCode, 200);
  await drain();
  assert.equal(await productGone(productId), false);

  const swapped = await send(update, 'products/delete');
  assert.equal(swapped.statusCode, 400);
  assert.match(swapped.json().error.message, /carries only the product's id/);

  const deletion = sim.delivery('products/delete', productId);
  assert.equal((await send(deletion)).statusCode, 200);
  await drain();
  assert.equal(await productGone(productId), false, 'Shopify still has it: nothing removed');
  const row = await delivery(deletion.webhookId);
  assert.equal(row.outcome, 'set_aside');
  assert.match(row.last_error ?? '', new RegExp(`not acted on: Shopify still has product ${productId}`));
  assert.deepEqual(await told(deletion.webhookId), ['A Shopify products/delete webhook was set aside']);
});

test('a delete Shopify confirms removes the product here', async () => {
  const gone = 8_800_000_300_001; // never in the simulated shop
  const at = new Date().toISOString();
  const created = signed('products/create', {
    id: gone,
    title: 'Discontinued Balm',
    handle: 'discontinued-balm',
    created_at: at,
    updated_at: at,
    variants: [{ id: gone + 1, price: '12.00' }],
  });
  assert.equal((await created.response).statusCode, 200);
  await drain();
  assert.equal(await productGone(gone), false);
  const deletion = signed('products/delete', { id: gone });
  assert.equal((await deletion.response).statusCode, 200);
  await drain();
  assert.equal(await productGone(gone), true);
  assert.equal((await delivery(deletion.webhookId)).outcome, 'applied');
});

test('a cancellation Shopify confirms is applied; a signed order claiming a cancellation Shopify denies is set aside', async () => {
  let cancelled: Delivery | undefined;
  let cancelledId = 0;
  for (const id of [...sim.orderIds()].reverse()) {
    try {
      cancelled = (await sim.cancelOrder(id, { deliver: false })).find((d) => d.topic === 'orders/cancelled');
      cancelledId = id;
      break;
    } catch {
      // shipped or cancelled already: try an older one
    }
  }
  assert.ok(cancelled, 'an order the simulated shop could cancel');
  assert.equal((await send(cancelled)).statusCode, 200);
  await drain();
  assert.equal((await delivery(cancelled.webhookId)).outcome, 'applied');
  const { rows } = await server.db.pool.query('select cancelled_at from shop_orders where id = $1', [
    cancelledId,
  ]);
  assert.ok(rows[0]?.cancelled_at, 'stored as cancelled');

  const kept = sim.orderIds().find((id) => id !== cancelledId && sim.restOrder(id).cancelled_at === null)!;
  const now = new Date().toISOString();
  const claim = signed('orders/cancelled', {
    ...sim.restOrder(kept),
    cancelled_at: now,
    updated_at: now,
    cancel_reason: 'fraud',
  });
  assert.equal((await claim.response).statusCode, 200);
  await drain();
  const row = await delivery(claim.webhookId);
  assert.equal(row.outcome, 'set_aside');
  assert.match(row.last_error ?? '', /not acted on: Shopify says order #\d+ is not cancelled/);
  const stored = await server.db.pool.query('select cancelled_at from shop_orders where id = $1', [kept]);
  assert.ok(!stored.rows[0]?.cancelled_at, 'not cancelled here');
});

test('an app/uninstalled while Shopify still accepts the token is set aside, not believed', async () => {
  const uninstalled = sim.delivery('app/uninstalled', 0);
  assert.equal((await send(uninstalled)).statusCode, 200);
  await drain();
  const row = await delivery(uninstalled.webhookId);
  assert.equal(row.outcome, 'set_aside');
  assert.match(row.last_error ?? '', /the app is still installed/);
  const notices = await server.face('notifications').list({ limit: 1000 });
  assert.equal(notices.filter((notice) => notice.kind === 'shop.app-uninstalled').length, 0);
});
