// The mail module's rules that need no server: reading messages (charsets, HTML-only, broken MIME,
// no Message-ID), the receiving server's DMARC verdict, RFC 3834's never-answer list, delivery
// reports, quotes and signatures, threading keys, reply headers, the style card, and the triage of
// a mixed inbox, each with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMessage } from '../../src/modules/mail/message.ts';
import { dmarcVerdict, senderProven } from '../../src/modules/mail/authentication.ts';
import { automaticReason } from '../../src/modules/mail/automatic.ts';
import { readDeliveryStatus } from '../../src/modules/mail/bounces.ts';
import { freshText, htmlToText } from '../../src/modules/mail/quotes.ts';
import { baseSubject, outlookConversation } from '../../src/modules/mail/threads.ts';
import { referencesFor, replySubject } from '../../src/modules/mail/outgoing.ts';
import { deriveStyle, greetingOf, signOffOf } from '../../src/modules/mail/style.ts';
import { orderNamesIn, triageByRules } from '../../src/modules/mail/triage.ts';
import { detectLanguage } from '../../src/modules/mail/language.ts';
import { searchTerms } from '../../src/modules/mail/examples.ts';
import { inbox, message } from '../support/mail-fixtures.ts';
import { mailSettings } from '../../src/modules/mail/settings.ts';
import { SettingsReader } from '../../src/platform/kit/settings.ts';

const SHOP = ['shop@hairshop.test'];
const TITLES = ['argan repair oil', 'heat shield spray', 'curl defining cream', 'silk protein shampoo'];

test('every message of a mixed inbox is read and sorted into its category, with a reason', async () => {
  for (const fixture of inbox()) {
    const read = await readMessage(Buffer.from(fixture.raw), { authservId: 'mx.hairshop.test' });
    const triage = triageByRules(
      { ...read, fromAddress: read.from.address },
      { shopAddresses: SHOP, repliesToShopThread: false, productTitles: TITLES },
    );
    const category = triage?.category ?? 'other';
    assert.equal(category, fixture.category, `${fixture.name}: ${triage?.reason}`);
    if (triage) assert.ok(triage.reason.length > 5, `${fixture.name} has a reason`);
  }
});

test('charsets, HTML-only mail and winmail.dat are read; broken MIME and a missing Message-ID never throw', async () => {
  const [german, html, broken, outlook, noId] = [
    'German',
    'HTML-only',
    'broken',
    'winmail',
    'no Message-ID',
  ].map((name) => inbox().find((f) => f.name.includes(name))!);
  const de = await readMessage(Buffer.from(german!.raw));
  assert.match(de.body, /möchte es für meine Tochter/);
  assert.equal(de.language, 'de');
  assert.equal(de.from.name, 'Jana Müller');
  const h = await readMessage(Buffer.from(html!.raw));
  assert.match(h.body, /Is the Heat Shield Spray vegan/);
  assert.doesNotMatch(h.body, /<b>/);
  const b = await readMessage(Buffer.from(broken!.raw));
  assert.equal(b.subject, 'hello');
  assert.equal(b.from.address, 'someone@broken.test');
  const o = await readMessage(Buffer.from(outlook!.raw));
  assert.deepEqual(
    o.attachments.map((a) => [a.filename, a.contentType]),
    [['winmail.dat', 'application/ms-tnef']],
  );
  assert.ok(outlookConversation(o.headers.threadIndex));
  const n = await readMessage(Buffer.from(noId!.raw));
  assert.match(n.messageId, /^[0-9a-f]{32}@no-message-id\.shopkeep$/);
  assert.equal(
    (await readMessage(Buffer.from(noId!.raw))).messageId,
    n.messageId,
    'the same bytes give the same id',
  );
  // Bytes that are not mail at all still give a message to keep.
  const junk = await readMessage(Buffer.from([0xff, 0xfe, 0x00, 0x41]));
  assert.equal(typeof junk.messageId, 'string');
});

