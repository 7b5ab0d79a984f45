// In the tests, every JSON answer is checked against the response schema its route declares, as
// /api/docs shows it: a field the schema does not list, a missing one, or a status it does not name
// fails the request, so the documentation cannot drift from what the API sends. Not in production,
// where the body is sent as the route made it (nothing is stripped by a schema).
import type { FastifyInstance } from 'fastify';
import { strictProblems } from '../strict-schemas.ts';

export function checkResponses(app: FastifyInstance): void {
  app.addHook('preSerialization', async (request, reply, payload) => {
    if (reply.statusCode >= 400) return payload; // one error handler writes every error body
    const schema = request.routeOptions.schema;
    if (!schema || (schema as { hide?: boolean }).hide) return payload;
    const declared = (schema.response ?? {}) as Record<string, object>;
    const status = String(reply.statusCode);
    const expected = declared[status] ?? declared[`${status[0]}xx`];
    const route = `${request.method} ${request.routeOptions.url}`;
    if (!expected) throw new Error(`${route} answered ${status}, which its schema does not declare`);
    const problems = strictProblems(expected, payload);
    if (problems) throw new Error(`${route} answered what its schema does not say: ${problems}`);
    return payload;
  });
}
