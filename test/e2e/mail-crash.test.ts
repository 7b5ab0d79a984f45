// A morning's mail with the server killed with -9 in the middle of it: 120 customers' questions land
// in Dovecot while `shopkeep serve` syncs, sorts and answers them (product questions are answered by
// themselves here), and the process is killed and started again three times, mid-sync and mid-send.
// In the end every message is stored once, announced once, and no customer got two answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startServe, type RunningServer } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';
import { mailEnv, startDovecot, startSmtp, type Dovecot, type SmtpRecorder } from '../support/mail.ts';
import { message } from '../support/mail-fixtures.ts';

const MESSAGES = 120;
let db: TestDatabase;
let dataDir: string;
let env: Record<string, string>;
let server: RunningServer | undefined;
let dovecot: Dovecot;
let smtp: SmtpRecorder;

before(async () => {
  dovecot = await startDovecot();
  smtp = await startSmtp();
  db = await createTestDatabase({ migrated: false });
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-mail-'));
  const port = await freePort();
  env = {
    DATABASE_URL: db.url,
    SHOPKEEP_DATA_DIR: dataDir,
    SHOPKEEP_HOST: '127.0.0.1',
    SHOPKEEP_PORT: String(port),
    SHOPKEEP_LOG_LEVEL: 'warn',
    SHOPKEEP_AI_PROVIDER: 'offline',
    ...mailEnv(dovecot.port, smtp.port, {
      SHOPKEEP_MAIL_AUTO_SEND: 'product_question',
      MAIL_AUTHSERV_ID: 'mx.hairshop.test',
    }),
  };
});

after(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
  await db?.drop();
  await smtp?.stop();
  await dovecot?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const count = async (sql: string, values: unknown[] = []) =>
  Number((await db.pool.query(sql, values)).rows[0].count);

test(
  'kill -9 mid-sync and mid-send: every message stored and announced once, no customer answered twice',
  { timeout: 600_000 },
  async () => {
    server = await startServe(env, 120_000);
    const appending = (async () => {
      for (let i = 0; i < MESSAGES; i += 1)
        await dovecot.append(
          message({
            from: `Customer ${i} <customer${i}@example.com>`,
            subject: `Is the curl cream in stock? (${i})`,
            body: `Hi, do you have the curl cream in stock? I need it for Saturday. ${'Thanks! '.repeat(200)}`,
            messageId: `question-${i}@example.com`,
            dmarc: 'pass',
          }),
        );
    })();
    for (let kill = 0; kill < 3; kill += 1) {
      // Kill while mail is still coming in or being answered: stored but not all answered, or mid-sync.
      await waitFor(
        async () => {
          const stored = await count(`select count(*) from mail_messages where direction = 'in'`);
          const answered = await count(`select count(*) from mail_replies where status = 'sent'`);
          return (
            stored > (kill + 1) * 20 || (stored === MESSAGES && answered < MESSAGES) || stored === MESSAGES
          );
        },
        180_000,
        `mail arriving (kill ${kill + 1})`,
      );
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 700));
      server.child.kill('SIGKILL');
      await server.exited;
      server = await startServe(env, 120_000);
    }
    await appending;
    const state = async () =>
      JSON.stringify({
        stored: await count(`select count(*) from mail_messages where direction = 'in'`),
        sorted: await count(
          `select count(*) from mail_messages where direction = 'in' and category is not null`,
        ),
        replies: (await db.pool.query(`select status, reason, count(*) from mail_replies group by 1, 2`))
          .rows,
        health: (await db.pool.query(`select connected, last_error, errors, reconnects from mail_health`))
          .rows,
        deadLetters: (await db.pool.query(`select queue, error from jobs_dead_letters`)).rows,
      });
    try {
      await waitFor(
        async () =>
          (await count(
            `select count(*) from mail_messages where direction = 'in' and category is not null`,
          )) === MESSAGES &&
          (await count(`select count(*) from mail_replies where status in ('sent', 'blocked')`)) === MESSAGES,
        300_000,
        'every message sorted and answered (or held for the owner)',
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}: ${await state()}\n${server.output().slice(-3000)}`);
    }
    assert.equal(
      await count(
        `select count(*) from (select message_id from mail_messages group by mailbox, folder, message_id having count(*) > 1) d`,
      ),
      0,
    );
    assert.equal(
      await count(`select count(*) from events_outbox where type = 'email.received'`),
      MESSAGES,
      'each announced once',
    );
    const perRecipient = new Map<string, number>();
    for (const mail of smtp.sent)
      for (const to of mail.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    const twice = [...perRecipient].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'no customer got two answers');
    const sent = await count(`select count(*) from mail_replies where status = 'sent'`);
    const uncertain = await count(
      `select count(*) from mail_replies where status = 'blocked' and reason like 'it may have gone out%'`,
    );
    assert.equal(
      sent + uncertain,
      MESSAGES,
      'every reply sent, or held for the owner because a kill landed mid-send',
    );
    assert.ok(sent >= MESSAGES - 3, `at most one held per kill (${uncertain} held)`);
    // Every reply the database calls sent reached a customer, and is filed in Sent.
    assert.ok(
      perRecipient.size >= sent && perRecipient.size <= sent + uncertain,
      `${perRecipient.size} customers answered`,
    );
    await waitFor(
      async () => (await dovecot.messages('Sent')).length === sent,
      60_000,
      `${sent} replies in Sent`,
    );
  },
);
