// The event catalogue as a document (docs/events.md): written from the modules' declarations, so the
// documentation of outgoing webhooks and MQTT messages is what the code emits.
import type { AnyModule } from '../kit/module.ts';

interface Schema {
  type?: string;
  format?: string;
  description?: string;
  enum?: unknown[];
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  patternProperties?: Record<string, Schema>;
}

export function eventsDocument(modules: readonly AnyModule[]): string {
  const lines = [
    '# Events',
    '',
    '<!-- Written by `npm run docs:events` from each module’s events.ts; do not edit by hand. -->',
    '',
    'What shopkeep tells the outside when something happens: as a signed `POST` to each outgoing',
    'webhook whose event types match ([api.md](api.md#webhooks)), and as an MQTT message on',
    '`shopkeep/events/<type>` when `SHOPKEEP_MQTT_URL` is set. Every delivery carries',
    '`{"id", "type", "createdAt", "payload"}`; `id` is the same on every retry, so a receiver can',
    'ignore a repeat. Money is in minor units (pence) of the currency named beside it; ids of Shopify',
    'records are Shopify’s numeric ids. A webhook may name exact types, a prefix (`order.*`) or `*`.',
    '',
  ];
  for (const module of modules) {
    const catalogue = module.events;
    if (!catalogue || Object.keys(catalogue).length === 0) continue;
    lines.push(`## ${module.name}`, '');
    for (const [type, definition] of Object.entries(catalogue)) {
      lines.push(`### \`${type}\``, '', `${capitalise(definition.description)}.`, '');
      const schema = definition.payload as Schema;
      const fields = Object.entries(schema.properties ?? {});
      if (fields.length === 0) {
        lines.push('No payload fields.', '');
        continue;
      }
      lines.push('| field | type | |', '|---|---|---|');
      const required = new Set(schema.required ?? []);
      for (const [name, field] of fields)
        lines.push(
          `| \`${name}\`${required.has(name) ? '' : ' (optional)'} | ${typeName(field)} | ${escapeCell(description(field))} |`,
        );
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function typeName(schema: Schema): string {
  if (schema.anyOf) return schema.anyOf.map(typeName).join(' or ');
  if (schema.enum) return schema.enum.map((value) => `\`${String(value)}\``).join(', ');
  if (schema.type === 'array') return `list of ${typeName(schema.items ?? {})}`;
  if (
    schema.type === 'object' &&
    (schema.patternProperties || typeof schema.additionalProperties === 'object')
  )
    return `object of ${typeName(Object.values(schema.patternProperties ?? {})[0] ?? (schema.additionalProperties as Schema))}`;
  if (schema.type === 'string' && schema.format) return `string (${schema.format})`;
  return schema.type ?? 'any';
}

/** A field's description, also when it sits on one of its alternatives (a string or null). */
const description = (schema: Schema): string =>
  schema.description ?? schema.anyOf?.find((one) => one.description)?.description ?? '';

/** A sentence's first letter, but shopkeep's name stays as it is written. */
const capitalise = (text: string) =>
  text.startsWith('shopkeep') ? text : text.charAt(0).toUpperCase() + text.slice(1);
const escapeCell = (text: string) => text.replace(/\|/g, '\\|');
