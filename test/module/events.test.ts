import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { Type } from 'typebox';
import { defineEvents, type PayloadsOf } from '../../src/platform/events/catalogue.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { JobQueue } from '../../src/platform/jobs/job-queue.ts';
import { EventBus, emit, type DomainEvent } from '../../src/platform/events/outbox.ts';
import { waitingInFeed } from '../../src/platform/events/feeds.ts';
import { WebhookEndpoints, signWebhook } from '../../src/platform/events/webhooks.ts';
import { guardedPost } from '../../src/platform/net/guarded-post.ts';
import { MqttBridge } from '../../src/platform/events/mqtt.ts';
import { MasterKeyStore, Vault } from '../../src/platform/vault/vault.ts';
import { transaction } from '../../src/platform/db/database.ts';
import { sameSecret } from '../../src/platform/http/auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

// Events of the test's own: the platform's outbox is tested apart from any module's.
export const testEvents = defineEvents({
  'parcel.packed': { description: 'a parcel was packed', payload: Type.Object({ parcelId: Type.String() }) },
  'parcel.sent': {
    description: 'a parcel was sent',
    payload: Type.Object({ parcelId: Type.String(), amountMinor: Type.Integer(), currency: Type.String() }),
  },
  'crate.packed': { description: 'a crate was packed', payload: Type.Object({ crateId: Type.String() }) },
  'crate.counted': { description: 'a crate was counted', payload: Type.Object({ crateId: Type.String() }) },
});

declare module '../../src/platform/events/catalogue.ts' {
  interface EventMap extends PayloadsOf<typeof testEvents> {}
}

const MQTT_URL = process.env.SHOPKEEP_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

let db: TestDatabase;
let jobs: JobQueue;
let bus: EventBus;
let webhooks: WebhookEndpoints;
let bridge: MqttBridge;
const received: DomainEvent[] = [];
const deliveries: { headers: IncomingHttpHeaders; body: string }[] = [];
let failNextDeliveries = 0;
const receiver = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    if (failNextDeliveries > 0) {
      failNextDeliveries -= 1;
      response.writeHead(502).end();
      return;
    }
    deliveries.push({ headers: request.headers, body });
    response.writeHead(200).end('ok');
  });
});

before(async () => {
  db = await createTestDatabase();
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const logger = createLogger('silent');
  jobs = new JobQueue(db.pool, logger, 'UTC');
  bus = new EventBus(db.pool, jobs, logger);
  webhooks = new WebhookEndpoints({
    pool: db.pool,
    vault: new Vault({
      pool: db.pool,
      keys: new MasterKeyStore(mkdtempSync(path.join(tmpdir(), 'sk-ev-')), undefined),
    }),
    retryDelaySeconds: 1,
  });
  bridge = new MqttBridge({
    pool: db.pool,
    url: MQTT_URL,
    topicPrefix: `shopkeep-test-${process.pid}/events`,
  });
  const subscriber = bus.subscribe({
    name: 'test.collect',
    types: ['parcel.*'],
    handle: async (event) => void received.push(event),
  });
  bus.addSink(webhooks.sink());
  bus.addSink(bridge.sink());
  jobs.register([subscriber, webhooks.job, bridge.job]);
  await jobs.start({ work: true });
  await bus.start();
});
after(async () => {
  await bus.stop();
  await jobs.stop();
  await bridge.close();
  receiver.close();
  await db.drop();
});

test('an event written in a rolled-back transaction is never delivered; a committed one is, once', async () => {
  await assert.rejects(
    transaction(db.pool, async (tx) => {
      await emit(tx, 'parcel.packed', { parcelId: 'ghost' });
      throw new Error('the order insert failed');
    }),
  );
  await transaction(db.pool, (tx) => emit(tx, 'parcel.packed', { parcelId: '1001' }));
  await transaction(db.pool, (tx) => emit(tx, 'crate.packed', { crateId: 'r1' }));
  await waitFor(
    () => received.some((event) => 'parcelId' in event.payload && event.payload.parcelId === '1001'),
    60_000,
    'parcel.packed',
  );
  await bus.drain();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.deepEqual(
    received.map((event) => ('parcelId' in event.payload ? event.payload.parcelId : undefined)),
    ['1001'],
  );
  assert.equal(received.filter((event) => event.type === 'crate.packed').length, 0, 'not subscribed');
  const pending = await db.pool.query('select count(*) from events_outbox where dispatched_at is null');
  assert.equal(Number(pending.rows[0].count), 0);
});

