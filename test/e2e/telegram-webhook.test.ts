// Telegram's webhook mode: the bot registers its URL with a secret token; updates with the wrong
// or no secret are refused before anything runs, before their body is even read, and an address that
// keeps sending wrong secrets is refused with 429.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TelegramSimulator } from '../../src/sim/telegram.ts';

const TOKEN = '987654321:TEST_fake_token_for_the_webhook_test';
const OWNER = 5151;
const SECRET = 'a-webhook-secret_0123456789abcdef0123456789';
let telegram: TelegramSimulator;
let server: TestServer;

before(async () => {
  telegram = await TelegramSimulator.start({ token: TOKEN });
  server = await startTestServer({
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: String(OWNER),
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      SHOPKEEP_PUBLIC_URL: 'https://shop.example',
    },
  });
});
after(async () => {
  await server.close();
  await telegram.stop();
});

const update = (text: string) => ({
  update_id: 1,
  message: {
    message_id: 10,
    date: Math.floor(Date.now() / 1000),
    chat: { id: OWNER, type: 'private', first_name: 'Owner' },
    from: { id: OWNER, is_bot: false, first_name: 'Owner' },
    text,
    entities: [{ type: 'bot_command', offset: 0, length: text.length }],
  },
});

test('the bot registers its webhook with the secret; only updates carrying it are handled', async () => {
  assert.deepEqual(telegram.webhook, { url: 'https://shop.example/webhooks/telegram', secret: SECRET });
  for (const headers of [{}, { 'x-telegram-bot-api-secret-token': 'wrong' }]) {
    const refused = await server.app.inject({
      method: 'POST',
      url: '/webhooks/telegram',
      headers,
      payload: update('/pause'),
    });
    assert.equal(refused.statusCode, 401);
  }
  assert.equal((await server.face('approvals').paused()).paused, false, 'nothing ran');
  const accepted = await server.app.inject({
    method: 'POST',
    url: '/webhooks/telegram',
    headers: { 'x-telegram-bot-api-secret-token': SECRET },
    payload: update('/pause'),
  });
  assert.equal(accepted.statusCode, 200);
  assert.equal((await server.face('approvals').paused()).paused, true);
  assert.match(telegram.sent(OWNER).at(-1)?.text ?? '', /Paused/);
});

/** A body that records whether anyone read it. */
function watchedBody(text: string): { stream: Readable; read: () => boolean } {
  let read = false;
  const stream = new Readable({
    read() {
      read = true;
      this.push(text);
      this.push(null);
    },
  });
  return { stream, read: () => read };
}

test('a wrong secret is refused with 401 before the body is read or checked against the route’s schema', async () => {
  // Not an object: the schema would refuse it with 400, telling a stranger what the route expects.
  const notAnUpdate = await server.app.inject({
    method: 'POST',
    url: '/webhooks/telegram',
    remoteAddress: '198.51.100.30',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong' },
    payload: '[1, 2, 3]',
  });
  assert.equal(notAnUpdate.statusCode, 401);
  assert.match(notAnUpdate.json().error.message, /missing or wrong X-Telegram-Bot-Api-Secret-Token/);

  const watched = watchedBody(JSON.stringify({ update_id: 2, padding: 'x'.repeat(512 * 1024) }));
  const unread = await server.app.inject({
    method: 'POST',
    url: '/webhooks/telegram',
    remoteAddress: '198.51.100.31',
    headers: { 'content-type': 'application/json' },
    payload: watched.stream,
  });
  assert.equal(unread.statusCode, 401);
  assert.equal(unread.headers.connection, 'close');
  assert.equal(watched.read(), false, 'the body was not read');

  // With the right secret the same kind of body is read (and refused by the schema).
  const read = watchedBody('[1, 2, 3]');
  const checked = await server.app.inject({
    method: 'POST',
    url: '/webhooks/telegram',
    remoteAddress: '198.51.100.32',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    payload: read.stream,
  });
  assert.equal(checked.statusCode, 400);
  assert.equal(read.read(), true);
});

function post(remoteAddress: string, secret: string) {
  return server.app.inject({
    method: 'POST',
    url: '/webhooks/telegram',
    remoteAddress,
    headers: { 'x-telegram-bot-api-secret-token': secret },
    payload: update('/help'),
  });
}

test('after 10 wrong secrets an address is refused with 429, even with the right one; other addresses are not', async () => {
  const stranger = '203.0.113.40';
  for (let n = 1; n <= 10; n += 1)
    assert.equal((await post(stranger, `guess-${n}`)).statusCode, 401, `guess ${n}`);
  const refused = await post(stranger, SECRET);
  assert.equal(refused.statusCode, 429);
  assert.match(refused.json().error.message, /too many updates with a wrong secret token from this address/);
  assert.ok(Number(refused.headers['retry-after']) > 0);
  assert.equal(refused.headers.connection, 'close');
  assert.equal((await post('203.0.113.41', SECRET)).statusCode, 200);
});

test('wrong secrets from an IPv6 address count for its whole /64', async () => {
  for (let n = 1; n <= 10; n += 1)
    assert.equal((await post(`2001:db8:5:6::${n.toString(16)}`, 'wrong')).statusCode, 401);
  assert.equal((await post('2001:db8:5:6::ff', SECRET)).statusCode, 429);
  assert.equal((await post('2001:db8:5:7::1', SECRET)).statusCode, 200);
});
