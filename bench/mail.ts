// The mail module's budgets: triage without the model (≥ 100 emails/s, read from raw and sorted by
// the service as it runs), a message received in Dovecot until its draft is ready with the simulated
// model (≤ 5 s), retrieval of similar past replies over 10,000 pairs (p95 ≤ 20 ms), and importing 100
// of the owner's past replies from Sent (≤ 30 s). Against Dovecot, smtp-server, the Gemini simulator
// and a real PostgreSQL, as the tests run them.
import { performance } from 'node:perf_hooks';
import { GeminiSimulator } from '../src/sim/gemini.ts';
import mailModule from '../src/modules/mail/index.ts';
import { withTestDatabases } from './test-database.ts';
import { startTestServer } from '../test/support/server.ts';
import { mailEnv, startDovecot, startSmtp } from '../test/support/mail.ts';
import { inbox, message } from '../test/support/mail-fixtures.ts';
import { rememberShop, sampleOrder, storeOrders } from '../test/support/shop.ts';

export interface MailFigures {
  triagePerSecond: number;
  triaged: number;
  receivedToDraftSeconds: number;
  retrievalP95Ms: number;
  retrievalPairs: number;
  import100Seconds: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

export async function mailBenchmarks(root: string, progress: (line: string) => void): Promise<MailFigures> {
  return withTestDatabases(root, 'mail', 55690, () => measure(progress));
}

async function measure(progress: (line: string) => void): Promise<MailFigures> {
  const dovecot = await startDovecot();
  const smtp = await startSmtp();
  const gemini = await GeminiSimulator.start({
    apiKey: 'bench-gemini-key-0123456789',
    requestsPerMinute: 10_000,
  });
  const server = await startTestServer({
    work: true,
    env: {
      ...mailEnv(dovecot.port, smtp.port, { MAIL_AUTHSERV_ID: 'mx.hairshop.test' }),
      SHOPKEEP_AI_PROVIDER: 'gemini',
      GEMINI_API_KEY: 'bench-gemini-key-0123456789',
      GEMINI_BASE_URL: gemini.baseUrl,
    },
  });
  try {
    const { mail } = server.modules.get(mailModule);
    await rememberShop(server.db.pool, { name: 'Hair Shop' });
    await storeOrders(server.db.pool, { order: sampleOrder({ name: '#1001', email: 'ava@example.com' }) });

    progress('mail: a message received until its draft is ready (simulated model)…');
    const draftSeconds: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      await dovecot.append(
        message({
          from: 'Ava Jones <ava@example.com>',
          subject: `Where is my order #1001? (${i})`,
          body: 'Hi, has my order #1001 been sent yet? Thanks, Ava',
          messageId: `bench-draft-${i}@example.com`,
          dmarc: 'pass',
        }),
      );
      for (;;) {
        const { rows } = await server.db.pool.query(
          `select 1 from mail_replies r join mail_messages m on m.id = r.message_id where m.message_id = $1 and r.text <> ''`,
          [`bench-draft-${i}@example.com`],
        );
        if (rows.length) break;
        if (performance.now() - started > 60_000) throw new Error('no draft within a minute');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      draftSeconds.push((performance.now() - started) / 1000);
    }

    progress('mail: triage of 600 messages without the model…');
    // Stored as the sync stores them, then sorted by the service; the watcher is not involved.
    const fixtures = inbox().filter((f) => f.category !== 'other');
    const ids: number[] = [];
    for (let i = 0; i < 600; i += 1) {
      const fixture = fixtures[i % fixtures.length]!;
      const raw = Buffer.from(
        fixture.raw.replace(/Message-ID: <[^>]+>/, `Message-ID: <triage-${i}@bench.test>`),
      );
      await mail.store.storeBatch('bench', 'INBOX', 'inbox', {
        uidValidity: 1n,
        highestModseq: null,
        messages: [
          { uid: i + 1, raw, internalDate: new Date(Date.now() - 30 * 86_400_000), truncated: false },
        ],
      });
    }
    const { rows } = await server.db.pool.query<{ id: string }>(
      `select id from mail_messages where mailbox = 'bench' order by id`,
    );
    ids.push(...rows.map((r) => Number(r.id)));
    const triageStarted = performance.now();
    let triaged = 0;
    for (const id of ids) if (await mail.triage(id)) triaged += 1;
    const triagePerSecond = triaged / ((performance.now() - triageStarted) / 1000);

    progress('mail: retrieval over 10,000 past replies…');
    const topics = [
      'delivery',
      'refund',
      'stock',
      'shampoo',
      'conditioner',
      'argan oil',
      'curl cream',
      'salon',
      'invoice',
      'discount',
      'tracking',
      'colour',
      'vegan',
      'postage',
      'gift card',
    ];
    const words = [
      'please',
      'thanks',
      'order',
      'when',
      'where',
      'arrive',
      'bottle',
      'size',
      'price',
      'return',
      'hair',
      'dry',
      'frizzy',
      'blonde',
      'week',
    ];
    const values: unknown[] = [];
    const rowsSql: string[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const question = `Hi, ${topics[i % topics.length]} ${words[(i * 7) % words.length]} ${words[(i * 3) % words.length]} ${topics[(i * 5) % topics.length]} question ${i}?`;
      values.push(
        question,
        `Hi, about ${topics[i % topics.length]}: here is the answer ${i}. Best wishes, Sam`,
        `bench:${i}`,
      );
      rowsSql.push(`($${values.length - 2}, $${values.length - 1}, 'en', 'import', $${values.length})`);
      if (rowsSql.length === 1000) {
        await server.db.pool.query(
          `insert into mail_examples (question, answer, language, source, source_key) values ${rowsSql.join(', ')}`,
          values,
        );
        rowsSql.length = 0;
        values.length = 0;
      }
    }
    await server.db.pool.query('analyze mail_examples');
    const retrievalMs: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const started = performance.now();
      await mail.examples.similar(
        `Do you have ${topics[i % topics.length]} for ${words[i % words.length]} hair?`,
        4,
        'en',
      );
      retrievalMs.push(performance.now() - started);
    }

    progress('mail: importing 100 of the owner’s past replies from Sent…');
    // The watcher stops first, so the import reads the 100 pairs from Dovecot itself, as on a first run.
    await mail.stopWatching();
    for (let i = 0; i < 100; i += 1) {
      await dovecot.append(
        message({
          from: `Past ${i} <past${i}@example.com>`,
          subject: `Question ${i}`,
          body: `Do you sell ${topics[i % topics.length]}?`,
          messageId: `past-q-${i}@example.com`,
          date: 'Mon, 02 Nov 2026 10:00:00 +0000',
        }),
        'INBOX',
        ['\\Seen'],
      );
      await dovecot.append(
        message({
          from: 'Hair Shop <shop@hairshop.test>',
          subject: `Re: Question ${i}`,
          body: `Hi there,\n\nYes, we do! ${'It is lovely. '.repeat(20)}\n\nBest wishes,\nSam\n\nOn Mon, Past wrote:\n> Do you sell it?`,
          messageId: `past-a-${i}@hairshop.test`,
          headers: [`In-Reply-To: <past-q-${i}@example.com>`],
        }),
        'Sent',
        ['\\Seen'],
      );
    }
    const importStarted = performance.now();
    const imported = await mail.importReference(100, () => undefined);
    const import100Seconds = (performance.now() - importStarted) / 1000;
    if (imported.pairs < 100) throw new Error(`only ${imported.pairs} pairs imported`);

    return {
      triagePerSecond,
      triaged,
      receivedToDraftSeconds: median(draftSeconds),
      retrievalP95Ms: percentile(retrievalMs, 0.95),
      retrievalPairs: 10_000,
      import100Seconds,
    };
  } finally {
    await server.close();
    await gemini.stop();
    await smtp.stop();
    await dovecot.stop();
  }
}
