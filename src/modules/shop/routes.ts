// The shop over the API, under /api/v1/shop: orders, products and stock, the sync's health and runs,
// the connection, webhook registration, and the deliveries set aside.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoContent, responses } from '../../platform/http/schemas.ts';
import type { HttpContext } from '../../platform/kit/module.ts';
import { AppError } from '../../platform/errors.ts';
import type { ShopParts } from './index.ts';
import { explainShopify } from './client.ts';
import {
  OrderDetail,
  OrderPage,
  ProductRow,
  Queued,
  SetAsideDelivery,
  ShopInfo,
  SyncStatus,
  WebhookRegistration,
} from './api-schemas.ts';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const ShopifyId = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,16}$' }) });
const DeliveryId = Type.Object({
  id: Type.String({ pattern: '^[\\w.:-]{1,200}$', description: 'X-Shopify-Webhook-Id' }),
});
/** Actions that take no fields: an empty body, or none. */
const NoFields = Type.Object({}, { additionalProperties: false, maxProperties: 0 });
const noBodyIsEmpty = async (request: { body: unknown }) => {
  request.body ??= {};
};

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

export function shopRoutes(app: FastifyInstance, { shop }: ShopParts, { config }: HttpContext): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/orders',
    {
      config: { access: 'read' },
      schema: {
        tags: ['shop'],
        summary:
          'Orders, newest first; filter by date (the shop’s time zone), status, customer or text; paginated by cursor',
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ pattern: DATE, description: 'YYYY-MM-DD, inclusive' })),
            to: Type.Optional(Type.String({ pattern: DATE, description: 'YYYY-MM-DD, inclusive' })),
            status: Type.Optional(Type.Enum(STATUSES)),
            customer: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$', description: 'a customer id' })),
            q: Type.Optional(
              Type.String({ minLength: 1, maxLength: 100, description: 'order name or email contains' }),
            ),
            limit: Type.Optional(
              Type.String({ pattern: '^[0-9]{1,3}$', description: '1 to 250, default 50' }),
            ),
            cursor: Type.Optional(
              Type.String({ maxLength: 200, description: 'nextCursor from the previous page' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: OrderPage }),
      },
    },
    async (request) => {
      const { from, to, status, customer, q, limit, cursor } = request.query;
      const size = Number(limit ?? 50);
      if (size < 1 || size > 250) throw new AppError('invalid_request', 'limit must be between 1 and 250');
      return shop.listOrders({
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

  api.get(
    '/orders/:id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['shop'],
        summary: 'One order with its lines, taxes, shipping, transactions, refunds and attribution',
        params: ShopifyId,
        response: responses({ 200: Type.Object({ order: OrderDetail }) }),
      },
    },
    async (request) => ({ order: await shop.order(Number(request.params.id)) }),
  );

  api.get(
    '/products',
    {
      config: { access: 'read' },
      schema: {
        tags: ['shop'],
        summary: 'Products with their variants, prices, unit costs and stock',
        querystring: Type.Object(
          {
            low_first: Type.Optional(
              Type.Enum(['true', 'false'], { description: 'the lowest stock (against its threshold) first' }),
            ),
            q: Type.Optional(
              Type.String({ minLength: 1, maxLength: 100, description: 'title or SKU contains' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ products: Type.Array(ProductRow) }) }),
      },
    },
    async (request) => ({
      products: await shop.products({
        lowFirst: request.query.low_first === 'true',
        search: request.query.q,
      }),
    }),
  );

  api.put(
    '/variants/:id/low-stock',
    {
      config: { access: 'write' },
      schema: {
        tags: ['shop'],
        summary: 'Set a variant’s low-stock threshold (null: the shop’s default)',
        params: ShopifyId,
        body: Type.Object(
          {
            threshold: Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000 }), Type.Null()], {
              description: 'low at or below this many units; null: the shop’s default',
            }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await shop.setLowStockThreshold(Number(request.params.id), request.body.threshold);
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/sync',
    {
      config: { access: 'read' },
      schema: {
        tags: ['shop'],
        summary: 'Sync health: last webhook, last import and reconciliation, changes webhooks missed',
        response: responses({ 200: SyncStatus }),
      },
    },
    async () => shop.status(),
  );

  for (const [path, job, summary] of [
    ['/sync/reconcile', 'reconcile', 'Reconcile now (runs as a job)'],
    ['/sync/import', 'import', 'Import everything again, or resume a stopped import (runs as a job)'],
  ] as const) {
    api.post(
      path,
      {
        config: { access: 'write' },
        schema: { tags: ['shop'], summary, body: NoFields, response: responses({ 202: Queued }) },
        preValidation: noBodyIsEmpty,
      },
      async (_request, reply) => {
        await shop.queue(job);
        return reply.code(202).send({ queued: true });
      },
    );
  }

  api.post(
    '/connection/test',
    {
      config: { access: 'write' },
      schema: {
        tags: ['shop'],
        summary: 'Ask Shopify who the shop is, with the saved connection',
        body: NoFields,
        response: responses({ 200: Type.Object({ shop: ShopInfo }) }),
      },
      preValidation: noBodyIsEmpty,
    },
    async () => ({ shop: await shop.connection.test().catch(explainShopify) }),
  );

  api.put(
    '/connection',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['shop'],
        summary:
          'Connect the shop: checked with Shopify, then kept encrypted in the vault; the import starts',
        body: Type.Object(
          {
            shop: Type.String({ minLength: 4, maxLength: 255, description: 'my-shop.myshopify.com' }),
            adminToken: Type.String({
              minLength: 8,
              maxLength: 500,
              description: 'the Admin API access token',
            }),
            apiSecret: Type.String({
              minLength: 8,
              maxLength: 500,
              description: 'the API secret key (signs webhooks)',
            }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ shop: ShopInfo }) }),
      },
    },
    async (request) => ({ shop: await shop.connect(request.body).catch(explainShopify) }),
  );

  api.post(
    '/webhooks/sync',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['shop'],
        summary: 'Register the webhook topics shopkeep needs at this server’s public URL',
        body: NoFields,
        response: responses({ 200: WebhookRegistration }),
      },
      preValidation: noBodyIsEmpty,
    },
    async () => shop.syncWebhooks(config.publicUrl).catch(explainShopify),
  );

  api.get(
    '/deliveries/set-aside',
    {
      config: { access: 'read' },
      schema: {
        tags: ['shop'],
        summary:
          'Webhook deliveries set aside because they could not be applied (newest first), with the reason and tries',
        response: responses({ 200: Type.Object({ deliveries: Type.Array(SetAsideDelivery) }) }),
      },
    },
    async () => ({ deliveries: await shop.setAsideDeliveries() }),
  );

  for (const [action, access, summary] of [
    ['retry', 'write', 'Try a set-aside webhook delivery again'],
    ['dismiss', 'admin', 'Dismiss a set-aside webhook delivery: it is not applied'],
  ] as const) {
    api.post(
      `/deliveries/:id/${action}`,
      {
        config: { access },
        schema: {
          tags: ['shop'],
          summary,
          params: DeliveryId,
          body: NoFields,
          response: responses({ 204: NoContent }),
        },
        preValidation: noBodyIsEmpty,
      },
      async (request, reply) => {
        if (action === 'retry') await shop.retryDelivery(request.params.id);
        else await shop.dismissDelivery(request.params.id);
        return reply.code(204).send(null);
      },
    );
  }
}
