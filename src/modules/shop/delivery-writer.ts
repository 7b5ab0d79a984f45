// Stores webhook deliveries, many per statement: while inserts are in flight (a few at once, so
// PostgreSQL can flush their commits together), the deliveries that arrive wait and go together in
// the next. Each request is answered only after the statement that holds its delivery has committed,
// so an acknowledged delivery is on disk; under load one disk flush covers dozens of deliveries.
import type pg from 'pg';

export interface Delivery {
  webhookId: string;
  topic: string;
  /** The bytes Shopify sent, valid UTF-8: sent to PostgreSQL as they are, never copied into a string. */
  body: Buffer;
}

interface Waiting extends Delivery {
  settle: (stored: boolean) => void;
  fail: (error: unknown) => void;
}

const MAX_ROWS = 500;
const IN_FLIGHT = 4;

export class DeliveryWriter {
  private queue: Waiting[] = [];
  private writing = 0;

  constructor(private readonly pool: pg.Pool) {}

  /** Resolves true when the delivery was stored now, false when its webhook id was already there. */
  store(delivery: Delivery): Promise<boolean> {
    return new Promise((settle, fail) => {
      this.queue.push({ ...delivery, settle, fail });
      if (this.writing < IN_FLIGHT) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing += 1;
    // Deliveries arriving in the same turn of the event loop go in the same statement.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_ROWS);
      // The first of several deliveries with one id in the same batch is the one stored.
      const first = new Map<string, Waiting>();
      for (const delivery of batch)
        if (!first.has(delivery.webhookId)) first.set(delivery.webhookId, delivery);
      const rows = [...first.values()];
      try {
        const { rows: inserted } = await this.pool.query<{ webhook_id: string }>(
          `insert into shop_webhook_deliveries (webhook_id, topic, body) values ${placeholders(rows.length)}
           on conflict (webhook_id) do nothing returning webhook_id`,
          rows.flatMap((row) => [row.webhookId, row.topic, row.body]),
        );
        const stored = new Set(inserted.map((row) => row.webhook_id));
        for (const delivery of batch) {
          delivery.settle(first.get(delivery.webhookId) === delivery && stored.has(delivery.webhookId));
        }
      } catch (error) {
        for (const delivery of batch) delivery.fail(error);
      }
    }
    this.writing -= 1;
  }
}

/** "($1, $2, $3::text), ($4, …)": one parameter per value, so bodies go as bytes (an array would be escaped text). */
function placeholders(rows: number): string {
  return Array.from(
    { length: rows },
    (_, row) => `($${row * 3 + 1}, $${row * 3 + 2}, $${row * 3 + 3}::text)`,
  ).join(', ');
}
