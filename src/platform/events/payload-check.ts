// In the tests, every event written is held to its declaration (src/platform/events/catalogue.ts): a
// type nobody declared, or a payload its schema does not describe, fails the write. docs/events.md,
// written from the same schemas, therefore says what the code emits. Not in production.
import { strictProblems } from '../strict-schemas.ts';
import { declaredEvent } from './catalogue.ts';

export function checkEvent(type: string, payload: unknown): void {
  const definition = declaredEvent(type);
  if (!definition) throw new Error(`event "${type}" is not declared in any module's events.ts`);
  const problems = strictProblems(definition.payload, payload);
  if (problems) throw new Error(`event "${type}" does not match its declaration: ${problems}`);
}
