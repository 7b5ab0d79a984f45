// The Shopify connection as it runs for real: `shopkeep serve` against the Shopify simulator.
// A burst of signed webhooks with duplicates and shuffled order, with the server killed with -9 in
// the middle, ends with every order stored exactly once in its latest version; a wrong signature
// changes nothing; reconciliation repairs what webhooks never delivered; a killed import resumes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { BIN, embeddedServerEnv, freePort, runCli, startServe, type RunningServer } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';
import { ShopifySimulator, type Delivery } from '../../src/sim/shopify/index.ts';

let dataDir: string;
let env: Record<string, string>;
let server: RunningServer | undefined;
let sim: ShopifySimulator;
let db: pg.Pool;
let base: string;

before(async () => {
  sim = await ShopifySimulator.start({
    adminToken: 'shpat_e2e_token_0123456789',
    apiSecret: 'shpss_e2e_secret_0123456789',
    historyDays: 30,
    ordersPerDay: 10,
    seed: 7,
    // Waiting for the cost bucket is tested in test/module/shop-client.test.ts; here it would only add minutes.
    bucket: { maximumAvailable: 20_000, restoreRate: 1000 },
  });
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-shop-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = await embeddedServerEnv(dataDir, port, {
    SHOPIFY_SHOP: sim.shopDomain,
    SHOPIFY_ADMIN_TOKEN: sim.adminToken,
    SHOPIFY_API_SECRET: sim.apiSecret,
    SHOPIFY_API_BASE_URL: sim.baseUrl,
    SHOPKEEP_PUBLIC_URL: base,
    SHOPKEEP_SHOP_RECONCILE_GRACE_SECONDS: '0',
  });
});

after(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await db?.end();
  await sim?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function openDatabase(): pg.Pool {
  const password = readFileSync(path.join(dataDir, 'postgres.password'), 'utf8').trim();
  const pool = new pg.Pool({
    connectionString: `postgres://shopkeep:${encodeURIComponent(password)}@127.0.0.1:${env.SHOPKEEP_EMBEDDED_PG_PORT}/shopkeep`,
    max: 2,
  });
  pool.on('error', () => undefined);
  return pool;
}

const count = async (sql: string, values: unknown[] = []) => Number((await db.query(sql, values)).rows[0].n);

test('a killed import resumes where it stopped and ends with everything once', async () => {
  // The CLI import is the first thing to run against this data dir; kill it in the middle of the orders.
  const child = spawn(process.execPath, [BIN, 'shop', 'import'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await waitFor(
    () => /orders: [1-9]/.test(stderr),
    120_000,
    `the import to reach the orders (${stderr.slice(-300)})`,
  );
  child.kill('SIGKILL');
  await exited;
  const resumed = await runCli(['shop', 'import', '--json'], env);
  assert.equal(resumed.code, 0, resumed.stderr);
  const counts = JSON.parse(resumed.stdout).counts as Record<string, number>;
  db = openDatabase();
  const expected = sim.counts();
  assert.equal(await count('select count(*) as n from shop_orders'), expected.orders);
  assert.equal(await count('select count(distinct id) as n from shop_orders'), expected.orders);
  assert.equal(
    await count('select count(*) as n from shop_products where deleted_at is null'),
    expected.products,
  );
  assert.equal(await count('select count(*) as n from shop_payouts'), expected.payouts);
  assert.equal(
    await count("select count(*) as n from events_outbox where type = 'order.created'"),
    expected.orders,
  );
  assert.ok((counts.orders ?? 0) >= expected.orders, JSON.stringify(counts));
  // The same run carried on: one import in the books, finished.
  const runs = await db.query("select status from shop_sync_runs where kind = 'import'");
  assert.deepEqual(
    runs.rows.map((row) => row.status),
    ['done'],
  );
  assert.match(resumed.stderr, /…/, 'the resumed import shows its progress');
});

test('5,000 signed webhooks, duplicated and shuffled, with kill -9 in the middle: every order once, latest version', async () => {
  server = await startServe(env, 120_000);
  const webhooks = await runCli(['shop', 'webhooks', 'sync', '--json'], env);
  assert.equal(webhooks.code, 0, webhooks.stderr);
  assert.ok(sim.subscriptions().length >= 10);

  // New activity whose webhooks are held back, then delivered all at once, in a shuffled order.
  const deliveries: Delivery[] = [];
  const newOrders = new Set<number>();
  while (deliveries.length < 4500) {
    const placed = await sim.placeOrder({ deliver: false });
    deliveries.push(...placed);
    const order = JSON.parse(placed.find((d) => d.topic === 'orders/create')!.body) as { id: number };
    newOrders.add(order.id);
    // Some orders (a gift card alone) have nothing to ship; some (free samples only) nothing to refund.
    if (newOrders.size % 5 === 0)
      deliveries.push(...(await sim.fulfilOrder(order.id, { deliver: false }).catch(() => [])));
    if (newOrders.size % 17 === 0)
      deliveries.push(
        ...(await sim.refundOrder(order.id, { restock: true, deliver: false }).catch((error: Error) => {
          if (!/nothing left to refund/.test(error.message)) throw error;
          return [];
        })),
      );
  }
  const duplicates = deliveries.filter((_, index) => index % 9 === 0);
  const burst = [...deliveries, ...duplicates];
  while (burst.length < 5000) burst.push(deliveries[burst.length % deliveries.length]!);
  for (let i = burst.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [burst[i], burst[j]] = [burst[j]!, burst[i]!];
  }

  // Shopify retries what was not acknowledged; so does this sender.
  let acknowledged = 0;
  const send = async (delivery: Delivery): Promise<boolean> => {
    try {
      const response = await fetch(`${base}/webhooks/shopify`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      await response.arrayBuffer();
      if (response.status === 200) acknowledged += 1;
      return response.status === 200;
    } catch {
      return false;
    }
  };
  const sendAll = async (items: Delivery[], onSent?: (n: number) => void): Promise<Delivery[]> => {
    const failed: Delivery[] = [];
    let next = 0;
    let sent = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < items.length) {
          const delivery = items[next++]!;
          if (!(await send(delivery))) failed.push(delivery);
          onSent?.((sent += 1));
        }
      }),
    );
    return failed;
  };

  let killed = false;
  const failed = await sendAll(burst, (sent) => {
    if (!killed && sent >= 2500) {
      killed = true;
      server!.child.kill('SIGKILL');
    }
  });
  await server.exited;
  assert.ok(killed);
  server = await startServe(env, 120_000);
  let retry = failed;
  for (let round = 0; retry.length && round < 5; round += 1) retry = await sendAll(retry);
  assert.equal(retry.length, 0, 'every delivery acknowledged in the end');
  assert.ok(acknowledged >= 5000);

  await waitFor(
    async () =>
      (await count('select count(*) as n from shop_webhook_deliveries where applied_at is null')) === 0,
    120_000,
    'every stored delivery to be applied',
  );
  for (const id of newOrders) {
    const latest = sim.restOrder(id) as {
      updated_at: string;
      financial_status: string;
      fulfillment_status: string | null;
    };
    const { rows } = await db.query(
      'select updated_at, financial_status, fulfillment_status from shop_orders where id = $1',
      [id],
    );
    assert.equal(rows.length, 1, `order ${id} stored once`);
    assert.equal(
      rows[0].updated_at.toISOString(),
      new Date(latest.updated_at).toISOString(),
      `order ${id} is its latest version`,
    );
    assert.equal(rows[0].financial_status, latest.financial_status);
  }
  const orderIds = [...newOrders];
  assert.equal(
    await count(
      "select count(*) as n from events_outbox where type = 'order.created' and (payload->>'orderId')::bigint = any($1)",
      [orderIds],
    ),
    newOrders.size,
  );
  assert.equal(
    await count(
      "select count(*) as n from events_outbox where type = 'order.paid' and (payload->>'orderId')::bigint = any($1)",
      [orderIds],
    ),
    newOrders.size,
  );
  const refunds = await count('select count(*) as n from shop_refunds where order_id = any($1)', [orderIds]);
  assert.equal(
    await count(
      "select count(*) as n from events_outbox where type = 'refund.created' and (payload->>'orderId')::bigint = any($1)",
      [orderIds],
    ),
    refunds,
  );
});

