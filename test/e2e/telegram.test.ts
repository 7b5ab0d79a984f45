// The owner's Telegram bot against the Telegram simulator: cards arrive, buttons decide once,
// edits and rewrites take the owner's next message, strangers are ignored, pause and resume work.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';
import { TelegramSimulator, type SimMessage } from '../../src/sim/telegram.ts';
import { StaticCatalog } from '../../src/modules/shop/index.ts';
import { SANDBOX_PRODUCTS } from '../../src/sim/catalog.ts';
import { OpenAiSimulator } from '../../src/sim/openai.ts';

const TOKEN = '123456789:TEST_fake_token_for_the_simulator_only';
const OWNER = 4242;
const STRANGER = 999;
let telegram: TelegramSimulator;
let voiceTelegram: TelegramSimulator;
let server: TestServer;

before(async () => {
  telegram = await TelegramSimulator.start({ token: TOKEN });
  voiceTelegram = await TelegramSimulator.start({ token: '55555:TEST_voice_token_for_the_simulator' });
  server = await startTestServer({
    work: true,
    // One product with a photo, as Shopify's CDN would serve it: its cards show it first.
    catalog: new StaticCatalog(
      SANDBOX_PRODUCTS.map((product) =>
        product.id === '8800000000004'
          ? { ...product, imageUrl: 'https://cdn.shopify.com/s/files/1/sandbox/bond-mask.jpg' }
          : product,
      ),
    ),
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: String(OWNER),
    },
  });
});
after(async () => {
  await server.close();
  await telegram.stop();
  await voiceTelegram.stop();
});

const cardFor = (approvalId: string) => (m: SimMessage) =>
  m.reply_markup?.inline_keyboard.flat().some((b) => b.callback_data?.includes(approvalId)) ?? false;
/** How many messages the owner's chat holds now: what the bot says next comes after them. */
const mark = () => telegram.sent(OWNER).length;
/** Whether the bot said something like this since `since` (a card may arrive in between). */
const saidSince = (since: number, pattern: RegExp) =>
  telegram
    .sent(OWNER)
    .slice(since)
    .some((message) => pattern.test(message.text ?? ''));

test('a draft that needs the owner arrives as a card; Approve decides once and the card shows it', async () => {
  telegram.failures.add('rate-limit'); // the first send meets a 429 and waits retry_after
  const { approvalId } = await server.face('writer').draft({
    channel: 'instagram',
    productId: '8800000000004',
  });
  const card = await waitFor(
    () => telegram.sent(OWNER).find(cardFor(approvalId!)),
    30_000,
    'the approval card',
  );
  assert.match(card.text!, /Bond Builder Mask/);
  assert.match(card.text!, /Score \d+\/100 · ⚠️ low confidence/);
  // The product's photo came just before the card.
  const before = telegram
    .sent(OWNER)
    .filter((m) => m.message_id < card.message_id)
    .at(-1)!;
  assert.equal(before.photo?.[0]?.file_id, 'https://cdn.shopify.com/s/files/1/sandbox/bond-mask.jpg');
  assert.equal(before.caption, '🖼 Bond Builder Mask, for instagram');
  assert.match(card.text!, /Must fix: Bond Builder Mask is out of stock/);
  assert.ok(
    card.reply_markup!.inline_keyboard.flat().every((b) => Buffer.byteLength(b.callback_data!) <= 64),
  );

  const firstPress = telegram.press(OWNER, card.message_id, `ap:${approvalId}:y`);
  await waitFor(
    async () => (await server.face('approvals').get(approvalId!)).status === 'approved',
    60_000,
    'the approval',
  );
  await waitFor(
    () => telegram.callbackAnswers.some((a) => a.id === firstPress && a.text === 'Approved.'),
    60_000,
    'the answer',
  );
  await waitFor(
    () =>
      telegram
        .sent(OWNER)
        .find((m) => m.message_id === card.message_id)
        ?.text?.startsWith('✅ Approved by'),
    60_000,
    'the card to show the outcome',
  );
  const audit = await server.face('audit').recent(20);
  assert.ok(audit.some((e) => e.action === 'approval.approve' && e.actor === `telegram:${OWNER}`));

  const secondPress = telegram.press(OWNER, card.message_id, `ap:${approvalId}:n`);
  await waitFor(
    () => telegram.callbackAnswers.find((a) => a.id === secondPress)?.text?.startsWith('Already approved by'),
    60_000,
    'the second press answer',
  );
  assert.equal((await server.face('approvals').get(approvalId!)).status, 'approved', 'not decided twice');
});

