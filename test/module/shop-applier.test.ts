// The webhook applier in depth: a delivery that fails, even one whose failure cannot be recorded,
// never holds the others back; one that keeps failing is set aside after its tries and the owner is
// told once; deletes and cancellations are acted on only when Shopify confirms them. When a batch
// falls back to one delivery per transaction, a failure that may pass (a lost connection, a
// serialization failure) is retried, and what another process applied meanwhile is not applied again.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type pg from 'pg';
import { DeliveryApplier, MAX_ATTEMPTS } from '../../src/modules/shop/applier.ts';
import { ShopifyError } from '../../src/modules/shop/client.ts';
import type { Confirm, Verdict } from '../../src/modules/shop/destructive.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Notice } from '../../src/platform/notify/notifications.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { sampleOrderWebhook } from '../support/shop.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());
beforeEach(async () => {
  await db.pool.query(
    'truncate shop_webhook_deliveries, shop_orders, shop_customers, shop_products, shop_variants',
  );
  await db.pool.query('drop trigger if exists tripwire on shop_webhook_deliveries');
  await db.pool.query('drop trigger if exists tripwire on shop_customers');
  await db.pool.query('drop sequence if exists tripwire_calls');
});

interface Harness {
  applier: DeliveryApplier;
  told: Notice[];
  asked: string[];
  errors: () => string[];
}

function harness(
  verdict: (topic: string) => Promise<Verdict> = async () => ({ confirmed: true }),
  pool: pg.Pool = db.pool,
): Harness {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const told: Notice[] = [];
  const asked: string[] = [];
  const confirm: Confirm = async (topic) => {
    asked.push(topic);
    return verdict(topic);
  };
  const applier = new DeliveryApplier({
    pool,
    logger: createLogger('info', sink),
    shopCurrency: async () => 'GBP',
    lowStockDefault: 5,
    onConflict: () => undefined,
    confirm,
    tellOwner: async (notice) => {
      // Notifications.send keeps one notice per dedupe key; so does this stand-in.
      if (!told.some((each) => each.dedupeKey === notice.dedupeKey)) told.push(notice);
    },
  });
  const errors = () =>
    lines
      .map((line) => JSON.parse(line) as { level: string; msg: string })
      .filter((line) => line.level === 'error')
      .map((line) => line.msg);
  return { applier, told, asked, errors };
}

let received = 0;
async function store(webhookId: string, topic: string, body: unknown): Promise<void> {
  received += 1;
  await db.pool.query(
    `insert into shop_webhook_deliveries (webhook_id, topic, body, received_at)
     values ($1, $2, $3, now() - interval '1 hour' + $4::int * interval '1 millisecond')`,
    [webhookId, topic, JSON.stringify(body), received],
  );
}

const order = (n: number, overrides: Record<string, unknown> = {}) =>
  sampleOrderWebhook({ id: 5_590_000_000_000 + n, name: `#${n}`, ...overrides });

async function state(webhookId: string) {
  const { rows } = await db.pool.query<{
    outcome: string | null;
    applied: boolean;
    set_aside: boolean;
    attempts: number;
    last_error: string | null;
    waits: boolean;
  }>(
    `select outcome, applied_at is not null as applied, set_aside_at is not null as set_aside, attempts, last_error,
       next_attempt_at > now() as waits
     from shop_webhook_deliveries where webhook_id = $1`,
    [webhookId],
  );
  return rows[0]!;
}

/** Refuses the updates that record a failure of one delivery; `times` of them, or all. */
async function tripwire(webhookId: string, times?: number): Promise<void> {
  await db.pool.query('create sequence tripwire_calls');
  await db.pool.query(`
    create or replace function tripwire() returns trigger language plpgsql as $$
    begin
      if nextval('tripwire_calls') <= ${times ?? 1_000_000} then
        raise exception 'could not extend file (simulated)' using errcode = '53100';
      end if;
      return new;
    end $$`);
  await db.pool.query(
    `create trigger tripwire before update on shop_webhook_deliveries for each row
     when (new.webhook_id = '${webhookId}' and new.last_error is not null) execute function tripwire()`,
  );
}

const tripwireCalls = async () =>
  Number((await db.pool.query('select last_value from tripwire_calls')).rows[0].last_value);

