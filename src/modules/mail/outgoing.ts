// A reply as it goes out: built once (RFC 5322 threading headers, Auto-Submitted for automatic
// replies), sent by SMTP, then filed in Sent by IMAP APPEND (SMTP does not do that, Gmail aside).
// nodemailer is loaded only when something is sent.
import { randomUUID } from 'node:crypto';
import type { MailAccount } from './settings.ts';

export interface OutgoingReply {
  /** Without angle brackets (newMessageId). */
  messageId: string;
  from: { address: string; name: string };
  to: string;
  subject: string;
  text: string;
  /** The message answered: its Message-ID and References. */
  parent: { messageId: string; references: string[] };
  automatic: boolean;
}

export interface BuiltMessage {
  messageId: string;
  raw: Buffer;
}

/** A Message-ID on the shop's own domain, without angle brackets. */
export function newMessageId(address: string): string {
  return `${randomUUID()}@${address.split('@')[1] ?? 'shopkeep.invalid'}`;
}

/** "Re: " once, however many the customer's client added. */
export function replySubject(subject: string): string {
  const bare = subject.replace(/^\s*((re|aw|sv|antw)\s*:\s*)+/i, '').trim();
  return `Re: ${bare || '(no subject)'}`;
}

/** References = the parent's References + the parent's Message-ID (RFC 5322 3.6.4), the newest 20. */
export function referencesFor(parent: OutgoingReply['parent']): string[] {
  return [...parent.references.filter((id) => id !== parent.messageId), parent.messageId].slice(-20);
}

export async function buildReply(reply: OutgoingReply): Promise<BuiltMessage> {
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const { messageId } = reply;
  const headers: Record<string, string> = {};
  if (reply.automatic) {
    headers['Auto-Submitted'] = 'auto-replied';
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  const composer = new MailComposer({
    from: { address: reply.from.address, name: reply.from.name },
    to: reply.to,
    subject: replySubject(reply.subject),
    text: reply.text,
    messageId: `<${messageId}>`,
    inReplyTo: `<${reply.parent.messageId}>`,
    references: referencesFor(reply.parent)
      .map((id) => `<${id}>`)
      .join(' '),
    headers,
    date: new Date(),
  });
  return { messageId, raw: await compile(composer) };
}

type Composer = InstanceType<(typeof import('nodemailer/lib/mail-composer'))['default']>;

/** A composed message as the bytes SMTP sends and IMAP files. */
export function compile(composer: Composer): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) =>
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message))),
  );
}

/** What SMTP said when it refused: permanent (5xx: do not try again) or not. */
export class SmtpRefusal extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** The message may have been accepted before the connection broke: never resend blindly. */
    readonly uncertain: boolean,
  ) {
    super(message);
  }
}

/** A connection to the account's SMTP server (nodemailer, loaded when first needed). */
export async function smtpTransport(account: MailAccount) {
  const { createTransport } = await import('nodemailer');
  return createTransport({
    host: account.smtp.host,
    port: account.smtp.port,
    secure: account.smtp.security === 'tls',
    requireTLS: account.smtp.security === 'starttls',
    ignoreTLS: account.smtp.security === 'none',
    auth: { user: account.username, pass: account.password },
    connectionTimeout: 20_000,
    greetingTimeout: 16_000,
    socketTimeout: 60_000,
    logger: false,
  });
}

export async function sendBySmtp(account: MailAccount, to: string, message: BuiltMessage): Promise<void> {
  const transport = await smtpTransport(account);
  try {
    await transport.sendMail({ envelope: { from: account.address, to: [to] }, raw: message.raw });
  } catch (error) {
    const e = error as {
      responseCode?: number;
      command?: string;
      code?: string;
      response?: string;
      message?: string;
    };
    const code = e.responseCode ?? 0;
    const said = (e.response ?? e.message ?? 'SMTP failed').replace(/\s+/g, ' ').slice(0, 200);
    // Once the message's data went over, a broken connection leaves it unknown whether it was accepted.
    const uncertain = !code && (e.command === 'DATA' || e.command === 'message');
    throw new SmtpRefusal(`the mail server said: ${said}`, code >= 500 && code < 600, uncertain);
  } finally {
    transport.close();
  }
}
