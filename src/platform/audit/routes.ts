// The audit log over the API, for the owner, under /api/v1/audit: newest first, paged by entry number.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses, Timestamp } from '../http/schemas.ts';
import type { AuditParts } from './index.ts';

const Entry = Type.Object({
  seq: Type.Integer({ description: 'the entry number: 1, 2, 3, … with no gaps' }),
  at: Timestamp(),
  actor: Type.String({ description: '`user:<id>`, `token:<id>`, `cli`, `system` or `anonymous`' }),
  actorLabel: Type.String({ description: 'who that is, in words: an email, "cli"' }),
  ip: Type.Optional(Type.String({ description: 'the address the request came from' })),
  action: Type.String({ description: 'what was done: `user.add`, `auth.login`, `POST /api/v1/tokens`, …' }),
  target: Type.Optional(Type.String({ description: 'what it was done to' })),
  outcome: Type.String({ description: '`ok`, `denied`, `failed`, or an HTTP status' }),
  details: Type.Record(Type.String(), Type.Unknown(), { description: 'what else the action records' }),
  hash: Type.String({
    description: "the entry's link in the hash chain (`shopkeep audit verify` checks it)",
  }),
});

export function auditRoutes(app: FastifyInstance, { audit }: AuditParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'Audit log entries, newest first',
        querystring: Type.Object(
          {
            limit: Type.Optional(
              Type.String({
                pattern: '^[0-9]{1,3}$',
                description: 'how many entries: 100 unless said, 500 at most',
              }),
            ),
            before: Type.Optional(
              Type.String({
                pattern: '^[0-9]{1,18}$',
                description: 'entries before this entry number (the next page)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ entries: Type.Array(Entry) }) }),
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
