// Notices reach the owner's Telegram chats from the notification.created event: once per chat, a
// retry after a failed send reaches only the chats it missed, and the dashboard inbox keeps it all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/platform/logger.ts';
import { Notifications } from '../../src/platform/notify/notifications.ts';
import { TelegramNotifier } from '../../src/modules/telegram/notifier.ts';
import { telegramApi } from '../../src/modules/telegram/telegram-api.ts';
import { TelegramSimulator } from '../../src/sim/telegram.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const TOKEN = '123456:test_token_for_the_notices_0001';
let db: TestDatabase;
let sim: TelegramSimulator;
let notifications: Notifications;
const notifierFor = (chats: number[]) =>
  new TelegramNotifier({
    api: telegramApi({ token: TOKEN, apiRoot: sim.apiRoot, allowedChatIds: chats, webhookSecret: undefined }),
    chatIds: chats,
    notifications,
    logger: createLogger('silent'),
  });

before(async () => {
  db = await createTestDatabase();
  sim = await TelegramSimulator.start({ token: TOKEN });
  notifications = new Notifications({ pool: db.pool });
});
after(async () => {
  await sim.stop();
  await db.drop();
});

test('a notice goes to every allowed chat once; a retry reaches only the chats it missed', async () => {
  const notice = await notifications.send({
    kind: 'ledger.refund_spike',
    severity: 'warning',
    title: 'Refunds are high today',
    body: '£180.00 refunded, three times a normal day.',
    dedupeKey: 'test:refund-spike',
  });
  assert.ok(notice);
  // Announced in the same transaction, for the channels (and webhooks, MQTT).
  const { rows } = await db.pool.query(
    "select payload from events_outbox where type = 'notification.created'",
  );
  assert.deepEqual(rows[0].payload, {
    noticeId: notice.id,
    kind: 'ledger.refund_spike',
    severity: 'warning',
    title: 'Refunds are high today',
  });
  // The same notice again is not a second one.
  assert.equal(
    await notifications.send({
      kind: 'x',
      severity: 'info',
      title: 't',
      body: 'b',
      dedupeKey: 'test:refund-spike',
    }),
    undefined,
  );

  // Telegram fails: nothing is recorded as delivered, the job fails and is retried.
  sim.failures.add('server-error', 1);
  await assert.rejects(notifierFor([11, 22]).sendNotice(notice.id));
  // A run that reached the first chat only (as if it had failed at the second)...
  await notifierFor([11]).sendNotice(notice.id);
  // ...is followed by one that reaches the second only, and a duplicate run sends nothing.
  await notifierFor([11, 22]).sendNotice(notice.id);
  await notifierFor([11, 22]).sendNotice(notice.id);
  for (const chat of [11, 22]) {
    const texts = sim.sent(chat).map((message) => message.text);
    assert.deepEqual(
      texts,
      ['⚠️ Refunds are high today\n\n£180.00 refunded, three times a normal day.'],
      `chat ${chat}`,
    );
  }
});

test('a chat that blocked the bot does not keep the notice from the others, and is not retried', async () => {
  sim.block(33);
  const notice = await notifications.send({
    kind: 'ledger.daily_summary',
    severity: 'info',
    title: 'Yesterday',
    body: '12 orders, £480.00.',
  });
  await notifierFor([33, 44]).sendNotice(notice!.id);
  assert.deepEqual(
    sim.sent(44).map((message) => message.text),
    ['Yesterday\n\n12 orders, £480.00.'],
  );
  assert.equal(sim.sent(33).length, 0);
  const { rows } = await db.pool.query(
    "select target from notify_deliveries where notice_id = $1 and channel = 'telegram' order by target",
    [notice!.id],
  );
  assert.deepEqual(
    rows.map((row) => row.target),
    ['33', '44'],
  );
});
