// Poison webhooks: correctly signed deliveries whose values pass the intake but that the database
// refuses when they are applied. Each is set aside with its reason, shown on the operations page and
// told to the owner once; every good delivery around it is applied.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loginAs, startTestServer, type TestServer } from '../support/server.ts';
import { rememberShop, sampleOrderWebhook, shopOf, testShopEnv, webhookDelivery } from '../support/shop.ts';

let server: TestServer;

before(async () => {
  // The test server runs no background work: deliveries wait for a drain, which meets them all in
  // the order they came.
  server = await startTestServer({ env: testShopEnv });
  await rememberShop(server.db.pool);
});
after(() => server.close());

function deliver(topic: string, body: unknown, webhookId = randomUUID()) {
  return server.app.inject(webhookDelivery({ topic, body, headers: { 'x-shopify-webhook-id': webhookId } }));
}

const applier = () => shopOf(server).shop.applier;

const at = '2026-11-20T10:00:00+00:00';
const product = (id: number, variant: Record<string, unknown> = {}) => ({
  id,
  title: 'Argan Repair Oil',
  handle: 'argan-repair-oil',
  created_at: at,
  updated_at: at,
  variants: [{ id: id + 1, price: '29.99', inventory_item_id: id + 2, inventory_quantity: 4, ...variant }],
});
const goodOrder = (n: number) =>
  sampleOrderWebhook({ id: 5_560_000_000_000 + n, name: `#${20_000 + n}`, admin_graphql_api_id: undefined });

/** Valid JSON that maps to the model, so the intake takes it, but that PostgreSQL refuses to store. */
const POISON: { kind: string; topic: string; body: unknown; reason: RegExp }[] = [
  {
    kind: 'a NUL character in an order name',
    topic: 'orders/create',
    body: sampleOrderWebhook({ id: 5_560_000_100_001, name: '#2001\u0000' }),
    reason: /0x00/,
  },
  {
    kind: 'a lone surrogate in an order name (not storable as JSON)',
    topic: 'orders/updated',
    body: sampleOrderWebhook({ id: 5_560_000_100_002, name: '#2002 \ud800' }),
    reason: /json/i,
  },
  {
    kind: 'an updated_at in the year 275760',
    topic: 'orders/create',
    body: sampleOrderWebhook({ id: 5_560_000_100_003, updated_at: '+275760-09-13T00:00:00Z' }),
    reason: /out of range/,
  },
  {
    kind: 'a created_at before year 1',
    topic: 'orders/updated',
    body: sampleOrderWebhook({ id: 5_560_000_100_004, created_at: '-000001-01-01T00:00:00Z' }),
    reason: /timestamp/,
  },
  {
    kind: 'a stock count past a 32-bit integer',
    topic: 'products/update',
    body: product(8_800_000_100_010, { inventory_quantity: 3_000_000_000 }),
    reason: /out of range for type integer/,
  },
  {
    kind: 'a negative stock level past a 32-bit integer',
    topic: 'inventory_levels/update',
    body: { inventory_item_id: 4_600_000_100_001, location_id: 1, available: -3_000_000_000, updated_at: at },
    reason: /out of range for type integer/,
  },
  {
    kind: 'a NUL character deep in a customer',
    topic: 'customers/update',
    body: {
      id: 7_100_000_100_001,
      first_name: 'Ava\u0000',
      last_name: 'Hill',
      created_at: at,
      updated_at: at,
    },
    reason: /0x00/,
  },
  {
    kind: 'a dispute opened in the year 100000',
    topic: 'disputes/create',
    body: {
      id: 1_100_000_100_001,
      order_id: 5_550_000_000_001,
      status: 'needs_response',
      currency: 'GBP',
      amount: '33.94',
      initiated_at: '+100000-01-01T00:00:00Z',
    },
    reason: /out of range/,
  },
  {
    kind: 'a NUL character in a transaction kind',
    topic: 'order_transactions/create',
    body: {
      id: 6_600_000_100_001,
      order_id: 5_550_000_000_001,
      kind: 'sale\u0000',
      amount: '1.00',
      created_at: at,
    },
    reason: /0x00/,
  },
  {
    kind: 'a NUL character in a refund note',
    topic: 'refunds/create',
    body: {
      id: 7_700_000_100_001,
      order_id: 5_550_000_000_001,
      created_at: at,
      note: 'x\u0000',
      refund_line_items: [],
    },
    reason: /0x00/,
  },
];

async function deliveries(ids: string[]) {
  const { rows } = await server.db.pool.query<{
    webhook_id: string;
    outcome: string | null;
    set_aside_at: Date | null;
    attempts: number;
    last_error: string | null;
  }>(
    'select webhook_id, outcome, set_aside_at, attempts, last_error from shop_webhook_deliveries where webhook_id = any($1)',
    [ids],
  );
  return new Map(rows.map((row) => [row.webhook_id, row]));
}

