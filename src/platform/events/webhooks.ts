// Signed outgoing webhooks for n8n, Node-RED and Zapier. Each delivery is a job (retried with backoff);
// the body is signed with HMAC-SHA256 over "<timestamp>.<body>" using the endpoint's own secret.
import { createHmac } from 'node:crypto';
import type pg from 'pg';
import { invalid, notFound } from '../errors.ts';
import { defineJob, type JobDefinition } from '../jobs/job-queue.ts';
import type { Vault } from '../vault/vault.ts';
import { randomToken } from '../accounts/secrets.ts';
import { loadEvent, matches, type EventSink } from './outbox.ts';
import type { Queryable } from '../db/database.ts';

export interface WebhookEndpoint {
  id: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  createdAt: Date;
}

export const SIGNATURE_HEADER = 'x-shopkeep-signature';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export class WebhookEndpoints {
  readonly job: JobDefinition<{ eventId: number; target: string }>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly vault: Vault,
    retryDelaySeconds = 15, // doubled after each failure: 15 s, 30 s, 1 min, ... about an hour in all
  ) {
    this.job = defineJob({
      name: 'events.webhook-delivery',
      retryLimit: 8,
      retryDelaySeconds,
      handler: ({ eventId, target }) => this.deliver(eventId, target),
    });
  }

  sink(): EventSink {
    return {
      job: this.job,
      targets: async (event, q: Queryable) => {
        const { rows } = await q.query<{ id: string; event_types: string[] }>(
          'select id, event_types from events_webhook_endpoints where active',
        );
        return rows.filter((row) => matches(row.event_types, event.type)).map((row) => row.id);
      },
    };
  }

  /** Creates an endpoint; the signing secret is returned once and kept only in the vault. */
  async create(url: string, eventTypes: string[]): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalid('url is not a valid URL');
    }
    if (!['http:', 'https:'].includes(parsed.protocol))
      throw invalid('url must start with http:// or https://');
    if (eventTypes.length === 0) throw invalid('eventTypes needs at least one event type, or "*"');
    const secret = `whsec_${randomToken(24)}`;
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query(
        `insert into events_webhook_endpoints (url, event_types, secret_name) values ($1, $2, 'pending') returning *`,
        [url, eventTypes],
      );
      const id = rows[0].id as string;
      await client.query('update events_webhook_endpoints set secret_name = $2 where id = $1', [
        id,
        `webhook.${id}`,
      ]);
      await this.vault.set(`webhook.${id}`, secret, client);
      await client.query('commit');
      return { endpoint: toEndpoint(rows[0]), secret };
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  }

  async list(): Promise<WebhookEndpoint[]> {
    const { rows } = await this.pool.query('select * from events_webhook_endpoints order by created_at');
    return rows.map(toEndpoint);
  }

  async remove(id: string): Promise<void> {
    const { rowCount } = await this.pool.query('delete from events_webhook_endpoints where id = $1', [id]);
    if (rowCount === 0) throw notFound('no webhook endpoint with that id');
    await this.vault.remove(`webhook.${id}`).catch(() => undefined);
  }

  private async deliver(eventId: number, endpointId: string): Promise<void> {
    const { rows } = await this.pool.query(
      'select * from events_webhook_endpoints where id = $1 and active',
      [endpointId],
    );
    const event = await loadEvent(this.pool, eventId);
    if (!rows[0] || !event) return; // endpoint removed or event pruned: nothing left to deliver
    const secret = await this.vault.get(rows[0].secret_name);
    if (!secret) throw new Error(`signing secret for webhook ${endpointId} is missing from the vault`);
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      createdAt: event.createdAt,
      payload: event.payload,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(rows[0].url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'shopkeep-webhooks/1',
        'x-shopkeep-event': event.type,
        'x-shopkeep-delivery': String(event.id),
        'x-shopkeep-timestamp': String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`webhook ${rows[0].url} answered ${response.status}`);
  }
}

function toEndpoint(row: Record<string, unknown>): WebhookEndpoint {
  return {
    id: row.id as string,
    url: row.url as string,
    eventTypes: row.event_types as string[],
    active: row.active as boolean,
    createdAt: row.created_at as Date,
  };
}