test('when recording a delivery’s failure fails, the batch is applied one by one and that delivery is set aside alone', async () => {
  const { applier, told } = harness();
  await store('good-1', 'orders/create', order(1));
  await store('poison', 'orders/create', order(2, { name: '#2\u0000' }));
  await store('good-2', 'orders/create', order(3));
  await tripwire('poison', 2); // the batch's record, then the one-by-one record; the set-aside passes
  assert.equal(await applier.drain(), 3);
  assert.equal((await state('good-1')).outcome, 'applied');
  assert.equal((await state('good-2')).outcome, 'applied');
  const poison = await state('poison');
  assert.equal(poison.set_aside, true);
  assert.equal(poison.applied, false);
  assert.match(poison.last_error ?? '', /recording why failed too: could not extend file \(simulated\)/);
  assert.deepEqual(
    told.map((notice) => notice.dedupeKey),
    ['shop.webhook-set-aside:poison'],
  );
});

test('a delivery that cannot even be set aside is left out for a while, and the others flow', async () => {
  const { applier, errors } = harness();
  await store('good-1', 'orders/create', order(11));
  await store('poison', 'orders/create', order(12, { name: '#12\u0000' }));
  await store('good-2', 'orders/create', order(13));
  await tripwire('poison');
  await applier.drain();
  assert.equal((await state('good-1')).outcome, 'applied');
  assert.equal((await state('good-2')).outcome, 'applied');
  const poison = await state('poison');
  assert.deepEqual([poison.applied, poison.set_aside], [false, false]);
  assert.ok(errors().some((message) => /could not be set aside/.test(message)));

  // Later deliveries are not held up, and the one left out is not tried again in the meantime.
  const calls = await tripwireCalls();
  await store('good-3', 'orders/create', order(14));
  await applier.drain();
  assert.equal((await state('good-3')).outcome, 'applied');
  assert.equal(await tripwireCalls(), calls);
});

test('a failure that may pass is retried with backoff, and set aside after the last try, the owner told once', async () => {
  const { applier, told } = harness();
  await db.pool.query(`
    create or replace function tripwire() returns trigger language plpgsql as $$
    begin raise exception 'could not serialize access (simulated)' using errcode = '40001'; end $$`);
  await db.pool.query(
    'create trigger tripwire before insert on shop_customers for each row execute function tripwire()',
  );
  const at = '2026-11-20T10:00:00+00:00';
  await store('customer', 'customers/update', { id: 77, first_name: 'Ava', created_at: at, updated_at: at });
  await store('after', 'orders/create', order(21));
  await applier.drain();
  const first = await state('customer');
  assert.deepEqual([first.attempts, first.set_aside, first.waits], [1, false, true]);
  assert.match(first.last_error ?? '', /could not serialize access/);
  assert.equal((await state('after')).outcome, 'applied');
  for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt += 1) {
    await db.pool.query(
      "update shop_webhook_deliveries set next_attempt_at = now() where webhook_id = 'customer'",
    );
    await applier.drain();
    assert.equal((await state('customer')).attempts, attempt);
  }
  const last = await state('customer');
  assert.deepEqual([last.set_aside, last.outcome, last.waits], [true, 'set_aside', true]);
  await applier.drain();
  assert.equal(told.length, 1);
  assert.match(
    told[0]!.body,
    /customers\/update.*after 8 attempt\(s\): could not be applied: could not serialize/,
  );
});

async function storedProduct(id: number): Promise<void> {
  await db.pool.query(
    `insert into shop_products (id, title, handle, status, created_at, updated_at)
     values ($1, 'Argan Repair Oil', 'argan', 'active', now(), now())`,
    [id],
  );
}

const deleted = async (id: number) =>
  (await db.pool.query('select deleted_at is not null as gone from shop_products where id = $1', [id]))
    .rows[0].gone as boolean;

