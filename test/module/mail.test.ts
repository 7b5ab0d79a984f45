// The mail module against real servers: Dovecot holds the shop's mailbox (behind a proxy that can cut
// the connection mid-fetch), smtp-server records what goes out. A mixed inbox is synced, sorted,
// drafted and answered only where every safety rule allows; the owner approves and edits; threads
// hold across replies; a dropped connection loses and repeats nothing; past replies teach the style.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { StaticCatalog } from '../../src/modules/shop/index.ts';
import mailModule from '../../src/modules/mail/index.ts';
import type { MailService } from '../../src/modules/mail/mail-service.ts';
import { readMessage } from '../../src/modules/mail/message.ts';
import { mailTelegramCommands } from '../../src/modules/mail/telegram.ts';
import { mailCredentials } from '../../src/modules/mail/credentials.ts';
import { mailSettings } from '../../src/modules/mail/settings.ts';
import { SettingsReader } from '../../src/platform/kit/settings.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { rememberShop, sampleOrder, storeOrders } from '../support/shop.ts';
import { socialProducts } from '../support/social.ts';
import {
  MAILBOX,
  mailEnv,
  startDovecot,
  startProxy,
  startSmtp,
  type CuttingProxy,
  type Dovecot,
  type SmtpRecorder,
} from '../support/mail.ts';
import { inbox, message } from '../support/mail-fixtures.ts';
import { waitFor } from '../support/wait.ts';
import { owner } from '../support/approvals.ts';
import { accountsOf, newToken, newUser } from '../support/accounts.ts';

let dovecot: Dovecot;
let proxy: CuttingProxy;
let smtp: SmtpRecorder;
let server: TestServer;
let mail: MailService;

const q = async <T extends Record<string, unknown>>(sql: string, values: unknown[] = []) =>
  (await server.db.pool.query<T>(sql, values)).rows;

const bySubject = async (subject: string) =>
  (
    await q<{ id: string }>('select id from mail_messages where direction = $1 and subject = $2', [
      'in',
      subject,
    ])
  )[0]?.id;

before(async () => {
  dovecot = await startDovecot();
  proxy = await startProxy(dovecot.port);
  smtp = await startSmtp();
  server = await startTestServer({
    work: true,
    env: mailEnv(proxy.port, smtp.port, {
      SHOPKEEP_MAIL_AUTO_SEND: 'order_status,product_question',
      MAIL_AUTHSERV_ID: 'mx.hairshop.test',
    }),
    catalog: new StaticCatalog(socialProducts('http://127.0.0.1:9')),
  });
  mail = server.modules.get(mailModule).mail;
  await rememberShop(server.db.pool, { name: 'Hair Shop' });
  await storeOrders(server.db.pool, {
    order: sampleOrder({
      name: '#1001',
      email: 'ava@example.com',
      fulfillmentStatus: 'fulfilled',
      financialStatus: 'paid',
    }),
  });
});

after(async () => {
  await server?.close();
  await smtp?.stop();
  await proxy?.stop();
  await dovecot?.stop();
});

