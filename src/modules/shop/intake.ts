// The webhook intake: verify the signature over the raw bytes, refuse what is malformed, keep each
// delivery once (by X-Shopify-Webhook-Id) and answer at once; the applier does the work afterwards.
import { isUtf8 } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type client from 'prom-client';
import { AppError } from '../../platform/errors.ts';
import type { ShopConnection } from './connection.ts';
import { PayloadError } from './read.ts';
import { changeFrom, isOrderTopic, isTopic, orderVersionFromWebhook } from './topics.ts';
import type { OrderVersion } from './apply-orders.ts';
import { DeliveryWriter } from './delivery-writer.ts';

export function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface IntakeDependencies {
  pool: pg.Pool;
  connection: ShopConnection;
  counter: client.Counter<'outcome'>;
  /** Told when a new delivery is stored, with the order version read from it (order topics). */
  onStored: (webhookId: string, version?: OrderVersion) => void;
}

const WEBHOOK_ID = /^[\w.:-]{1,200}$/;

export function webhookIntake(
  app: FastifyInstance,
  { pool, connection, counter, onStored }: IntakeDependencies,
): void {
  const writer = new DeliveryWriter(pool);
  app.register(async (scope) => {
    // The signature covers the exact bytes Shopify sent: keep them, parse later.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    scope.post(
      '/webhooks/shopify',
      {
        config: { access: 'public', csrf: false, audit: false, rateLimit: false },
        schema: { hide: true },
      },
      async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const header = (name: string) => {
          const value = request.headers[name];
          return typeof value === 'string' ? value : undefined;
        };
        const shopConnection = await connection.get();
        if (!shopConnection?.apiSecret) {
          counter.inc({ outcome: 'bad_signature' });
          throw new AppError(
            'unauthenticated',
            'shopkeep has no Shopify API secret to check webhook signatures with',
          );
        }
        if (!signatureMatches(shopConnection.apiSecret, body, header('x-shopify-hmac-sha256'))) {
          counter.inc({ outcome: 'bad_signature' });
          throw new AppError('unauthenticated', 'missing or wrong X-Shopify-Hmac-Sha256 signature');
        }
        const domain = header('x-shopify-shop-domain');
        if (domain && domain.toLowerCase() !== shopConnection.shop) {
          counter.inc({ outcome: 'bad_signature' });
          throw new AppError('unauthenticated', `this delivery is for ${domain}, not ${shopConnection.shop}`);
        }
        const topic = header('x-shopify-topic') ?? '';
        const webhookId = header('x-shopify-webhook-id') ?? '';
        if (!WEBHOOK_ID.test(webhookId)) {
          counter.inc({ outcome: 'malformed' });
          throw new AppError('invalid_request', 'missing or malformed X-Shopify-Webhook-Id header');
        }
        if (!isTopic(topic)) {
          // Not a topic shopkeep asked for: acknowledge, so Shopify does not retry it for hours.
          counter.inc({ outcome: 'ignored' });
          return reply.code(200).send();
        }
        // An order is read once here; the applier in this process takes the result as it is.
        let version: OrderVersion | undefined;
        try {
          if (!isUtf8(body)) throw new PayloadError('body', 'is not UTF-8 text');
          const json: unknown = JSON.parse(body.toString('utf8'));
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
  });
}
