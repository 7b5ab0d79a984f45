// The status API: version, uptime, and whether the database and the job queue work.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses, Timestamp } from '../../platform/http/schemas.ts';
import type { OpsParts } from './index.ts';

const Status = Type.Object({
  version: Type.String({ description: "shopkeep's version" }),
  startedAt: Timestamp('when this process started'),
  timezone: Type.String({ description: "the shop's time zone, which every schedule runs in" }),
  database: Type.Boolean({ description: 'the database answers' }),
  jobs: Type.Boolean({ description: 'the job queue runs' }),
});

export function statusRoutes(app: FastifyInstance, ops: OpsParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/status',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ops'],
        summary: 'Version, uptime, database and job queue state',
        response: responses({ 200: Status }),
      },
    },
    async () => ({
      version: ops.version,
      startedAt: ops.startedAt,
      timezone: ops.timezone,
      ...(await ops.readiness()),
    }),
  );
}
