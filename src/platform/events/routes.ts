// Outgoing webhook endpoints over the API.
import type { FastifyInstance } from 'fastify';
import type { EventsParts } from './index.ts';

export function webhookRoutes(app: FastifyInstance, { webhooks }: EventsParts): void {
  app.get(
    '/api/v1/webhooks',
    {
      config: { access: 'admin' },
      schema: { tags: ['integrations'], summary: 'Outgoing webhook endpoints' },
    },
    async () => ({
      webhooks: await webhooks.list(),
    }),
  );

  app.post<{ Body: { url: string; eventTypes: string[]; allowPrivateTarget?: boolean } }>(
    '/api/v1/webhooks',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        summary: 'Add an endpoint; its signing secret is in this response only',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['url', 'eventTypes'],
          properties: {
            url: { type: 'string', minLength: 8, maxLength: 2000 },
            eventTypes: {
              type: 'array',
              minItems: 1,
              maxItems: 100,
              items: { type: 'string', pattern: '^(\\*|[a-z][a-z_]*(\\.([a-z_]+|\\*))+)$' },
            },
            allowPrivateTarget: {
              type: 'boolean',
              description:
                'true lets the URL be on this box or the local network (n8n on the same Pi); refused otherwise',
            },
          },
        },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await webhooks.create(request.body.url, request.body.eventTypes, request.body.allowPrivateTarget),
        ),
  );

  app.patch<{ Params: { id: string }; Body: { allowPrivateTarget: boolean } }>(
    '/api/v1/webhooks/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        summary: 'Allow or refuse a target on this box or the local network for an endpoint',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['allowPrivateTarget'],
          properties: { allowPrivateTarget: { type: 'boolean' } },
        },
      },
    },
    async (request) => ({
      webhook: await webhooks.allowPrivateTarget(request.params.id, request.body.allowPrivateTarget),
    }),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/webhooks/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        summary: 'Remove an endpoint',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.params.id);
      return reply.code(204).send();
    },
  );
}
