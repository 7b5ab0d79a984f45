// Reading settings from the environment, one way for the platform and every module: each value is
// checked as it is read, and a bad one stops start-up with a ConfigError naming the variable.
import { ConfigError } from '../errors.ts';

type Env = Record<string, string | undefined>;

export class SettingsReader {
  constructor(private readonly env: Env) {}

  /** The value, trimmed; undefined when unset or empty. */
  text(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max)
      throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
    return value;
  }

  /** A whole number when set, undefined when not. */
  optionalInteger(name: string, min: number, max: number): number | undefined {
    return this.text(name) === undefined ? undefined : this.integer(name, 0, min, max);
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.text(name);
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(name, 'is not a valid URL');
    }
    if (!protocols.includes(parsed.protocol))
      throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    return raw;
  }

  /** One of a closed list of words. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T, why = ''): T {
    const raw = this.text(name) ?? fallback;
    if (!(values as readonly string[]).includes(raw))
      throw new ConfigError(name, `must be ${values.join(', ').replace(/, ([^,]*)$/, ' or $1')}${why}`);
    return raw as T;
  }
}
