// Telegram's webhook mode: the bot registers its URL with a secret token; updates with the wrong
// or no secret are refused before anything runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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