test('a wrong signature is refused and changes nothing', async () => {
  const [delivery] = await sim.placeOrder({ deliver: false });
  const before = await count('select count(*) as n from shop_webhook_deliveries');
  const status = await sim.send(delivery!, { uri: `${base}/webhooks/shopify`, tamper: 'wrong-signature' });
  assert.equal(status, 401);
  assert.equal(await count('select count(*) as n from shop_webhook_deliveries'), before);
});

test('reconciliation finds and repairs orders whose webhooks were never sent, and counts them', async () => {
  // Let the reconciliation the restart queued finish first, so the repair below is this test's own.
  await waitFor(
    async () =>
      (await count(
        "select count(*) as n from shop_sync_runs where kind = 'reconcile' and status = 'running'",
      )) === 0,
    120_000,
    'the start-up reconciliation',
  );
  const driftBefore = await count(
    "select coalesce(sum(repaired), 0) as n from shop_sync_runs where kind = 'reconcile'",
  );
  const silent: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const placed = await sim.placeOrder({ deliver: false });
    silent.push((JSON.parse(placed.find((d) => d.topic === 'orders/create')!.body) as { id: number }).id);
  }
  const refunded = silent[0]!;
  await sim.refundOrder(refunded, { deliver: false });
  assert.equal(await count('select count(*) as n from shop_orders where id = any($1)', [silent]), 0);
  // A second change in the same second moves the order's updated_at to the next second, as the
  // simulator keeps every change visible; reconciliation reads up to now, so wait for that second.
  const latest = Math.max(...silent.map((id) => Date.parse(String(sim.restOrder(id).updated_at))));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, latest + 1000 - Date.now())));
  const result = await runCli(['shop', 'reconcile', '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  const { repaired } = JSON.parse(result.stdout) as { repaired: number };
  assert.equal(await count('select count(*) as n from shop_orders where id = any($1)', [silent]), 3);
  assert.equal(await count('select count(*) as n from shop_refunds where order_id = $1', [refunded]), 1);
  // 3 orders, their sale transactions, the refund and its transaction (plus stock levels they moved);
  // a scheduled run may have found some of them first, so count over every run.
  const driftAfter = await count(
    "select coalesce(sum(repaired), 0) as n from shop_sync_runs where kind = 'reconcile'",
  );
  assert.ok(driftAfter - driftBefore >= 8, `repaired ${driftAfter - driftBefore} (this run ${repaired})`);
  const status = JSON.parse((await runCli(['shop', 'status', '--json'], env)).stdout) as {
    driftLast7Days: number;
  };
  assert.ok(status.driftLast7Days >= driftAfter - driftBefore);
  // Nothing new: a second run repairs nothing.
  const again = JSON.parse((await runCli(['shop', 'reconcile', '--json'], env)).stdout) as {
    repaired: number;
  };
  assert.equal(again.repaired, 0);
});
