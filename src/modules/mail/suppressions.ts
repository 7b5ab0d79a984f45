// Addresses the shop must not write to again: hard bounces, unsubscribes, complaints, and those the
// owner adds. Replies, newsletters and outreach all check it.
import type pg from 'pg';

export type SuppressionReason = 'hard_bounce' | 'unsubscribed' | 'complaint' | 'owner';

export class Suppressions {
  constructor(private readonly pool: pg.Pool) {}

  async has(address: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('select 1 from mail_suppressions where address = $1', [
      address.toLowerCase(),
    ]);
    return (rowCount ?? 0) > 0;
  }

  async add(
    address: string,
    reason: SuppressionReason,
    detail = '',
    client: pg.Pool | pg.PoolClient = this.pool,
  ): Promise<void> {
    await client.query(
      'insert into mail_suppressions (address, reason, detail) values ($1, $2, $3) on conflict (address) do nothing',
      [address.toLowerCase(), reason, detail.slice(0, 300)],
    );
  }

  async list(limit = 200): Promise<{ address: string; reason: string; detail: string; createdAt: Date }[]> {
    const { rows } = await this.pool.query<{
      address: string;
      reason: string;
      detail: string;
      created_at: Date;
    }>(
      'select address, reason, detail, created_at from mail_suppressions order by created_at desc limit $1',
      [limit],
    );
    return rows.map((r) => ({
      address: r.address,
      reason: r.reason,
      detail: r.detail,
      createdAt: r.created_at,
    }));
  }
}