test('webhooks are signed with HMAC-SHA256 and retried until the endpoint answers', async () => {
  const { address, port } = receiver.address() as AddressInfo;
  // The receiver is on this box: the owner allows the private address explicitly.
  const { endpoint, secret } = await webhooks.create({
    url: `http://${address}:${port}/hook`,
    eventTypes: ['parcel.*'],
    allowPrivateTarget: true,
  });
  assert.match(secret, /^whsec_/);
  assert.equal(JSON.stringify(await webhooks.list()).includes(secret), false, 'the secret is never listed');
  failNextDeliveries = 1;
  await transaction(db.pool, (tx) =>
    emit(tx, 'parcel.sent', { parcelId: 'po_77', amountMinor: 125_00, currency: 'GBP' }),
  );
  const delivery = await waitFor(
    () => deliveries.find((d) => d.body.includes('po_77')),
    45_000,
    'the webhook delivery',
  );
  const timestamp = Number(delivery.headers['x-shopkeep-timestamp']);
  assert.ok(
    sameSecret(
      String(delivery.headers['x-shopkeep-signature']),
      signWebhook(secret, timestamp, delivery.body),
    ),
  );
  assert.equal(delivery.headers['x-shopkeep-event'], 'parcel.sent');
  assert.deepEqual(JSON.parse(delivery.body).payload, {
    parcelId: 'po_77',
    amountMinor: 12500,
    currency: 'GBP',
  });
  assert.notEqual(signWebhook('wrong', timestamp, delivery.body), delivery.headers['x-shopkeep-signature']);
  assert.equal(failNextDeliveries, 0, 'the first attempt failed and was retried');
  await webhooks.remove(endpoint.id);
});

test('a webhook may not reach this box or the local network unless the owner allows it', async () => {
  const { port } = receiver.address() as AddressInfo;
  for (const url of [
    `http://127.0.0.1:${port}/hook`,
    `http://localhost:${port}/hook`,
    'http://10.1.2.3/hook',
    'http://192.168.1.20:5678/webhook/x',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://0.0.0.0/hook',
  ]) {
    await assert.rejects(
      webhooks.create({ url, eventTypes: ['*'] }),
      /private address.*allow a private target/,
      url,
    );
  }
  await assert.rejects(
    webhooks.create({ url: 'https://me:pw@hooks.example.com/x', eventTypes: ['*'] }),
    /user or password/,
  );
  assert.deepEqual(await webhooks.list(), [], 'nothing was kept');
  // Checked again when delivering, on the address actually connected to (a name may resolve elsewhere later).
  await assert.rejects(
    guardedPost({
      url: `http://localhost:${port}/hook`,
      headers: {},
      body: '{}',
      timeoutMs: 5000,
      allowPrivate: false,
    }),
    /localhost is a private address/,
  );
  // An endpoint made before the rule, or one whose name resolves to the local network, gets the
  // owner's say later.
  const { endpoint } = await webhooks.create({
    url: `http://127.0.0.1:${port}/hook`,
    eventTypes: ['*'],
    allowPrivateTarget: true,
  });
  assert.equal((await webhooks.allowPrivateTarget(endpoint.id, false)).allowPrivateTarget, false);
  assert.equal((await webhooks.list()).find((each) => each.id === endpoint.id)?.allowPrivateTarget, false);
  await webhooks.remove(endpoint.id);
  assert.equal(
    await guardedPost({
      url: `http://localhost:${port}/hook`,
      headers: {},
      body: '{}',
      timeoutMs: 5000,
      allowPrivate: true,
    }),
    200,
  );
});

