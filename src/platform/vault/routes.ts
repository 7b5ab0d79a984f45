// Integration secrets over the API, under /api/v1/secrets: names and dates only, never a value.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoContent, responses, Timestamp } from '../http/schemas.ts';
import type { VaultParts } from './index.ts';

const tags = ['integrations'];

export function secretRoutes(app: FastifyInstance, { vault }: VaultParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Names of stored secrets (never their values)',
        response: responses({
          200: Type.Object({
            secrets: Type.Array(
              Type.Object({ name: Type.String(), updatedAt: Timestamp('when it was last stored') }),
            ),
          }),
        }),
      },
    },
    async () => ({ secrets: await vault.list() }),
  );

  api.put(
    '/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Store or replace a secret',
        params: Type.Object({
          name: Type.String({
            pattern: '^[a-z0-9][a-z0-9_.-]{0,99}$',
            description: 'lowercase letters, digits, ".", "_" or "-": `akaunting.password`',
          }),
        }),
        body: Type.Object(
          { value: Type.String({ minLength: 1, maxLength: 8192 }) },
          { additionalProperties: false },
        ),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await vault.setIntegration(request.params.name, request.body.value);
      return reply.code(204).send(null);
    },
  );

  api.delete(
    '/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a secret',
        params: Type.Object({ name: Type.String({ maxLength: 100 }) }),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await vault.removeIntegration(request.params.name);
      return reply.code(204).send(null);
    },
  );
}
