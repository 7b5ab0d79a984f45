// Signed outgoing webhooks for n8n, Node-RED and Zapier. Each delivery is a job (retried with backoff);
// the body is signed with HMAC-SHA256 over "<timestamp>.<body>" using the endpoint's own secret.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { invalid, notFound } from '../errors.ts';
import { defineJob, type JobDefinition } from '../jobs/job-queue.ts';
import type { Secrets } from '../vault/index.ts';
import { checkTarget, guardedPost } from '../net/guarded-post.ts';
import { loadEvent, matches, type EventSink } from './outbox.ts';
import { and, asc, eq } from 'drizzle-orm';
import { transaction } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import { eventsWebhookEndpoints } from './schema.ts';
import type { OutgoingWebhooks } from './face.ts';

export interface WebhookEndpoint {
  id: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  /** May reach the box itself or the local network (the owner said so). */
  allowPrivateTarget: boolean;
  createdAt: Date;
}

export const SIGNATURE_HEADER = 'x-shopkeep-signature';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export class WebhookEndpoints implements OutgoingWebhooks {
  readonly job: JobDefinition<{ eventId: number; target: string }>;
  private readonly pool: pg.Pool;
  private readonly vault: Secrets;
  private readonly db: Orm;

  constructor(options: {
    pool: pg.Pool;
    /** Where each endpoint's signing secret is sealed. */
    vault: Secrets;
    /** The first wait after a failed delivery, doubled each time: 15 s, 30 s, 1 min, ... about an hour in all. */
    retryDelaySeconds?: number;
  }) {
    this.pool = options.pool;
    this.vault = options.vault;
    this.db = orm(options.pool);
    this.job = defineJob({
      name: 'events.webhook-delivery',
      retryLimit: 8,
      retryDelaySeconds: options.retryDelaySeconds ?? 15,
      handler: ({ eventId, target }) => this.deliver(eventId, target),
    });
  }

  sink(): EventSink {
    return {
      job: this.job,
      targets: async (client) => {
        const rows = await orm(client)
          .select({ id: eventsWebhookEndpoints.id, eventTypes: eventsWebhookEndpoints.eventTypes })
          .from(eventsWebhookEndpoints)
          .where(eq(eventsWebhookEndpoints.active, true));
        return (event) => rows.filter((row) => matches(row.eventTypes, event.type)).map((row) => row.id);
      },
    };
  }

  /** Creates an endpoint; the signing secret is returned once and kept only in the vault. */
  async create({
    url,
    eventTypes,
    allowPrivateTarget = false,
  }: {
    url: string;
    eventTypes: string[];
    allowPrivateTarget?: boolean | undefined;
  }): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalid('url is not a valid URL');
    }
    if (!['http:', 'https:'].includes(parsed.protocol))
      throw invalid('url must start with http:// or https://');
    if (eventTypes.length === 0) throw invalid('eventTypes needs at least one event type, or "*"');
    if (parsed.username || parsed.password)
      throw invalid('url must not hold a user or password; deliveries are signed instead');
    await checkTarget(url, allowPrivateTarget).catch((error: Error) => {
      throw invalid(`url: ${error.message}`);
    });
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const endpoint = await transaction(this.pool, async (client) => {
      const id = randomUUID();
      const [row] = await orm(client)
        .insert(eventsWebhookEndpoints)
        .values({ id, url, eventTypes, allowPrivateTarget, secretName: `webhook.${id}` })
        .returning();
      await this.vault.set(`webhook.${id}`, secret, client);
      return toEndpoint(row!);
    });
    return { endpoint, secret };
  }

  async list(): Promise<WebhookEndpoint[]> {
    const rows = await this.db
      .select()
      .from(eventsWebhookEndpoints)
      .orderBy(asc(eventsWebhookEndpoints.createdAt));
    return rows.map(toEndpoint);
  }

  /** The owner says whether an endpoint may be on this box or the local network. */
  async allowPrivateTarget(id: string, allow: boolean): Promise<WebhookEndpoint> {
    const [row] = await this.db
      .update(eventsWebhookEndpoints)
      .set({ allowPrivateTarget: allow })
      .where(eq(eventsWebhookEndpoints.id, id))
      .returning();
    if (!row) throw notFound('no webhook endpoint with that id');
    return toEndpoint(row);
  }

  async remove(id: string): Promise<void> {
    const removed = await this.db
      .delete(eventsWebhookEndpoints)
      .where(eq(eventsWebhookEndpoints.id, id))
      .returning();
    if (removed.length === 0) throw notFound('no webhook endpoint with that id');
    await this.vault.remove(removed[0]!.secretName).catch(() => undefined);
  }

  private async deliver(eventId: number, endpointId: string): Promise<void> {
    const [endpoint] = await this.db
      .select()
      .from(eventsWebhookEndpoints)
      .where(and(eq(eventsWebhookEndpoints.id, endpointId), eq(eventsWebhookEndpoints.active, true)));
    const event = await loadEvent(this.pool, eventId);
    if (!endpoint || !event) return; // endpoint removed or event pruned: nothing left to deliver
    const secret = await this.vault.get(endpoint.secretName);
    if (!secret) throw new Error(`signing secret for webhook ${endpointId} is missing from the vault`);
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      createdAt: event.createdAt,
      payload: event.payload,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const status = await guardedPost({
      url: endpoint.url,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'shopkeep-webhooks/1',
        'x-shopkeep-event': event.type,
        'x-shopkeep-delivery': String(event.id),
        'x-shopkeep-timestamp': String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
      },
      body,
      timeoutMs: 10_000,
      allowPrivate: endpoint.allowPrivateTarget,
    });
    // Only the host: the path of an n8n or Zapier webhook URL is itself a secret.
    const host = new URL(endpoint.url).host;
    if (status >= 300 && status < 400)
      throw new Error(
        `webhook to ${host} answered ${status}, a redirect; redirects are not followed: give the final URL`,
      );
    if (status < 200 || status >= 300) throw new Error(`webhook to ${host} answered ${status}`);
  }
}

function toEndpoint(row: typeof eventsWebhookEndpoints.$inferSelect): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes,
    active: row.active,
    allowPrivateTarget: row.allowPrivateTarget,
    createdAt: row.createdAt,
  };
}
