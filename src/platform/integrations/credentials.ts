// Credentials of the integrations, as n8n splits them from transport and operations: each
// integration declares its fields (secret or not, the environment variable that sets it instead, how
// a typed value is checked) and a connection test, one cheap request with those values. Values typed
// in the dashboard are sealed in the vault as `<integration>.<field>`; an environment variable wins
// over a stored value, so a deployment that sets one keeps working as before.
import { AppError, invalid, notFound } from '../errors.ts';
import { IntegrationError, type IntegrationErrorKind } from './integration-error.ts';
import { Scrubber } from './secrets.ts';

export interface CredentialField {
  /** Stored as `<integration>.<name>`: lowercase letters, digits and _. */
  name: string;
  label: string;
  /** A secret is never shown again, only whether it is set and where from. */
  secret: boolean;
  /** The variable that sets it instead; it wins over a stored value. */
  env: string;
  required?: boolean;
  /** Used when neither the environment nor the vault has a value. */
  defaultValue?: string;
  placeholder?: string;
  /** What is wrong with a typed value, said so the owner can fix it; undefined when it is fine. */
  check?: (value: string) => string | undefined;
}

export type CredentialValues = Readonly<Record<string, string | undefined>>;

export interface CredentialDefinition {
  /** Lowercase; the vault names and IntegrationError use it ('akaunting'). */
  integration: string;
  label: string;
  /** What shopkeep uses it for, in one line. */
  purpose: string;
  fields: readonly CredentialField[];
  /** What is missing before a test can mean anything, beyond the required fields. */
  missing?: (values: CredentialValues) => string | undefined;
  /** One cheap request with these values; resolves with what it saw, throws an IntegrationError. */
  test: (values: CredentialValues) => Promise<string>;
}

export type FieldSource = 'environment' | 'stored' | 'default' | 'missing';

export interface FieldState {
  field: CredentialField;
  source: FieldSource;
  /** The value, for fields that are not secret. */
  value: string | undefined;
}

export type TestOutcome =
  { ok: true; message: string } | { ok: false; kind: IntegrationErrorKind | 'incomplete'; message: string };

/** Where typed values are sealed: the vault's integration secrets. */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  setIntegration(name: string, value: string): Promise<void>;
  removeIntegration(name: string): Promise<void>;
}

const INTEGRATION = /^[a-z][a-z0-9_]{0,39}$/;
const FIELD = /^[a-z][a-z0-9_]{0,39}$/;

export class CredentialRegistry {
  private readonly byName = new Map<string, CredentialDefinition>();

