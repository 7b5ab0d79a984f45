import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { createLogger } from '../../src/platform/logger.ts';
import { JobQueue, type JobDefinition } from '../../src/platform/jobs/job-queue.ts';
import { EventBus, emit, type DomainEvent } from '../../src/platform/events/outbox.ts';
import { WebhookEndpoints, signWebhook } from '../../src/platform/events/webhooks.ts';
import { MqttBridge } from '../../src/platform/events/mqtt.ts';
import { MasterKeyStore, Vault } from '../../src/platform/vault/vault.ts';
import { transaction } from '../../src/platform/db/database.ts';
import { sameSecret } from '../../src/platform/http/auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

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
  webhooks = new WebhookEndpoints(
    db.pool,
    new Vault(db.pool, new MasterKeyStore(mkdtempSync(path.join(tmpdir(), 'sk-ev-')), undefined)),
    1,
  );
  bridge = new MqttBridge(db.pool, MQTT_URL, `shopkeep-test-${process.pid}/events`);
  const subscriber = bus.subscribe({
    name: 'test.collect',
    types: ['order.*'],
    handle: async (event) => void received.push(event),
  });
  bus.addSink(webhooks.sink());
  bus.addSink(bridge.sink());
  jobs.register([subscriber, webhooks.job, bridge.job] as unknown as JobDefinition<object>[]);
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
      await emit(tx, 'order.created', { orderId: 'ghost' });
      throw new Error('the order insert failed');
    }),
  );
  await transaction(db.pool, (tx) => emit(tx, 'order.created', { orderId: '1001' }));
  await transaction(db.pool, (tx) => emit(tx, 'refund.created', { refundId: 'r1' }));
  await waitFor(() => received.some((event) => event.payload.orderId === '1001'), 60_000, 'order.created');
  await bus.drain();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.deepEqual(
    received.map((event) => event.payload.orderId),
    ['1001'],
  );
  assert.equal(received.filter((event) => event.type === 'refund.created').length, 0, 'not subscribed');
  const pending = await db.pool.query('select count(*) from events_outbox where dispatched_at is null');
  assert.equal(Number(pending.rows[0].count), 0);
});

test('webhooks are signed with HMAC-SHA256 and retried until the endpoint answers', async () => {
  const { address, port } = receiver.address() as AddressInfo;
  const { endpoint, secret } = await webhooks.create(`http://${address}:${port}/hook`, ['payout.*']);
  assert.match(secret, /^whsec_/);
  assert.equal(JSON.stringify(await webhooks.list()).includes(secret), false, 'the secret is never listed');
  failNextDeliveries = 1;
  await transaction(db.pool, (tx) =>
    emit(tx, 'payout.paid', { payoutId: 'po_77', amountMinor: 125_00, currency: 'GBP' }),
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
  assert.equal(delivery.headers['x-shopkeep-event'], 'payout.paid');
  assert.deepEqual(JSON.parse(delivery.body).payload, {
    payoutId: 'po_77',
    amountMinor: 12500,
    currency: 'GBP',
  });
  assert.notEqual(signWebhook('wrong', timestamp, delivery.body), delivery.headers['x-shopkeep-signature']);
  assert.equal(failNextDeliveries, 0, 'the first attempt failed and was retried');
  await webhooks.remove(endpoint.id);
});

test('events are published to the MQTT broker', async () => {
  const client = await mqtt.connectAsync(MQTT_URL);
  const messages: { topic: string; body: string }[] = [];
  client.on('message', (topic, body) => messages.push({ topic, body: body.toString() }));
  await client.subscribeAsync(`shopkeep-test-${process.pid}/events/#`, { qos: 1 });
  await transaction(db.pool, (tx) => emit(tx, 'stock.low', { variantId: 'v-42', available: 2 }));
  const message = await waitFor(
    () => messages.find((m) => m.body.includes('v-42')),
    15_000,
    'the MQTT message',
  );
  assert.equal(message.topic, `shopkeep-test-${process.pid}/events/stock.low`);
  assert.equal(JSON.parse(message.body).type, 'stock.low');
  await client.endAsync();
});
