// The shop over the API: orders, products and stock, the sync's health, and the Shopify webhook intake.
import type { FastifyInstance } from 'fastify';
import type { ShopParts } from './index.ts';
import type { HttpContext } from '../../platform/kit/module.ts';
import { AppError } from '../../platform/errors.ts';
import { explainShopify } from './client.ts';
import { webhookIntake } from './intake.ts';
import { StaleDeliveries } from './stale-deliveries.ts';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9]{1,16}$' } },
} as const;

const STATUSES = [
  'pending',
  'authorized',
  'partially_paid',
  'paid',
  'partially_refunded',
  'refunded',
  'voided',
  'expired',
  'cancelled',
];

export function shopRoutes(
  app: FastifyInstance,
  { shop, jobs, db, notifications, logger }: ShopParts,
  { config }: HttpContext,
): void {
  webhookIntake(app, {
    pool: db,
    connection: shop.connection,
    counter: shop.webhookCounter,
    onStored: (webhookId, version) => shop.applier.stored(webhookId, version),
    staleDeliveries: new StaleDeliveries({
      tellOwner: (notice) => notifications.send(notice),
      logger,
    }),
  });

  app.get<{
    Querystring: {
      from?: string;
      to?: string;
      status?: string;
      customer?: string;
      q?: string;
      limit?: string;
      cursor?: string;
    };
  }>(
    '/api/v1/shop/orders',
    {
      config: { access: 'read' },
      schema: {
        tags: ['shop'],
        summary:
          'Orders, newest first; filter by date (the shop’s time zone), status, customer or text; paginated by cursor',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', pattern: DATE, description: 'YYYY-MM-DD, inclusive' },
            to: { type: 'string', pattern: DATE, description: 'YYYY-MM-DD, inclusive' },
            status: { type: 'string', enum: STATUSES },
            customer: { type: 'string', pattern: '^[0-9]{1,16}$' },
            q: { type: 'string', minLength: 1, maxLength: 100, description: 'order name or email contains' },
            limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: '1 to 250, default 50' },
            cursor: { type: 'string', maxLength: 200, description: 'nextCursor from the previous page' },
          },
        },
      },
    },
    async (request) => {
      const { from, to, status, customer, q, limit, cursor } = request.query;
      const size = Number(limit ?? 50);
      if (size < 1 || size > 250) throw new AppError('invalid_request', 'limit must be between 1 and 250');
      return shop.orders({
        from,
        to,
        status,
        customerId: customer === undefined ? undefined : Number(customer),
        search: q,
        limit: size,
        cursor,
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/shop/orders/:id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['shop'],
        summary: 'One order with its lines, taxes, shipping, transactions, refunds and attribution',
        params: idParams,
      },
    },
    async (request) => ({ order: await shop.order(Number(request.params.id)) }),
  );

  app.get<{ Querystring: { low_first?: string; q?: string } }>(
    '/api/v1/shop/products',
    {
      config: { access: 'read' },
      schema: {
        tags: ['shop'],
        summary: 'Products with their variants, prices, unit costs and stock',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            low_first: { type: 'string', enum: ['true', 'false'] },
            q: { type: 'string', minLength: 1, maxLength: 100 },
          },
        },
      },
    },
    async (request) => ({
      products: await shop.products({
        lowFirst: request.query.low_first === 'true',
        search: request.query.q,
      }),
    }),
  );

  app.put<{ Params: { id: string }; Body: { threshold: number | null } }>(
    '/api/v1/shop/variants/:id/low-stock',
    {
      config: { access: 'write' },
      schema: {
        tags: ['shop'],
        summary: 'Set a variant’s low-stock threshold (null: the shop’s default)',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['threshold'],
          properties: { threshold: { type: ['integer', 'null'], minimum: 0, maximum: 1_000_000 } },
        },
      },
    },
    async (request, reply) => {
      await shop.setLowStockThreshold(Number(request.params.id), request.body.threshold);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/shop/sync',
    {
      config: { access: 'read' },
      schema: {
        tags: ['shop'],
        summary: 'Sync health: last webhook, last import and reconciliation, changes webhooks missed',
      },
    },
    async () => shop.status(),
  );

  for (const [path, job, summary] of [
    ['/api/v1/shop/sync/reconcile', 'reconcile', 'Reconcile now (runs as a job)'],
    [
      '/api/v1/shop/sync/import',
      'import',
      'Import everything again, or resume a stopped import (runs as a job)',
    ],
  ] as const) {
    app.post(
      path,
      {
        config: { access: 'write' },
        schema: {
          tags: ['shop'],
          summary,
          body: { type: 'object', additionalProperties: false, maxProperties: 0 },
        },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (_request, reply) => {
        await shop.queue(job);
        return reply.code(202).send({ queued: true });
      },
    );
  }

  app.post(
    '/api/v1/shop/connection/test',
    {
      config: { access: 'write' },
      schema: {
        tags: ['shop'],
        summary: 'Ask Shopify who the shop is, with the saved connection',
        body: { type: 'object', additionalProperties: false, maxProperties: 0 },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async () => ({ shop: await shop.connection.test().catch(explainShopify) }),
  );

  app.put<{ Body: { shop: string; adminToken: string; apiSecret: string } }>(
    '/api/v1/shop/connection',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['shop'],
        summary: 'Connect the shop: checked with Shopify, then kept encrypted in the vault',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['shop', 'adminToken', 'apiSecret'],
          properties: {
            shop: { type: 'string', minLength: 4, maxLength: 255 },
            adminToken: { type: 'string', minLength: 8, maxLength: 500 },
            apiSecret: { type: 'string', minLength: 8, maxLength: 500 },
          },
        },
      },
    },
    async (request) => {
      const info = await shop.connection.save(request.body).catch(explainShopify);
      await jobs.send(shop.importJob, {}, { idempotencyKey: `connected:${info.domain}` });
      return { shop: info };
    },
  );

  app.post(
    '/api/v1/shop/webhooks/sync',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['shop'],
        summary: 'Register the webhook topics shopkeep needs at this server’s public URL',
        body: { type: 'object', additionalProperties: false, maxProperties: 0 },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async () => shop.syncWebhooks(config.publicUrl).catch(explainShopify),
  );

  app.get(
    '/api/v1/shop/deliveries/set-aside',
    {
      config: { access: 'read' },
      schema: {
        tags: ['shop'],
        summary:
          'Webhook deliveries set aside because they could not be applied (newest first), with the reason and tries',
      },
    },
    async () => ({ deliveries: await shop.setAsideDeliveries() }),
  );

  for (const [action, access, summary] of [
    ['retry', 'write', 'Try a set-aside webhook delivery again'],
    ['dismiss', 'admin', 'Dismiss a set-aside webhook delivery: it is not applied'],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `/api/v1/shop/deliveries/:id/${action}`,
      {
        config: { access },
        schema: {
          tags: ['shop'],
          summary,
          params: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string', pattern: '^[\\w.:-]{1,200}$' } },
          },
          body: { type: 'object', additionalProperties: false, maxProperties: 0 },
        },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request, reply) => {
        if (action === 'retry') await shop.retryDelivery(request.params.id);
        else await shop.dismissDelivery(request.params.id);
        return reply.code(204).send();
      },
    );
  }
}