test('DMARC: only the topmost (or the named server’s) Authentication-Results counts, for the From domain', () => {
  const ours =
    'mx.hairshop.test; dkim=pass header.d=example.com; dmarc=pass (p=reject) header.from=example.com';
  const forged = 'mx.hairshop.test; dmarc=pass header.from=example.com';
  const theirs = 'attacker.test; dmarc=pass header.from=example.com';
  assert.deepEqual(dmarcVerdict([ours]), { result: 'pass', domain: 'example.com' });
  assert.equal(
    dmarcVerdict(['mx.hairshop.test; dmarc=fail (p=none) header.from=example.com', forged]).result,
    'fail',
  );
  assert.equal(dmarcVerdict([theirs, ours], 'mx.hairshop.test').result, 'pass');
  assert.equal(
    dmarcVerdict([theirs], 'mx.hairshop.test').result,
    'none',
    'another server’s header is not ours',
  );
  assert.equal(dmarcVerdict(['mx.hairshop.test; spf=pass smtp.mailfrom=example.com']).result, 'none');
  assert.equal(dmarcVerdict([]).result, 'none');
  assert.ok(senderProven({ result: 'pass', domain: 'example.com' }, 'ava@example.com'));
  assert.ok(
    !senderProven({ result: 'pass', domain: 'other.test' }, 'ava@example.com'),
    'a pass for another domain',
  );
  assert.ok(!senderProven({ result: 'fail', domain: 'example.com' }, 'ava@example.com'));
  assert.ok(!senderProven({ result: 'none', domain: null }, 'ava@example.com'));
});

test('RFC 3834: automatic, bulk, list, bounce and own mail is never answered; a person’s mail is', () => {
  const headers = { authenticationResults: [] };
  const person = automaticReason({ ...headers, returnPath: '<ava@example.com>' }, 'ava@example.com', SHOP);
  assert.equal(person, undefined);
  assert.equal(automaticReason({ ...headers, autoSubmitted: 'no' }, 'ava@example.com', SHOP), undefined);
  const cases: [Record<string, string>, string][] = [
    [{ autoSubmitted: 'auto-replied' }, 'ava@example.com'],
    [{ autoSubmitted: 'auto-generated; owner-email="x@y"' }, 'ava@example.com'],
    [{ precedence: 'bulk' }, 'ava@example.com'],
    [{ precedence: 'junk' }, 'ava@example.com'],
    [{ precedence: 'list' }, 'ava@example.com'],
    [{ listId: '<list.example.com>' }, 'ava@example.com'],
    [{ listUnsubscribe: '<https://x.test/u>' }, 'ava@example.com'],
    [{ returnPath: '<>' }, 'ava@example.com'],
    [{}, 'SHOP@hairshop.test'],
    [{}, 'mailer-daemon@mx.test'],
    [{}, 'no-reply@shopify.com'],
    [{}, ''],
  ];
  for (const [extra, from] of cases)
    assert.ok(automaticReason({ ...headers, ...extra }, from, SHOP), `${JSON.stringify(extra)} from ${from}`);
});

test('a delivery report names the hard-bounced recipient and the message that bounced', () => {
  const status = [
    'Reporting-MTA: dns; mx.test',
    '',
    'Final-Recipient: rfc822; Gone@Closed.test',
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
    '',
    'Final-Recipient: rfc822; later@busy.test',
    'Action: delayed',
    'Status: 4.2.2',
  ].join('\r\n');
  const bounce = readDeliveryStatus(status, 'Message-ID: <outreach-1@hairshop.test>\r\nSubject: x');
  assert.deepEqual(
    bounce.recipients.map((r) => [r.address, r.hard, r.status]),
    [
      ['gone@closed.test', true, '5.1.1'],
      ['later@busy.test', false, '4.2.2'],
    ],
  );
  assert.equal(bounce.originalMessageId, 'outreach-1@hairshop.test');
});