  constructor(
    private readonly store: SecretStore,
    definitions: readonly CredentialDefinition[],
    /** The environment shopkeep started with: a field its variable sets shows as set there. */
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {
    for (const definition of definitions) {
      if (!INTEGRATION.test(definition.integration))
        throw new Error(`credentials: "${definition.integration}" is not a lowercase integration name`);
      if (this.byName.has(definition.integration))
        throw new Error(`credentials: "${definition.integration}" is declared twice`);
      for (const field of definition.fields)
        if (!FIELD.test(field.name))
          throw new Error(
            `credentials: ${definition.integration}.${field.name} is not a lowercase field name`,
          );
      this.byName.set(definition.integration, definition);
    }
  }

  /** The values the environment sets (it wins over anything stored). */
  private fromEnvironment(definition: CredentialDefinition): CredentialValues {
    return Object.fromEntries(
      definition.fields.map((field) => [field.name, this.env[field.env]?.trim() || undefined]),
    );
  }

  list(): CredentialDefinition[] {
    return [...this.byName.values()];
  }

  definition(integration: string): CredentialDefinition {
    const definition = this.byName.get(integration);
    if (!definition) throw notFound(`no integration named ${integration}`);
    return definition;
  }

  /** Each field, where its value comes from, and the value itself when it is not secret. */
  async states(integration: string): Promise<FieldState[]> {
    const definition = this.definition(integration);
    const environment = this.fromEnvironment(definition);
    return Promise.all(
      definition.fields.map(async (field): Promise<FieldState> => {
        const fromEnvironment = environment[field.name];
        const stored =
          fromEnvironment === undefined ? await this.store.get(vaultName(definition, field)) : undefined;
        const [source, value]: [FieldSource, string | undefined] =
          fromEnvironment !== undefined
            ? ['environment', fromEnvironment]
            : stored !== undefined
              ? ['stored', stored]
              : field.defaultValue !== undefined
                ? ['default', field.defaultValue]
                : ['missing', undefined];
        return { field, source, value: field.secret ? undefined : value };
      }),
    );
  }

  /** The values in force: the environment's, else the stored ones, else the defaults. */
  async resolve(integration: string): Promise<CredentialValues> {
    const definition = this.definition(integration);
    const environment = this.fromEnvironment(definition);
    const values: Record<string, string | undefined> = {};
    for (const field of definition.fields) {
      values[field.name] =
        environment[field.name] ?? (await this.store.get(vaultName(definition, field))) ?? field.defaultValue;
    }
    return values;
  }

  /**
   * Seals what the owner typed. A blank field keeps its stored value; a field the environment sets
   * is refused (the variable would win). Every value is checked before any is stored. Returns the
   * names of the fields stored.
   */
  async save(integration: string, input: Record<string, string | undefined>): Promise<string[]> {
    const definition = this.definition(integration);
    const environment = this.fromEnvironment(definition);
    const changes: [CredentialField, string][] = [];
    for (const field of definition.fields) {
      const value = input[field.name]?.trim();
      if (!value) continue;
      if (environment[field.name] !== undefined)
        throw new AppError(
          'conflict',
          `${definition.label} ${field.label} is set by ${field.env} in the environment, which wins; change it there`,
        );
      const problem = field.check?.(value);
      if (problem) throw invalid(`${definition.label} ${field.label}: ${problem}`);
      changes.push([field, value]);
    }
    for (const [field, value] of changes)
      await this.store.setIntegration(vaultName(definition, field), value);
    return changes.map(([field]) => field.name);
  }

  /** Removes every stored value of the integration (the environment's stay). */
  async forget(integration: string): Promise<void> {
    const definition = this.definition(integration);
    for (const field of definition.fields) {
      const name = vaultName(definition, field);
      if ((await this.store.get(name)) !== undefined) await this.store.removeIntegration(name);
    }
  }

  /** Runs the integration's connection test with the values in force; never shows a secret. */
  async test(integration: string): Promise<TestOutcome> {
    const definition = this.definition(integration);
    const values = await this.resolve(integration);
    const scrubber = new Scrubber(
      definition.fields.filter((field) => field.secret).map((field) => values[field.name]),
    );
    const absent = definition.fields.filter((field) => field.required && values[field.name] === undefined);
    const missing =
      absent.length > 0
        ? `enter ${absent.map((field) => field.label).join(', ')} below, or set ${absent.map((field) => field.env).join(', ')}`
        : definition.missing?.(values);
    if (missing)
      return { ok: false, kind: 'incomplete', message: `${definition.label} is not set up: ${missing}.` };
    try {
      return { ok: true, message: scrubber.scrub(await definition.test(values)) };
    } catch (error) {
      if (!(error instanceof IntegrationError)) throw error;
      return {
        ok: false,
        kind: error.kind,
        message: scrubber.scrub(`${error.message.replace(/\.$/, '')}. ${advice(definition, error)}.`),
      };
    }
  }
}

/** The check of a service's address: http(s), with no user or password in it (those are fields of their own). */
export function checkAddress(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an address such as https://books.example.com';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must start with http:// or https://';
  if (url.username || url.password) return 'must not hold a user or password';
  return undefined;
}

function vaultName(definition: CredentialDefinition, field: CredentialField): string {
  return `${definition.integration}.${field.name}`;
}

/** What to do about a failed test, by kind. */
function advice(definition: CredentialDefinition, error: IntegrationError): string {
  const secrets = definition.fields.filter((field) => field.secret);
  switch (error.kind) {
    case 'auth':
      return `Check ${secrets.map((field) => `${field.label} (${field.env} or the value saved here)`).join(' and ') || 'the account'}`;
    case 'rejected':
      return `${definition.label} refused the request: check the address and the other values`;
    case 'rate_limited':
      return `${definition.label} is busy: test again ${error.retryAfterMs ? `in ${Math.ceil(error.retryAfterMs / 1000)} s` : 'in a minute'}`;
    case 'unavailable':
      return `Check the address, the network, and that ${definition.label} is running`;
  }
}
