// The stored webhook deliveries as the owner sees them: how many arrived and wait, the ones set aside
// (they could not be applied) with their reason, and what staff and the owner do with those: try
// again, or give up on one. Applied deliveries are kept a week to recognise redeliveries.
import type pg from 'pg';
import { notFound } from '../../platform/errors.ts';

export interface SetAsideDelivery {
  webhookId: string;
  topic: string;
  receivedAt: string;
  setAsideAt: string;
  attempts: number;
  reason: string;
}

export interface DeliveryCounts {
  lastAt: string | null;
  last24h: number;
  /** Stored, not applied yet. */
  pending: number;
  /** Set aside, waiting for the owner on the operations page. */
  failed: number;
}

export class Deliveries {
  constructor(
    private readonly options: {
      pool: pg.Pool;
      /** Told when a set-aside delivery is to be tried again: the applier takes it at once. */
      onRetry: () => void;
    },
  ) {}

  async counts(): Promise<DeliveryCounts> {
    const { rows } = await this.options.pool.query<{
      last: Date | null;
      last24h: string;
      pending: string;
      failed: string;
    }>(
      `select max(received_at) as last,
         count(*) filter (where received_at > now() - interval '24 hours') as last24h,
         count(*) filter (where applied_at is null and set_aside_at is null) as pending,
         count(*) filter (where applied_at is null and set_aside_at is not null) as failed
       from shop_webhook_deliveries`,
    );
    const row = rows[0]!;
    return {
      lastAt: row.last?.toISOString() ?? null,
      last24h: Number(row.last24h),
      pending: Number(row.pending),
      failed: Number(row.failed),
    };
  }

  /** Seconds the oldest delivery still to apply has waited, 0 when none waits (set-aside ones wait for the owner). */
  async lagSeconds(): Promise<number> {
    const { rows } = await this.options.pool.query<{ lag: number }>(
      `select coalesce(extract(epoch from now() - min(received_at)), 0)::float8 as lag
       from shop_webhook_deliveries where applied_at is null and set_aside_at is null`,
    );
    return rows[0]!.lag;
  }

  /** Set aside (not applied, waiting for the owner), newest first. */
  async setAside(limit = 100): Promise<SetAsideDelivery[]> {
    const { rows } = await this.options.pool.query<{
      webhook_id: string;
      topic: string;
      received_at: Date;
      set_aside_at: Date;
      attempts: number;
      last_error: string | null;
    }>(
      `select webhook_id, topic, received_at, set_aside_at, attempts, last_error from shop_webhook_deliveries
       where set_aside_at is not null and applied_at is null order by received_at desc limit $1::int`,
      [limit],
    );
    return rows.map((row) => ({
      webhookId: row.webhook_id,
      topic: row.topic,
      receivedAt: row.received_at.toISOString(),
      setAsideAt: row.set_aside_at.toISOString(),
      attempts: row.attempts,
      reason: row.last_error ?? 'no reason recorded',
    }));
  }

  /** A set-aside delivery gets its tries again (a delete or cancellation is asked of Shopify again). */
  async retry(webhookId: string): Promise<void> {
    const { rowCount } = await this.options.pool.query(
      `update shop_webhook_deliveries set attempts = 0, outcome = null, set_aside_at = null, confirmed_at = null,
         next_attempt_at = now()
       where webhook_id = $1::text and set_aside_at is not null and applied_at is null`,
      [webhookId],
    );
    if (!rowCount) throw notFound(`no set-aside webhook delivery ${webhookId}`);
    this.options.onRetry();
  }

  /** The owner gives up on a set-aside delivery: kept a week as dismissed (a redelivery stays a duplicate), then pruned. */
  async dismiss(webhookId: string): Promise<void> {
    const { rowCount } = await this.options.pool.query(
      `update shop_webhook_deliveries set applied_at = now(), outcome = 'dismissed'
       where webhook_id = $1::text and set_aside_at is not null and applied_at is null`,
      [webhookId],
    );
    if (!rowCount) throw notFound(`no set-aside webhook delivery ${webhookId}`);
  }

  /** Removes applied deliveries older than a week; returns how many. */
  async prune(): Promise<number> {
    const { rowCount } = await this.options.pool.query(
      `delete from shop_webhook_deliveries where applied_at < now() - interval '7 days'`,
    );
    return rowCount ?? 0;
  }
}
