// In the tests, every JSON answer is checked against the response schema its route declares, as
// /api/docs shows it: a field the schema does not list, a missing one, or a status it does not name
// fails the request, so the documentation cannot drift from what the API sends. Not in production,
// where the body is sent as the route made it (nothing is stripped by a schema).
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/** Whether answers are checked: set by the test run (scripts/test.ts). */
export const checkingResponses = () => process.env.SHOPKEEP_CHECK_RESPONSES === '1';

export function checkResponses(app: FastifyInstance): void {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const compiled = new WeakMap<object, ValidateFunction>();
  app.addHook('preSerialization', async (request, reply, payload) => {
    if (reply.statusCode >= 400) return payload; // one error handler writes every error body
    const schema = request.routeOptions.schema;
    if (!schema || (schema as { hide?: boolean }).hide) return payload;
    const declared = (schema.response ?? {}) as Record<string, object>;
    const status = String(reply.statusCode);
    const expected = declared[status] ?? declared[`${status[0]}xx`];
    const route = `${request.method} ${request.routeOptions.url}`;
    if (!expected) throw new Error(`${route} answered ${status}, which its schema does not declare`);
    let validate = compiled.get(expected);
    if (!validate) {
      validate = ajv.compile(closed(expected) as object);
      compiled.set(expected, validate);
    }
    // As the client reads it: dates as strings, undefined fields gone.
    const sent: unknown = JSON.parse(JSON.stringify(payload ?? null));
    if (!validate(sent))
      throw new Error(`${route} answered what its schema does not say: ${ajv.errorsText(validate.errors)}`);
    return payload;
  });
}

/** The schema with every object closed to fields it does not list, so a field left out of the docs shows. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema))
    copy[key] = key === 'const' || key === 'enum' ? value : closed(value);
  if (copy.properties && copy.additionalProperties === undefined && copy.patternProperties === undefined)
    copy.additionalProperties = false;
  return copy;
}
