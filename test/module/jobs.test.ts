import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createLogger } from '../../src/platform/logger.ts';
import { JobQueue, defineJob, type AnyJob } from '../../src/platform/jobs/job-queue.ts';
import { transaction } from '../../src/platform/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

let db: TestDatabase;
let queue: JobQueue;
const runs: string[] = [];
let flakyFailures = 0;

const record = defineJob<{ key: string }>({
  name: 'test.record',
  handler: async ({ key }) => void runs.push(key),
});
const flaky = defineJob<{ key: string }>({
  name: 'test.flaky',
  retryLimit: 1,
  retryDelaySeconds: 1,
  handler: async ({ key }) => {
    if (flakyFailures > 0) {
      flakyFailures -= 1;
      throw new Error(`supplier API said no to ${key}`);
    }
    runs.push(`flaky:${key}`);
  },
});
const nightly = defineJob({ name: 'test.nightly', cron: '0 9 * * *', handler: async () => undefined });

before(async () => {
  db = await createTestDatabase();
  queue = new JobQueue(db.pool, createLogger('silent'), 'Europe/London');
  queue.register([record, flaky, nightly]);
  await queue.start({ work: true });
});
after(async () => {
  await queue.stop();
  await db.drop();
});

test('a job name without a handler, a handler registered twice, or a bad name stops start-up', () => {
  const other = new JobQueue(db.pool, createLogger('silent'), 'UTC');
  assert.throws(() => other.register([record, record]), /registered twice/);
  assert.throws(
    // Only a cast makes a definition without a handler: the check is for what the compiler cannot see.
    () => other.register([{ name: 'test.none' } as unknown as AnyJob]),
    /no handler/,
  );
  assert.throws(
    () => other.register([defineJob({ name: 'NoModule', handler: async () => undefined })]),
    /module\.action/,
  );
});

test('sending a job that is not registered is refused', async () => {
  // A send with data its job was not defined with does not even compile.
  // @ts-expect-error: test.record carries a key, not an order id
  const wrongData = () => queue.send(record, { orderId: 1001 });
  void wrongData;
  const stray = defineJob({ name: 'test.stray', handler: async () => undefined });
  await assert.rejects(queue.send(stray, {}), /not registered/);
});

test('the same idempotency key enqueues once', async () => {
  const first = await queue.send(record, { key: 'order-1001' }, { idempotencyKey: 'order-1001' });
  const second = await queue.send(record, { key: 'order-1001' }, { idempotencyKey: 'order-1001' });
  assert.ok(first);
  assert.equal(second, null);
  await queue.send(record, { key: 'order-1002' }, { idempotencyKey: 'order-1002' });
  await waitFor(() => runs.includes('order-1002') && runs.includes('order-1001'), 60_000, 'both jobs');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(runs.filter((key) => key === 'order-1001').length, 1);
});

test('a job sent inside a rolled-back transaction never exists', async () => {
  await assert.rejects(
    transaction(db.pool, async (tx) => {
      await queue.send(record, { key: 'ghost' }, { tx });
      throw new Error('the order write failed');
    }),
  );
  await transaction(db.pool, (tx) => queue.send(record, { key: 'real' }, { tx }));
  await waitFor(() => runs.includes('real'), 60_000, 'the committed job');
  assert.ok(!runs.includes('ghost'));
});

test('a job that fails every attempt becomes a dead letter; retrying it runs it again', async () => {
  flakyFailures = 2;
  await queue.send(flaky, { key: 'restock' });
  const [letter] = await waitFor(
    async () => {
      const letters = await queue.deadLetters();
      return letters.length > 0 ? letters : undefined;
    },
    30_000,
    'a dead letter',
  );
  assert.equal(letter!.queue, 'test.flaky');
  assert.equal(letter!.attempts, 2);
  assert.equal(await queue.deadLetterCount(), 1);
  assert.match(letter!.error, /supplier API said no to restock/);
  await queue.resolveDeadLetter(letter!.id, 'retried');
  await waitFor(() => runs.includes('flaky:restock'), 60_000, 'the retried job');
  assert.deepEqual(await queue.deadLetters(), []);
  assert.equal(await queue.deadLetterCount(), 0);
  await assert.rejects(queue.resolveDeadLetter(letter!.id, 'dismissed'), /no open dead letter/);
});

test('cron schedules are stored in the shop time zone', async () => {
  const { rows } = await db.pool.query(
    `select cron, timezone from pgboss.schedule where name = 'test.nightly'`,
  );
  assert.deepEqual(rows[0], { cron: '0 9 * * *', timezone: 'Europe/London' });
});

test('in a batch, one failing job does not make the others run again', async () => {
  const ran: string[] = [];
  const batchDb = await createTestDatabase();
  const batchQueue = new JobQueue(batchDb.pool, createLogger('silent'), 'UTC');
  const batch = defineJob<{ key: string }>({
    name: 'test.batch',
    concurrency: 3,
    retryLimit: 1,
    retryDelaySeconds: 1,
    handler: async ({ key }) => {
      ran.push(key);
      if (key === 'bad') throw new Error('bad row');
    },
  });
  batchQueue.register([batch]);
  try {
    await batchQueue.start({ work: true });
    // One transaction, so the three become visible together and are fetched as one batch.
    await transaction(batchDb.pool, async (tx) => {
      for (const key of ['a', 'bad', 'c']) await batchQueue.send(batch, { key }, { tx });
    });
    await waitFor(async () => (await batchQueue.deadLetters()).length === 1, 30_000, 'the bad job to die');
    assert.equal(ran.filter((key) => key === 'a').length, 1);
    assert.equal(ran.filter((key) => key === 'c').length, 1);
    assert.equal(ran.filter((key) => key === 'bad').length, 2);
  } finally {
    await batchQueue.stop();
    await batchDb.drop();
  }
});