test('a delete Shopify confirms is applied; one Shopify contradicts is set aside and nothing is removed', async () => {
  let productExists = false;
  const { applier, told, asked } = harness(async () =>
    productExists
      ? { confirmed: false, reason: 'Shopify still has product 42, so it was not removed here' }
      : { confirmed: true },
  );
  await storedProduct(41);
  await storedProduct(42);
  await store('delete-41', 'products/delete', { id: 41 });
  assert.equal(await applier.drain(), 1);
  assert.deepEqual(asked, ['products/delete']);
  assert.equal((await state('delete-41')).outcome, 'applied');
  assert.equal(await deleted(41), true);

  productExists = true;
  await store('delete-42', 'products/delete', { id: 42 });
  await store('order', 'orders/create', order(31));
  await applier.drain();
  assert.equal(await deleted(42), false);
  const contradicted = await state('delete-42');
  assert.deepEqual([contradicted.set_aside, contradicted.applied], [true, false]);
  assert.match(contradicted.last_error ?? '', /not acted on: Shopify still has product 42/);
  assert.equal((await state('order')).outcome, 'applied');
  assert.deepEqual(
    told.map((notice) => notice.dedupeKey),
    ['shop.webhook-set-aside:delete-42'],
  );
});

test('a cancellation Shopify cannot be asked about waits, and is applied once Shopify confirms it', async () => {
  let reachable = false;
  const { applier } = harness(async () => {
    if (!reachable)
      throw new ShopifyError(
        'cannot reach sandbox-beauty.myshopify.com: connect ECONNREFUSED',
        'unavailable',
      );
    return { confirmed: true };
  });
  const at = '2026-11-21T09:00:00+00:00';
  await store(
    'cancelled',
    'orders/cancelled',
    order(41, { updated_at: at, cancelled_at: at, cancel_reason: 'customer' }),
  );
  await store('other', 'orders/create', order(42));
  await applier.drain();
  const waiting = await state('cancelled');
  assert.deepEqual(
    [waiting.attempts, waiting.set_aside, waiting.applied, waiting.waits],
    [1, false, false, true],
  );
  assert.match(waiting.last_error ?? '', /^Shopify could not confirm it: cannot reach/);
  assert.equal(
    (await db.pool.query('select 1 from shop_orders where id = $1', [5_590_000_000_041])).rowCount,
    0,
  );
  assert.equal((await state('other')).outcome, 'applied');

  reachable = true;
  await db.pool.query(
    "update shop_webhook_deliveries set next_attempt_at = now() where webhook_id = 'cancelled'",
  );
  await applier.drain();
  assert.equal((await state('cancelled')).outcome, 'applied');
  const { rows } = await db.pool.query(
    'select cancelled_at from shop_orders where id = $1',
    [5_590_000_000_041],
  );
  assert.equal(rows[0].cancelled_at.toISOString(), '2026-11-21T09:00:00.000Z');
});

test('an uninstall Shopify confirms tells the owner; one it contradicts is set aside', async () => {
  let installed = false;
  const { applier, told } = harness(async () =>
    installed
      ? {
          confirmed: false,
          reason: 'Shopify still accepts shopkeep’s admin token, so the app is still installed',
        }
      : { confirmed: true },
  );
  const shop = { id: 1, myshopify_domain: 'sandbox-beauty.myshopify.com' };
  await store('uninstalled', 'app/uninstalled', shop);
  await applier.drain();
  assert.equal((await state('uninstalled')).applied, true);
  assert.deepEqual(
    told.map((notice) => notice.kind),
    ['shop.app-uninstalled'],
  );
  installed = true;
  await store('forged', 'app/uninstalled', shop);
  await applier.drain();
  assert.match((await state('forged')).last_error ?? '', /still installed/);
  assert.deepEqual(
    told.map((notice) => notice.kind),
    ['shop.app-uninstalled', 'shop.webhook-set-aside'],
  );
});

/**
 * The test database's pool, except that `connect` runs `before(n)` first for its n-th connection (1 is
 * the batch's, 2 the first of the one-by-one transactions, ...), and may hand that connection on broken.
 */
function pausingPool(before: (n: number, client: pg.PoolClient) => Promise<void>): pg.Pool {
  let handed = 0;
  return {
    connect: async () => {
      handed += 1;
      const client = await db.pool.connect();
      await before(handed, client);
      return client;
    },
    query: (...args: Parameters<pg.Pool['query']>) => db.pool.query(...args),
  } as unknown as pg.Pool;
}

