// A reply's life: drafted (facts, examples, style, FAQ), through the QA gate, then either sent by
// itself (only in a category the owner enabled, only when the gate approves, the sender is proven,
// the message is not automatic, the address is not suppressed and the sender had no automatic reply
// today) or to the owner on Telegram and the dashboard. Sending happens once: the outgoing
// Message-ID is recorded before SMTP is called, and a send that may have happened is looked for in
// Sent, never repeated blindly.
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import { emit } from '../../platform/events/outbox.ts';
import { dayIn } from '../../platform/dates.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { Logger } from '../../platform/logger.ts';
import { notFound } from '../../platform/errors.ts';
import { automaticReason } from './automatic.ts';
import { senderProven } from './authentication.ts';
import { gatherFacts } from './facts.ts';
import { writeReply } from './drafting.ts';
import type { Examples } from './examples.ts';
import type { Faq } from './faq.ts';
import { buildReply, newMessageId, sendBySmtp, SmtpRefusal } from './outgoing.ts';
import { ImapSession } from './imap.ts';
import type { MailAccount } from './settings.ts';
import type { Category } from './triage.ts';
import type { StoredMessage } from './messages.ts';
import type { Suppressions } from './suppressions.ts';

export type ReplyStatus = 'draft' | 'pending_approval' | 'sent' | 'blocked';

export interface RepliesOptions {
  pool: pg.Pool;
  account: MailAccount | undefined;
  autoSend: readonly Category[];
  ai: Faces['ai'];
  qa: Faces['qa'];
  approvals: Faces['approvals'];
  shop: Faces['shop'];
  catalog: Faces['catalog'];
  notifications: Faces['notifications'];
  examples: Examples;
  faq: Faq;
  suppressions: Suppressions;
  message: (id: number) => Promise<StoredMessage>;
  sendLater: (replyId: number) => Promise<void>;
  /** Files a sent reply in Sent by a job of its own, enqueued with the send's record. */
  fileLater: (outgoingMessageId: string, tx: pg.PoolClient) => Promise<void>;
  timezone: string;
  logger: Logger;
  now: () => Date;
}

/** Rewrites the gate may ask for before the draft goes to the owner as it is. */
const MAX_ATTEMPTS = 2;

export class Replies {
  constructor(private readonly o: RepliesOptions) {}

