// What shopkeep reads from a raw message: addresses, threading headers, the headers the rules look at,
// the text (HTML turned to text when that is all there is), the fresh part without quotes and
// signature, attachments and the receiving server's DMARC verdict. The raw bytes are always kept, so
// a message the parser refuses is still stored, shown and can be read again by a later version.
import { createHash } from 'node:crypto';
import { dmarcVerdict, type Dmarc } from './authentication.ts';
import { freshText, htmlToText } from './quotes.ts';
import { detectLanguage } from './language.ts';

/** Beyond this a message is kept raw and not parsed (Titan and most providers refuse 25-50 MB). */
export const MAX_PARSED_BYTES = 30 * 1024 * 1024;

/** The headers the rules read, lower-case names, first occurrence unless a list. */
export interface RuleHeaders {
  autoSubmitted?: string;
  precedence?: string;
  listId?: string;
  listUnsubscribe?: string;
  returnPath?: string;
  contentType?: string;
  xSpamFlag?: string;
  xAutoResponseSuppress?: string;
  threadIndex?: string;
  /** Every Authentication-Results header, topmost (the receiving server's) first. */
  authenticationResults: string[];
}

export interface Attachment {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  content: Buffer;
}

export interface ReadMessage {
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  from: { address: string; name: string };
  to: string[];
  subject: string;
  sentAt: Date | null;
  headers: RuleHeaders;
  body: string;
  fresh: string;
  language: string | null;
  attachments: Attachment[];
  dmarc: Dmarc;
  /** What stopped parsing; the rest is then what could be read without the parser. */
  parseError: string | null;
}

/** Message-IDs without their angle brackets, as the index keeps them. */
export function messageIds(value: string | undefined | null): string[] {
  if (!value) return [];
  const found = value.match(/<[^<>\s]+>/g);
  if (found) return found.map((id) => id.slice(1, -1));
  return value.split(/\s+/).filter((id) => /^[^\s@]+@[^\s@]+$/.test(id));
}

/** A stable id for a message that has none (Message-ID is optional): the hash of its bytes. */
export function syntheticId(raw: Buffer): string {
  return `${createHash('sha256').update(raw).digest('hex').slice(0, 32)}@no-message-id.shopkeep`;
}

/** The header section of a raw message, unfolded, for when the parser gave up. */
function rawHeaders(raw: Buffer): { key: string; value: string }[] {
  const text = raw.subarray(0, 256 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const section = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  return section
    .split(/\r?\n/)
    .map((line) => /^([^:\s]+):\s*(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ key: m[1]!.toLowerCase(), value: m[2]! }));
}

function ruleHeaders(headers: { key: string; value: string }[]): RuleHeaders {
  const first = (key: string) => headers.find((h) => h.key === key)?.value.trim();
  return {
    autoSubmitted: first('auto-submitted'),
    precedence: first('precedence'),
    listId: first('list-id'),
    listUnsubscribe: first('list-unsubscribe'),
    returnPath: first('return-path'),
    contentType: first('content-type'),
    xSpamFlag: first('x-spam-flag'),
    xAutoResponseSuppress: first('x-auto-response-suppress'),
    threadIndex: first('thread-index'),
    authenticationResults: headers.filter((h) => h.key === 'authentication-results').map((h) => h.value),
  };
}

const addressOf = (value: string | undefined) =>
  /<([^<>\s]+@[^<>\s]+)>/.exec(value ?? '')?.[1] ?? /([^\s<>"]+@[^\s<>"]+)/.exec(value ?? '')?.[1] ?? '';

/**
 * Reads a raw message. Never throws: a message the parser refuses comes back with `parseError` and
 * what its headers say.
 */
export async function readMessage(raw: Buffer, options: { authservId?: string } = {}): Promise<ReadMessage> {
  const fallbackHeaders = rawHeaders(raw);
  const fallback = (parseError: string): ReadMessage => {
    const first = (key: string) => fallbackHeaders.find((h) => h.key === key)?.value;
    const headers = ruleHeaders(fallbackHeaders);
    const sentAt = first('date') ? new Date(first('date')!) : null;
    return {
      messageId: messageIds(first('message-id'))[0] ?? syntheticId(raw),
      inReplyTo: messageIds(first('in-reply-to'))[0] ?? null,
      references: messageIds(first('references')),
      from: { address: addressOf(first('from')).toLowerCase(), name: '' },
      to: [],
      subject: first('subject') ?? '',
      sentAt: sentAt && !Number.isNaN(sentAt.getTime()) ? sentAt : null,
      headers,
      body: '',
      fresh: '',
      language: null,
      attachments: [],
      dmarc: dmarcVerdict(headers.authenticationResults, options.authservId),
      parseError,
    };
  };
  if (raw.length > MAX_PARSED_BYTES)
    return fallback(
      `the message is ${Math.round(raw.length / 1048576)} MB, over the ${MAX_PARSED_BYTES / 1048576} MB read`,
    );
  let email;
  try {
    const { default: PostalMime } = await import('postal-mime');
    email = await PostalMime.parse(raw, {
      maxNestingDepth: 50,
      maxHeadersSize: 512 * 1024,
      maxPartCount: 500,
      maxRfc822NestingDepth: 3,
      attachmentEncoding: 'arraybuffer',
    });
  } catch (error) {
    return fallback(`the message could not be read: ${(error as Error).message}`.slice(0, 300));
  }
  const headers = ruleHeaders(email.headers);
  const body = (email.text?.trim() ? email.text : htmlToText(email.html ?? '')).trim();
  const fresh = freshText(body);
  const list = (addresses: typeof email.to) =>
    (addresses ?? [])
      .flatMap((a) => ('group' in a && a.group ? a.group : [a]))
      .map((a) => (a as { address?: string }).address?.toLowerCase() ?? '')
      .filter(Boolean);
  const from = email.from && !('group' in email.from && email.from.group) ? email.from : undefined;
  const sentAt = email.date ? new Date(email.date) : null;
  return {
    messageId: messageIds(email.messageId)[0] ?? syntheticId(raw),
    inReplyTo: messageIds(email.inReplyTo)[0] ?? null,
    references: messageIds(email.references),
    from: {
      address: (from as { address?: string } | undefined)?.address?.toLowerCase() ?? '',
      name: from?.name ?? '',
    },
    to: list(email.to),
    subject: email.subject ?? '',
    sentAt: sentAt && !Number.isNaN(sentAt.getTime()) ? sentAt : null,
    headers,
    body,
    fresh,
    language: detectLanguage(fresh),
    attachments: email.attachments.map((a) => {
      const content = Buffer.from(a.content as ArrayBuffer);
      return {
        filename: cleanFilename(a.filename),
        contentType: /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(a.mimeType)
          ? a.mimeType
          : 'application/octet-stream',
        size: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        content,
      };
    }),
    dmarc: dmarcVerdict(headers.authenticationResults, options.authservId),
    parseError: null,
  };
}

/** A name safe to show and to store under: no path, no control or direction characters. */
function cleanFilename(name: string | null): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  return clean.slice(0, 200) || 'attachment';
}