/** Fails the commit of the first transaction that marks a delivery applied: the batch as a whole falls back. */
async function failFirstCommit(): Promise<void> {
  await db.pool.query('create sequence tripwire_calls');
  await db.pool.query(`
    create or replace function tripwire() returns trigger language plpgsql as $$
    begin
      if nextval('tripwire_calls') <= 1 then
        raise exception 'could not serialize access due to concurrent update (simulated)' using errcode = '40001';
      end if;
      return new;
    end $$`);
  await db.pool.query(
    `create constraint trigger tripwire after update on shop_webhook_deliveries
     deferrable initially deferred for each row when (new.applied_at is not null) execute function tripwire()`,
  );
}

test('a one-by-one transaction that fails in a way that may pass (a serialization failure at commit) is retried with backoff, not set aside', async () => {
  const { applier, told } = harness();
  await store('good', 'orders/create', order(51));
  await store('unlucky', 'orders/create', order(52));
  // Every commit that marks 'unlucky' applied fails: the batch's, then its own transaction's.
  await db.pool.query(`
    create or replace function tripwire() returns trigger language plpgsql as $$
    begin raise exception 'could not serialize access due to concurrent update (simulated)' using errcode = '40001'; end $$`);
  await db.pool.query(
    `create constraint trigger tripwire after update on shop_webhook_deliveries
     deferrable initially deferred for each row
     when (new.webhook_id = 'unlucky' and new.applied_at is not null) execute function tripwire()`,
  );
  await applier.drain();
  assert.equal((await state('good')).outcome, 'applied');
  const waiting = await state('unlucky');
  assert.deepEqual(
    [waiting.applied, waiting.set_aside, waiting.attempts, waiting.waits],
    [false, false, 1, true],
  );
  assert.match(waiting.last_error ?? '', /could not serialize access/);
  assert.deepEqual(told, []);

  // The conflict passes: its next try applies it.
  await db.pool.query('drop trigger tripwire on shop_webhook_deliveries');
  await db.pool.query(
    "update shop_webhook_deliveries set next_attempt_at = now() where webhook_id = 'unlucky'",
  );
  await applier.drain();
  const applied = await state('unlucky');
  assert.deepEqual([applied.outcome, applied.attempts], ['applied', 2]);
});

test('a stale connection (the database restarted) in a one-by-one transaction is retried with backoff, not set aside', async () => {
  const { applier, told } = harness(
    undefined,
    pausingPool(async (n, client) => {
      // The first one-by-one transaction gets a connection whose server process has gone.
      if (n !== 2) return;
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      await db.pool.query('select pg_terminate_backend($1::int, 10000)', [rows[0]!.pid]);
    }),
  );
  await store('first', 'orders/create', order(61));
  await store('second', 'orders/create', order(62));
  await failFirstCommit();
  await applier.drain();
  assert.equal((await state('second')).outcome, 'applied');
  const first = await state('first');
  assert.deepEqual([first.applied, first.set_aside, first.attempts, first.waits], [false, false, 1, true]);
  assert.match(first.last_error ?? '', /terminat|connection/i);
  assert.deepEqual(told, []);

  await db.pool.query(
    "update shop_webhook_deliveries set next_attempt_at = now() where webhook_id = 'first'",
  );
  await applier.drain();
  assert.equal((await state('first')).outcome, 'applied');
});

test('a delivery another process applied while this one fell back to one by one is not applied again', async () => {
  const { applier: worker } = harness();
  // `shopkeep worker` takes the lock between this process's failed batch and its one-by-one transactions.
  const { applier } = harness(
    undefined,
    pausingPool(async (n) => {
      if (n === 2) await worker.drain();
    }),
  );
  const created = async (orderId: number) =>
    Number(
      (
        await db.pool.query(
          `select count(*) as n from events_outbox where type = 'order.created' and payload->>'orderId' = $1::text`,
          [String(orderId)],
        )
      ).rows[0].n,
    );
  await store('one', 'orders/create', order(71));
  await store('two', 'orders/create', order(72));
  await failFirstCommit();
  await applier.drain();
  for (const webhookId of ['one', 'two']) {
    const delivery = await state(webhookId);
    assert.deepEqual(
      [delivery.outcome, delivery.attempts, delivery.set_aside],
      ['applied', 1, false],
      webhookId,
    );
  }
  assert.equal(await created(5_590_000_000_071), 1);
  assert.equal(await created(5_590_000_000_072), 1);
});