  /** Drafts (again, with the owner's feedback) the reply to a received message, and routes it. */
  async draft(messageId: number, feedback?: string): Promise<void> {
    const { o } = this;
    const existing = await this.forMessage(messageId);
    if (existing?.status === 'sent' || existing?.status === 'blocked') return;
    if (existing?.status === 'pending_approval' && !feedback) return;
    if (existing?.status === 'draft' && existing.approvedAt && !feedback) {
      // Written and approved before a stop: only the send may be missing (it is sent once whatever).
      await o.sendLater(existing.id);
      return;
    }
    // Anything else (nothing yet, a draft a stopped process left half-way) is written from the start.
    const message = await o.message(messageId);
    await o.pool.query(
      `insert into mail_replies (message_id, status) values ($1, 'draft')
       on conflict (message_id) do update set updated_at = now()`,
      [messageId],
    );
    const category = message.category as Category;
    const proven = senderProven({ result: message.dmarc, domain: message.dmarcDomain }, message.fromAddress);
    const facts = await gatherFacts(
      {
        from: message.fromAddress,
        text: `${message.subject}\n${message.fresh}`,
        senderProven: proven,
        aboutOrders: category === 'order_status' || category === 'return_refund',
      },
      o.shop,
      o.catalog,
      o.timezone,
    );
    const info = await o.shop.info().catch(() => undefined);
    const input = {
      customer: { address: message.fromAddress, name: message.fromName },
      subject: message.subject,
      question: message.fresh || message.body,
      language: message.language,
      facts,
      examples: await o.examples.similar(message.fresh || message.subject, 4, message.language),
      faq: await o.faq.list(),
      style: await o.examples.style(),
      shopName: info?.name ?? '',
      feedback,
    };
    let text = '';
    let review: Awaited<ReturnType<Faces['qa']['check']>> | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      text = (await writeReply(o.ai, input)).text;
      review = await o.qa.check({
        channel: 'email',
        text,
        productIds: facts.productIds,
        attempt,
        knownAmounts: facts.amounts,
      });
      if (review.decision !== 'regenerate') break;
      input.feedback = review.hardFails.map((f) => f.message).join('; ') || feedback;
    }
    const blockers = await this.autoSendBlockers(message, category, facts.verify, review!.decision);
    const replyId = await this.save(messageId, {
      status: 'draft',
      text,
      verify: facts.verify,
      reason: facts.verifyReason ?? '',
      qaReviewId: review!.id,
    });
    if (!blockers.length) {
      await o.pool.query(
        `update mail_replies set automatic = true, approved_at = now(), reason = 'sent by itself: every check passed'
         where id = $1`,
        [replyId],
      );
      await o.sendLater(replyId);
      return;
    }
    const approval = await o.approvals.request({
      kind: 'mail.reply',
      channel: 'email',
      title: approvalTitle(message),
      text,
      productIds: facts.productIds,
      qaReviewId: review!.id,
      score: review!.score,
      lowConfidence: review!.lowConfidence,
      review: {
        criteria: review!.criteria.map(({ name, score }) => ({ name, score })),
        mustFix: [
          ...(facts.verify ? [`Ask to verify: ${facts.verifyReason}`] : []),
          ...review!.hardFails.map((f) => f.message),
        ],
      },
      expiresInHours: 72,
      onExpiry: 'skip',
    });
    await o.pool.query(
      `update mail_replies set status = 'pending_approval', approval_id = $2, reason = $3, updated_at = now() where id = $1`,
      [replyId, approval.id, [facts.verifyReason, ...blockers].filter(Boolean).join('; ')],
    );
  }

  /** Why this reply may not go out without the owner; empty when it may. */
  private async autoSendBlockers(
    message: StoredMessage,
    category: Category,
    verify: boolean,
    decision: string,
  ): Promise<string[]> {
    const { o } = this;
    const blockers: string[] = [];
    if (!o.autoSend.includes(category)) blockers.push(`automatic replies are off for ${category}`);
    if (verify) blockers.push('the sender must verify first');
    if (decision !== 'auto_approve') blockers.push('the QA gate wants the owner to look');
    const automatic = automaticReason(
      message.headers,
      message.fromAddress,
      o.account ? [o.account.address] : [],
    );
    if (automatic) blockers.push(`never auto-answered: ${automatic}`);
    if (await o.suppressions.has(message.fromAddress))
      blockers.push(`${message.fromAddress} is on the suppression list`);
    const day = dayIn(o.now(), o.timezone);
    const { rowCount } = await o.pool.query(
      'select 1 from mail_auto_replies where address = $1 and day = $2',
      [message.fromAddress, day],
    );
    if (rowCount) blockers.push(`${message.fromAddress} already had an automatic reply today`);
    if ((await o.approvals.paused()).paused) blockers.push('sending is paused');
    return blockers;
  }

  private async save(
    messageId: number,
    reply: { status: ReplyStatus; text: string; verify: boolean; reason: string; qaReviewId: string },
  ): Promise<number> {
    const { rows } = await this.o.pool.query<{ id: string }>(
      `insert into mail_replies (message_id, status, text, verify, reason, qa_review_id) values ($1, $2, $3, $4, $5, $6)
       on conflict (message_id) do update set status = $2, text = $3, verify = $4, reason = $5, qa_review_id = $6,
         approval_id = null, automatic = false, approved_at = null, updated_at = now()
       returning id`,
      [messageId, reply.status, reply.text, reply.verify, reply.reason, reply.qaReviewId],
    );
    return Number(rows[0]!.id);
  }

  async forMessage(messageId: number): Promise<ReplyRow | undefined> {
    const { rows } = await this.o.pool.query<RawReply>(`${REPLY_SELECT} where message_id = $1`, [messageId]);
    return rows[0] && replyRow(rows[0]);
  }

  async byApproval(approvalId: string): Promise<ReplyRow | undefined> {
    const { rows } = await this.o.pool.query<RawReply>(`${REPLY_SELECT} where approval_id = $1`, [
      approvalId,
    ]);
    return rows[0] && replyRow(rows[0]);
  }

  /** The owner decided on Telegram or the dashboard. */
  async decided(
    approvalId: string,
    status: string,
    finalText: string | null,
    decidedBy: string | null,
  ): Promise<void> {
    const reply = await this.byApproval(approvalId);
    if (!reply || reply.status !== 'pending_approval') return;
    if (status === 'approved' || status === 'edited') {
      await this.o.pool.query(
        `update mail_replies set status = 'draft', text = $2, reason = $3, approved_at = now(), updated_at = now()
         where id = $1`,
        [reply.id, finalText ?? reply.text, `approved by ${decidedBy ?? 'the owner'}`],
      );
      if (status === 'edited' && finalText) {
        const message = await this.o.message(reply.messageId);
        await this.o.examples.add({
          question: message.fresh || message.subject,
          answer: finalText,
          language: message.language,
          source: 'edit',
          sourceKey: `edit:${reply.id}`,
        });
      }
      await this.o.sendLater(reply.id);
      return;
    }
    const reason =
      status === 'expired' ? 'nobody decided in time' : `rejected by ${decidedBy ?? 'the owner'}`;
    await this.o.pool.query(
      `update mail_replies set status = 'blocked', reason = $2, updated_at = now() where id = $1`,
      [reply.id, reason],
    );
  }

  /** Sends an approved reply once. */
  async send(replyId: number): Promise<void> {
    const { o } = this;
    const account = o.account;
    if (!account) throw new Error('no mailbox is set up (MAIL_USERNAME, MAIL_PASSWORD)');
    const claimed = await transaction(o.pool, async (client) => {
      const { rows } = await client.query<RawReply>(`${REPLY_SELECT} where id = $1 for update`, [replyId]);
      if (!rows[0]) throw notFound(`no reply ${replyId}`);
      const reply = replyRow(rows[0]);
      if (reply.status !== 'draft' || !reply.approvedAt) return { reply, state: 'done' as const };
      if (reply.outgoingMessageId) return { reply, state: 'uncertain' as const };
      // The Message-ID is recorded before SMTP is called: a later attempt knows one may have gone out.
      const outgoingMessageId = newMessageId(account.address);
      await client.query(
        'update mail_replies set outgoing_message_id = $2, attempts = attempts + 1, updated_at = now() where id = $1',
        [replyId, outgoingMessageId],
      );
      return { reply: { ...reply, outgoingMessageId }, state: 'fresh' as const };
    });
    const { reply } = claimed;
    if (claimed.state === 'done') return;
    const message = await o.message(reply.messageId);
    const sentFolder = await this.sentFolder();
    if (claimed.state === 'uncertain') {
      // A previous attempt got as far as SMTP: it went out if Sent holds it; otherwise ask the owner.
      if (sentFolder && (await this.inSent(sentFolder, reply.outgoingMessageId!)))
        return this.markSent(reply, message, reply.outgoingMessageId!, null);
      await o.pool.query(
        `update mail_replies set status = 'blocked', reason = $2, updated_at = now() where id = $1`,
        [replyId, 'it may have gone out when shopkeep stopped mid-send; check Sent before sending it again'],
      );
      await o.notifications.send({
        kind: 'mail.uncertain',
        severity: 'warning',
        title: `A reply to ${message.fromAddress} may or may not have gone out`,
        body: `shopkeep stopped while sending it. Check the Sent folder; if it is not there, send it again from the mail page.`,
        dedupeKey: `mail.uncertain:${replyId}`,
      });
      return;
    }
    if (await o.suppressions.has(message.fromAddress)) {
      await o.pool.query(
        `update mail_replies set status = 'blocked', reason = $2, updated_at = now() where id = $1`,
        [replyId, `${message.fromAddress} is on the suppression list`],
      );
      return;
    }
    if (reply.automatic) {
      const day = dayIn(o.now(), o.timezone);
      const { rowCount } = await o.pool.query(
        'insert into mail_auto_replies (address, day) values ($1, $2) on conflict do nothing',
        [message.fromAddress, day],
      );
      if (!rowCount) {
        await o.pool.query(
          `update mail_replies set status = 'blocked', reason = $2, updated_at = now() where id = $1`,
          [replyId, `${message.fromAddress} already had an automatic reply today`],
        );
        return;
      }
    }
    const info = await o.shop.info().catch(() => undefined);
    const built = await buildReply({
      messageId: reply.outgoingMessageId!,
      from: { address: account.address, name: info?.name ?? '' },
      to: message.fromAddress,
      subject: message.subject,
      text: reply.text,
      parent: { messageId: message.messageId, references: message.refs },
      automatic: reply.automatic,
    });
    try {
      await sendBySmtp(account, message.fromAddress, built);
    } catch (error) {
      if (error instanceof SmtpRefusal && !error.uncertain) {
        // Not sent: the next attempt starts afresh, or, refused for good, the owner is told.
        await o.pool.query('update mail_replies set outgoing_message_id = null where id = $1', [replyId]);
        if (error.permanent) {
          await o.pool.query(
            `update mail_replies set status = 'blocked', reason = $2, updated_at = now() where id = $1`,
            [replyId, error.message],
          );
          if (/\b55[0-3]\b|5\.1\.[0-9]/.test(error.message))
            await o.suppressions.add(message.fromAddress, 'hard_bounce', error.message);
          return;
        }
      }
      throw error;
    }
    await this.markSent(reply, message, built.messageId, built.raw);
  }

  private async markSent(
    reply: ReplyRow,
    message: StoredMessage,
    outgoingMessageId: string,
    raw: Buffer | null,
  ): Promise<void> {
    const account = this.o.account!;
    await transaction(this.o.pool, async (client) => {
      await client.query(
        `update mail_replies set status = 'sent', sent_at = now(), updated_at = now() where id = $1`,
        [reply.id],
      );
      if (raw)
        await client.query(
          `insert into mail_messages (mailbox, folder, direction, message_id, in_reply_to, refs, thread_id, from_address, to_addresses,
             subject, sent_at, received_at, raw, size, body, fresh)
           values ($1, $2, 'out', $3, $4, $5, $6, $7, $8, $9, now(), now(), $10, $11, $12, $12)
           on conflict (mailbox, folder, message_id) do nothing`,
          [
            account.name,
            (await this.sentFolder()) ?? 'Sent',
            outgoingMessageId,
            message.messageId,
            [...message.refs, message.messageId],
            message.threadId,
            account.address,
            [message.fromAddress],
            message.subject,
            raw,
            raw.length,
            reply.text,
          ],
        );
      if (raw) await this.o.fileLater(outgoingMessageId, client);
      await emit(client, 'email.sent', {
        messageId: message.id,
        mailbox: account.name,
        to: message.fromAddress,
        outgoingMessageId,
        automatic: reply.automatic,
      });
    });
  }

  private sentPath: string | null | undefined;

  private async sentFolder(): Promise<string | null> {
    if (this.sentPath !== undefined) return this.sentPath;
    const { rows } = await this.o.pool.query<{ path: string }>(
      `select path from mail_folders where mailbox = $1 and role = 'sent'`,
      [this.o.account!.name],
    );
    this.sentPath = rows[0]?.path ?? null;
    return this.sentPath;
  }

  private async inSent(folder: string, messageId: string): Promise<boolean> {
    const session = await ImapSession.open(this.o.account!);
    try {
      return await session.holds(folder, messageId);
    } finally {
      await session.close();
    }
  }

  /** Files a sent reply in Sent unless it is there already (a retry after a crash files it once). */
  async fileInSent(outgoingMessageId: string): Promise<void> {
    const folder = await this.sentFolder();
    if (!folder) return;
    const { rows } = await this.o.pool.query<{ raw: Buffer }>(
      `select raw from mail_messages where direction = 'out' and message_id = $1 limit 1`,
      [outgoingMessageId],
    );
    if (!rows[0]) return;
    const session = await ImapSession.open(this.o.account!);
    try {
      if (!(await session.holds(folder, outgoingMessageId))) await session.fileSent(folder, rows[0].raw);
    } finally {
      await session.close();
    }
    await this.o.pool.query('update mail_replies set filed_at = now() where outgoing_message_id = $1', [
      outgoingMessageId,
    ]);
  }
}

