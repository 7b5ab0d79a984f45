// Operations API: jobs and dead letters, system status.
import type { FastifyInstance } from 'fastify';
import type { OpsParts } from './index.ts';

const uuidParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export function opsRoutes(app: FastifyInstance, ops: OpsParts): void {
  const { jobs } = ops;

  app.get(
    '/api/v1/status',
    {
      config: { access: 'read' },
      schema: { tags: ['ops'], summary: 'Version, uptime, database and job queue state' },
    },
    async () => ({
      version: ops.version,
      startedAt: ops.startedAt,
      timezone: ops.timezone,
      ...(await ops.readiness()),
    }),
  );

  app.get(
    '/api/v1/jobs',
    { config: { access: 'read' }, schema: { tags: ['ops'], summary: 'Jobs per queue and state' } },
    async () => ({ queues: await jobs.counts() }),
  );

  app.get(
    '/api/v1/jobs/dead-letters',
    { config: { access: 'write' }, schema: { tags: ['ops'], summary: 'Jobs that failed every attempt' } },
    async () => ({
      deadLetters: await jobs.deadLetters(),
    }),
  );

  for (const action of ['retry', 'dismiss'] as const) {
    app.post<{ Params: { id: string } }>(
      `/api/v1/jobs/dead-letters/:id/${action}`,
      {
        config: { access: 'write' },
        schema: {
          tags: ['ops'],
          summary: action === 'retry' ? 'Run a dead job again' : 'Dismiss a dead job',
          params: uuidParams,
        },
      },
      async (request, reply) => {
        await jobs.resolveDeadLetter(request.params.id, action === 'retry' ? 'retried' : 'dismissed');
        return reply.code(204).send();
      },
    );
  }
}
