// Reading stored mail: one message with its reply, and the list the API and the dashboard show.
import type pg from 'pg';
import { notFound } from '../../platform/errors.ts';
import type { RuleHeaders } from './message.ts';
import type { ReplyStatus } from './replies.ts';
import type { Category } from './triage.ts';

export interface StoredMessage {
  id: number;
  mailbox: string;
  folder: string;
  direction: 'in' | 'out';
  messageId: string;
  inReplyTo: string | null;
  refs: string[];
  threadId: number | null;
  fromAddress: string;
  fromName: string;
  toAddresses: string[];
  subject: string;
  receivedAt: Date;
  headers: RuleHeaders;
  dmarcDomain: string | null;
  body: string;
  fresh: string;
  language: string | null;
  parseError: string | null;
  attachments: { filename: string; contentType: string; size: number; sha256: string }[];
  dmarc: 'pass' | 'fail' | 'none';
  category: Category | null;
  reason: string | null;
  classifiedBy: string | null;
  orderName: string | null;
  customerId: number | null;
  needsAction: boolean;
}

/** A message as the API lists it (GET /api/v1/mail/messages). */
export interface MessageSummary {
  id: number;
  messageId: string;
  from: string;
  subject: string;
  receivedAt: Date;
  category: Category | null;
  reason: string | null;
  orderName?: string;
  reply: { status: ReplyStatus | 'none'; text?: string; reason?: string; approvalId?: string };
}

const COLUMNS = `m.id, m.mailbox, m.folder, m.direction, m.message_id, m.in_reply_to, m.refs, m.thread_id, m.from_address,
  m.from_name, m.to_addresses, m.subject, m.received_at, m.headers, m.body, m.fresh, m.language, m.parse_error,
  m.attachments, m.dmarc, m.category, m.reason, m.classified_by, m.order_name, m.customer_id, m.needs_action`;

type Row = Record<string, unknown> & { headers: RuleHeaders & { dmarcDomain?: string | null } };

function stored(r: Row): StoredMessage {
  const { dmarcDomain, ...headers } = r.headers;
  return {
    id: Number(r.id),
    mailbox: r.mailbox as string,
    folder: r.folder as string,
    direction: r.direction as 'in' | 'out',
    messageId: r.message_id as string,
    inReplyTo: r.in_reply_to as string | null,
    refs: r.refs as string[],
    threadId: r.thread_id === null ? null : Number(r.thread_id),
    fromAddress: r.from_address as string,
    fromName: r.from_name as string,
    toAddresses: r.to_addresses as string[],
    subject: r.subject as string,
    receivedAt: r.received_at as Date,
    headers: { ...headers, authenticationResults: headers.authenticationResults ?? [] },
    dmarcDomain: dmarcDomain ?? null,
    body: r.body as string,
    fresh: r.fresh as string,
    language: r.language as string | null,
    parseError: r.parse_error as string | null,
    attachments: r.attachments as StoredMessage['attachments'],
    dmarc: (r.dmarc as StoredMessage['dmarc']) ?? 'none',
    category: r.category as Category | null,
    reason: r.reason as string | null,
    classifiedBy: r.classified_by as string | null,
    orderName: r.order_name as string | null,
    customerId: r.customer_id === null ? null : Number(r.customer_id),
    needsAction: r.needs_action as boolean,
  };
}

export class MessageReader {
  constructor(private readonly pool: pg.Pool) {}

  async get(id: number): Promise<StoredMessage> {
    const { rows } = await this.pool.query<Row>(`select ${COLUMNS} from mail_messages m where m.id = $1`, [
      id,
    ]);
    if (!rows[0]) throw notFound(`no message ${id}`);
    return stored(rows[0]);
  }

  async raw(id: number): Promise<Buffer> {
    const { rows } = await this.pool.query<{ raw: Buffer }>('select raw from mail_messages where id = $1', [
      id,
    ]);
    if (!rows[0]) throw notFound(`no message ${id}`);
    return rows[0].raw;
  }

  /** Received messages, newest first, with their replies. */
  async list(filter: {
    limit: number;
    category?: string;
    before?: number;
    waiting?: boolean;
  }): Promise<MessageSummary[]> {
    const { rows } = await this.pool.query<
      Row & {
        reply_status: ReplyStatus | null;
        reply_text: string | null;
        reply_reason: string | null;
        reply_approval: string | null;
      }
    >(
      `select ${COLUMNS}, r.status reply_status, r.text reply_text, r.reason reply_reason, r.approval_id reply_approval
       from mail_messages m left join mail_replies r on r.message_id = m.id
       where m.direction = 'in' and ($2::text is null or m.category = $2) and ($3::bigint is null or m.id < $3)
         and (not $4::boolean or r.status = 'pending_approval')
       order by m.id desc limit $1`,
      [filter.limit, filter.category ?? null, filter.before ?? null, filter.waiting ?? false],
    );
    return rows.map((r) =>
      summary(stored(r), {
        status: r.reply_status,
        text: r.reply_text,
        reason: r.reply_reason,
        approvalId: r.reply_approval,
      }),
    );
  }

  /** Every message of a thread, oldest first. */
  async thread(threadId: number): Promise<StoredMessage[]> {
    const { rows } = await this.pool.query<Row>(
      `select ${COLUMNS} from mail_messages m where m.thread_id = $1 order by m.received_at, m.id`,
      [threadId],
    );
    return rows.map(stored);
  }
}

/** A message's reply as its summary shows it. */
export interface ReplyState {
  status: ReplyStatus | null;
  text: string | null;
  reason: string | null;
  approvalId: string | null;
}

export function summary(m: StoredMessage, reply: ReplyState): MessageSummary {
  const { status, text, reason, approvalId } = reply;
  return {
    id: m.id,
    messageId: m.messageId,
    from: m.fromAddress,
    subject: m.subject,
    receivedAt: m.receivedAt,
    category: m.category,
    reason: m.reason,
    ...(m.orderName ? { orderName: m.orderName } : {}),
    // A reply being written has no text yet: there is none to show.
    reply:
      status && text
        ? {
            status,
            text,
            ...(reason ? { reason } : {}),
            ...(status === 'pending_approval' && approvalId ? { approvalId } : {}),
          }
        : { status: 'none' },
  };
}