async function ordersStored(ids: number[]): Promise<number> {
  const { rows } = await server.db.pool.query<{ n: number }>(
    'select count(*)::int as n from shop_orders where id = any($1::bigint[])',
    [ids],
  );
  return rows[0]!.n;
}

/** The owner's notices about these deliveries, oldest first. */
async function notices(webhookIds: string[]): Promise<string[]> {
  const keys = new Set(webhookIds.map((id) => `shop.webhook-set-aside:${id}`));
  return (await server.face('notifications').list({ limit: 10_000 }))
    .map((notice) => notice.dedupeKey ?? '')
    .filter((key) => keys.has(key))
    .reverse();
}

test('values that break the intake’s reading are refused at the door with 400, and none is kept', async () => {
  const line = (sampleOrderWebhook().line_items as Record<string, unknown>[])[0]!;
  const refused = [
    sampleOrderWebhook({ id: '9223372036854775808' }), // past bigint
    sampleOrderWebhook({ id: 2 ** 60 }), // past a safe integer
    sampleOrderWebhook({ line_items: [{ ...line, price_set: '29.99' }] }), // a string where an object goes
    sampleOrderWebhook({ line_items: [{ ...line, quantity: '1' }] }), // a wrong type deep inside
    sampleOrderWebhook({ total_price_set: { shop_money: { amount: '1e400', currency_code: 'GBP' } } }),
    sampleOrderWebhook({ customer: 'ava@example.com' }),
  ];
  for (const body of refused) {
    const response = await deliver('orders/create', body);
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json().error.message, /^malformed orders\/create delivery: order\./);
  }
});

test('poison deliveries of every kind between good ones: the good ones applied, the poison set aside, shown and told once', async () => {
  const good: { id: string; orderId: number }[] = [];
  const poison: { id: string; kind: string; topic: string; reason: RegExp }[] = [];
  await applier().drain(); // what waited before, so the drain below counts this test's own
  const before = await shopOf(server).shop.status();
  for (const [index, each] of POISON.entries()) {
    for (const n of [index * 2, index * 2 + 1]) {
      const id = randomUUID();
      assert.equal((await deliver('orders/create', goodOrder(n), id)).statusCode, 200);
      good.push({ id, orderId: 5_560_000_000_000 + n });
    }
    const id = randomUUID();
    const response = await deliver(each.topic, each.body, id);
    assert.equal(response.statusCode, 200, `${each.kind} should pass the intake: ${response.body}`);
    poison.push({ id, kind: each.kind, topic: each.topic, reason: each.reason });
  }
  assert.equal(await applier().drain(), good.length + poison.length);

  assert.equal(await ordersStored(good.map((each) => each.orderId)), good.length);
  const rows = await deliveries([...good, ...poison].map((each) => each.id));
  for (const each of good) assert.equal(rows.get(each.id)?.outcome, 'applied');
  for (const each of poison) {
    const row = rows.get(each.id)!;
    assert.equal(row.outcome, 'set_aside', each.kind);
    assert.ok(row.set_aside_at, each.kind);
    // The database's refusal is the same on every try: set aside at once, not after eight.
    assert.equal(row.attempts, 1, each.kind);
    assert.match(row.last_error ?? '', each.reason, `${each.kind}: ${row.last_error}`);
  }
  // Nothing else: the poison changed no order, stock, customer or book row.
  const { rows: stray } = await server.db.pool.query(
    `select (select count(*) from shop_orders where id between 5560000100000 and 5560000199999)::int as orders,
       (select count(*) from shop_variants where id = 8800000100011)::int as variants,
       (select count(*) from shop_inventory_levels where inventory_item_id = 4600000100001)::int as levels,
       (select count(*) from shop_customers where id = 7100000100001)::int as customers,
       (select count(*) from shop_disputes where id = 1100000100001)::int as disputes`,
  );
  assert.deepEqual(stray[0], { orders: 0, variants: 0, levels: 0, customers: 0, disputes: 0 });

  const status = await shopOf(server).shop.status();
  assert.equal(status.webhooks.failed, before.webhooks.failed + poison.length);
  assert.equal(status.webhooks.pending, 0);

  const owner = await loginAs(server, 'owner');
  const page = await server.app.inject({
    url: '/ops',
    headers: { cookie: owner.cookie, accept: 'text/html' },
  });
  assert.equal(page.statusCode, 200);
  for (const each of poison) {
    assert.ok(page.body.includes(each.id), `${each.kind} is shown`);
    assert.ok(page.body.includes(`/ops/deliveries/${each.id}/retry`), `${each.kind} can be retried`);
    assert.ok(page.body.includes(`/ops/deliveries/${each.id}/dismiss`), `${each.kind} can be dismissed`);
  }
  assert.match(page.body, /Shopify webhooks set aside/);
  assert.match(page.body, /orders\/create/);
  assert.match(page.body, /inventory_levels\/update/);
  assert.match(page.body, /out of range for type integer/);

  const api = await server.app.inject({
    url: '/api/v1/shop/deliveries/set-aside',
    headers: { cookie: owner.cookie },
  });
  const listed = api.json().deliveries as {
    webhookId: string;
    topic: string;
    attempts: number;
    reason: string;
  }[];
  for (const each of poison) {
    const entry = listed.find((delivery) => delivery.webhookId === each.id);
    assert.equal(entry?.topic, each.topic);
    assert.equal(entry?.attempts, 1);
    assert.match(entry?.reason ?? '', each.reason);
  }

  // The owner hears of each once, however often the applier runs.
  await applier().drain();
  await applier().drain();
  assert.deepEqual(
    (await notices(poison.map((each) => each.id))).sort(),
    poison.map((each) => `shop.webhook-set-aside:${each.id}`).sort(),
  );
});