test('a job that failed without its handler saying so (expired, killed) still becomes a dead letter', async () => {
  const id = await queue.send(record, { key: 'never-runs' }, { startAfterSeconds: 3600 });
  await db.pool.query(
    `update pgboss.job set state = 'failed', output = '{"value": {"message": "job failed by timeout in active state"}}'::jsonb where id = $1`,
    [id],
  );
  assert.equal(await queue.collectFailed(), 1);
  assert.equal(await queue.collectFailed(), 0, 'once only');
  const letter = (await queue.deadLetters()).find((l) => l.queue === 'test.record');
  assert.match(letter!.error, /timeout in active state/);
});

test('stopping while a job is failing abandons it cleanly: no crash, and it runs again at the next start', async () => {
  const own = await createTestDatabase();
  const stray: unknown[] = [];
  const collect = (reason: unknown) => stray.push(reason);
  process.on('unhandledRejection', collect);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered = false;
  let settled!: () => void;
  const done = new Promise<void>((resolve) => (settled = resolve));
  const slow = (handler: () => Promise<void>) =>
    defineJob<{ key: string }>({ name: 'test.slow', retryDelaySeconds: 1, handler });
  const failing = slow(async () => {
    entered = true;
    try {
      await gate;
      throw new Error('the supplier API timed out');
    } finally {
      setImmediate(settled);
    }
  });
  const firstPool = new pg.Pool({ connectionString: own.url, max: 5 });
  const first = new JobQueue(firstPool, createLogger('silent'), 'UTC', undefined, { stopTimeoutMs: 1000 });
  first.register([failing]);
  await first.start({ work: true });
  let second: JobQueue | undefined;
  try {
    await first.send(failing, { key: 'k' });
    await waitFor(() => entered, 60_000, 'the job to start');
    await first.stop(); // gives up waiting after a second: the handler is still running
    await firstPool.end();
    release();
    await done;
    // pg-boss completes or fails a job without awaiting it: give a stray rejection time to surface.
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(stray.map(String), []);
    // The abandoned job was not lost: the next start runs it.
    let ranAgain = false;
    second = new JobQueue(own.pool, createLogger('silent'), 'UTC');
    second.register([slow(async () => void (ranAgain = true))]);
    await second.start({ work: true });
    await waitFor(() => ranAgain, 60_000, 'the abandoned job to run again');
  } finally {
    process.off('unhandledRejection', collect);
    await second?.stop();
    await own.drop();
  }
});

test('a job that ends while the database is unreachable does not crash the process; left active, it expires and runs again', async () => {
  const own = await createTestDatabase();
  const stray: unknown[] = [];
  const collect = (reason: unknown) => stray.push(reason);
  process.on('unhandledRejection', collect);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let runs = 0;
  let settled!: () => void;
  const done = new Promise<void>((resolve) => (settled = resolve));
  const waiting = defineJob<{ key: string }>({
    name: 'test.waiting',
    expireInMinutes: 1,
    handler: async () => {
      runs += 1;
      if (runs > 1) return;
      try {
        await gate;
      } finally {
        setImmediate(settled);
      }
    },
  });
  // The database goes away (the embedded server crashed and is being restarted) just as the job ends.
  const realPool = new pg.Pool({ connectionString: own.url, max: 5 });
  // Dropping the database at the end ends any connection pg-boss still holds: not this test's concern.
  realPool.on('error', () => undefined);
  realPool.on('connect', (client) => client.on('error', () => undefined));
  let down = false;
  const pool = new Proxy(realPool, {
    get(target, property, receiver) {
      if (property === 'query')
        return (...args: Parameters<pg.Pool['query']>) =>
          down
            ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
            : (target.query as (...a: unknown[]) => unknown)(...args);
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  const queue = new JobQueue(pool, createLogger('silent'), 'UTC', undefined, { stopTimeoutMs: 1000 });
  queue.register([waiting]);
  await queue.start({ work: true });
  try {
    await queue.send(waiting, { key: 'k' });
    await waitFor(() => runs === 1, 60_000, 'the job to start');
    down = true;
    release();
    await done;
    // pg-boss records a job's end without awaiting it: give a stray rejection time to surface.
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    down = false;
    assert.deepEqual(stray.map(String), []);
    // Its end was never recorded: the job is still active in the table, so it expires and runs again.
    const { rows } = await realPool.query(`select state from pgboss.job where name = 'test.waiting'`);
    assert.deepEqual(
      rows.map((row) => row.state),
      ['active'],
    );
  } finally {
    process.off('unhandledRejection', collect);
    await queue.stop();
    await realPool.end();
    await own.drop();
  }
});
