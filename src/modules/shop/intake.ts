// The webhook intake at /webhooks/shopify, in a plugin of its own (it reads bodies as raw bytes): verify the signature over the raw bytes, refuse what is malformed, stale or
// not what its topic sends, keep each delivery once (by X-Shopify-Webhook-Id) and answer at once; the
// applier does the work afterwards. An address that keeps sending bad signatures is refused before
// its body is read; a delivery for another shop is refused before its body too. Deliveries refused as
// stale are told to the owner (a wrong clock refuses them all).
import { isUtf8 } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type client from 'prom-client';
import { AppError } from '../../platform/errors.ts';
import { FailureLimit, type FailureLimits } from '../../platform/http/failure-limit.ts';
import type { ShopConnection } from './connection.ts';
import { PayloadError } from './read.ts';
import { changeFrom, isOrderTopic, isTopic, orderVersionFromWebhook } from './topics.ts';
import type { OrderVersion } from './apply-orders.ts';
import type { DeliveryWriter } from './delivery-writer.ts';
import { checkBodyFitsTopic, triggeredOutsideWindow } from './delivery-checks.ts';
import type { StaleDeliveries } from './stale-deliveries.ts';

export function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface IntakeDependencies {
  /** Stores each accepted delivery once, answering after it is on disk. */
  writer: DeliveryWriter;
  connection: ShopConnection;
  counter: client.Counter<'outcome'>;
  /** Told when a new delivery is stored, with the order version read from it (order topics). */
  onStored: (webhookId: string, version?: OrderVersion) => void;
  /** Told of deliveries refused as triggered outside the window: the owner hears of it once a day. */
  staleDeliveries: StaleDeliveries;
  /** Counts bad signatures per address; the default is one for this intake. */
  badSignatures?: FailureLimit;
  now?: () => number;
}

const WEBHOOK_ID = /^[\w.:-]{1,200}$/;

/**
 * Only refusals of bodies claimed for this shop count (a delivery for another shop is refused before
 * its body, for free), so Shopify's own addresses, which send this shop's deliveries correctly signed,
 * are never held back: someone who points another shop's webhooks here makes Shopify send them with
 * that shop's domain.
 */
export const BAD_SIGNATURE_LIMITS: FailureLimits = { max: 10, windowMs: 60_000 };

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Refused before the body is read: the connection is closed rather than the rest of the body drained. */
const refuseUnread = { connection: 'close' };

/** Registers POST /shopify in `app`, a plugin of its own under /webhooks. */
export function webhookIntake(
  app: FastifyInstance,
  {
    writer,
    connection,
    counter,
    onStored,
    staleDeliveries,
    badSignatures = new FailureLimit(BAD_SIGNATURE_LIMITS),
    now = Date.now,
  }: IntakeDependencies,
): void {
  // Runs before the content type parser reads the body.
  app.addHook('onRequest', async (request) => {
    const wait = badSignatures.refusedFor(request.ip);
    if (wait) {
      counter.inc({ outcome: 'throttled' });
      throw new AppError(
        'rate_limited',
        `too many webhook deliveries with a bad signature from this address; try again in ${wait} s`,
        { ...refuseUnread, 'retry-after': String(wait) },
      );
    }
    const domain = header(request, 'x-shopify-shop-domain');
    const shop = domain && (await connection.get())?.shop;
    if (domain && shop && domain.toLowerCase() !== shop) {
      // Not counted against the address: Shopify sends other shops' webhooks from the same addresses.
      counter.inc({ outcome: 'bad_signature' });
      throw new AppError(
        'unauthenticated',
        `this delivery is for ${domain.slice(0, 100)}, not ${shop}`,
        refuseUnread,
      );
    }
  });
  // The signature covers the exact bytes Shopify sent: keep them, parse later.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_request, body, done) =>
    done(null, body),
  );
  app.post(
    '/shopify',
    {
      config: { access: 'public', csrf: false, audit: false, rateLimit: false },
      schema: { hide: true },
    },
    async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const shopConnection = await connection.get();
      if (!shopConnection?.apiSecret) {
        counter.inc({ outcome: 'bad_signature' });
        badSignatures.failed(request.ip);
        throw new AppError(
          'unauthenticated',
          'shopkeep has no Shopify API secret to check webhook signatures with',
        );
      }
      if (!signatureMatches(shopConnection.apiSecret, body, header(request, 'x-shopify-hmac-sha256'))) {
        counter.inc({ outcome: 'bad_signature' });
        badSignatures.failed(request.ip);
        throw new AppError('unauthenticated', 'missing or wrong X-Shopify-Hmac-Sha256 signature');
      }
      const topic = header(request, 'x-shopify-topic') ?? '';
      const webhookId = header(request, 'x-shopify-webhook-id') ?? '';
      if (!WEBHOOK_ID.test(webhookId)) {
        counter.inc({ outcome: 'malformed' });
        throw new AppError('invalid_request', 'missing or malformed X-Shopify-Webhook-Id header');
      }
      if (!isTopic(topic)) {
        // Not a topic shopkeep asked for: acknowledge, so Shopify does not retry it for hours.
        counter.inc({ outcome: 'ignored' });
        return reply.code(200).send();
      }
      // 400, not 2xx: refused, never silently dropped; not 401: the signature was right (and fail2ban
      // or the limit above must not hold Shopify back). Shopify retries a non-2xx only within the
      // same window (8 tries over 4 hours), and each retry carries the same time, so it ends.
      const stale = triggeredOutsideWindow(header(request, 'x-shopify-triggered-at'), now());
      if (stale) {
        counter.inc({ outcome: 'stale' });
        // Not waited for: a clock that is off refuses every delivery, and the owner must hear of it.
        if (stale.triggeredAt !== undefined) void staleDeliveries.refused(topic, stale.triggeredAt);
        throw new AppError('invalid_request', `${topic} delivery refused: ${stale.reason}`);
      }
      // An order is read once here; the applier in this process takes the result as it is.
      let version: OrderVersion | undefined;
      try {
        if (!isUtf8(body)) throw new PayloadError('body', 'is not UTF-8 text');
        const json: unknown = JSON.parse(body.toString('utf8'));
        checkBodyFitsTopic(topic, json);
        if (
          topic === 'app/uninstalled' &&
          (json as { myshopify_domain?: unknown }).myshopify_domain !== shopConnection.shop
        )
          throw new PayloadError('shop.myshopify_domain', `is not ${shopConnection.shop}`);
        if (isOrderTopic(topic)) version = orderVersionFromWebhook(json);
        else changeFrom(topic, json, (await connection.shopInfo()).currency);
      } catch (error) {
        counter.inc({ outcome: 'malformed' });
        const reason = error instanceof PayloadError ? error.message : 'the body is not valid JSON';
        throw new AppError('invalid_request', `malformed ${topic} delivery: ${reason}`);
      }
      const stored = await writer.store({ webhookId, topic, body });
      counter.inc({ outcome: stored ? 'stored' : 'duplicate' });
      if (stored) onStored(webhookId, version);
      return reply.code(200).send();
    },
  );
}