test('a target that trickles its answer is given up at the deadline', async () => {
  const trickler = createServer((_request, response) => {
    response.socket?.write('HTTP/1.1 200 OK\r\n');
    const drip = setInterval(() => response.socket?.write('X-Slow: 1\r\n'), 100);
    response.socket?.on('close', () => clearInterval(drip));
  });
  await new Promise<void>((resolve) => trickler.listen(0, '127.0.0.1', resolve));
  const { port } = trickler.address() as AddressInfo;
  try {
    await assert.rejects(
      guardedPost({
        url: `http://127.0.0.1:${port}/`,
        headers: {},
        body: '{}',
        timeoutMs: 1000,
        allowPrivate: true,
      }),
      /no answer from 127\.0\.0\.1:\d+ in 1 s/,
    );
  } finally {
    trickler.closeAllConnections();
    trickler.close();
  }
});

test('a webhook that answers with a redirect is not followed, and the delivery is retried', async () => {
  const hits: string[] = [];
  const redirector = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    if (request.url === '/hook') response.writeHead(302, { location: '/elsewhere' }).end();
    else response.writeHead(200).end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  const { port } = redirector.address() as AddressInfo;
  const { endpoint } = await webhooks.create({
    url: `http://127.0.0.1:${port}/hook`,
    eventTypes: ['crate.counted'],
    allowPrivateTarget: true,
  });
  try {
    await transaction(db.pool, (tx) => emit(tx, 'crate.counted', { crateId: 'v-9' }));
    // A redirect followed would be the second request; a refused one is tried again at the same URL.
    await waitFor(() => hits.length >= 2, 60_000, 'a second request');
    assert.deepEqual(hits.slice(0, 2), ['POST /hook', 'POST /hook']);
  } finally {
    await webhooks.remove(endpoint.id);
    redirector.close();
  }
});

test('events are published to the MQTT broker', async () => {
  const client = await mqtt.connectAsync(MQTT_URL);
  const messages: { topic: string; body: string }[] = [];
  client.on('message', (topic, body) => messages.push({ topic, body: body.toString() }));
  await client.subscribeAsync(`shopkeep-test-${process.pid}/events/#`, { qos: 1 });
  await transaction(db.pool, (tx) => emit(tx, 'crate.counted', { crateId: 'v-42' }));
  const message = await waitFor(
    () => messages.find((m) => m.body.includes('v-42')),
    15_000,
    'the MQTT message',
  );
  assert.equal(message.topic, `shopkeep-test-${process.pid}/events/crate.counted`);
  assert.equal(JSON.parse(message.body).type, 'crate.counted');
  await client.endAsync();
});

test('a feed tells which events of a type still wait in it, in order, until it has handled them', async () => {
  const handled: DomainEvent[] = [];
  const consumer = bus.addFeed({
    name: 'test.waiting',
    types: ['crate.packed', 'crate.counted'],
    handle: async (_tx, events) => void handled.push(...events),
  });
  await transaction(db.pool, async (tx) => {
    await emit(tx, 'crate.packed', { crateId: 'w-1' });
    await emit(tx, 'crate.counted', { crateId: 'w-1' });
    await emit(tx, 'parcel.packed', { parcelId: 'w-3' });
    await emit(tx, 'crate.packed', { crateId: 'w-2' });
  });
  await bus.drain();
  const waiting = (feed: string) =>
    transaction(db.pool, (tx) => waitingInFeed(tx, feed, ['crate.packed', 'parcel.packed']));
  assert.deepEqual(
    (await waiting('test.waiting')).map((event) => [event.type, event.payload]),
    [
      ['crate.packed', { crateId: 'w-1' }],
      ['crate.packed', { crateId: 'w-2' }],
    ],
    'only the types asked for, and only what this feed takes',
  );
  assert.deepEqual(await waiting('test.other'), []);
  assert.equal(await consumer.drain(), 3);
  assert.equal(handled.length, 3);
  assert.deepEqual(await waiting('test.waiting'), [], 'handled events wait no more');
});
