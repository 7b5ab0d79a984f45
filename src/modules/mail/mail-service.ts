// The mail module's service: the watcher that keeps the mailbox in step, the triage of what arrives
// (with the hand-offs: bounces to the suppression list, a draft for what a person wrote), the reply
// lifecycle, the owner's voice and FAQ, and what the API, the dashboard and /metrics read.
import type pg from 'pg';
import client from 'prom-client';
import { transaction } from '../../platform/db/database.ts';
import { emit, subscription, type Subscription } from '../../platform/events/outbox.ts';
import { defineJob, type AnyJob, type JobQueue } from '../../platform/jobs/job-queue.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { Decider, Decision } from '../approvals/index.ts';
import { conflict, invalid } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/http/metrics.ts';
import { oncePerScrape } from '../../platform/http/once-per-scrape.ts';
import { automaticReason } from './automatic.ts';
import { readDeliveryStatus } from './bounces.ts';
import { Examples } from './examples.ts';
import { Faq } from './faq.ts';
import { readMessage } from './message.ts';
import { MessageReader, summary, type StoredMessage } from './messages.ts';
import { Replies } from './replies.ts';
import type { MailSettings } from './settings.ts';
import { MessageStore } from './store.ts';
import { Suppressions } from './suppressions.ts';
import {
  ANSWERABLE,
  CATEGORIES,
  isCategory,
  orderNamesIn,
  triageByRules,
  type Category,
  type Triage,
} from './triage.ts';
import { MailboxWatcher, syncFolders } from './watcher.ts';
import { ImapSession } from './imap.ts';
import type { StyleCard } from './style.ts';
import { promptTemplate, renderPrompt } from '../ai/index.ts';

/** Older mail (a first sync, a long outage) is sorted but not answered: the owner has seen it. */
const ANSWER_WITHIN_DAYS = 7;

export interface MailServiceOptions {
  db: pg.Pool;
  settings: MailSettings;
  jobs: JobQueue;
  metrics: Metrics;
  ai: Faces['ai'];
  qa: Faces['qa'];
  ledger: Faces['ledger'];
  approvals: Faces['approvals'];
  shop: Faces['shop'];
  catalog: Faces['catalog'];
  notifications: Faces['notifications'];
  logger: Logger;
  timezone: string;
  dataDir: string;
  now: () => Date;
}

export interface MailboxHealth {
  mailbox: string;
  address: string;
  connected: boolean;
  capabilities: string[];
  lastSyncAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  errors: number;
  reconnects: number;
  messages: number;
  unparsed: number;
}

export class MailService {
  readonly messages: MessageReader;
  readonly store: MessageStore;
  readonly examples: Examples;
  readonly faq: Faq;
  readonly suppressions: Suppressions;
  readonly replies: Replies;
  private watcher: MailboxWatcher | undefined;
  private titles: { at: number; titles: string[] } | undefined;

  readonly draftJob = defineJob<{ messageId: number; feedback?: string }>({
    name: 'mail.draft',
    concurrency: 2,
    handler: ({ messageId, feedback }) => this.replies.draft(messageId, feedback),
  });

  readonly sendJob = defineJob<{ replyId: number }>({
    name: 'mail.send',
    retryLimit: 6,
    retryDelaySeconds: 30,
    handler: ({ replyId }) => this.replies.send(replyId),
  });

  /** A supplier's invoice goes to the books as a receipt, each PDF or photo attached. */
  readonly invoiceJob = defineJob<{ messageId: number }>({
    name: 'mail.hand-invoice',
    handler: ({ messageId }) => this.handInvoice(messageId),
  });

  /** Each morning: threads where the shop asked something and heard nothing back for 3 days. */
  readonly followUpJob = defineJob<object>({
    name: 'mail.follow-ups',
    cron: '0 9 * * *',
    handler: async () => void (await this.remindUnanswered()),
  });

  readonly fileJob = defineJob<{ outgoingMessageId: string }>({
    name: 'mail.file-sent',
    retryLimit: 8,
    retryDelaySeconds: 30,
    handler: ({ outgoingMessageId }) => this.replies.fileInSent(outgoingMessageId),
  });