test('quotes and signatures are cut: Gmail, Outlook, German clients, ">" lines, "Sent from my iPhone"', () => {
  assert.equal(
    freshText('Yes please!\n\nOn Mon, 1 Dec 2026 at 10:00, Shop <shop@x.test> wrote:\n> Shall we send it?'),
    'Yes please!',
  );
  assert.equal(
    freshText(
      'Thanks, that works.\n\nFrom: Hair Shop <shop@x.test>\nSent: 01 December 2026 10:00\nTo: Ava\nSubject: RE: order\n\nOld text',
    ),
    'Thanks, that works.',
  );
  assert.equal(
    freshText('Danke!\n\nAm 01.12.2026 um 10:00 schrieb Hair Shop <shop@x.test>:\n> Alt'),
    'Danke!',
  );
  assert.equal(freshText('Great\n-- \nAva Jones\n07700 900000'), 'Great');
  assert.equal(freshText('See you\n\nSent from my iPhone'), 'See you');
  assert.equal(freshText('> quoted\nmine\n> more quoted'), 'mine');
  assert.equal(htmlToText('<p>Hi&nbsp;there</p><script>x()</script><p>A &amp; B</p>'), 'Hi there\nA & B');
});

test('threads: reply prefixes in many languages, Outlook conversations, reply headers', () => {
  assert.equal(baseSubject('RE: AW: Re[2]: SV: Your order'), 'your order');
  assert.equal(baseSubject('Fwd: WG: Trade prices'), 'trade prices');
  assert.equal(
    outlookConversation('AdqH1vWj3t0cYkq9QsWbVDcR1v2xZw=='),
    outlookConversation('AdqH1vWj3t0cYkq9QsWbVDcR1v2xZwABCDEFGHI='),
  );
  assert.equal(outlookConversation('short'), undefined);
  assert.equal(replySubject('AW: Re: Your order'), 'Re: Your order');
  assert.equal(replySubject(''), 'Re: (no subject)');
  assert.deepEqual(referencesFor({ messageId: 'c@x', references: ['a@x', 'b@x'] }), ['a@x', 'b@x', 'c@x']);
  assert.deepEqual(referencesFor({ messageId: 'c@x', references: ['a@x', 'c@x'] }), ['a@x', 'c@x']);
});

test('order names, languages and search terms', () => {
  assert.deepEqual(orderNamesIn('Where is #1001? Also order 1002 and Bestellung Nr. 1003'), [
    '#1001',
    '#1002',
    '#1003',
  ]);
  assert.deepEqual(orderNamesIn('I paid £1001 for 2 items'), []);
  assert.equal(detectLanguage('Bonjour, où est ma commande ? Merci'), 'fr');
  assert.equal(detectLanguage('Hola, dónde está mi pedido? Gracias'), 'es');
  assert.equal(detectLanguage('Hi, where is my order please?'), 'en');
  assert.equal(detectLanguage('ok'), null);
  assert.equal(searchTerms("Where's my order #1001, please?!"), 'order | 1001');
  assert.equal(searchTerms('!!'), undefined);
});

test('the style card is derived from the owner’s replies', () => {
  assert.equal(greetingOf('Hi Ava,\n\nIt went out today.'), 'Hi {name},');
  assert.equal(greetingOf('Hello!\nThanks'), 'Hello!');
  assert.equal(greetingOf('It went out today.'), undefined);
  assert.equal(signOffOf('It went out today.\n\nBest wishes,\nSam'), 'Best wishes,');
  const replies = [
    'Hi Ava,\n\nYour order went out today with Royal Mail, it should be with you by Friday!\n\nBest wishes,\nSam',
    'Hi Tom,\n\nSo sorry about the bottle! I’ve sent a new one today.\n\nBest wishes,\nSam',
    'Hi Jana,\n\nYes, it’s back in stock!\n\nThanks,\nSam',
  ];
  const card = deriveStyle(replies);
  assert.equal(card.greeting, 'Hi {name},');
  assert.equal(card.signOff, 'Best wishes,');
  assert.equal(card.formality, 'casual');
  assert.deepEqual(card.languages, ['en']);
  assert.ok(card.typicalWords >= 20 && card.typicalWords <= 40, String(card.typicalWords));
  const formal = deriveStyle([
    'Dear Mrs Smith,\n\nThank you for your enquiry. The order was dispatched today.\n\nKind regards,\nSam Shop',
  ]);
  assert.equal(formal.formality, 'formal');
  assert.equal(formal.signOff, 'Kind regards,');
});

