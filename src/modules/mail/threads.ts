// Which conversation a message belongs to: the thread of any message it names in In-Reply-To or
// References (RFC 5322 3.6.4), so an edited subject keeps its thread; then Outlook's Thread-Index
// (its first 22 bytes name the conversation, and some Outlook replies carry no References); then,
// for a reply ("Re:", "AW:", "SV:"), the same subject with the same correspondent within 30 days.
import type pg from 'pg';
import type { ReadMessage } from './message.ts';

const REPLY_PREFIX = /^\s*((re|aw|sv|vs|antw|ref|rif|r|fw|fwd|wg|tr|rv)\s*(\[\d+\])?\s*:\s*)+/i;

export function baseSubject(subject: string): string {
  return subject.replace(REPLY_PREFIX, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The conversation part of an Outlook Thread-Index (22 bytes, base64), or undefined. */
export function outlookConversation(threadIndex: string | undefined): string | undefined {
  if (!threadIndex) return undefined;
  const bytes = Buffer.from(threadIndex.trim(), 'base64');
  return bytes.length >= 22 ? bytes.subarray(0, 22).toString('hex') : undefined;
}

export async function threadFor(
  client: pg.PoolClient,
  message: ReadMessage,
  counterpart: string,
  at: Date,
): Promise<number> {
  const named = [...new Set([message.inReplyTo, ...message.references].filter((id): id is string => !!id))];
  if (named.length) {
    const { rows } = await client.query<{ thread_id: string }>(
      `select thread_id from mail_messages where message_id = any($1) and thread_id is not null
       order by received_at desc limit 1`,
      [named],
    );
    if (rows[0]) return touch(client, Number(rows[0].thread_id), at);
  }
  const conversation = outlookConversation(message.headers.threadIndex);
  if (conversation) {
    const { rows } = await client.query<{ thread_id: string }>(
      `select thread_id from mail_messages where headers->>'conversation' = $1 and thread_id is not null limit 1`,
      [conversation],
    );
    (message.headers as unknown as Record<string, string>).conversation = conversation;
    if (rows[0]) return touch(client, Number(rows[0].thread_id), at);
  }
  const subject = baseSubject(message.subject);
  if (REPLY_PREFIX.test(message.subject) && subject && counterpart) {
    const { rows } = await client.query<{ id: string }>(
      `select id from mail_threads where subject = $1 and counterpart = $2 and last_message_at > $3::timestamptz - interval '30 days'
       order by last_message_at desc limit 1`,
      [subject, counterpart, at],
    );
    if (rows[0]) return touch(client, Number(rows[0].id), at);
  }
  const { rows } = await client.query<{ id: string }>(
    'insert into mail_threads (subject, counterpart, started_at, last_message_at) values ($1, $2, $3, $3) returning id',
    [subject, counterpart, at],
  );
  return Number(rows[0]!.id);
}

async function touch(client: pg.PoolClient, id: number, at: Date): Promise<number> {
  await client.query(
    'update mail_threads set last_message_at = greatest(last_message_at, $2) where id = $1',
    [id, at],
  );
  return id;
}