  /**
   * Once a minute, and at once after a start: mail a stopped process stored but did not sort, replies
   * it did not finish writing, approved replies it did not send, sent replies it did not file in Sent. A job a killed process held stays
   * taken for its expiry; these get keys of their own, and each step does nothing twice.
   */
  readonly sweepJob = defineJob<{ sweep?: string; before?: string }>({
    name: 'mail.sweep',
    cron: '* * * * *',
    handler: async ({ sweep, before }) => {
      const round = sweep ?? String(Math.floor(this.o.now().getTime() / 60_000));
      await this.sweep(round, before ? new Date(before) : new Date(this.o.now().getTime() - 10 * 60_000));
    },
  });

  constructor(private readonly o: MailServiceOptions) {
    this.messages = new MessageReader(o.db);
    this.store = new MessageStore(o.db, `${o.dataDir}/mail/attachments`, o.settings.authservId);
    this.examples = new Examples(o.db);
    this.faq = new Faq(o.db);
    this.suppressions = new Suppressions(o.db);
    this.replies = new Replies({
      pool: o.db,
      account: o.settings.account,
      autoSend: o.settings.autoSend,
      ai: o.ai,
      qa: o.qa,
      approvals: o.approvals,
      shop: o.shop,
      catalog: o.catalog,
      notifications: o.notifications,
      examples: this.examples,
      faq: this.faq,
      suppressions: this.suppressions,
      message: (id) => this.messages.get(id),
      sendLater: async (replyId) => {
        await o.jobs.send(this.sendJob, { replyId }, { idempotencyKey: `mail.send:${replyId}` });
      },
      fileLater: async (outgoingMessageId, tx) => {
        await o.jobs.send(
          this.fileJob,
          { outgoingMessageId },
          { idempotencyKey: `mail.file-sent:${outgoingMessageId}`, tx },
        );
      },
      timezone: o.timezone,
      logger: o.logger,
      now: o.now,
    });
    this.registerMetrics(o.metrics);
  }

  now(): Date {
    return this.o.now();
  }

  /** Mail received since `since`, by category. */
  async countsSince(since: Date): Promise<{ category: Category | null; count: number }[]> {
    const { rows } = await this.o.db.query<{ category: Category | null; n: string }>(
      `select category, count(*) n from mail_messages where direction = 'in' and stored_at >= $1 group by 1 order by 2 desc`,
      [since],
    );
    return rows.map((r) => ({ category: r.category, count: Number(r.n) }));
  }

  get timezone(): string {
    return this.o.timezone;
  }

  /** The owner's decision on a reply that waits for them, from the mail page (the bot decides through approvals). */
  async decide(messageId: number, decision: Decision, by: Decider): Promise<void> {
    const reply = await this.replies.forMessage(messageId);
    if (!reply?.approvalId || reply.status !== 'pending_approval')
      throw conflict('this reply does not wait for a decision (it was sent, rejected or never drafted)');
    if (
      (decision.action === 'edit' && !decision.text?.trim()) ||
      (decision.action === 'regenerate' && !decision.reason?.trim())
    )
      throw invalid(decision.action === 'edit' ? 'write the reply you want sent' : 'say what should change');
    await this.o.approvals.decide(reply.approvalId, decision, by);
  }

  get account() {
    return this.o.settings.account;
  }

  jobs(): AnyJob[] {
    return [this.draftJob, this.sendJob, this.fileJob, this.sweepJob, this.invoiceJob, this.followUpJob];
  }

  subscriptions(): Subscription[] {
    return [
      subscription({
        name: 'mail.triage',
        types: ['email.received'],
        handle: async ({ payload }) => {
          await this.triage(payload.messageId);
        },
      }),
      subscription({
        name: 'mail.owner-decided',
        types: ['approval.decided', 'approval.expired'],
        handle: async ({ type, payload }) => {
          if (payload.kind !== 'mail.reply') return;
          if (type === 'approval.expired')
            return this.replies.decided(payload.approvalId, 'expired', null, null);
          const approval = await this.o.approvals.get(payload.approvalId);
          await this.replies.decided(approval.id, approval.status, approval.finalText, approval.decidedBy);
        },
      }),
      subscription({
        name: 'mail.redraft',
        types: ['approval.regenerate_requested'],
        handle: async ({ payload }) => {
          if (payload.kind !== 'mail.reply') return;
          const reply = await this.replies.byApproval(payload.approvalId);
          if (!reply) return;
          await this.o.jobs.send(
            this.draftJob,
            { messageId: reply.messageId, feedback: payload.reason },
            { idempotencyKey: `mail.redraft:${payload.approvalId}` },
          );
        },
      }),
    ];
  }

