// The Bot API client over the integrations transport, against the Telegram simulator: Telegram's
// 429 waited out as its retry_after says, its refusals reaching grammY with their codes, a failed
// send not repeated, and the token (in every Bot API URL) in no error.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { GrammyError, HttpError } from 'grammy';
import { telegramApi } from '../../src/modules/telegram/telegram-api.ts';
import { telegramSettings } from '../../src/modules/telegram/settings.ts';
import { SettingsReader } from '../../src/platform/kit/settings.ts';
import { TelegramSimulator } from '../../src/sim/telegram.ts';
import { freePort } from '../support/cli.ts';

const TOKEN = '424242:TEST_token_for_the_transport_simulator';
const CHAT = 1001;
let sim: TelegramSimulator;

before(async () => {
  sim = await TelegramSimulator.start({ token: TOKEN });
});
beforeEach(() => sim.failures.clear());
after(() => sim.stop());

const api = (apiRoot = sim.apiRoot, token = TOKEN) =>
  telegramApi({
    ...telegramSettings(
      new SettingsReader({
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_ALLOWED_CHAT_IDS: String(CHAT),
        TELEGRAM_API_ROOT: apiRoot,
      }),
    ),
    token,
  });

test('a 429 is waited out as retry_after says, then the message goes once', async () => {
  sim.failures.add('rate-limit');
  const before = sim.sent(CHAT).length;
  await api().sendMessage(CHAT, 'Stock is low on Argan Oil');
  assert.deepEqual(
    sim
      .sent(CHAT)
      .slice(before)
      .map((message) => message.text),
    ['Stock is low on Argan Oil'],
  );
});

test('a send that failed on Telegram’s side is not repeated (it may have gone); a read is', async () => {
  sim.failures.add('server-error');
  await assert.rejects(api().sendMessage(CHAT, 'once'), (error: unknown) => {
    assert.ok(error instanceof GrammyError, 'Telegram’s answer reaches grammY');
    assert.equal(error.error_code, 502);
    return true;
  });
  sim.failures.add('server-error');
  assert.equal((await api().getMe()).username, 'shopkeep_sim_bot');
});

test('a refused token reaches grammY as its error code; an unreachable API names no token', async () => {
  await assert.rejects(
    api(sim.apiRoot, '424242:TEST_not_the_token_at_all_really').getMe(),
    (error: unknown) => {
      assert.ok(error instanceof GrammyError);
      assert.equal(error.error_code, 401);
      return true;
    },
  );
  const closed = `http://127.0.0.1:${await freePort()}`;
  await assert.rejects(api(closed).getMe(), (error: unknown) => {
    assert.ok(error instanceof HttpError);
    const said = `${error.message} ${(error.error as Error).message} ${(error.error as Error).stack}`;
    assert.match(said, /cannot reach Telegram at http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(!said.includes('TEST_token_for_the_transport_simulator'), said);
    return true;
  });
});