test('a mixed inbox is sorted with reasons, and only what is safe is answered by itself', async () => {
  const fixtures = inbox();
  for (const fixture of fixtures) await dovecot.append(fixture.raw);
  await waitFor(
    async () =>
      Number(
        (
          await q<{ n: string }>(
            `select count(*) n from mail_messages where direction = 'in' and category is not null`,
          )
        )[0]!.n,
      ) === fixtures.length,
    60_000,
    'every message sorted',
  );
  const rows = await q<{ subject: string; category: string; reason: string; from_address: string }>(
    `select subject, category, reason, from_address from mail_messages where direction = 'in'`,
  );
  for (const fixture of fixtures) {
    const read = await readMessage(Buffer.from(fixture.raw));
    const row = rows.find((r) => r.subject === read.subject);
    assert.ok(row, `${fixture.name} stored`);
    assert.equal(row.category, fixture.category, `${fixture.name}: ${row.reason}`);
    assert.ok(row.reason, `${fixture.name} has a reason`);
  }
  // The customer, proven by DMARC, asking about their own order: answered by itself, with the order's facts.
  await waitFor(() => smtp.sent.some((m) => m.to.includes('ava@example.com')), 60_000, 'the reply to Ava');
  const toAva = smtp.sent.filter((m) => m.to.includes('ava@example.com'));
  assert.equal(toAva.length, 1, 'one reply to Ava (her spoofed message got none)');
  const reply = await readMessage(toAva[0]!.raw);
  assert.equal(reply.inReplyTo, 'ava-1@example.com');
  assert.deepEqual(reply.references, ['ava-1@example.com']);
  assert.equal(reply.headers.autoSubmitted, 'auto-replied');
  assert.equal(reply.subject, 'Re: Where is my order #1001?');
  assert.match(reply.body, /#1001/);
  assert.match(reply.body, /dispatched/);
  assert.match(reply.body, /£33\.94/);
  assert.equal(toAva[0]!.from, MAILBOX.address);
  // Filed in Sent by IMAP, as SMTP does not.
  await waitFor(
    async () => (await dovecot.messages('Sent')).some((raw) => raw.toString().includes(reply.messageId)),
    20_000,
    'the reply in Sent',
  );

  // The spoofed message and the impostor: a reply asking them to verify, waiting for the owner, no order facts.
  for (const subject of ['Order #1001 address change', 'Status of #1001']) {
    const detail = await waitingReply(subject);
    assert.match(detail.reply.text!, /order number and the postcode/);
    assert.doesNotMatch(detail.reply.text!, /33\.94|dispatched|paid/);
    assert.match(detail.reply.reason!, /DMARC|not the customer/);
  }
  assert.ok(!smtp.sent.some((m) => m.to.includes('mallory@elsewhere.test')), 'nothing went to the impostor');

  // Automatic, bulk, bounce and spam: never a reply, nor a draft.
  for (const subject of [
    'Automatic reply: Our new spring range',
    'This week: the salon trends of 2027',
    'Undelivered Mail Returned to Sender',
    'Rank #1 on Google guaranteed',
  ]) {
    const id = await bySubject(subject);
    assert.equal((await mail.detail(Number(id))).reply.status, 'none', subject);
  }
  for (const address of [
    'bella@bellasalon.test',
    'news@beautytrade.test',
    'mailer-daemon@mx.hairshop.test',
    'win@cheap-seo.test',
  ])
    assert.ok(!smtp.sent.some((m) => m.to.includes(address)), `nothing sent to ${address}`);
  // The hard bounce is on the suppression list.
  assert.ok(await mail.suppressions.has('gone@closedsalon.test'));
  // Categories the owner did not enable wait for them: the wholesale enquiry and the return.
  for (const subject of ['Trade account for our salon', 'Damaged bottle']) {
    const detail = await waitingReply(subject);
    assert.match(detail.reply.reason!, /automatic replies are off/);
  }
  // The supplier's invoice went to the books as a receipt (its PDF), and no longer needs the owner here.
  const invoice = await waitFor(
    async () => {
      const rows = await q<{ reason: string; needs_action: boolean }>(
        `select reason, needs_action from mail_messages where subject = 'Invoice INV-2291 from Argan Supplies Ltd'`,
      );
      return rows[0]?.reason.includes('handed to the books') ? rows[0] : undefined;
    },
    30_000,
    'the invoice handed to the books',
  );
  assert.equal(invoice.needs_action, false);
  const receipts = await q<{ file_name: string; uploaded_by: string }>(
    'select file_name, uploaded_by from ledger_receipts',
  );
  assert.deepEqual(receipts, [
    { file_name: 'INV-2291.pdf', uploaded_by: 'email:accounts@argan-supplies.test' },
  ]);

  // The broken message is kept, shown and sorted; the sync went on past it.
  const broken = await mail.detail(Number(await bySubject('hello')));
  assert.equal(broken.category, 'other');

  // On Telegram, /mail says what came in and what waits for the owner.
  const [command] = mailTelegramCommands(mail);
  const said = await command!.answer('/mail');
  assert.match(said, /shop@hairshop\.test: connected/);
  assert.match(said, /Today: .*order status/);
  assert.match(said, /wait for you:\n.*mallory@elsewhere\.test: Status of #1001/s);

  // The API lists them with the contract's fields.
  const response = await server.app.inject({
    method: 'GET',
    url: '/api/v1/mail/messages?limit=50&category=order_status',
    headers: await bearer(),
  });
  assert.equal(response.statusCode, 200, response.body);
  const listed = response.json<{
    messages: { subject: string; reply: { status: string; approvalId?: string }; orderName?: string }[];
  }>().messages;
  assert.equal(listed.length, 3);
  assert.ok(listed.every((m) => m.orderName === '#1001'));
  assert.deepEqual(listed.map((m) => m.reply.status).sort(), [
    'pending_approval',
    'pending_approval',
    'sent',
  ]);
  for (const m of listed)
    assert.equal(typeof m.reply.approvalId, m.reply.status === 'pending_approval' ? 'string' : 'undefined');
});

test('the owner approves one draft and edits another: each goes out once, threaded, and the edit is learnt', async () => {
  const tradeId = Number(await bySubject('Trade account for our salon'));
  const returnId = Number(await bySubject('Damaged bottle'));
  await mail.decide(tradeId, { action: 'approve' }, owner);
  const edited =
    'Hi Tom,\n\nSo sorry! A new bottle goes out today, and I have refunded the postage.\n\nBest wishes,\nSam';
  await mail.decide(returnId, { action: 'edit', text: edited }, owner);
  const sentTo = (address: string) => smtp.sent.filter((m) => m.to.includes(address)).length;
  await waitFor(
    () => sentTo('tom@example.net') === 1 && sentTo('chloe@hartandco.test') === 1,
    30_000,
    'both replies sent',
  );
  const toTom = await readMessage(smtp.sent.find((m) => m.to.includes('tom@example.net'))!.raw);
  assert.match(toTom.body, /refunded the postage/);
  assert.equal(toTom.headers.autoSubmitted, undefined, 'a reply the owner approved is not automatic');
  // Recorded as sent once the server took it.
  await waitFor(
    async () => (await mail.detail(returnId)).reply.status === 'sent',
    10_000,
    'the reply recorded as sent',
  );
  const examples = await mail.examples.list(10);
  assert.ok(examples.some((e) => e.source === 'edit' && e.answer === edited));
  // Deciding again is refused: it went out once.
  await assert.rejects(mail.decide(returnId, { action: 'approve' }, owner), /does not wait/);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(sentTo('tom@example.net'), 1);
  assert.equal(sentTo('chloe@hartandco.test'), 1);
});

test('threads hold when the customer edits the subject, and when Outlook sends only its Thread-Index', async () => {
  const ava = await q<{ thread_id: string }>(
    `select thread_id from mail_messages where message_id = 'ava-1@example.com'`,
  );
  const sentReply = await q<{ message_id: string; thread_id: string }>(
    `select message_id, thread_id from mail_messages where direction = 'out' and in_reply_to = 'ava-1@example.com'`,
  );
  assert.equal(sentReply[0]!.thread_id, ava[0]!.thread_id, 'our reply is in her thread');
  await dovecot.append(
    message({
      from: 'Ava Jones <ava@example.com>',
      subject: 'it arrived!! (was: order)',
      body: 'Got it, thank you!\n\nOn Mon, Sam wrote:\n> It went out today',
      messageId: 'ava-2@example.com',
      headers: [
        `In-Reply-To: <${sentReply[0]!.message_id}>`,
        `References: <ava-1@example.com> <${sentReply[0]!.message_id}>`,
      ],
      dmarc: 'pass',
    }),
  );
  await dovecot.append(
    message({
      from: 'Chloe Hart <chloe@hartandco.test>',
      subject: 'AW: Trade account for our salon',
      body: 'Thank you, we would like to order.',
      messageId: 'chloe-2@hartandco.test',
      headers: ['Thread-Index: AdqH1vWj3t0cYkq9QsWbVDcR1v2xZwAAAAAAAAA='],
      dmarc: 'pass',
    }),
  );
  const thread = async (id: string) =>
    (await q<{ thread_id: string }>('select thread_id from mail_messages where message_id = $1', [id]))[0]
      ?.thread_id;
  await waitFor(
    async () => (await thread('ava-2@example.com')) && (await thread('chloe-2@hartandco.test')),
    30_000,
    'the replies stored',
  );
  assert.equal(await thread('ava-2@example.com'), ava[0]!.thread_id);
  const chloe1 = (
    await q<{ thread_id: string }>(
      `select thread_id from mail_messages where subject = 'Trade account for our salon' and direction = 'in'`,
    )
  )[0]!.thread_id;
  assert.equal(await thread('chloe-2@hartandco.test'), chloe1);
});

test('a connection cut mid-fetch loses nothing and stores nothing twice', async () => {
  const count = async () =>
    Number((await q<{ n: string }>(`select count(*) n from mail_messages where folder = 'INBOX'`))[0]!.n);
  const start = await count();
  const reconnects = Number(
    (await q<{ reconnects: number }>('select reconnects from mail_health'))[0]!.reconnects,
  );
  const big = 'x'.repeat(40_000);
  proxy.cutAll();
  proxy.cutAfter(60_000);
  for (let i = 0; i < 30; i += 1)
    await dovecot.append(
      message({
        from: `Customer ${i} <c${i}@example.com>`,
        subject: `Bulk ${i}`,
        body: `Question ${i}\n${big}`,
        messageId: `bulk-${i}@example.com`,
      }),
    );
  await waitFor(async () => (await count()) === start + 30, 90_000, 'all 30 stored');
  const doubles = await q(
    `select message_id from mail_messages group by mailbox, folder, message_id having count(*) > 1`,
  );
  assert.deepEqual(doubles, []);
  const health = (
    await q<{ reconnects: number; errors: number }>('select reconnects, errors from mail_health')
  )[0]!;
  assert.ok(health.reconnects > reconnects, 'it reconnected after the cut');
  const events = await q<{ n: string }>(
    `select count(*) n from events_outbox where type = 'email.received' and payload->>'subject' like 'Bulk %'`,
  );
  assert.equal(Number(events[0]!.n), 30, 'each announced once');
});

test('a folder that starts again (new UIDVALIDITY) is read again without doubling anything', async () => {
  const state = await mail.store.folderState('shop', 'INBOX');
  const raw = Buffer.from(inbox()[0]!.raw);
  const stored = await mail.store.storeBatch('shop', 'INBOX', 'inbox', {
    uidValidity: (state.uidValidity ?? 0n) + 7n,
    highestModseq: null,
    messages: [{ uid: 1, raw, internalDate: new Date(), truncated: false }],
  });
  assert.equal(stored, 0, 'Ava’s message is there already');
  const after = await mail.store.folderState('shop', 'INBOX');
  assert.equal(after.uidValidity, (state.uidValidity ?? 0n) + 7n);
  assert.equal(after.lastUid, 1, 'the position starts again in the new folder');
});

test('import-reference learns the owner’s style from their replies in Sent', async () => {
  const questions = [
    [
      'Is the curl cream good for fine hair?',
      'Hi Maya,\n\nYes, it works well on fine curls, use a little!\n\nThanks so much,\nSam',
    ],
    ['Can I collect my order?', 'Hi Leo,\n\nOf course, pop in any weekday after 10!\n\nThanks so much,\nSam'],
    ['Do you ship to Ireland?', 'Hi Orla,\n\nWe do, it takes 3-5 days!\n\nThanks so much,\nSam'],
  ];
  for (const [i, [question, answer]] of questions.entries()) {
    await dovecot.append(
      message({
        from: `Customer <past${i}@example.com>`,
        subject: question!,
        body: question!,
        messageId: `past-q${i}@example.com`,
        date: 'Mon, 02 Nov 2026 10:00:00 +0000',
      }),
      'INBOX',
      ['\\Seen'],
    );
    await dovecot.append(
      message({
        from: 'Hair Shop <shop@hairshop.test>',
        subject: `Re: ${question}`,
        body: `${answer}\n\nOn Mon, Customer wrote:\n> ${question}`,
        messageId: `past-a${i}@hairshop.test`,
        headers: [`In-Reply-To: <past-q${i}@example.com>`],
      }),
      'Sent',
      ['\\Seen'],
    );
  }
  const steps: string[] = [];
  const result = await mail.importReference(100, (step) => steps.push(step));
  assert.ok(result.pairs >= 3, String(result.pairs));
  assert.ok(steps.includes('learning from your replies'));
  assert.equal(result.style.greeting, 'Hi {name},');
  assert.equal(result.style.signOff, 'Thanks so much,');
  const again = await mail.importReference(100, () => undefined);
  assert.equal(again.added, 0, 'nothing learnt twice');
  const similar = await mail.examples.similar('do you ship to ireland', 3);
  assert.match(similar[0]!.answer, /3-5 days/);
  assert.doesNotMatch(similar[0]!.answer, /> Do you ship/, 'the quote was cut');
});

test('a question the shop asked that got no answer in 3 days is a reminder for the owner, once', async () => {
  const fourDaysAgo = new Date(Date.now() - 4 * 86_400_000);
  await dovecot.append(
    message({
      from: 'Hair Shop <shop@hairshop.test>',
      subject: 'Your trade order',
      body: 'Hi Chloe,\n\nWould you like the 1L or the 5L size for the salon?\n\nBest wishes,\nSam',
      messageId: 'asked-1@hairshop.test',
      headers: ['To: Chloe Hart <chloe@hartandco.test>'],
      date: fourDaysAgo.toUTCString(),
    }).replace('To: Hair Shop <shop@hairshop.test>\r\n', ''),
    'Sent',
    ['\\Seen'],
    fourDaysAgo,
  );
  // Sent is read on new mail and every 5 minutes; here at once (once the watcher is connected again).
  await waitFor(
    async () => (
      await mail.syncNow(),
      (await q(`select 1 from mail_messages where message_id = 'asked-1@hairshop.test'`)).length === 1
    ),
    30_000,
    'the question read from Sent',
  );
  assert.equal(await mail.remindUnanswered(), 1);
  assert.equal(await mail.remindUnanswered(), 0, 'reminded once');
  const notices = await server.face('notifications').list();
  assert.ok(
    notices.some((n) => n.kind === 'mail.follow-up' && n.title === 'No answer from chloe@hartandco.test yet'),
  );
});

test('Settings’ “Test connection” logs in to IMAP and SMTP, and names what a wrong password gets', async () => {
  const [definition] = mailCredentials(mailSettings(new SettingsReader({})));
  const values = {
    imap_host: '127.0.0.1',
    imap_port: String(dovecot.port),
    imap_security: 'none',
    smtp_host: '127.0.0.1',
    smtp_port: String(smtp.port),
    smtp_security: 'none',
    username: MAILBOX.user,
    password: MAILBOX.password,
    address: MAILBOX.address,
  };
  assert.equal(await definition!.test(values), 'Logged in to IMAP and SMTP; Sent is “Sent”.');
  await assert.rejects(definition!.test({ ...values, password: 'wrong-password' }), (error: Error) => {
    assert.match(error.message, /IMAP 127\.0\.0\.1:\d+: the IMAP server refused the login/);
    assert.doesNotMatch(error.message, /wrong-password/);
    return true;
  });
  assert.deepEqual(
    definition!.fields.filter((f) => f.secret).map((f) => f.env),
    ['MAIL_PASSWORD'],
  );
});

/** The message with this subject once its reply waits for the owner. */
async function waitingReply(subject: string) {
  const id = Number(await bySubject(subject));
  return waitFor(
    async () => {
      const detail = await mail.detail(id);
      return detail.reply.status === 'pending_approval' ? detail : undefined;
    },
    30_000,
    `the draft for “${subject}” to wait for the owner`,
  );
}

async function bearer(): Promise<Record<string, string>> {
  const accounts = accountsOf(server);
  const { email } = await newUser(accounts, { role: 'owner' });
  const { token } = await newToken(accounts, { email, scopes: ['read'] });
  return { authorization: `Bearer ${token}` };
}
