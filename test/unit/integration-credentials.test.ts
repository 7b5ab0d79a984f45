// Credential definitions and their registry, with the vault stood in by a map: where each value
// comes from (the environment wins), what saving accepts, and what a connection test reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/platform/errors.ts';
import {
  CredentialRegistry,
  type CredentialDefinition,
  type CredentialValues,
  type SecretStore,
} from '../../src/platform/integrations/credentials.ts';
import { IntegrationError } from '../../src/platform/integrations/integration-error.ts';

class MemoryStore implements SecretStore {
  readonly secrets = new Map<string, string>();
  async get(name: string) {
    return this.secrets.get(name);
  }
  async setIntegration(name: string, value: string) {
    this.secrets.set(name, value);
  }
  async removeIntegration(name: string) {
    this.secrets.delete(name);
  }
}

/** The environment with the given fields set through their variables. */
const envOf = (fields: CredentialValues) =>
  Object.fromEntries(Object.entries(fields).map(([name, value]) => [`EXAMPLE_${name.toUpperCase()}`, value]));

/** An integration whose test behaviour each test sets. */
function example(
  test: (values: CredentialValues) => Promise<string> = async (values) => `signed in as ${values.user}`,
): CredentialDefinition {
  return {
    integration: 'example',
    label: 'Example',
    purpose: 'a test double',
    fields: [
      {
        name: 'url',
        label: 'Address',
        secret: false,
        env: 'EXAMPLE_URL',
        defaultValue: 'https://example.com',
      },
      { name: 'user', label: 'User', secret: false, env: 'EXAMPLE_USER', required: true },
      {
        name: 'api_key',
        label: 'API key',
        secret: true,
        env: 'EXAMPLE_API_KEY',
        required: true,
        check: (value) =>
          value.length < 8 ? 'is shorter than an Example key (8 or more characters)' : undefined,
      },
    ],
    test,
  };
}

test('the environment wins over a stored value, a stored value over the default', async () => {
  const store = new MemoryStore();
  store.secrets.set('example.user', 'stored-user');
  store.secrets.set('example.api_key', 'stored-key-123');
  const registry = new CredentialRegistry(store, [example()], envOf({ api_key: 'env-key-4567' }));
  assert.deepEqual(await registry.resolve('example'), {
    url: 'https://example.com',
    user: 'stored-user',
    api_key: 'env-key-4567',
  });
  const states = await registry.states('example');
  assert.deepEqual(
    states.map((state) => [state.field.name, state.source, state.value]),
    [
      ['url', 'default', 'https://example.com'],
      ['user', 'stored', 'stored-user'],
      ['api_key', 'environment', undefined], // a secret's value is never handed out
    ],
  );
});

test('saving seals typed values under <integration>.<field>; blank keeps, checks come first, the environment’s are refused', async () => {
  const store = new MemoryStore();
  const registry = new CredentialRegistry(store, [example()], envOf({ user: 'env-user' }));
  await registry.save('example', { api_key: '  typed-key-890 ', url: '', user: undefined });
  assert.deepEqual([...store.secrets], [['example.api_key', 'typed-key-890']]);

  await registry.save('example', { api_key: '' });
  assert.equal(store.secrets.get('example.api_key'), 'typed-key-890', 'a blank secret keeps the stored one');

  await assert.rejects(
    registry.save('example', { url: 'https://other.example', api_key: 'short' }),
    (error: unknown) =>
      error instanceof AppError &&
      error.kind === 'invalid_request' &&
      error.message === 'Example API key: is shorter than an Example key (8 or more characters)',
  );
  assert.equal(store.secrets.get('example.url'), undefined, 'nothing is stored when one value is wrong');

  await assert.rejects(
    registry.save('example', { user: 'someone-else' }),
    (error: unknown) =>
      error instanceof AppError &&
      error.kind === 'conflict' &&
      /EXAMPLE_USER in the environment/.test(error.message),
  );

  await registry.forget('example');
  assert.equal(store.secrets.size, 0);
  await assert.rejects(
    registry.save('nothing', {}),
    (error: unknown) => error instanceof AppError && error.kind === 'not_found',
  );
});

test('a connection test: ok with what it saw, incomplete naming what is missing, or the error kind with what to do', async () => {
  const store = new MemoryStore();
  const incomplete = await new CredentialRegistry(store, [example()], {}).test('example');
  assert.deepEqual(incomplete, {
    ok: false,
    kind: 'incomplete',
    message: 'Example is not set up: enter User, API key below, or set EXAMPLE_USER, EXAMPLE_API_KEY.',
  });

  store.secrets.set('example.user', 'owner');
  store.secrets.set('example.api_key', 'stored-key-123');
  const tested: CredentialValues[] = [];
  const ok = await new CredentialRegistry(
    store,
    [
      example(async (values) => {
        tested.push(values);
        return `signed in as ${values.user}`;
      }),
    ],
    {},
  ).test('example');
  assert.deepEqual(ok, { ok: true, message: 'signed in as owner' });
  assert.deepEqual(tested, [{ url: 'https://example.com', user: 'owner', api_key: 'stored-key-123' }]);

  const refused = await new CredentialRegistry(
    store,
    [
      example(async (values) => {
        // A careless integration quoting the key: the registry still keeps it out.
        throw new IntegrationError('example', 'auth', `Example refused the key ${values.api_key}.`);
      }),
    ],
    {},
  ).test('example');
  assert.deepEqual(refused, {
    ok: false,
    kind: 'auth',
    message: 'Example refused the key [redacted]. Check API key (EXAMPLE_API_KEY or the value saved here).',
  });

  const busy = await new CredentialRegistry(
    store,
    [
      example(async () => {
        throw new IntegrationError('example', 'rate_limited', 'Example answered HTTP 429', {
          retryAfterMs: 20_000,
        });
      }),
    ],
    {},
  ).test('example');
  assert.deepEqual(busy, {
    ok: false,
    kind: 'rate_limited',
    message: 'Example answered HTTP 429. Example is busy: test again in 20 s.',
  });

  // A bug is not dressed up as a failed connection.
  await assert.rejects(
    new CredentialRegistry(
      store,
      [
        example(async () => {
          throw new TypeError('a bug');
        }),
      ],
      {},
    ).test('example'),
    /a bug/,
  );
});

test('definitions are checked when the registry is built', () => {
  const store = new MemoryStore();
  assert.throws(() => new CredentialRegistry(store, [example(), example()], {}), /declared twice/);
  assert.throws(
    () => new CredentialRegistry(store, [{ ...example(), integration: 'Example' }], {}),
    /not a lowercase integration name/,
  );
});
