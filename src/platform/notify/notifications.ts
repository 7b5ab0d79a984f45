// The notification interface: a module says what the owner should know (a daily summary, an alert).
// It is kept in the dashboard inbox and announced by a `notification.created` event in the same
// transaction; each channel (Telegram, later email) delivers it from that event as a durable,
// retried job, recording each target it reached so a retry never sends twice to the same one. A notice
// with a dedupe key is kept and delivered once, however often it is sent.
import type pg from 'pg';
import { transaction } from '../db/database.ts';
import { notFound } from '../errors.ts';
import { emit } from '../events/outbox.ts';
import type { Notifier } from './face.ts';

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

export class Notifications implements Notifier {
  private readonly pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
  }

  /** Keeps the notice in the inbox and announces it to the channels; undefined when it was sent before. */
  async send(notice: Notice): Promise<StoredNotice | undefined> {
    return transaction(this.pool, async (tx) => {
      const { rows } = await tx.query<{ id: string; created_at: Date }>(
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
      const id = Number(rows[0].id);
      await emit(tx, 'notification.created', {
        noticeId: id,
        kind: notice.kind,
        severity: notice.severity,
        title: notice.title.slice(0, 200),
      });
      return { ...notice, id, createdAt: rows[0].created_at.toISOString(), readAt: null };
    });
  }

  async get(id: number): Promise<StoredNotice> {
    const [notice] = await this.query('where id = $1', [id]);
    if (!notice) throw notFound(`no notification ${id}`);
    return notice;
  }

  /**
   * Delivers a notice to one target of a channel unless it reached it before: `deliver` runs, then the
   * delivery is recorded (a crash in between may send it twice, never not at all).
   */
  async deliverOnce(noticeId: number, channel: string, target: string, deliver: () => Promise<void>) {
    const { rowCount } = await this.pool.query(
      'select 1 from notify_deliveries where notice_id = $1 and channel = $2 and target = $3',
      [noticeId, channel, target],
    );
    if (rowCount) return;
    await deliver();
    await this.pool.query(
      'insert into notify_deliveries (notice_id, channel, target) values ($1, $2, $3) on conflict do nothing',
      [noticeId, channel, target],
    );
  }

  async list(options: { unreadOnly?: boolean; limit?: number } = {}): Promise<StoredNotice[]> {
    return this.query(
      'where ($1::boolean is false or read_at is null) order by created_at desc, id desc limit $2',
      [options.unreadOnly ?? false, options.limit ?? 100],
    );
  }

  private async query(where: string, params: unknown[]): Promise<StoredNotice[]> {
    const { rows } = await this.pool.query<{
      id: string;
      created_at: Date;
      kind: string;
      severity: 'info' | 'warning';
      title: string;
      body: string;
      dedupe_key: string | null;
      read_at: Date | null;
    }>(`select * from notify_inbox ${where}`, params);
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
