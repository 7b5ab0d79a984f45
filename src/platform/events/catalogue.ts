// The events shopkeep emits, with their payloads: each module declares its own in its events.ts with
// defineEvents, and adds them to the one event map the compiler checks every emit and subscription
// against:
//
//   export const shopEvents = defineEvents({ 'order.created': { description: '…', payload: Type.Object(…) } });
//   declare module '../../platform/events/catalogue.ts' {
//     interface EventMap extends PayloadsOf<typeof shopEvents> {}
//   }
//
// The schemas are also the catalogue at run time: docs/events.md and the outgoing-webhook docs are
// written from them, and tests hold emitted payloads to them.
import type { Static, TSchema } from 'typebox';

export interface EventDefinition<P extends TSchema = TSchema> {
  /** When it happens, in the owner's words: "an order was placed in the shop". */
  description: string;
  payload: P;
}

export type EventCatalogue = Record<string, EventDefinition>;

/** Every event shopkeep knows, by type, with its payload. Modules add to it (see above). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EventMap {}

export type EventType = keyof EventMap & string;

export type PayloadsOf<C extends EventCatalogue> = { [K in keyof C]: Static<C[K]['payload']> };

const TYPE = /^[a-z][a-z_]*(\.[a-z_]+)+$/;

/** Every event declared so far, by type: what the tests hold emitted payloads to. */
const declared = new Map<string, EventDefinition>();

/** Declares a module's events; a type that is not `noun.verb` in lower case, or one declared twice, is refused. */
export function defineEvents<const C extends EventCatalogue>(catalogue: C): C {
  for (const [type, definition] of Object.entries(catalogue)) {
    if (!TYPE.test(type)) throw new Error(`event type "${type}" must look like noun.verb`);
    if (declared.has(type) && declared.get(type) !== definition)
      throw new Error(`event type "${type}" is declared twice`);
    declared.set(type, definition);
  }
  return catalogue;
}

/** An event's declaration, if one was made. */
export function declaredEvent(type: string): EventDefinition | undefined {
  return declared.get(type);
}
