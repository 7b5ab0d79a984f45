// Orders two webhooks left ambiguous (two versions with the same updated_at and other content): the
// applier queues them in shop_order_refresh, and this asks the API for each, applying its answer.
import type pg from 'pg';
import type { ShopifyClient } from './client.ts';
import type { ShopConnection } from './connection.ts';
import { searchBetween, truncated, type ApiApplier, type Json } from './api-applier.ts';
import { ORDER_QUERY, bulkOrdersQuery } from './queries.ts';

export class OrderRefresh {
  constructor(private readonly options: { pool: pg.Pool; connection: ShopConnection; apply: ApiApplier }) {}

  /** Fetches every queued order (up to 250) and applies it; returns how many changed. */
  async run(client?: ShopifyClient): Promise<number> {
    const { pool, connection, apply } = this.options;
    const { rows } = await pool.query<{ order_id: string }>(
      'select order_id from shop_order_refresh order by requested_at limit 250',
    );
    if (!rows.length) return 0;
    const shopify = client ?? (await connection.client());
    let found = 0;
    for (const { order_id } of rows) {
      const data = await shopify.query<{ order: Json | null }>(ORDER_QUERY, {
        id: `gid://shopify/Order/${order_id}`,
      });
      if (data.order && truncated(data.order)) {
        const updatedAt = String(data.order.updatedAt);
        found += await apply.exportAndApply(
          shopify,
          bulkOrdersQuery(searchBetween(updatedAt, updatedAt)),
          'orders',
          (nodes) => apply.orders(nodes),
        );
      } else if (data.order) {
        found += await apply.orders([data.order]);
      }
      await pool.query('delete from shop_order_refresh where order_id = $1', [order_id]);
    }
    return found;
  }
}