test('Edit and Regenerate take the owner’s next message', async () => {
  const editMe = await server.face('approvals').request({
    kind: 'social.post',
    channel: 'instagram',
    title: 'instagram: edit me',
    text: 'First words',
  });
  const editCard = await waitFor(
    () => telegram.sent(OWNER).find(cardFor(editMe.id)),
    30_000,
    'the edit card',
  );
  const beforeEdit = mark();
  telegram.press(OWNER, editCard.message_id, `ap:${editMe.id}:e`);
  await waitFor(() => saidSince(beforeEdit, /Send the new text/), 60_000, 'the question');
  telegram.say(OWNER, 'Better words, written by the owner');
  await waitFor(
    async () => (await server.face('approvals').get(editMe.id)).status === 'edited',
    60_000,
    'the edit',
  );
  assert.equal(
    (await server.face('approvals').get(editMe.id)).finalText,
    'Better words, written by the owner',
  );

  const redo = await server.face('approvals').request({
    kind: 'social.post',
    channel: 'instagram',
    title: 'instagram: redo',
    text: 'Meh',
    productIds: ['8800000000003'],
  });
  const redoCard = await waitFor(() => telegram.sent(OWNER).find(cardFor(redo.id)), 30_000, 'the redo card');
  const beforeRedo = mark();
  telegram.press(OWNER, redoCard.message_id, `ap:${redo.id}:r`);
  await waitFor(() => saidSince(beforeRedo, /What should change/), 60_000, 'the question');
  telegram.say(OWNER, 'mention curl day');
  await waitFor(
    async () => (await server.face('approvals').get(redo.id)).status === 'rejected',
    60_000,
    'the rewrite request',
  );
  // The rewrite is written and reviewed again: approved by the gate or sent as a new card.
  await waitFor(
    async () =>
      (await server.db.pool.query(`select count(*) from ai_qa_reviews where product_ids = '{8800000000003}'`))
        .rows[0].count > 0,
    30_000,
    'the rewrite',
  );
});

test('a stranger is ignored and logged; the owner pauses and resumes from the phone', async () => {
  telegram.say(STRANGER, '/pause');
  await waitFor(
    () => server.logLines().some((l) => l.chatId === STRANGER && /not allowed/.test(String(l.msg))),
    60_000,
    'the log line',
  );
  assert.equal(telegram.sent(STRANGER).length, 0, 'no answer to a stranger');
  assert.equal((await server.face('approvals').paused()).paused, false);

  telegram.say(OWNER, '/pause');
  await waitFor(async () => (await server.face('approvals').paused()).paused, 60_000, 'the pause');
  const beforeStatus = mark();
  telegram.say(OWNER, '/status');
  await waitFor(() => saidSince(beforeStatus, /Paused by/), 60_000, 'the status');
  telegram.say(OWNER, '/resume');
  await waitFor(async () => !(await server.face('approvals').paused()).paused, 60_000, 'the resume');
});

test('a voice note is transcribed and understood as a command, or kept as a to-do', async () => {
  const openai = await OpenAiSimulator.start({ apiKey: 'sim-openai' });
  const voiceServer = await startTestServer({
    work: true,
    env: {
      TELEGRAM_BOT_TOKEN: '55555:TEST_voice_token_for_the_simulator',
      TELEGRAM_API_ROOT: voiceTelegram.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: String(OWNER),
      OPENAI_API_KEY: 'sim-openai',
      OPENAI_BASE_URL: openai.baseUrl,
    },
  });
  try {
    openai.transcriber = (audio) => (audio.length > 0 ? 'Please pause everything for today' : '');
    voiceTelegram.sendVoice(OWNER, Buffer.from('OggS fake opus audio'));
    await waitFor(
      async () => (await voiceServer.face('approvals').paused()).paused,
      60_000,
      'the pause by voice',
    );
    assert.ok(
      voiceTelegram.sent(OWNER).some((m) => m.text === '🎙 Heard: “Please pause everything for today”'),
    );
    // Anything that is not a command becomes a to-do in the Inbox, and comes back to the chat as one.
    openai.transcriber = () => 'Order more purple toner from the wholesaler on Friday';
    voiceTelegram.sendVoice(OWNER, Buffer.from('OggS another note'));
    await waitFor(
      () =>
        voiceTelegram
          .sent(OWNER)
          .some(
            (m) =>
              m.text ===
              'To do: Order more purple toner from the wholesaler on Friday\n\nFrom a voice note on Telegram:\n\nOrder more purple toner from the wholesaler on Friday',
          ),
      60_000,
      'the to-do',
    );
    const inbox = await voiceServer.face('notifications').list();
    assert.ok(inbox.some((notice) => notice.kind === 'task.to_do'));
  } finally {
    await voiceServer.close();
    await openai.stop();
  }
});

test('the owner asks /today, /pnl and /orders, and the books’ alerts arrive in the chat', async () => {
  const { sampleOrder, samplePayment, storeOrders } = await import('../support/shop.ts');
  const today = new Date().toISOString();
  const order = sampleOrder({
    financialStatus: 'paid',
    createdAt: today,
    processedAt: today,
    updatedAt: today,
  });
  await storeOrders(server.kernel.db, { order, transactions: [samplePayment({ processedAt: today })] });
  // The books post it through their feed.
  await waitFor(
    async () => (await server.face('ledger').reports.trialBalance(null, '2999-12-31')).totalDebits > 0,
    30_000,
    'the order in the books',
  );
  const since = mark();
  telegram.say(OWNER, '/orders');
  await waitFor(
    () => saidSince(since, /Latest orders:\n#1001 £33\.94 · paid · unfulfilled/),
    60_000,
    '/orders',
  );
  telegram.say(OWNER, '/today');
  await waitFor(() => saidSince(since, /1 order\(s\), revenue £28\.28/), 60_000, '/today');
  telegram.say(OWNER, '/pnl');
  await waitFor(() => saidSince(since, /^Profit and loss, \d{4}-\d{2}-01 to/), 60_000, '/pnl');
  await server.face('notifications').send({
    kind: 'ledger.refund_spike',
    severity: 'warning',
    title: 'Refunds are high today',
    body: 'Three times a normal day.',
  });
  await waitFor(
    () => saidSince(since, /^⚠️ Refunds are high today\n\nThree times a normal day\.$/),
    60_000,
    'the alert in the chat',
  );
});