test('a message built by the fixtures has the headers the rules read', async () => {
  const read = await readMessage(
    Buffer.from(message({ from: 'A <a@b.test>', subject: 's', body: 'b', headers: ['Precedence: bulk'] })),
  );
  assert.equal(read.headers.precedence, 'bulk');
  assert.equal(read.headers.returnPath, '<a@b.test>');
});

test('mail settings: Titan by default, every bad value named', () => {
  const read = (env: Record<string, string>) => mailSettings(new SettingsReader(env));
  assert.equal(read({}).account, undefined);
  const account = read({ MAIL_USERNAME: 'Shop@Example.com', MAIL_PASSWORD: 'x' }).account!;
  assert.deepEqual(account.imap, { host: 'imap.titan.email', port: 993, security: 'tls' });
  assert.deepEqual(account.smtp, { host: 'smtp.titan.email', port: 465, security: 'tls' });
  assert.equal(account.address, 'shop@example.com');
  assert.deepEqual(read({ SHOPKEEP_MAIL_AUTO_SEND: 'order_status, product_question' }).autoSend, [
    'order_status',
    'product_question',
  ]);
  const refused: [Record<string, string>, RegExp][] = [
    [{ MAIL_USERNAME: 'a@b.test' }, /MAIL_PASSWORD: is needed with MAIL_USERNAME/],
    [{ MAIL_PASSWORD: 'x' }, /MAIL_USERNAME: is needed with MAIL_PASSWORD/],
    [{ MAIL_USERNAME: 'shop', MAIL_PASSWORD: 'x' }, /MAIL_ADDRESS: is the shop’s email address/],
    [{ SHOPKEEP_MAIL_AUTO_SEND: 'everything' }, /SHOPKEEP_MAIL_AUTO_SEND: "everything" is not a category/],
    [{ MAIL_IMAP_SECURITY: 'ssl' }, /MAIL_IMAP_SECURITY: must be tls, starttls or none/],
    [{ MAIL_SMTP_PORT: '99999' }, /MAIL_SMTP_PORT: must be between 1 and 65535/],
  ];
  for (const [env, message] of refused) assert.throws(() => read(env), message);
});

test('a huge attachment is read; a message over 30 MB is kept by its headers, never parsed whole', async () => {
  const attachment = Buffer.alloc(6 * 1024 * 1024, 7);
  const big = message({
    from: 'Supplier <s@supplier.test>',
    subject: 'Catalogue photos',
    contentType: 'multipart/mixed; boundary="b"',
    body: `--b\nContent-Type: text/plain\n\nThe photos you asked for.\n--b\nContent-Type: application/zip; name="photos.zip"\nContent-Disposition: attachment; filename="photos.zip"\nContent-Transfer-Encoding: base64\n\n${attachment.toString('base64').replace(/.{76}/g, '$&\n')}\n--b--`,
  });
  const read = await readMessage(Buffer.from(big));
  assert.equal(read.parseError, null);
  assert.equal(read.body, 'The photos you asked for.');
  assert.deepEqual(
    read.attachments.map((a) => [a.filename, a.size]),
    [['photos.zip', attachment.length]],
  );
  const huge = Buffer.concat([
    Buffer.from(message({ from: 'X <x@y.test>', subject: 'Huge', body: '' })),
    Buffer.alloc(31 * 1024 * 1024, 65),
  ]);
  const kept = await readMessage(huge);
  assert.match(kept.parseError!, /31 MB, over the 30 MB read/);
  assert.equal(kept.subject, 'Huge');
  assert.equal(kept.from.address, 'x@y.test');
});
