// Checking a value against a declared schema as the tests do (response-check.ts, payload-check.ts):
// every object is closed to fields its schema does not list, so a field missing from the declaration
// (and so from the documentation) shows as a failure. Loaded by the test checks only.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

/** What is wrong with `value` (as JSON would carry it) against `schema`, or undefined when it fits. */
export function strictProblems(schema: object, value: unknown): string | undefined {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(closed(schema) as object);
    compiled.set(schema, validate);
  }
  // As the receiver reads it: dates as strings, undefined fields gone.
  const sent: unknown = JSON.parse(JSON.stringify(value ?? null));
  return validate(sent) ? undefined : ajv.errorsText(validate.errors);
}

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