  /** After a start, what the previous process left half-done is taken up at once. */
  async sweepSoon(startedAt: Date): Promise<void> {
    if (!this.o.settings.account) return;
    await this.o.jobs.send(this.sweepJob, {
      sweep: `start-${startedAt.getTime()}`,
      before: startedAt.toISOString(),
    });
  }

  async sweep(round: string, before: Date): Promise<void> {
    const { db, jobs } = this.o;
    const unsorted = await db.query<{ id: string }>(
      `select id from mail_messages where direction = 'in' and category is null and stored_at < $1 order by id limit 200`,
      [before],
    );
    for (const { id } of unsorted.rows) await this.triage(Number(id));
    const unwritten = await db.query<{ message_id: string }>(
      `select message_id from mail_replies where status = 'draft' and approved_at is null and updated_at < $1 limit 100`,
      [before],
    );
    for (const { message_id } of unwritten.rows)
      await jobs.send(
        this.draftJob,
        { messageId: Number(message_id) },
        { idempotencyKey: `mail.draft:${message_id}:${round}` },
      );
    const unsent = await db.query<{ id: string }>(
      `select id from mail_replies where status = 'draft' and approved_at is not null and updated_at < $1 limit 100`,
      [before],
    );
    for (const { id } of unsent.rows)
      await jobs.send(this.sendJob, { replyId: Number(id) }, { idempotencyKey: `mail.send:${id}:${round}` });
    const unfiled = await db.query<{ outgoing_message_id: string }>(
      `select outgoing_message_id from mail_replies where status = 'sent' and filed_at is null and sent_at < $1 limit 100`,
      [before],
    );
    for (const { outgoing_message_id } of unfiled.rows)
      await jobs.send(
        this.fileJob,
        { outgoingMessageId: outgoing_message_id },
        { idempotencyKey: `mail.file-sent:${outgoing_message_id}:${round}` },
      );
  }

  /** Starts watching the mailbox (in the process that runs jobs). */
  startWatching(): void {
    const account = this.o.settings.account;
    if (!account) return;
    this.watcher = new MailboxWatcher({ pool: this.o.db, account, store: this.store, logger: this.o.logger });
    this.watcher.start();
  }

  /** Reads the mailbox now (Sent is otherwise read on new mail and every 5 minutes); what was stored. */
  async syncNow(): Promise<number> {
    return (await this.watcher?.syncNow()) ?? 0;
  }

  async stopWatching(): Promise<void> {
    await this.watcher?.stop();
  }

  /** Sorts a received message once, hands it on, and has a reply drafted when a person wrote it. */
  async triage(messageId: number): Promise<Triage | undefined> {
    const message = await this.messages.get(messageId);
    if (message.category || message.direction !== 'in') return undefined;
    const triage = await this.classify(message);
    const draft = await this.shouldDraft(message, triage.category);
    await transaction(this.o.db, async (tx) => {
      const { rowCount } = await tx.query(
        `update mail_messages set category = $2, reason = $3, classified_by = $4, order_name = $5, needs_action = $6
         where id = $1 and category is null`,
        [
          messageId,
          triage.category,
          triage.reason,
          triage.by,
          triage.orderNames[0] ?? null,
          needsAction(triage.category),
        ],
      );
      if (!rowCount) return;
      await emit(tx, 'email.classified', {
        messageId,
        mailbox: message.mailbox,
        category: triage.category,
        reason: triage.reason,
        by: triage.by,
        ...(triage.orderNames[0] ? { orderName: triage.orderNames[0] } : {}),
      });
      if (triage.category === 'bounce') await this.bounced(message, tx);
      if (triage.category === 'supplier_invoice')
        await this.o.jobs.send(
          this.invoiceJob,
          { messageId },
          { idempotencyKey: `mail.hand-invoice:${messageId}`, tx },
        );
      if (draft) {
        // The reply is owed from now on: a stopped process's draft is picked up by the sweep.
        await tx.query(
          `insert into mail_replies (message_id, status) values ($1, 'draft') on conflict do nothing`,
          [messageId],
        );
        await this.o.jobs.send(
          this.draftJob,
          { messageId },
          { idempotencyKey: `mail.draft:${messageId}`, tx },
        );
      }
    });
    return triage;
  }

