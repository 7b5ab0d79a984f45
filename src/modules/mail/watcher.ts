// Keeps the shop's mailbox in step, and never stalls silently: connect, fetch what is new in INBOX
// and Sent (a backfill after any downtime, since positions are stored), then IDLE on INBOX (restarted
// before 29 minutes) with a poll every few minutes besides. A dropped connection is reopened with
// backoff (1 s doubling to 5 min); every sync and error is recorded for the dashboard and /metrics.
import type pg from 'pg';
import type { Logger } from '../../platform/logger.ts';
import { explainImap, ImapSession } from './imap.ts';
import type { MessageStore } from './store.ts';
import type { MailAccount } from './settings.ts';

export interface WatcherOptions {
  pool: pg.Pool;
  account: MailAccount;
  store: MessageStore;
  logger: Logger;
  /** How often to look even without IDLE news. */
  pollMs?: number;
  maxBackoffMs?: number;
}

export class MailboxWatcher {
  private session: ImapSession | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private syncing: Promise<number> = Promise.resolve(0);
  private readonly pollMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly o: WatcherOptions) {
    this.pollMs = o.pollMs ?? 5 * 60_000;
    this.maxBackoffMs = o.maxBackoffMs ?? 5 * 60_000;
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.session?.close();
    await this.running;
  }

  /** Syncs now (one sync at a time); how many messages were stored. */
  syncNow(): Promise<number> {
    this.syncing = this.syncing.catch(() => 0).then(() => this.syncAll());
    return this.syncing;
  }

  private async loop(): Promise<void> {
    let backoff = 1000;
    while (!this.stopped) {
      try {
        this.session = await ImapSession.open(this.o.account, { idle: true });
        const session = this.session;
        const closed = new Promise<void>((resolve) => session.client.once('close', () => resolve()));
        // Listening before the first sync: mail that lands during it is fetched right after.
        session.client.on('exists', () => void this.syncNow().catch((e) => this.failed(e)));
        await this.health({ connected: true, capabilities: session.capabilities });
        await this.syncNow();
        backoff = 1000;
        while (!this.stopped) {
          const woke = await Promise.race([
            closed.then(() => 'closed' as const),
            this.sleep(this.pollMs).then(() => 'poll' as const),
          ]);
          if (woke === 'closed' || this.stopped) break;
          await this.syncNow();
        }
        await this.health({ connected: false });
        if (!this.stopped)
          this.o.logger.warn(
            { mailbox: this.o.account.name },
            'mail: the IMAP connection closed; reconnecting',
          );
      } catch (error) {
        await this.failed(error);
      }
      await this.session?.close().catch(() => undefined);
      this.session = undefined;
      if (this.stopped) break;
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, this.maxBackoffMs);
      await this.o.pool
        .query('update mail_health set reconnects = reconnects + 1 where mailbox = $1', [this.o.account.name])
        .catch(() => undefined);
    }
  }

  private async syncAll(): Promise<number> {
    const session = this.session;
    if (!session) return 0;
    let stored = 0;
    // Selecting INBOX again for IDLE reports what arrived while Sent was read, without an EXISTS
    // event: read again until INBOX has nothing newer than what is stored.
    for (let round = 0; round < 5; round += 1) {
      stored += await syncFolders(session, this.o.account, this.o.store);
      const uidNext = await session.watchInbox();
      const { lastUid } = await this.o.store.folderState(this.o.account.name, 'INBOX');
      if (uidNext <= lastUid + 1) break;
    }
    await this.health({ connected: true, synced: true });
    return stored;
  }

  private async failed(error: unknown): Promise<void> {
    const message = explainImap(error).slice(0, 300);
    this.o.logger.warn({ mailbox: this.o.account.name, err: message }, 'mail: sync failed');
    await this.o.pool
      .query(
        `insert into mail_health (mailbox, connected, last_error, last_error_at, errors) values ($1, false, $2, now(), 1)
         on conflict (mailbox) do update set connected = false, last_error = $2, last_error_at = now(), errors = mail_health.errors + 1`,
        [this.o.account.name, message],
      )
      .catch(() => undefined);
  }

  private async health(change: {
    connected: boolean;
    capabilities?: string[];
    synced?: boolean;
  }): Promise<void> {
    await this.o.pool.query(
      `insert into mail_health (mailbox, connected, capabilities, last_sync_at) values ($1, $2, coalesce($3::text[], '{}'), case when $4::boolean then now() end)
       on conflict (mailbox) do update set connected = $2, capabilities = coalesce($3::text[], mail_health.capabilities),
         last_sync_at = case when $4::boolean then now() else mail_health.last_sync_at end`,
      [this.o.account.name, change.connected, change.capabilities ?? null, change.synced ?? false],
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Fetches what is new in INBOX and Sent into the store; how many messages were stored. */
export async function syncFolders(
  session: ImapSession,
  account: MailAccount,
  store: MessageStore,
  onBatch?: (folder: string, stored: number) => void,
): Promise<number> {
  const folders = await session.folders();
  let stored = 0;
  const targets: [string, 'inbox' | 'sent'][] = [[folders.inbox, 'inbox']];
  if (folders.sent) targets.push([folders.sent, 'sent']);
  for (const [path, role] of targets) {
    const state = await store.folderState(account.name, path);
    await session.fetchNew(path, state, async (batch) => {
      stored += await store.storeBatch(account.name, path, role, batch);
      onBatch?.(path, stored);
    });
  }
  return stored;
}