test('a poison webhook among 1,000 good ones: the 1,000 applied, the poison one set aside and shown', async () => {
  const orderIds = Array.from({ length: 1000 }, (_, n) => 5_570_000_000_000 + n);
  const poisonId = randomUUID();
  await applier().drain(); // what waited before, so the drain below counts this test's own
  for (const [index, orderId] of orderIds.entries()) {
    if (index === 500) {
      const poisoned = sampleOrderWebhook({ id: 5_570_000_100_000, name: '#poison\u0000' });
      assert.equal((await deliver('orders/create', poisoned, poisonId)).statusCode, 200);
    }
    const response = await deliver('orders/create', sampleOrderWebhook({ id: orderId, name: `#${orderId}` }));
    assert.equal(response.statusCode, 200);
  }
  assert.equal(await applier().drain(), 1001);
  assert.equal(await ordersStored(orderIds), 1000);
  const row = (await deliveries([poisonId])).get(poisonId)!;
  assert.equal(row.outcome, 'set_aside');
  assert.match(row.last_error ?? '', /0x00/);
  const owner = await loginAs(server, 'owner');
  const page = await server.app.inject({
    url: '/ops',
    headers: { cookie: owner.cookie, accept: 'text/html' },
  });
  assert.ok(page.body.includes(poisonId));
  assert.deepEqual(await notices([poisonId]), [`shop.webhook-set-aside:${poisonId}`]);
});

test('a set-aside delivery can be retried by staff and dismissed only by the owner', async () => {
  const id = randomUUID();
  const body = sampleOrderWebhook({ id: 5_580_000_000_001, name: '#retry\u0000' });
  assert.equal((await deliver('orders/create', body, id)).statusCode, 200);
  await applier().drain();
  const staff = await loginAs(server, 'staff');
  const owner = await loginAs(server, 'owner');
  const post = (who: typeof staff, action: string) =>
    server.app.inject({
      method: 'POST',
      url: `/ops/deliveries/${id}/${action}`,
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, accept: 'text/html' },
    });
  const retried = await post(staff, 'retry');
  assert.equal(retried.statusCode, 303);
  assert.equal(retried.headers.location, '/ops#set-aside');
  assert.equal((await deliveries([id])).get(id)?.set_aside_at, null, 'back in the queue');
  await applier().drain();
  // Still poison: set aside again, and the owner is not told twice.
  const again = (await deliveries([id])).get(id)!;
  assert.equal(again.outcome, 'set_aside');
  assert.deepEqual(await notices([id]), [`shop.webhook-set-aside:${id}`]);

  assert.equal((await post(staff, 'dismiss')).statusCode, 403);
  assert.equal((await post(owner, 'dismiss')).statusCode, 303);
  assert.equal((await deliveries([id])).get(id)?.outcome, 'dismissed');
  const page = await server.app.inject({
    url: '/ops',
    headers: { cookie: owner.cookie, accept: 'text/html' },
  });
  const setAside = /<section id="set-aside">[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
  assert.match(setAside, /Shopify webhooks set aside/);
  assert.ok(!setAside.includes(id), 'a dismissed delivery is no longer listed');
  const missing = await server.app.inject({
    method: 'POST',
    url: `/api/v1/shop/deliveries/${id}/retry`,
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
  });
  assert.equal(missing.statusCode, 404);
  assert.match(missing.json().error.message, /no set-aside webhook delivery/);
});
