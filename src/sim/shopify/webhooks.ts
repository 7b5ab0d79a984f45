// Webhook subscriptions and deliveries as Shopify makes them: a POST of the REST resource, signed
// with HMAC-SHA256 of the raw body under the app's secret, with the X-Shopify-* headers. A delivery
// keeps its webhook id through retries and re-sends (that is the receiver's dedupe key). Non-2xx
// answers are retried a few times with a short backoff (Shopify retries for hours; a test cannot
// wait that long), each attempt waiting at most 5 seconds, as Shopify does.
import { createHmac, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { isoUtc } from './clock.ts';
import type { WebhookSubscription } from './model.ts';
import type { Store } from './store.ts';
import { API_VERSION } from './version.ts';

/** ORDERS_CREATE → orders/create; ORDER_TRANSACTIONS_CREATE → order_transactions/create. */
export function restTopic(topic: string): string {
  const split = topic.lastIndexOf('_');
  return `${topic.slice(0, split).toLowerCase()}/${topic.slice(split + 1).toLowerCase()}`;
}

interface UserError {
  field: string[] | null;
  message: string;
}

function addressProblem(uri: unknown): string | null {
  if (typeof uri !== 'string' || uri.trim() === '') return "Address can't be blank";
  try {
    const url = new URL(uri);
    // Shopify insists on https; the simulator also takes http so a test's local receiver can listen.
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Address protocol is not supported';
    return null;
  } catch {
    return 'Address is invalid';
  }
}

const addressOf = (input: Record<string, unknown>): unknown => input.uri ?? input.callbackUrl;

export function subscribe(
  store: Store,
  topic: string,
  input: Record<string, unknown>,
  at: number,
): { webhookSubscription: WebhookSubscription | null; userErrors: UserError[] } {
  const uri = addressOf(input);
  const problem = addressProblem(uri);
  if (problem)
    return {
      webhookSubscription: null,
      userErrors: [{ field: ['webhookSubscription', 'callbackUrl'], message: problem }],
    };
  if (store.webhookSubscriptions.some((w) => w.topic === topic && w.uri === uri))
    return {
      webhookSubscription: null,
      userErrors: [
        {
          field: ['webhookSubscription', 'callbackUrl'],
          message: 'Address for this topic has already been taken',
        },
      ],
    };
  const subscription: WebhookSubscription = {
    id: store.id('WebhookSubscription'),
    topic,
    uri: String(uri),
    format: input.format === 'XML' ? 'XML' : 'JSON',
    createdAt: at,
    updatedAt: at,
  };
  store.webhookSubscriptions.push(subscription);
  store.changed();
  return { webhookSubscription: subscription, userErrors: [] };
}

export function updateSubscription(
  store: Store,
  id: number,
  input: Record<string, unknown>,
  at: number,
): { webhookSubscription: WebhookSubscription | null; userErrors: UserError[] } {
  const subscription = store.webhookSubscriptions.find((w) => w.id === id);
  if (!subscription)
    return {
      webhookSubscription: null,
      userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
    };
  const uri = addressOf(input);
  if (uri !== undefined) {
    const problem = addressProblem(uri);
    if (problem)
      return {
        webhookSubscription: null,
        userErrors: [{ field: ['webhookSubscription', 'callbackUrl'], message: problem }],
      };
    subscription.uri = String(uri);
  }
  if (input.format === 'XML' || input.format === 'JSON') subscription.format = input.format;
  subscription.updatedAt = at;
  store.changed();
  return { webhookSubscription: subscription, userErrors: [] };
}

export function unsubscribe(
  store: Store,
  id: number,
): { deletedWebhookSubscriptionId: string | null; userErrors: UserError[] } {
  const index = store.webhookSubscriptions.findIndex((w) => w.id === id);
  if (index < 0)
    return {
      deletedWebhookSubscriptionId: null,
      userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
    };
  store.webhookSubscriptions.splice(index, 1);
  store.changed();
  return { deletedWebhookSubscriptionId: `gid://shopify/WebhookSubscription/${id}`, userErrors: [] };
}

export interface Delivery {
  topic: string;
  webhookId: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryAttempt {
  webhookId: string;
  topic: string;
  uri: string;
  attempt: number;
  /** The receiver's HTTP status, or 0 when it could not be reached or took too long. */
  status: number;
  at: string;
}

export const sign = (secret: string, body: string | Buffer): string =>
  createHmac('sha256', secret).update(body).digest('base64');

export class Postman {
  readonly attempts: DeliveryAttempt[] = [];
  private readonly stopping = new AbortController();

  constructor(
    private readonly shopDomain: string,
    private readonly apiSecret: string,
    /** Waits before each retry of a non-2xx answer. */
    private readonly retryDelays: readonly number[] = [100, 400, 1500],
  ) {
    // Every delivery in flight listens for the stop; a burst of hundreds is normal.
    setMaxListeners(0, this.stopping.signal);
  }

  /** A signed delivery of a payload; `eventId` is shared by every delivery one change causes. */
  build(topic: string, payload: unknown, eventId: string): Delivery {
    const body = JSON.stringify(payload);
    const webhookId = randomUUID();
    return {
      topic,
      webhookId,
      body,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Shopify-Captain-Hook',
        'X-Shopify-Topic': topic,
        'X-Shopify-Hmac-Sha256': sign(this.apiSecret, body),
        'X-Shopify-Shop-Domain': this.shopDomain,
        'X-Shopify-API-Version': API_VERSION,
        'X-Shopify-Webhook-Id': webhookId,
        'X-Shopify-Event-Id': eventId,
        // When the delivery leaves, by the wall clock whatever time the simulated shop keeps: the
        // receiver checks it against its own clock.
        'X-Shopify-Triggered-At': `${isoUtc(Date.now()).slice(0, -1)}.000Z`,
      },
    };
  }

  /** One attempt; resolves to the receiver's status (0 when unreachable or too slow). */
  async send(delivery: Delivery, uri: string, tamper?: 'wrong-signature' | 'no-signature'): Promise<number> {
    const headers: Record<string, string> = { ...delivery.headers };
    if (tamper === 'wrong-signature')
      headers['X-Shopify-Hmac-Sha256'] = sign(`not-${this.apiSecret}`, delivery.body);
    if (tamper === 'no-signature') delete headers['X-Shopify-Hmac-Sha256'];
    let status = 0;
    try {
      const response = await fetch(uri, {
        method: 'POST',
        headers,
        body: delivery.body,
        signal: AbortSignal.any([AbortSignal.timeout(5000), this.stopping.signal]),
      });
      status = response.status;
      await response.body?.cancel();
    } catch {
      status = 0;
    }
    this.attempts.push({
      webhookId: delivery.webhookId,
      topic: delivery.topic,
      uri,
      attempt: this.attempts.filter((a) => a.webhookId === delivery.webhookId && a.uri === uri).length + 1,
      status,
      at: new Date().toISOString(),
    });
    return status;
  }

  /** Sends until a 2xx or the retries run out; the same webhook id every time. */
  async deliver(delivery: Delivery, uri: string): Promise<number> {
    let status = await this.send(delivery, uri);
    for (const delay of this.retryDelays) {
      if ((status >= 200 && status < 300) || this.stopping.signal.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.stopping.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
      if (this.stopping.signal.aborted) break;
      status = await this.send(delivery, uri);
    }
    return status;
  }

  stop(): void {
    this.stopping.abort();
  }
}