  /** Rules first; the model for what they cannot place; "other" when no model answers. */
  async classify(message: StoredMessage): Promise<Triage> {
    if (message.parseError && !message.fresh)
      return { category: 'other', reason: message.parseError, by: 'rules', orderNames: [] };
    const repliesToShopThread = await this.startedByShop(message);
    const ruled = triageByRules(message, {
      shopAddresses: this.shopAddresses(),
      repliesToShopThread,
      productTitles: await this.productTitles(),
    });
    if (ruled) return ruled;
    const answer = await this.o.ai.generate<{ category: string; reason: string }>({
      feature: 'mail.triage',
      ...renderPrompt(promptTemplate('mail-triage'), {
        from: message.fromAddress,
        subject: message.subject.slice(0, 200),
        text: (message.fresh || message.body).slice(0, 3000),
      }),
      schema: {
        type: 'object',
        properties: { category: { type: 'string', enum: [...CATEGORIES] }, reason: { type: 'string' } },
        required: ['category', 'reason'],
        additionalProperties: false,
      },
      temperature: 0,
      maxOutputTokens: 200,
      offline: () =>
        JSON.stringify({ category: 'other', reason: 'no rule placed it and no model is set up' }),
    });
    const category = isCategory(answer.value.category) ? answer.value.category : 'other';
    // The model may not call mail the shop's own, a bounce or automatic: only headers can say that.
    const safe: Category = ['own', 'bounce', 'automated'].includes(category) ? 'other' : category;
    return {
      category: safe,
      reason: `${answer.value.reason}`.slice(0, 300),
      by: answer.provider === 'offline' ? 'rules' : 'model',
      orderNames: orderNamesIn(`${message.subject}\n${message.fresh}`),
    };
  }

  private async shouldDraft(message: StoredMessage, category: Category): Promise<boolean> {
    if (!ANSWERABLE.includes(category) || !this.o.settings.account) return false;
    if (automaticReason(message.headers, message.fromAddress, this.shopAddresses())) return false;
    if (this.o.now().getTime() - message.receivedAt.getTime() > ANSWER_WITHIN_DAYS * 86_400_000) return false;
    const { rowCount } = await this.o.db.query(
      `select 1 from mail_messages where direction = 'out' and (in_reply_to = $1 or refs @> array[$1::text])`,
      [message.messageId],
    );
    return !rowCount;
  }

  private async startedByShop(message: StoredMessage): Promise<boolean> {
    if (message.threadId === null) return false;
    const { rows } = await this.o.db.query<{ direction: string; in_reply_to: string | null }>(
      'select direction, in_reply_to from mail_messages where thread_id = $1 order by received_at, id limit 1',
      [message.threadId],
    );
    return rows[0]?.direction === 'out' && !rows[0].in_reply_to;
  }

  async handInvoice(messageId: number): Promise<void> {
    const take = this.o.ledger.takeInvoice;
    if (!take) return; // the books read no receipts here: the message stays marked as needing the owner
    const message = await this.messages.get(messageId);
    const read = await readMessage(await this.messages.raw(messageId));
    const files = read.attachments.filter(
      (a) => a.contentType === 'application/pdf' || /^image\/(png|jpeg|webp)$/.test(a.contentType),
    );
    const receipts: string[] = [];
    for (const file of files) {
      const taken = await take(file.content, message.fromAddress, file.filename);
      receipts.push(
        taken.duplicate
          ? `${file.filename} (had it already)`
          : `${file.filename} → receipt ${taken.receiptId}`,
      );
    }
    if (!receipts.length) return;
    await this.o.db.query(
      `update mail_messages set needs_action = false, reason = reason || $2 where id = $1 and needs_action`,
      [messageId, `; handed to the books: ${receipts.join(', ')}`],
    );
  }

