// The notification interface: a module says what the owner should know (a daily summary, an alert);
// every channel delivers it. The dashboard inbox is always one; Telegram and email plug in later as
// further channels. A notice with a dedupe key is kept and delivered once, however often it is sent.
import type pg from 'pg';
import { notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface Notice {
  kind: string;
  severity: 'info' | 'warning';
  title: string;
  body: string;
  /** The same key again (a job run twice) is not a second notice. */
  dedupeKey?: string;
}

export interface StoredNotice extends Notice {
  id: number;
  createdAt: string;
  readAt: string | null;
}

/** Somewhere a notice goes besides the inbox (Telegram, email). Failures are logged, never lose the notice. */
export interface NotificationChannel {
  name: string;
  deliver(notice: StoredNotice): Promise<void>;
}

export class Notifications {
  private readonly channels: NotificationChannel[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  addChannel(channel: NotificationChannel): void {
    this.channels.push(channel);
  }

  /** Keeps the notice in the inbox and hands it to every channel; undefined when it was sent before. */
  async send(notice: Notice): Promise<StoredNotice | undefined> {
    const { rows } = await this.pool.query<{ id: string; created_at: Date }>(
      `insert into notify_inbox (kind, severity, title, body, dedupe_key) values ($1, $2, $3, $4, $5)
       on conflict (dedupe_key) do nothing returning id, created_at`,
      [
        notice.kind,
        notice.severity,
        notice.title.slice(0, 200),
        notice.body.slice(0, 10_000),
        notice.dedupeKey ?? null,
      ],
    );
    if (!rows[0]) return undefined;
    const stored: StoredNotice = {
      ...notice,
      id: Number(rows[0].id),
      createdAt: rows[0].created_at.toISOString(),
      readAt: null,
    };
    for (const channel of this.channels) {
      await channel
        .deliver(stored)
        .catch((error: Error) =>
          this.logger.warn(
            { channel: channel.name, err: error.message, notice: stored.id },
            'a notification could not be delivered; it is in the inbox',
          ),
        );
    }
    return stored;
  }

  async list(options: { unreadOnly?: boolean; limit?: number } = {}): Promise<StoredNotice[]> {
    const { rows } = await this.pool.query<{
      id: string;
      created_at: Date;
      kind: string;
      severity: 'info' | 'warning';
      title: string;
      body: string;
      dedupe_key: string | null;
      read_at: Date | null;
    }>(
      `select * from notify_inbox where ($1::boolean is false or read_at is null) order by created_at desc, id desc limit $2`,
      [options.unreadOnly ?? false, options.limit ?? 100],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      createdAt: row.created_at.toISOString(),
      kind: row.kind,
      severity: row.severity,
      title: row.title,
      body: row.body,
      ...(row.dedupe_key ? { dedupeKey: row.dedupe_key } : {}),
      readAt: row.read_at?.toISOString() ?? null,
    }));
  }

  async unread(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      'select count(*) as n from notify_inbox where read_at is null',
    );
    return Number(rows[0]!.n);
  }

  async markRead(id: number): Promise<void> {
    const { rowCount } = await this.pool.query(
      'update notify_inbox set read_at = coalesce(read_at, now()) where id = $1',
      [id],
    );
    if (!rowCount) throw notFound(`no notification ${id}`);
  }
}
