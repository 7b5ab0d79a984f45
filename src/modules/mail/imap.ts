// One IMAP connection to the shop's mailbox (imapflow): folders found by special use, new messages
// fetched by UID in small batches, raw, a message looked up by its Message-ID, a sent reply filed in
// Sent. imapflow is loaded only when a mailbox is configured. It does not reconnect by itself: the
// watcher (watcher.ts) does.
import type { ImapFlow } from 'imapflow';
import type { MailAccount } from './settings.ts';

/** Messages above this are kept by their headers only (their text is not read). */
export const MAX_FETCHED_BYTES = 30 * 1024 * 1024;
/** Messages fetched and stored per transaction. */
export const BATCH = 25;

export interface FolderState {
  uidValidity: bigint | null;
  lastUid: number;
  highestModseq: string | null;
}

export interface FetchedMessage {
  uid: number;
  raw: Buffer;
  internalDate: Date | null;
  /** The whole message was larger than we fetch: only its headers are in `raw`. */
  truncated: boolean;
}

export interface FolderBatch {
  uidValidity: bigint;
  highestModseq: string | null;
  messages: FetchedMessage[];
}

export interface Folders {
  inbox: string;
  sent: string | null;
}

export class ImapSession {
  private constructor(readonly client: ImapFlow) {}

  static async open(account: MailAccount, options: { idle?: boolean } = {}): Promise<ImapSession> {
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow({
      host: account.imap.host,
      port: account.imap.port,
      secure: account.imap.security === 'tls',
      doSTARTTLS:
        account.imap.security === 'starttls' ? true : account.imap.security === 'none' ? false : undefined,
      auth: { user: account.username, pass: account.password },
      logger: false,
      qresync: true,
      disableAutoIdle: !options.idle,
      // IDLE as soon as the connection rests, so new mail is heard at once.
      autoIdleDelay: 1000,
      // RFC 2177: servers may drop an IDLE after 30 minutes; imapflow restarts it before then.
      maxIdleTime: 25 * 60_000,
      connectionTimeout: 20_000,
      greetingTimeout: 16_000,
      socketTimeout: 5 * 60_000,
      clientInfo: { name: 'shopkeep' },
    });
    // An error with no listener would throw from the socket's event; the watcher hears 'close'.
    client.on('error', () => undefined);
    await client.connect();
    return new ImapSession(client);
  }

  get capabilities(): string[] {
    return [...this.client.capabilities.keys()];
  }

  async folders(): Promise<Folders> {
    const list = await this.client.list();
    const sent = list.find((f) => f.specialUse === '\\Sent');
    return { inbox: 'INBOX', sent: sent?.path ?? null };
  }

  /**
   * Fetches what is new in a folder since `state`, a batch at a time, handing each to `store` before
   * the next is fetched. A changed UIDVALIDITY starts the folder again (the store skips what it has).
   */
  async fetchNew(
    path: string,
    state: FolderState,
    store: (batch: FolderBatch) => Promise<void>,
  ): Promise<number> {
    const lock = await this.client.getMailboxLock(path);
    let fetched = 0;
    try {
      const mailbox = this.client.mailbox;
      if (!mailbox) throw new Error(`could not open ${path}`);
      const uidValidity = mailbox.uidValidity;
      const highestModseq = mailbox.highestModseq?.toString() ?? null;
      const from = state.uidValidity === uidValidity ? state.lastUid : 0;
      // uidNext is as of the SELECT (an open mailbox is not selected again): only an empty one is skipped.
      if (mailbox.exists === 0) {
        await store({ uidValidity, highestModseq, messages: [] });
        return 0;
      }
      const found = await this.client.search({ uid: `${from + 1}:*` }, { uid: true });
      const uids = (found || []).filter((uid) => uid > from).sort((a, b) => a - b);
      for (let i = 0; i < uids.length; i += BATCH) {
        const chunk = uids.slice(i, i + BATCH);
        const sizes = await this.client.fetchAll(chunk.join(','), { uid: true, size: true }, { uid: true });
        const small = sizes.filter((m) => (m.size ?? 0) <= MAX_FETCHED_BYTES).map((m) => m.uid);
        const large = sizes.filter((m) => (m.size ?? 0) > MAX_FETCHED_BYTES).map((m) => m.uid);
        const messages: FetchedMessage[] = [];
        if (small.length)
          for (const m of await this.client.fetchAll(
            small.join(','),
            { uid: true, source: true, internalDate: true },
            { uid: true },
          ))
            messages.push({
              uid: m.uid,
              raw: m.source ?? Buffer.alloc(0),
              internalDate: toDate(m.internalDate),
              truncated: false,
            });
        if (large.length)
          for (const m of await this.client.fetchAll(
            large.join(','),
            { uid: true, headers: true, internalDate: true },
            { uid: true },
          ))
            messages.push({
              uid: m.uid,
              raw: m.headers ?? Buffer.alloc(0),
              internalDate: toDate(m.internalDate),
              truncated: true,
            });
        messages.sort((a, b) => a.uid - b.uid);
        await store({ uidValidity, highestModseq, messages });
        fetched += messages.length;
      }
      return fetched;
    } finally {
      lock.release();
    }
  }

  /** Whether a message with this Message-ID is in the folder. */
  async holds(path: string, messageId: string): Promise<boolean> {
    const lock = await this.client.getMailboxLock(path);
    try {
      const found = await this.client.search({ header: { 'message-id': `<${messageId}>` } }, { uid: true });
      return !!found && found.length > 0;
    } finally {
      lock.release();
    }
  }

  /** Files a message the shop sent in its Sent folder, read. */
  async fileSent(path: string, raw: Buffer): Promise<void> {
    await this.client.append(path, raw, ['\\Seen']);
  }

  /** Keeps INBOX selected, so IDLE watches it; the UID the next message will get. */
  async watchInbox(): Promise<number> {
    const mailbox = await this.client.mailboxOpen('INBOX');
    return mailbox.uidNext;
  }

  async close(): Promise<void> {
    try {
      await this.client.logout();
    } catch {
      this.client.close();
    }
  }
}

/** What an IMAP error means, in the server's words when it gave them (imapflow says only "Command failed"). */
export function explainImap(error: unknown): string {
  const e = error as {
    responseText?: string;
    message?: string;
    code?: string;
    authenticationFailed?: boolean;
  };
  const said = e.responseText || e.message || String(error);
  if (e.authenticationFailed) return `the IMAP server refused the login: ${said}`;
  return e.code && !said.includes(e.code) ? `${said} (${e.code})` : said;
}

const toDate = (value: Date | string | undefined) => (value ? new Date(value) : null);
