// The owner's bot against the Telegram simulator, with the commands modules add: /help lists every
// command once, a voice note asking about the figures is answered by the command that answers it, and
// a module's command may not take a name the bot already has.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/platform/logger.ts';
import type { TelegramCommand } from '../../src/platform/kit/module.ts';
import type { Notice } from '../../src/platform/notify/notifications.ts';
import { OwnerBot, type OwnerBotOptions } from '../../src/modules/telegram/bot.ts';
import { TelegramSimulator } from '../../src/sim/telegram.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { approvalService } from '../support/approvals.ts';
import { waitFor } from '../support/wait.ts';

const TOKEN = '777001:TEST_token_for_the_bot_commands_test';
const OWNER = 3131;
let db: TestDatabase;
let telegram: TelegramSimulator;
let bot: OwnerBot;
/** What the transcriber hears in the next voice note. */
let heard = '';
const todos: Notice[] = [];

/** Commands as the books and the shop add them, answering with their own name. */
const answering = (name: string): TelegramCommand => ({
  name,
  description: `the ${name} figures`,
  answer: async () => `answer of /${name}`,
});
const contributed = [answering('today'), answering('pnl'), answering('orders')];

const options = (commands: TelegramCommand[]): OwnerBotOptions => ({
  settings: { token: TOKEN, apiRoot: telegram.apiRoot, allowedChatIds: [OWNER], webhookSecret: undefined },
  approvals: approvalService(db.pool),
  cards: { send: async () => undefined, showOutcome: async () => undefined },
  transcribe: async () => heard,
  notifications: {
    send: async (notice) => {
      todos.push(notice);
      return undefined;
    },
  },
  readiness: async () => ({ database: true, jobs: true }),
  commands: () => commands,
  logger: createLogger('silent'),
});

before(async () => {
  db = await createTestDatabase();
  telegram = await TelegramSimulator.start({ token: TOKEN });
  bot = new OwnerBot(options(contributed));
  await bot.start('http://127.0.0.1:9/webhooks/telegram'); // no webhook secret: long polling
});
after(async () => {
  await bot.stop();
  await telegram.stop();
  await db.drop();
});

const replies = () => telegram.sent(OWNER).map((message) => message.text ?? '');
const nextReply = async (what: string, since = replies().length, matching: RegExp = /./) =>
  waitFor(
    () =>
      replies()
        .slice(since)
        .find((text) => matching.test(text)),
    60_000,
    what,
  );

test('/help lists the bot’s own commands, then every module’s, then /cancel and /help, each once', async () => {
  const since = replies().length;
  telegram.say(OWNER, '/help');
  const help = await nextReply('the help');
  const listed = [...help.matchAll(/^\/(\w+) – /gm)].map((match) => match[1]);
  assert.deepEqual(listed, [
    'approvals',
    'status',
    'pause',
    'resume',
    'today',
    'pnl',
    'orders',
    'cancel',
    'help',
  ]);
  assert.match(help, /^\/pnl – the pnl figures$/m);
  assert.equal(replies().slice(since).length, 1);
});

test('a module’s command answers when typed', async () => {
  const since = replies().length;
  telegram.say(OWNER, '/orders');
  assert.equal(await nextReply('/orders', since), 'answer of /orders');
});

test('a voice note asking about the figures is answered by /today, /pnl or /orders; anything else is a to-do', async () => {
  for (const [said, command] of [
    ["What are today's sales?", 'today'],
    ['How much profit this month?', 'pnl'],
    ['Show me the latest orders', 'orders'],
  ]) {
    const since = replies().length;
    heard = said!;
    telegram.sendVoice(OWNER, Buffer.from('OggS a question'));
    await nextReply(`what was heard: ${said}`, since, /^🎙 Heard/);
    assert.equal(await nextReply(`the answer to ${said}`, since, /^answer of/), `answer of /${command}`);
  }
  heard = 'Ring the wholesaler about the toner';
  const since = replies().length;
  telegram.sendVoice(OWNER, Buffer.from('OggS a to-do'));
  await nextReply('what was heard', since, /^🎙 Heard/);
  const todo = await waitFor(
    () => todos.find((notice) => notice.title === 'To do: Ring the wholesaler about the toner'),
    60_000,
    'the to-do',
  );
  assert.equal(todo.kind, 'task.to_do');
  assert.match(todo.body, /^From a voice note on Telegram/);
});

test('typed text that is not a command becomes a to-do, as /help says; an unknown command is answered with the help', async () => {
  telegram.say(OWNER, 'Order more purple toner on Friday');
  const todo = await waitFor(
    () => todos.find((notice) => notice.title === 'To do: Order more purple toner on Friday'),
    60_000,
    'the typed to-do',
  );
  assert.equal(todo.kind, 'task.to_do');
  assert.match(todo.body, /^From a message on Telegram/);
  const since = replies().length;
  telegram.say(OWNER, '/frobnicate');
  assert.match(
    await nextReply('the answer to an unknown command', since),
    /^I do not know that command\. shopkeep commands/,
  );
});

test('a voice note asking for a command no module offers here says so', async () => {
  const alone = await TelegramSimulator.start({ token: TOKEN });
  const bare = new OwnerBot({
    ...options([]),
    settings: { ...options([]).settings, apiRoot: alone.apiRoot },
  });
  await bare.start('http://127.0.0.1:9/webhooks/telegram');
  try {
    heard = 'Latest orders';
    alone.sendVoice(OWNER, Buffer.from('OggS orders'));
    await waitFor(
      () => alone.sent(OWNER).some((message) => message.text === '/orders is not available here.'),
      60_000,
      'the answer',
    );
  } finally {
    await bare.stop();
    await alone.stop();
  }
});

test('a module’s command named like one of the bot’s, or like another module’s, stops start-up', () => {
  for (const clash of [[answering('status')], [answering('help')], [answering('today'), answering('today')]])
    assert.throws(
      () => new OwnerBot(options(clash)),
      /two Telegram commands are named \/(status|help|today)/,
    );
});
