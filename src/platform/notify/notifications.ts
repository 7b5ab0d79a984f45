// The notification interface: a module says what the owner should know (a daily summary, an alert).
// It is kept in the dashboard inbox and announced by a `notification.created` event in the same
// transaction; each channel (Telegram, later email) delivers it from that event as a durable,
// retried job, recording each target it reached so a retry never sends twice to the same one. A notice
// with a dedupe key is kept and delivered once, however often it is sent.
import type pg from 'pg';
import { and, count, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { transaction } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import { notFound } from '../errors.ts';
import { emit } from '../events/outbox.ts';
import type { Notifier } from './face.ts';
import { notifyDeliveries, notifyInbox } from './schema.ts';

/** Critical reaches the owner at once (Telegram); a warning waits in the inbox and the channels; info is for the inbox. */
export type Severity = 'info' | 'warning' | 'critical';

export interface Notice {
  kind: string;
  severity: Severity;
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

/** Notices of one kind taken together: the inbox shows '194 × Stock …' as one line, not 194. */
export interface NoticeGroup {
  kind: string;
  severity: Severity;
  count: number;
  unread: number;
  latest: StoredNotice;
  firstAt: string;
}

export interface NoticeFilter {
  unreadOnly?: boolean;
  kind?: string | undefined;
  severity?: Severity | undefined;
  /** Those older than this notice (the next page). */
  before?: number | undefined;
  limit?: number;
}

export class Notifications implements Notifier {
  private readonly pool: pg.Pool;
  private readonly db: Orm;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
    this.db = orm(options.pool);
  }

  /** Keeps the notice in the inbox and announces it to the channels; undefined when it was sent before. */
  async send(notice: Notice): Promise<StoredNotice | undefined> {
    const title = notice.title.slice(0, 200);
    return transaction(this.pool, async (tx) => {
      const [kept] = await orm(tx)
        .insert(notifyInbox)
        .values({
          kind: notice.kind,
          severity: notice.severity,
          title,
          body: notice.body.slice(0, 10_000),
          dedupeKey: notice.dedupeKey ?? null,
        })
        .onConflictDoNothing({ target: notifyInbox.dedupeKey })
        .returning({ id: notifyInbox.id, createdAt: notifyInbox.createdAt });
      if (!kept) return undefined;
      await emit(tx, 'notification.created', {
        noticeId: kept.id,
        kind: notice.kind,
        severity: notice.severity,
        title,
      });
      return { ...notice, id: kept.id, createdAt: kept.createdAt.toISOString(), readAt: null };
    });
  }

  async get(id: number): Promise<StoredNotice> {
    const [row] = await this.db.select().from(notifyInbox).where(eq(notifyInbox.id, id));
    if (!row) throw notFound(`no notification ${id}`);
    return toNotice(row);
  }

  /**
   * Delivers a notice to one target of a channel unless it reached it before: `deliver` runs, then the
   * delivery is recorded (a crash in between may send it twice, never not at all).
   */
  async deliverOnce(noticeId: number, channel: string, target: string, deliver: () => Promise<void>) {
    const delivery = { noticeId, channel, target };
    const [done] = await this.db
      .select({ noticeId: notifyDeliveries.noticeId })
      .from(notifyDeliveries)
      .where(
        and(
          eq(notifyDeliveries.noticeId, noticeId),
          eq(notifyDeliveries.channel, channel),
          eq(notifyDeliveries.target, target),
        ),
      );
    if (done) return;
    await deliver();
    await this.db.insert(notifyDeliveries).values(delivery).onConflictDoNothing();
  }

  async list(filter: NoticeFilter = {}): Promise<StoredNotice[]> {
    const rows = await this.db
      .select()
      .from(notifyInbox)
      .where(
        and(
          filter.unreadOnly ? isNull(notifyInbox.readAt) : undefined,
          filter.kind ? eq(notifyInbox.kind, filter.kind) : undefined,
          filter.severity ? eq(notifyInbox.severity, filter.severity) : undefined,
          filter.before ? lt(notifyInbox.id, filter.before) : undefined,
        ),
      )
      .orderBy(desc(notifyInbox.id))
      .limit(filter.limit ?? 100);
    return rows.map(toNotice);
  }

  /** Every kind of notice with how many there are and the latest, the most recent kind first. */
  async groups(
    filter: { severity?: Severity | Severity[] | undefined; unreadOnly?: boolean } = {},
  ): Promise<NoticeGroup[]> {
    const severities =
      filter.severity === undefined
        ? null
        : Array.isArray(filter.severity)
          ? filter.severity
          : [filter.severity];
    const { rows } = await this.pool.query<{
      kind: string;
      n: string;
      unread: string;
      first_at: Date;
      latest_id: string;
    }>(
      `select kind, count(*) as n, count(*) filter (where read_at is null) as unread,
              min(created_at) as first_at, max(id) as latest_id
       from notify_inbox
       where ($1::text[] is null or severity = any($1)) and (not $2 or read_at is null)
       group by kind order by max(id) desc`,
      [severities, filter.unreadOnly ?? false],
    );
    if (!rows.length) return [];
    const latest = await this.db
      .select()
      .from(notifyInbox)
      .where(
        inArray(
          notifyInbox.id,
          rows.map((row) => Number(row.latest_id)),
        ),
      );
    const byId = new Map(latest.map((row) => [row.id, toNotice(row)]));
    return rows.map((row) => {
      const notice = byId.get(Number(row.latest_id))!;
      return {
        kind: row.kind,
        severity: notice.severity,
        count: Number(row.n),
        unread: Number(row.unread),
        latest: notice,
        firstAt: row.first_at.toISOString(),
      };
    });
  }

  /** Marks every unread notice (of one kind, when given) as read; answers how many. */
  async markAllRead(kind?: string): Promise<number> {
    const marked = await this.db
      .update(notifyInbox)
      .set({ readAt: sql`now()` })
      .where(and(isNull(notifyInbox.readAt), kind ? eq(notifyInbox.kind, kind) : undefined))
      .returning({ id: notifyInbox.id });
    return marked.length;
  }

  async unread(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(notifyInbox).where(isNull(notifyInbox.readAt));
    return row?.n ?? 0;
  }

  async markRead(id: number): Promise<void> {
    const marked = await this.db
      .update(notifyInbox)
      .set({ readAt: sql`coalesce(${notifyInbox.readAt}, now())` })
      .where(eq(notifyInbox.id, id))
      .returning({ id: notifyInbox.id });
    if (!marked.length) throw notFound(`no notification ${id}`);
  }
}

function toNotice(row: typeof notifyInbox.$inferSelect): StoredNotice {
  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    kind: row.kind,
    severity: row.severity,
    title: row.title,
    body: row.body,
    ...(row.dedupeKey ? { dedupeKey: row.dedupeKey } : {}),
    readAt: row.readAt?.toISOString() ?? null,
  };
}
