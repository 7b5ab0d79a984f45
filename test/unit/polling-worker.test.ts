// The loop behind the outbox dispatcher, the event feeds and the Shopify applier, on a clock moved by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/platform/logger.ts';
import {
  PollingWorker,
  systemClock,
  type BatchResult,
  type WorkerClock,
} from '../../src/platform/work/polling-worker.ts';

/** A clock that stands still until the test moves it; moving it fires the ticks. */
function handClock() {
  let now = 1_000_000;
  const ticks = new Set<() => void>();
  const clock: WorkerClock = {
    now: () => now,
    every(_ms, tick) {
      ticks.add(tick);
      return () => ticks.delete(tick);
    },
  };
  return {
    clock,
    ticking: () => ticks.size,
    move(ms: number) {
      now += ms;
      for (const tick of ticks) tick();
    },
  };
}

/** Batches the test answers one by one, so it sees what runs when. */
function heldBatches() {
  const waiting: { resolve: (result: BatchResult) => void; reject: (error: Error) => void }[] = [];
  let started = 0;
  let inProgress = 0;
  let mostAtOnce = 0;
  return {
    batch: () => {
      started += 1;
      inProgress += 1;
      mostAtOnce = Math.max(mostAtOnce, inProgress);
      return new Promise<BatchResult>((resolve, reject) => waiting.push({ resolve, reject })).finally(
        () => (inProgress -= 1),
      );
    },
    started: () => started,
    mostAtOnce: () => mostAtOnce,
    /** How many batches wait for an answer, once what was set going has reached them. */
    pending: async () => {
      await settle();
      return waiting.length;
    },
    async answer(result: BatchResult | Error) {
      await settle();
      const next = waiting.shift();
      assert.ok(next, 'a batch is waiting for its answer');
      if (result instanceof Error) next.reject(result);
      else next.resolve(result);
      await settle();
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const full = { handled: 100, more: true };
const short = { handled: 3, more: false };

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** A worker on a hand-moved clock, with batches the test answers and its log lines. */
function setUp() {
  const time = handClock();
  const batches = heldBatches();
  const { logger, lines } = logLines();
  const loop = new PollingWorker({
    batch: batches.batch,
    everyMs: 3000,
    logger,
    failure: { message: 'the test worker failed', fields: { worker: 'test' } },
    backoff: { firstMs: 2000, longestMs: 10_000 },
    clock: time.clock,
  });
  return { time, batches, lines, loop };
}

test('a run takes batches until one is short, and the timer runs it again', async () => {
  const { time, batches, loop } = setUp();
  loop.start();
  await batches.answer(full);
  await batches.answer(full);
  await batches.answer(short);
  assert.equal(batches.started(), 3);
  assert.equal(await batches.pending(), 0, 'a short batch ends the run');
  time.move(3000);
  assert.equal(await batches.pending(), 1, 'the timer starts the next run');
  await batches.answer(short);
  await loop.stop();
});

test('a kick during a run starts no second run; the run goes round once more instead', async () => {
  const { time, batches, loop } = setUp();
  loop.start();
  loop.kick();
  loop.kick();
  time.move(3000);
  const drained = loop.drain();
  await settle();
  assert.equal(await batches.pending(), 1, 'one batch at a time');
  await batches.answer(short);
  assert.equal(await batches.pending(), 1, 'the explicit drain takes its turn after the run in progress');
  await batches.answer({ handled: 2, more: false });
  assert.equal(await drained, 2, 'drain counts what it handled itself');
  assert.equal(await batches.pending(), 1, 'then the one more round the kicks asked for');
  await batches.answer(short);
  assert.equal(await batches.pending(), 0);
  assert.equal(batches.mostAtOnce(), 1, 'never two batches at the same time');
  await loop.stop();
});

test('after failures in a row it waits twice as long each time, up to the longest, and logs each', async () => {
  const { time, batches, lines, loop } = setUp();
  loop.start();
  await batches.answer(new Error('database is starting up'));
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.msg, 'the test worker failed');
  assert.equal(lines[0]!.level, 'error');
  assert.equal(lines[0]!.err, 'database is starting up');
  assert.equal(lines[0]!.worker, 'test');
  assert.equal(lines[0]!.retryInSeconds, 2);

  loop.kick();
  time.move(1999);
  assert.equal(await batches.pending(), 0, 'kicks and ticks wait out the backoff');
  time.move(1);
  assert.equal(await batches.pending(), 1, 'and run once it is over');
  await batches.answer(new Error('still starting'));
  assert.equal(lines[1]!.retryInSeconds, 4);
  time.move(4000);
  await batches.answer(new Error('still starting'));
  assert.equal(lines[2]!.retryInSeconds, 8);
  time.move(8000);
  await batches.answer(new Error('still starting'));
  assert.equal(lines[3]!.retryInSeconds, 10, 'capped at the longest wait');

  time.move(10_000);
  await batches.answer(short);
  loop.kick();
  assert.equal(await batches.pending(), 1, 'a success ends the backoff: a kick runs at once');
  await batches.answer(new Error('once more'));
  assert.equal(lines.at(-1)!.retryInSeconds, 2, 'and the next failure waits the first wait again');
  await loop.stop();
});

test('stop waits for the run in progress, which ends after its current batch; then nothing runs', async () => {
  const { time, batches, loop } = setUp();
  loop.start();
  loop.kick();
  let stopped = false;
  const stopping = loop.stop().then(() => (stopped = true));
  await settle();
  assert.equal(stopped, false, 'stop waits for the batch in progress');
  assert.equal(time.ticking(), 0, 'the timer is gone');
  await batches.answer(full);
  assert.equal(await batches.pending(), 0, 'a full batch is not followed by another once stopping');
  assert.equal(stopped, true);
  await stopping;
  loop.kick();
  time.move(60_000);
  assert.equal(await batches.pending(), 0, 'a stopped worker ignores kicks');
  const drained = loop.drain();
  await batches.answer(full);
  await batches.answer(short);
  assert.equal(await drained, 103, 'an explicit drain still empties everything (tests, the CLI)');
});

test('a failed explicit drain reaches its caller and does not hold the loop back', async () => {
  const { batches, lines, loop } = setUp();
  const drained = loop.drain();
  await batches.answer(new Error('handler broke'));
  await assert.rejects(drained, /handler broke/);
  loop.start();
  assert.equal(await batches.pending(), 1);
  await batches.answer(short);
  assert.equal(lines.length, 0, 'the caller of drain hears of its failure, the log does not');
  await loop.stop();
});

test('the real timer does not keep the process alive', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timers();
  const loop = new PollingWorker({
    batch: async () => short,
    everyMs: 3000,
    logger: logLines().logger,
    failure: { message: 'the test worker failed' },
    clock: systemClock,
  });
  loop.start();
  try {
    assert.equal(timers(), before);
  } finally {
    await loop.stop();
  }
});