  /**
   * The owner is reminded of each thread whose last message is the shop's, asked a question, and got
   * no answer in 3 days (once per message). How many reminders were sent.
   */
  async remindUnanswered(): Promise<number> {
    const { rows } = await this.o.db.query<{ id: string; to: string; subject: string; sent_at: Date }>(
      `select distinct on (m.thread_id) m.id, coalesce(m.to_addresses[1], '') "to", m.subject, m.received_at sent_at
       from mail_messages m
       where m.direction = 'out' and m.thread_id is not null
         and m.received_at < $1::timestamptz - interval '3 days' and m.received_at > $1::timestamptz - interval '30 days'
         and m.fresh like '%?%'
         and not exists (select 1 from mail_messages later where later.thread_id = m.thread_id and later.received_at > m.received_at)
       order by m.thread_id, m.received_at desc`,
      [this.o.now()],
    );
    let sent = 0;
    for (const row of rows) {
      const notice = await this.o.notifications.send({
        kind: 'mail.follow-up',
        severity: 'info',
        title: `No answer from ${row.to} yet`,
        body: `The shop asked something in “${row.subject}” on ${row.sent_at.toISOString().slice(0, 10)} and heard nothing back. Write again, or let it go.`,
        dedupeKey: `mail.follow-up:${row.id}`,
      });
      if (notice) sent += 1;
    }
    return sent;
  }

  /** A delivery report: hard-bounced addresses go on the suppression list. */
  private async bounced(message: StoredMessage, tx: pg.PoolClient): Promise<void> {
    const read = await readMessage(await this.messages.raw(message.id));
    const status = read.attachments.find((a) => a.contentType === 'message/delivery-status');
    if (!status) return;
    const returned = read.attachments.find((a) => /rfc822-headers|message\/rfc822/.test(a.contentType));
    const bounce = readDeliveryStatus(
      status.content.toString('utf8'),
      returned?.content.toString('utf8') ?? '',
    );
    for (const recipient of bounce.recipients)
      if (recipient.hard)
        await this.suppressions.add(
          recipient.address,
          'hard_bounce',
          `${recipient.status} ${recipient.diagnostic}`,
          tx,
        );
  }

  private shopAddresses(): string[] {
    return this.o.settings.account ? [this.o.settings.account.address] : [];
  }

  private async productTitles(): Promise<string[]> {
    if (this.titles && Date.now() - this.titles.at < 5 * 60_000) return this.titles.titles;
    const titles = (await this.o.catalog.all()).map((p) => p.title.toLowerCase());
    this.titles = { at: Date.now(), titles };
    return titles;
  }

  /** A received message as the API shows it, with its reply. */
  async detail(id: number) {
    const message = await this.messages.get(id);
    const reply = await this.replies.forMessage(id);
    return {
      ...summary(message, {
        status: reply?.status ?? null,
        text: reply?.text ?? null,
        reason: reply?.reason ?? null,
        approvalId: reply?.approvalId ?? null,
      }),
      to: message.toAddresses,
      text: message.fresh || message.body,
      language: message.language,
      dmarc: message.dmarc,
      parseError: message.parseError,
      threadId: message.threadId,
      attachments: message.attachments.map(({ filename, contentType, size }) => ({
        filename,
        contentType,
        size,
      })),
    };
  }

  /**
   * Learns the owner's voice from their past replies: reads INBOX and Sent (what is not stored yet),
   * pairs each reply in Sent with the message it answers, keeps up to `limit` newest pairs (quotes and
   * signatures removed) and derives the style card again. Running it twice adds nothing twice.
   */
  async importReference(
    limit: number,
    onProgress: (step: string, done: number, total?: number) => void,
  ): Promise<{ pairs: number; added: number; style: StyleCard }> {
    const account = this.o.settings.account;
    if (!account)
      throw invalid(
        'no mailbox is set up: set MAIL_USERNAME, MAIL_PASSWORD and MAIL_ADDRESS (or connect it on Settings)',
      );
    const session = await ImapSession.open(account);
    try {
      await syncFolders(session, account, this.store, (folder, stored) =>
        onProgress(`reading ${folder}`, stored),
      );
    } finally {
      await session.close();
    }
    const { rows } = await this.o.db.query<{
      key: string;
      question: string;
      answer: string;
      language: string | null;
    }>(
      `select o.message_id key, coalesce(nullif(i.fresh, ''), i.subject) question, o.fresh answer, i.language
       from mail_messages o join mail_messages i on i.message_id = o.in_reply_to and i.direction = 'in'
       where o.direction = 'out' and o.fresh <> '' and coalesce(o.headers->>'autoSubmitted', 'no') = 'no'
         -- shopkeep's own drafts are not the owner's voice (their edits are learnt when they make them)
         and not exists (select 1 from mail_replies r where r.outgoing_message_id = o.message_id)
       order by o.received_at desc limit $1`,
      [limit],
    );
    let added = 0;
    for (const [index, row] of rows.entries()) {
      if (
        await this.examples.add({
          question: row.question,
          answer: row.answer,
          language: row.language,
          source: 'import',
          sourceKey: row.key,
        })
      )
        added += 1;
      onProgress('learning from your replies', index + 1, rows.length);
    }
    return { pairs: rows.length, added, style: await this.examples.restyle() };
  }

