// The job queue over the API, under /api/v1/jobs: jobs per queue and state, and the dead letters
// (jobs that failed every attempt) to retry or dismiss.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoContent, responses, Timestamp } from '../http/schemas.ts';
import type { JobsParts } from './index.ts';

const tags = ['ops'];

const DeadLetter = Type.Object({
  id: Type.String({ format: 'uuid' }),
  queue: Type.String({ description: 'the job: `ledger.post-order`, `events.webhook-delivery`, …' }),
  data: Type.Unknown({ description: 'what the job was sent with; a retry sends it again' }),
  error: Type.String({ description: 'what the last attempt failed with' }),
  attempts: Type.Integer(),
  failedAt: Timestamp(),
});

export function jobRoutes(app: FastifyInstance, { jobs }: JobsParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Jobs per queue and state',
        response: responses({
          200: Type.Object({
            queues: Type.Array(
              Type.Object({
                queue: Type.String(),
                state: Type.String({ description: 'created, retry, active, completed, cancelled or failed' }),
                count: Type.Integer(),
              }),
            ),
          }),
        }),
      },
    },
    async () => ({ queues: await jobs.counts() }),
  );

  api.get(
    '/dead-letters',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Jobs that failed every attempt',
        response: responses({ 200: Type.Object({ deadLetters: Type.Array(DeadLetter) }) }),
      },
    },
    async () => ({ deadLetters: await jobs.deadLetters() }),
  );

  for (const action of ['retry', 'dismiss'] as const) {
    api.post(
      `/dead-letters/:id/${action}`,
      {
        config: { access: 'write' },
        schema: {
          tags,
          summary: action === 'retry' ? 'Run a dead job again' : 'Dismiss a dead job',
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          response: responses({ 204: NoContent }),
        },
      },
      async (request, reply) => {
        await jobs.resolveDeadLetter(request.params.id, action === 'retry' ? 'retried' : 'dismissed');
        return reply.code(204).send(null);
      },
    );
  }
}
