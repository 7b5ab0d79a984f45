// Integration secrets over the API: names and dates only, never a value.
import type { FastifyInstance } from 'fastify';
import type { VaultParts } from './index.ts';

export function secretRoutes(app: FastifyInstance, { vault }: VaultParts): void {
  app.get(
    '/api/v1/secrets',
    {
      config: { access: 'admin' },
      schema: { tags: ['integrations'], summary: 'Names of stored secrets (never their values)' },
    },
    async () => ({
      secrets: await vault.list(),
    }),
  );

  app.put<{ Params: { name: string }; Body: { value: string } }>(
    '/api/v1/secrets/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        summary: 'Store or replace a secret',
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,99}$' } },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['value'],
          properties: { value: { type: 'string', minLength: 1, maxLength: 8192 } },
        },
      },
    },
    async (request, reply) => {
      await vault.setIntegration(request.params.name, request.body.value);
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/secrets/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        summary: 'Delete a secret',
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 100 } },
        },
      },
    },
    async (request, reply) => {
      await vault.removeIntegration(request.params.name);
      return reply.code(204).send();
    },
  );
}