  async waitingCount(): Promise<number> {
    const { rows } = await this.o.db.query<{ n: string }>(
      `select count(*) n from mail_replies where status = 'pending_approval'`,
    );
    return Number(rows[0]!.n);
  }

  /** "3 emails came in", "2 replies went out" since the owner last looked. */
  async activitySince(since: Date): Promise<{ text: string }[]> {
    const { rows } = await this.o.db.query<{ received: string; sent: string }>(
      `select (select count(*) from mail_messages where direction = 'in' and received_at > $1) received,
              (select count(*) from mail_replies where status = 'sent' and sent_at > $1) sent`,
      [since],
    );
    const received = Number(rows[0]!.received);
    const sent = Number(rows[0]!.sent);
    return [
      ...(received ? [{ text: `${received === 1 ? '1 email' : `${received} emails`} came in` }] : []),
      ...(sent ? [{ text: `${sent === 1 ? '1 reply' : `${sent} replies`} went out` }] : []),
    ];
  }

  async health(): Promise<MailboxHealth | undefined> {
    const account = this.o.settings.account;
    if (!account) return undefined;
    const { rows } = await this.o.db.query<{
      connected: boolean | null;
      capabilities: string[] | null;
      last_sync_at: Date | null;
      last_error: string | null;
      last_error_at: Date | null;
      errors: number | null;
      reconnects: number | null;
      messages: string;
      unparsed: string;
    }>(
      `select h.connected, h.capabilities, h.last_sync_at, h.last_error, h.last_error_at, h.errors, h.reconnects,
         (select count(*) from mail_messages where mailbox = $1) messages,
         (select count(*) from mail_messages where mailbox = $1 and parse_error is not null) unparsed
       from (select 1) one left join mail_health h on h.mailbox = $1`,
      [account.name],
    );
    const r = rows[0]!;
    return {
      mailbox: account.name,
      address: account.address,
      connected: r.connected ?? false,
      capabilities: r.capabilities ?? [],
      lastSyncAt: r.last_sync_at,
      lastError: r.last_error,
      lastErrorAt: r.last_error_at,
      errors: r.errors ?? 0,
      reconnects: r.reconnects ?? 0,
      messages: Number(r.messages),
      unparsed: Number(r.unparsed),
    };
  }

  /** The mailbox's sync in /metrics: lag since the last sync, the connection, errors. */
  private registerMetrics(metrics: Metrics): void {
    // One scrape collects the three gauges one after another: they share one read of the health.
    const readHealth = oncePerScrape(() => this.health());
    const gauge = (name: string, help: string, value: (health: MailboxHealth) => number | undefined) =>
      new client.Gauge({
        name,
        help,
        labelNames: ['mailbox'],
        registers: [metrics.registry],
        collect: async function (this: client.Gauge<'mailbox'>) {
          const health = await readHealth();
          const measured = health && value(health);
          if (health && measured !== undefined) this.set({ mailbox: health.mailbox }, measured);
        },
      });
    gauge(
      'shopkeep_mail_sync_lag_seconds',
      'Seconds since the mailbox was last synced (IDLE or poll)',
      (h) => (h.lastSyncAt ? (Date.now() - h.lastSyncAt.getTime()) / 1000 : undefined),
    );
    gauge('shopkeep_mail_connected', '1 while the IMAP connection is up', (h) => (h.connected ? 1 : 0));
    gauge('shopkeep_mail_sync_errors', 'Sync errors since the mailbox was set up', (h) => h.errors);
  }
}

function needsAction(category: Category): boolean {
  return !['automated', 'bounce', 'newsletter', 'spam', 'own'].includes(category);
}
