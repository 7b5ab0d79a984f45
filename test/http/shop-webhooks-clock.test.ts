// A server whose clock is wrong refuses every Shopify delivery as stale. The owner is told so, once a
// day at most, with how far off the deliveries were and how to check the clock; telling never holds
// up the answer to Shopify, and a failure to tell is logged and tried again later.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { StaleDeliveries } from '../../src/modules/shop/stale-deliveries.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Notice } from '../../src/platform/notify/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sampleOrderWebhook, testShopEnv, webhookDelivery } from '../support/shop.ts';
import { waitFor } from '../support/wait.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer({ env: testShopEnv });
});
after(() => server.close());

function deliver(triggeredAt: string) {
  return server.app.inject(
    webhookDelivery({
      topic: 'orders/create',
      body: sampleOrderWebhook({ id: 5_550_000_300_001, name: '#4001' }),
      headers: { 'x-shopify-triggered-at': triggeredAt },
    }),
  );
}

const staleNotices = async () =>
  (await server.face('notifications').list()).filter((notice) => notice.kind === 'shop.webhooks-stale');

test(
  'deliveries refused because this server’s clock is behind tell the owner to check it, without waiting for the telling',
  // An intake that waited for the locked inbox would not answer while it is locked: fail, not hang.
  { timeout: 30_000 },
  async () => {
    // The inbox is locked: telling the owner waits, and the answer to Shopify must not.
    const locker = await server.db.pool.connect();
    try {
      // Let go of the lock in the end even if the test failed while holding it.
      await locker.query("set idle_in_transaction_session_timeout = '45s'");
      await locker.query('begin');
      await locker.query('lock table notify_inbox in access exclusive mode');
      const ahead = Date.now() + (3 * 24 + 4) * 3600_000 + 5 * 60_000;
      const response = await deliver(new Date(ahead).toISOString());
      assert.equal(response.statusCode, 400);
      assert.match(response.json().error.message, /in the future; check this server's clock/);
      await locker.query('rollback');
    } finally {
      locker.release();
    }
    const [notice] = await waitFor(
      async () => ((await staleNotices()).length ? staleNotices() : undefined),
      20_000,
      'the notice about the clock',
    );
    assert.equal(notice!.severity, 'warning');
    assert.match(notice!.title, /check this server’s clock/);
    assert.match(notice!.body, /is 3 days 4 hours ahead of this server’s clock/);
    assert.match(notice!.body, /orders\/create delivery triggered at/);
    assert.match(notice!.body, /timedatectl/);
    assert.match(notice!.dedupeKey ?? '', /^shop\.webhooks-stale:\d{4}-\d{2}-\d{2}$/);
  },
);

function watch(): {
  told: Notice[];
  errors: string[];
  fail: (on: boolean) => void;
  warning: (now: () => number) => StaleDeliveries;
} {
  const told: Notice[] = [];
  const errors: string[] = [];
  let failing = false;
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { level: string; msg: string };
        if (entry.level === 'error') errors.push(entry.msg);
      }
      callback();
    },
  });
  return {
    told,
    errors,
    fail: (on) => void (failing = on),
    warning: (now) =>
      new StaleDeliveries({
        tellOwner: async (notice) => {
          if (failing) throw new Error('the inbox is not reachable (simulated)');
          told.push(notice);
        },
        logger: createLogger('info', sink),
        now,
      }),
  };
}

test('the owner is told once a day at most, and a failure to tell is logged, never thrown, and tried again later', async () => {
  const day = Date.parse('2026-11-20T08:00:00Z');
  let now = day;
  const { told, errors, fail, warning } = watch();
  const stale = warning(() => now);
  // A clock ahead: the deliveries look 2 days 6 hours old.
  const triggered = () => now - (2 * 24 + 6) * 3600_000;
  for (let n = 0; n < 5; n += 1) {
    await stale.refused('orders/paid', triggered());
    now += 3600_000;
  }
  assert.equal(told.length, 1);
  assert.match(told[0]!.body, /is 2 days 6 hours behind this server’s clock: the orders\/paid delivery/);
  assert.equal(told[0]!.dedupeKey, 'shop.webhooks-stale:2026-11-20');

  now = day + 24 * 3600_000;
  fail(true);
  await stale.refused('orders/paid', triggered());
  assert.equal(told.length, 1);
  assert.deepEqual(errors, [
    'could not tell the owner that Shopify webhooks are refused as stale; trying again with a later one',
  ]);
  fail(false);
  await stale.refused('orders/paid', triggered()); // within the minute: not asked again yet
  assert.equal(told.length, 1);
  now += 61_000;
  await stale.refused('orders/paid', triggered());
  assert.equal(told.length, 2);
  assert.equal(told[1]!.dedupeKey, 'shop.webhooks-stale:2026-11-21');
});