function approvalTitle(message: StoredMessage): string {
  const excerpt = (message.fresh || message.body).replace(/\s+/g, ' ').slice(0, 240);
  return `Reply to ${message.fromName ? `${message.fromName} ` : ''}<${message.fromAddress}>: “${message.subject.slice(0, 80)}”. They wrote: “${excerpt}${excerpt.length >= 240 ? '…' : ''}”`;
}

export interface ReplyRow {
  id: number;
  messageId: number;
  status: ReplyStatus;
  text: string;
  reason: string;
  verify: boolean;
  automatic: boolean;
  approvalId: string | null;
  approvedAt: Date | null;
  outgoingMessageId: string | null;
  sentAt: Date | null;
}

interface RawReply {
  id: string;
  message_id: string;
  status: ReplyStatus;
  text: string;
  reason: string;
  verify: boolean;
  automatic: boolean;
  approval_id: string | null;
  approved_at: Date | null;
  outgoing_message_id: string | null;
  sent_at: Date | null;
}

const REPLY_SELECT = `select id, message_id, status, text, reason, verify, automatic, approval_id, approved_at, outgoing_message_id, sent_at from mail_replies`;

function replyRow(r: RawReply): ReplyRow {
  return {
    id: Number(r.id),
    messageId: Number(r.message_id),
    status: r.status,
    text: r.text,
    reason: r.reason,
    verify: r.verify,
    automatic: r.automatic,
    approvalId: r.approval_id,
    approvedAt: r.approved_at,
    outgoingMessageId: r.outgoing_message_id,
    sentAt: r.sent_at,
  };
}
