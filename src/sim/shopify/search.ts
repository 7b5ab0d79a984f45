// Shopify's search syntax for the `query` argument: `updated_at:>'2025-03-01T10:00:00Z'`,
// `created_at:>=2025-03-01`, `tag:wholesale`, `-status:cancelled`, terms joined by AND (or nothing)
// and OR, and bare words for free text. Like Shopify, a term on a field it does not know is ignored
// rather than refused. A date without a time means midnight in the shop's time zone.
import { DAY, localMidnight } from './clock.ts';

export type SearchValue = number | string | readonly string[] | null;

export interface SearchField<T> {
  kind: 'time' | 'number' | 'text';
  get: (item: T) => SearchValue;
}

export interface SearchSpec<T> {
  fields: Record<string, SearchField<T>>;
  /** What a bare word is matched against. */
  text: (item: T) => string;
}

type Test<T> = (item: T) => boolean;

/** Splits on spaces, keeping quoted values (which may contain spaces) inside their term. */
function tokens(query: string): string[] {
  const found: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const char of query) {
    if (quote) {
      current += char;
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"') {
      current += char;
      quote = char;
    } else if (/\s/.test(char)) {
      if (current) found.push(current);
      current = '';
    } else current += char;
  }
  if (current) found.push(current);
  return found;
}

const unquote = (value: string): string => value.replace(/^(['"])(.*)\1$/, '$2');

function compare(op: string, actual: number, wanted: number, until?: number): boolean {
  switch (op) {
    case '>':
      return actual > wanted;
    case '>=':
      return actual >= wanted;
    case '<':
      return actual < wanted;
    case '<=':
      return actual <= wanted;
    default:
      return until === undefined ? actual === wanted : actual >= wanted && actual < until;
  }
}

function term<T>(text: string, spec: SearchSpec<T>, timeZone: string): Test<T> | null {
  const negate = text.startsWith('-') && text.length > 1;
  const body = negate ? text.slice(1) : text;
  const match = /^([a-z_]+):(>=|<=|>|<|=)?(.*)$/i.exec(body);
  let test: Test<T> | null;
  if (!match) {
    const word = unquote(body).toLowerCase();
    test = (item) => spec.text(item).toLowerCase().includes(word);
  } else {
    const field = spec.fields[match[1]!.toLowerCase()];
    if (!field) return null;
    const op = match[2] ?? ':';
    const raw = unquote(match[3]!);
    if (field.kind === 'time') {
      const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
      const at = dateOnly ? localMidnight(raw, timeZone) : Date.parse(raw);
      if (Number.isNaN(at)) return null;
      const until = dateOnly && op === ':' ? at + DAY : undefined;
      test = (item) => {
        const value = field.get(item);
        return typeof value === 'number' && compare(op, value, at, until);
      };
    } else if (field.kind === 'number') {
      const wanted = Number(raw);
      if (Number.isNaN(wanted)) return null;
      test = (item) => {
        const value = field.get(item);
        return typeof value === 'number' && compare(op, value, wanted);
      };
    } else {
      const wanted = raw.toLowerCase();
      const prefix = wanted.endsWith('*') ? wanted.slice(0, -1) : null;
      const matches = (value: string): boolean =>
        prefix !== null ? value.toLowerCase().startsWith(prefix) : value.toLowerCase() === wanted;
      test = (item) => {
        const value = field.get(item);
        if (value === null || typeof value === 'number') return false;
        return typeof value === 'string' ? matches(value) : value.some(matches);
      };
    }
  }
  return negate ? (item) => !test(item) : test;
}

/** A predicate for a search query; everything matches an empty or absent query. */
export function compileSearch<T>(
  query: string | null | undefined,
  spec: SearchSpec<T>,
  timeZone: string,
): Test<T> {
  if (!query || !query.trim()) return () => true;
  const alternatives: Test<T>[][] = [[]];
  let not = false;
  for (const token of tokens(query)) {
    if (token === 'AND') continue;
    if (token === 'OR') {
      alternatives.push([]);
      continue;
    }
    if (token === 'NOT') {
      not = true;
      continue;
    }
    const test = term(not ? `-${token}` : token, spec, timeZone);
    not = false;
    if (test) alternatives[alternatives.length - 1]!.push(test);
  }
  return (item) => alternatives.some((all) => all.every((test) => test(item)));
}
