// Outgoing webhook endpoints over the API, under /api/v1/webhooks.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoContent, responses, Timestamp } from '../http/schemas.ts';
import type { EventsParts } from './index.ts';

const tags = ['integrations'];

const Endpoint = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String({ description: 'where deliveries are posted' }),
  eventTypes: Type.Array(Type.String(), {
    description: 'the event types it gets: exact (`order.created`), a family (`order.*`) or `*` for all',
  }),
  active: Type.Boolean(),
  allowPrivateTarget: Type.Boolean({
    description: 'whether the URL may be on this box or the local network (the owner said so)',
  }),
  createdAt: Timestamp(),
});

const AllowPrivateTarget = Type.Boolean({
  description:
    'true lets the URL be on this box or the local network (n8n on the same Pi); refused otherwise',
});

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export function webhookRoutes(app: FastifyInstance, { webhooks }: EventsParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Outgoing webhook endpoints',
        response: responses({ 200: Type.Object({ webhooks: Type.Array(Endpoint) }) }),
      },
    },
    async () => ({ webhooks: await webhooks.list() }),
  );

  api.post(
    '',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Add an endpoint; its signing secret is in this response only',
        body: Type.Object(
          {
            url: Type.String({ minLength: 8, maxLength: 2000 }),
            eventTypes: Type.Array(Type.String({ pattern: '^(\\*|[a-z][a-z_]*(\\.([a-z_]+|\\*))+)$' }), {
              minItems: 1,
              maxItems: 100,
            }),
            allowPrivateTarget: Type.Optional(AllowPrivateTarget),
          },
          { additionalProperties: false },
        ),
        response: responses({
          201: Type.Object({
            endpoint: Endpoint,
            secret: Type.String({
              description:
                'signs every delivery: X-Shopkeep-Signature is sha256=HMAC(secret, timestamp + "." + body); shown only here',
            }),
          }),
        }),
      },
    },
    async (request, reply) => reply.code(201).send(await webhooks.create(request.body)),
  );

  api.patch(
    '/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Allow or refuse a target on this box or the local network for an endpoint',
        params: IdParams,
        body: Type.Object({ allowPrivateTarget: AllowPrivateTarget }, { additionalProperties: false }),
        response: responses({ 200: Type.Object({ webhook: Endpoint }) }),
      },
    },
    async (request) => ({
      webhook: await webhooks.allowPrivateTarget(request.params.id, request.body.allowPrivateTarget),
    }),
  );

  api.delete(
    '/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Remove an endpoint',
        params: IdParams,
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );
}
