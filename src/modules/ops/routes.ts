// Operations API: audit log, jobs and dead letters, system status.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../platform/services.ts';

const uuidParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export function opsRoutes(app: FastifyInstance, services: Services): void {
  const { audit, jobs } = services;

  app.get(
    '/api/v1/status',
    {
      config: { access: 'read' },
      schema: { tags: ['ops'], summary: 'Version, uptime, database and job queue state' },
    },
    async () => ({
      version: services.version,
      startedAt: services.startedAt,
      timezone: services.config.timezone,
      ...(await services.readiness()),
    }),
  );

  app.get<{ Querystring: { limit?: string; before?: string } }>(
    '/api/v1/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'Audit log entries, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
            before: { type: 'string', pattern: '^[0-9]{1,18}$' },
          },
        },
      },
    },
    async (request) => ({
      entries: await audit.recent(
        Math.min(500, Number(request.query.limit ?? 100)),
        request.query.before ? Number(request.query.before) : undefined,
      ),
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
