// The audit log over the API, for the owner: newest first, paged by entry number.
import type { FastifyInstance } from 'fastify';
import type { AuditParts } from './index.ts';

export function auditRoutes(app: FastifyInstance, { audit }: AuditParts): void {
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
}
