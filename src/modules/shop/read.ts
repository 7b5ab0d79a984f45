// Reading untrusted JSON (a webhook body, an API answer) field by field: a missing or wrongly typed
// field throws a PayloadError naming its path, so a malformed delivery is refused with a clear reason.
import { toMinor } from '../../platform/money.ts';
import { numericId } from './model.ts';

export class PayloadError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'PayloadError';
  }
}

export type Json = Record<string, unknown>;

export class Reader {
  constructor(
    readonly value: Json,
    readonly path: string,
  ) {}

  static of(value: unknown, path = 'body'): Reader {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new PayloadError(path, 'expected an object');
    }
    return new Reader(value as Json, path);
  }

  private at(key: string): string {
    return `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  id(key: string): number {
    const raw = this.value[key];
    if (typeof raw !== 'number' && typeof raw !== 'string')
      throw new PayloadError(this.at(key), 'expected an id');
    try {
      return numericId(raw);
    } catch (error) {
      throw new PayloadError(this.at(key), (error as Error).message);
    }
  }

  optionalId(key: string): number | null {
    return this.has(key) ? this.id(key) : null;
  }

  string(key: string): string {
    const raw = this.value[key];
    if (typeof raw !== 'string') throw new PayloadError(this.at(key), 'expected a string');
    return raw;
  }

  optionalString(key: string): string | null {
    if (!this.has(key)) return null;
    const raw = this.value[key];
    if (typeof raw !== 'string') throw new PayloadError(this.at(key), 'expected a string or null');
    return raw;
  }

  /** An ISO timestamp, normalised to UTC so that comparisons by text and by time agree. */
  time(key: string): string {
    const raw = this.string(key);
    const time = Date.parse(raw);
    if (Number.isNaN(time)) throw new PayloadError(this.at(key), `"${raw}" is not a timestamp`);
    return new Date(time).toISOString();
  }

  optionalTime(key: string): string | null {
    return this.has(key) ? this.time(key) : null;
  }

  integer(key: string): number {
    const raw = this.value[key];
    if (typeof raw !== 'number' || !Number.isSafeInteger(raw))
      throw new PayloadError(this.at(key), 'expected a whole number');
    return raw;
  }

  optionalInteger(key: string): number | null {
    return this.has(key) ? this.integer(key) : null;
  }

  boolean(key: string, fallback = false): boolean {
    if (!this.has(key)) return fallback;
    const raw = this.value[key];
    if (typeof raw !== 'boolean') throw new PayloadError(this.at(key), 'expected true or false');
    return raw;
  }

  /** A decimal money string (or number) in the given currency, as minor units. */
  money(key: string, currency: string): number {
    const raw = this.value[key];
    if (typeof raw !== 'string' && typeof raw !== 'number')
      throw new PayloadError(this.at(key), 'expected an amount');
    try {
      return toMinor(raw, currency);
    } catch (error) {
      throw new PayloadError(this.at(key), (error as Error).message);
    }
  }

  object(key: string): Reader {
    return Reader.of(this.value[key], this.at(key));
  }

  optionalObject(key: string): Reader | null {
    return this.has(key) ? this.object(key) : null;
  }

  list(key: string): Reader[] {
    const raw = this.value[key];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw new PayloadError(this.at(key), 'expected a list');
    return raw.map((item, index) => Reader.of(item, `${this.at(key)}[${index}]`));
  }

  strings(key: string): string[] {
    const raw = this.value[key];
    if (raw === undefined || raw === null || raw === '') return [];
    // REST sends tags as one comma-separated string; GraphQL as a list.
    if (typeof raw === 'string')
      return raw
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
    if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string'))
      throw new PayloadError(this.at(key), 'expected a list of strings');
    return raw as string[];
  }

  /** A connection as `{nodes}` or `{edges: [{node}]}`, or a plain list. */
  nodes(key: string): Reader[] {
    const raw = this.value[key];
    if (raw === undefined || raw === null) return [];
    if (Array.isArray(raw)) return this.list(key);
    const connection = this.object(key);
    if (connection.has('nodes')) return connection.list('nodes');
    return connection.list('edges').map((edge) => edge.object('node'));
  }
}
