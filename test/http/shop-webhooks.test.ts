// The Shopify webhook intake: signed, deduplicated, persisted, acknowledged; everything else refused
// with nothing kept.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { loginAs, startTestServer, type TestServer } from '../support/server.ts';
import {
  rememberShop,
  sampleOrder,
  sampleOrderWebhook,
  shopOf,
  storeOrders,
  TEST_SHOP,
  testShopEnv,
  webhookDelivery,
} from '../support/shop.ts';
import { orderFromWebhook } from '../../src/modules/shop/from-webhook.ts';

let server: TestServer;

before(async () => {
  // The test server runs no background work: deliveries wait for a drain.
  server = await startTestServer({ env: testShopEnv });
  await rememberShop(server.db.pool);
});
after(() => server.close());

function deliver(body: string | Buffer, headers: Record<string, string> = {}, secret?: string) {
  return server.app.inject(webhookDelivery({ topic: 'orders/create', body, headers, secret }));
}

const applier = () => shopOf(server).shop.applier;

async function counts() {
  const { rows } = await server.db.pool.query(
    'select (select count(*) from shop_webhook_deliveries)::int as deliveries, (select count(*) from shop_orders)::int as orders',
  );
  return rows[0] as { deliveries: number; orders: number };
}

async function metric(outcome: string): Promise<number> {
  const text = await server.kernel.metrics.registry.getSingleMetricAsString('shopkeep_shop_webhooks_total');
  const line = text.split('\n').find((l) => l.includes(`outcome="${outcome}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('the webhook body and the model agree: money in minor units, UTM from the landing page', () => {
  const order = orderFromWebhook(sampleOrderWebhook());
  const expected = sampleOrder();
  assert.deepEqual({ ...order, firstVisit: null }, expected);
  assert.equal(order.firstVisit?.source, 'instagram');
  assert.equal(order.firstVisit?.campaign, 'autumn');
});

test('a signed delivery is stored once and applied; a redelivery with the same id is acknowledged and ignored', async () => {
  const body = JSON.stringify(sampleOrderWebhook());
  const id = randomUUID();
  const before = await counts();
  const duplicates = await metric('duplicate');
  const first = await deliver(body, { 'x-shopify-webhook-id': id });
  assert.equal(first.statusCode, 200);
  const again = await deliver(body, { 'x-shopify-webhook-id': id });
  assert.equal(again.statusCode, 200);
  assert.equal((await counts()).deliveries, before.deliveries + 1);
  assert.equal(await metric('duplicate'), duplicates + 1);
  await applier().drain();
  const { rows } = await server.db.pool.query(
    'select name, total_minor, first_visit from shop_orders where id = $1',
    [sampleOrder().id],
  );
  assert.equal(rows.length, 1);
  assert.equal(rows[0].name, '#1001');
  assert.equal(Number(rows[0].total_minor), 3394);
  assert.equal(rows[0].first_visit.source, 'instagram');
  const outcome = await server.db.pool.query(
    'select outcome, applied_at from shop_webhook_deliveries where webhook_id = $1',
    [id],
  );
  assert.equal(outcome.rows[0].outcome, 'applied');
});

test('a burst of order deliveries is applied together; same-second rivals still go one by one', async () => {
  // With no background work, deliveries wait: the drain below meets them all in one batch (after
  // whatever was waiting before).
  const applier = shopOf(server).shop.applier;
  await applier.drain();
  const id = 5_550_000_000_200;
  const older = sampleOrderWebhook({ id, name: '#1200', updated_at: '2026-11-20T10:00:00+00:00' });
  const newer = sampleOrderWebhook({
    id,
    name: '#1200',
    updated_at: '2026-11-20T10:05:00+00:00',
    tags: 'vip',
  });
  const other = sampleOrderWebhook({ id: id + 1, name: '#1201' });
  const sent: Record<string, string> = {};
  for (const [name, body] of Object.entries({ newer, older, other, again: newer })) {
    sent[name] = randomUUID();
    const response = await deliver(JSON.stringify(body), { 'x-shopify-webhook-id': sent[name] });
    assert.equal(response.statusCode, 200);
  }
  // Stored by another process: this applier has not read its body and must read it from the table.
  sent.elsewhere = randomUUID();
  await server.db.pool.query(
    `insert into shop_webhook_deliveries (webhook_id, topic, body) values ($1, 'orders/create', $2)`,
    [sent.elsewhere, JSON.stringify(sampleOrderWebhook({ id: id + 2, name: '#1202' }))],
  );
  assert.equal(await applier.drain(), 5);
  const outcomes = async () => {
    const { rows } = await server.db.pool.query<{ webhook_id: string; outcome: string }>(
      'select webhook_id, outcome from shop_webhook_deliveries where webhook_id = any($1)',
      [Object.values(sent)],
    );
    const byId = new Map(rows.map((row) => [row.webhook_id, row.outcome]));
    return Object.fromEntries(Object.entries(sent).map(([name, webhookId]) => [name, byId.get(webhookId)]));
  };
  assert.deepEqual(await outcomes(), {
    newer: 'stale', // the same version arrived again later in the batch, and that one counts
    older: 'stale',
    other: 'applied',
    again: 'applied',
    elsewhere: 'applied',
  });
  const { rows } = await server.db.pool.query<{ id: string; updated_at: Date }>(
    'select id::text, updated_at from shop_orders where id = any($1::bigint[]) order by id',
    [[id, id + 1, id + 2]],
  );
  assert.deepEqual(
    rows.map((row) => row.id),
    [String(id), String(id + 1), String(id + 2)],
  );
  assert.equal(rows[0]!.updated_at.toISOString(), '2026-11-20T10:05:00.000Z'); // the newer version
  const created = await server.db.pool.query(
    "select count(*)::int as n from events_outbox where type = 'order.created' and (payload->>'orderId')::bigint = $1",
    [id],
  );
  assert.equal(created.rows[0].n, 1);

  // Two versions in one second with other content: one by one, so the second is the conflict.
  const rivalId = 5_550_000_000_300;
  const rivals = [
    sampleOrderWebhook({ id: rivalId, name: '#1300' }),
    sampleOrderWebhook({ id: rivalId, name: '#1300', email: 'someone.else@example.com' }),
  ];
  const rivalIds = rivals.map(() => randomUUID());
  for (const [index, body] of rivals.entries())
    await deliver(JSON.stringify(body), { 'x-shopify-webhook-id': rivalIds[index]! });
  await applier.drain();
  const rivalOutcomes = await server.db.pool.query<{ webhook_id: string; outcome: string }>(
    'select webhook_id, outcome from shop_webhook_deliveries where webhook_id = any($1)',
    [rivalIds],
  );
  assert.deepEqual(
    rivalIds.map((webhookId) => rivalOutcomes.rows.find((row) => row.webhook_id === webhookId)?.outcome),
    ['applied', 'conflict'],
  );
  const refresh = await server.db.pool.query('select 1 from shop_order_refresh where order_id = $1', [
    rivalId,
  ]);
  assert.equal(refresh.rowCount, 1);
});

test('a wrong or missing signature is refused with 401 and nothing is kept', async () => {
  const before = await counts();
  const refused = await metric('bad_signature');
  const body = JSON.stringify(sampleOrderWebhook({ id: 5_550_000_000_099, name: '#1099' }));
  const wrong = await deliver(body, {}, 'not-the-secret');
  assert.equal(wrong.statusCode, 401);
  assert.match(wrong.json().error.message, /X-Shopify-Hmac-Sha256/);
  const missing = await deliver(body, { 'x-shopify-hmac-sha256': '' });
  assert.equal(missing.statusCode, 401);
  const tampered = await deliver(body.replace('#1099', '#1100'), {
    'x-shopify-hmac-sha256': createHmac('sha256', TEST_SHOP.apiSecret).update(body).digest('base64'),
  });
  assert.equal(tampered.statusCode, 401);
  const otherShop = await deliver(body, { 'x-shopify-shop-domain': 'someone-else.myshopify.com' });
  assert.equal(otherShop.statusCode, 401);
  assert.deepEqual(await counts(), before);
  assert.equal(await metric('bad_signature'), refused + 4);
});

test('malformed bodies get a 400 naming the problem and are kept nowhere but a metric', async () => {
  const before = await counts();
  const malformed = await metric('malformed');
  const notJson = await deliver('{"id": 1, "name": ');
  assert.equal(notJson.statusCode, 400);
  assert.match(notJson.json().error.message, /not valid JSON/);
  const missingField = await deliver(JSON.stringify(sampleOrderWebhook({ updated_at: undefined })));
  assert.equal(missingField.statusCode, 400);
  assert.match(missingField.json().error.message, /order\.updated_at/);
  const badMoney = await deliver(
    JSON.stringify(
      sampleOrderWebhook({ total_price_set: { shop_money: { amount: 'lots', currency_code: 'GBP' } } }),
    ),
  );
  assert.equal(badMoney.statusCode, 400);
  assert.match(badMoney.json().error.message, /total_price_set\.shop_money\.amount/);
  const noId = await deliver(JSON.stringify(sampleOrderWebhook()), { 'x-shopify-webhook-id': '' });
  assert.equal(noId.statusCode, 400);
  // Stored as text: bytes that are not UTF-8 are refused at the door, not by the database later.
  const latin1 = Buffer.from(JSON.stringify(sampleOrderWebhook({ email: 'zoë@example.com' })), 'latin1');
  const notUtf8 = await deliver(latin1);
  assert.equal(notUtf8.statusCode, 400);
  assert.match(notUtf8.json().error.message, /not UTF-8/);
  assert.deepEqual(await counts(), before);
  assert.equal(await metric('malformed'), malformed + 5);
});

test('a topic shopkeep did not ask for is acknowledged and not kept', async () => {
  const before = await counts();
  const response = await deliver('{"id": 1}', { 'x-shopify-topic': 'carts/update' });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(await counts(), before);
});

test('secrets never reach the log', () => {
  const log = server.logText();
  assert.ok(!log.includes(TEST_SHOP.apiSecret));
  assert.ok(!log.includes(TEST_SHOP.adminToken));
});

test('the order, orders, stock and Shopify pages show what arrived, to a viewer too', async () => {
  const viewer = await loginAs(server, 'viewer');
  const page = async (url: string) => {
    const response = await server.app.inject({
      url,
      headers: { cookie: viewer.cookie, accept: 'text/html' },
    });
    assert.equal(response.statusCode, 200, url);
    return response.body;
  };
  // This test's own order, as its webhook brings it.
  const arrived = sampleOrderWebhook({
    id: 5_550_000_000_002,
    name: '#1002',
    admin_graphql_api_id: undefined,
  });
  assert.equal((await deliver(JSON.stringify(arrived))).statusCode, 200);
  await applier().drain();
  const orders = await page('/orders?q=1002');
  assert.match(orders, /#1002/);
  assert.match(orders, /£33\.94/);
  const order = await page('/orders/5550000000002');
  assert.match(order, /Argan Repair Oil - 100 ml/);
  assert.match(order, /instagram \/ social \/ autumn/);
  assert.match(order, /Royal Mail Tracked 48|£3\.95/);
  assert.match(await page('/products'), /Products and stock/);
  const shop = await page('/shop');
  assert.match(shop, /Connected<\/span> to <strong>sandbox-beauty\.myshopify\.com/);
  assert.match(shop, /set by SHOPIFY_\* variables/);
  assert.doesNotMatch(shop, /Check and save/, 'a viewer sees no connection form');
  const api = await server.app.inject({
    url: '/api/v1/shop/orders/5550000000002',
    headers: { cookie: viewer.cookie },
  });
  assert.equal(api.json().order.total.shop, 3394);
  assert.equal(api.json().order.firstVisit.source, 'instagram');
  const missing = await server.app.inject({
    url: '/api/v1/shop/orders/123',
    headers: { cookie: viewer.cookie },
  });
  assert.equal(missing.statusCode, 404);
  const badCursor = await server.app.inject({
    url: '/api/v1/shop/orders?cursor=nonsense',
    headers: { cookie: viewer.cookie },
  });
  assert.equal(badCursor.statusCode, 400);
});

test('GET /api/v1/shop/orders pages by cursor and filters by date in the shop’s time zone, status, customer and text', async () => {
  const viewer = await loginAs(server, 'viewer');
  // 23:30 in London on 1 July is 22:30 UTC: the order belongs to 1 July, not 2 July.
  const orders = [
    sampleOrder({
      id: 9001,
      name: '#9001',
      createdAt: '2026-07-01T22:30:00.000Z',
      updatedAt: '2026-07-01T22:30:00.000Z',
      financialStatus: 'paid',
      customerId: 77,
      email: 'mia@salon.example',
    }),
    sampleOrder({
      id: 9002,
      name: '#9002',
      createdAt: '2026-07-02T09:00:00.000Z',
      updatedAt: '2026-07-02T09:00:00.000Z',
      financialStatus: 'refunded',
      customerId: 77,
    }),
    sampleOrder({
      id: 9003,
      name: '#9003',
      createdAt: '2026-07-03T09:00:00.000Z',
      updatedAt: '2026-07-03T09:00:00.000Z',
      financialStatus: 'paid',
      customerId: 78,
    }),
    sampleOrder({
      id: 9004,
      name: '#9004',
      createdAt: '2026-07-04T09:00:00.000Z',
      updatedAt: '2026-07-04T09:00:00.000Z',
      financialStatus: 'paid',
      cancelledAt: '2026-07-04T10:00:00.000Z',
    }),
    sampleOrder({
      id: 9005,
      name: '#9005',
      createdAt: '2026-07-05T09:00:00.000Z',
      updatedAt: '2026-07-05T09:00:00.000Z',
      financialStatus: 'pending',
    }),
  ];
  await storeOrders(server.db.pool, ...orders.map((order) => ({ order })));
  const get = async (query: string) => {
    const response = await server.app.inject({
      url: `/api/v1/shop/orders?${query}`,
      headers: { cookie: viewer.cookie },
    });
    assert.equal(response.statusCode, 200, `${query}: ${response.body}`);
    return response.json() as { orders: { name: string }[]; nextCursor: string | null };
  };
  const names = (page: { orders: { name: string }[] }) => page.orders.map((order) => order.name);
  const seen: string[] = [];
  let cursor = '';
  for (let pages = 0; pages < 10; pages += 1) {
    const page = await get(`from=2026-07-01&to=2026-07-31&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...names(page));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  assert.deepEqual(seen, ['#9005', '#9004', '#9003', '#9002', '#9001']);
  assert.deepEqual(names(await get('from=2026-07-01&to=2026-07-01')), ['#9001']);
  assert.deepEqual(names(await get('from=2026-07-02&to=2026-07-02')), ['#9002']);
  assert.deepEqual(names(await get('from=2026-07-01&to=2026-07-31&status=paid')), [
    '#9004',
    '#9003',
    '#9001',
  ]);
  assert.deepEqual(names(await get('status=cancelled&from=2026-07-01')), ['#9004']);
  assert.deepEqual(names(await get('customer=77')), ['#9002', '#9001']);
  assert.deepEqual(names(await get('q=MIA%40salon')), ['#9001']);
  assert.deepEqual(names(await get('q=%25')), [], 'a % is searched for, not a wildcard');
  const bad = await server.app.inject({
    url: '/api/v1/shop/orders?from=2026-02-31',
    headers: { cookie: viewer.cookie },
  });
  assert.equal(bad.statusCode, 400);
});
