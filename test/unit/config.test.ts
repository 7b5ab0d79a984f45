import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnvironment, parseConfig } from '../../src/platform/config.ts';
import { ConfigError } from '../../src/platform/errors.ts';
import { readSettings } from '../../src/platform/kit/modules.ts';
import { MODULES } from '../../src/modules/index.ts';

/** What start-up reads: the platform's configuration, then every module's settings. */
const startUp = (env: Record<string, string>) => {
  const config = parseConfig(env, dir);
  const settings = readSettings(MODULES, env);
  return { config, settings: (module: string) => settings.get(module) as Record<string, unknown> };
};

const dir = mkdtempSync(path.join(tmpdir(), 'sk-config-'));

test('defaults give a runnable configuration', () => {
  const config = parseConfig({}, dir);
  assert.equal(config.port, 8080);
  assert.equal(config.embeddedPgPort, 55432);
  assert.equal(config.dataDir, path.join(dir, 'data'));
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.sessionIdleMinutes, 30);
  assert.equal(config.publicUrl, 'http://localhost:8080');
  assert.equal(startUp({}).settings('ledger').akaunting, undefined);
  assert.deepEqual((startUp({}).settings('ai').qa as { channels: unknown }).channels, {});
  assert.deepEqual(
    (
      startUp({ SHOPKEEP_QA_CHANNEL_THRESHOLDS: 'linkedin=95/75, email=80/60' }).settings('ai').qa as {
        channels: unknown;
      }
    ).channels,
    {
      linkedin: { autoApproveAbove: 95, regenerateBelow: 75 },
      email: { autoApproveAbove: 80, regenerateBelow: 60 },
    },
  );
});

test('a bad value stops start-up with a message naming the variable', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ SHOPKEEP_PORT: 'eighty' }, 'SHOPKEEP_PORT', /whole number/],
    [{ SHOPKEEP_PORT: '70000' }, 'SHOPKEEP_PORT', /between 1 and 65535/],
    [{ SHOPKEEP_EMBEDDED_PG_PORT: '5432' }, 'SHOPKEEP_EMBEDDED_PG_PORT', /system PostgreSQL/],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres:/],
    [{ SHOPKEEP_TIMEZONE: 'Mars/Olympus' }, 'SHOPKEEP_TIMEZONE', /IANA/],
    [{ SHOPKEEP_MASTER_KEY: 'short' }, 'SHOPKEEP_MASTER_KEY', /32 bytes/],
    [{ SHOPKEEP_TRUST_PROXY: 'maybe' }, 'SHOPKEEP_TRUST_PROXY', /number of proxies/],
    [{ SHOPKEEP_TRUST_PROXY: 'true' }, 'SHOPKEEP_TRUST_PROXY', /every address.*number of proxies/],
    [{ SHOPKEEP_TRUST_PROXY: '10.0.0.0/33' }, 'SHOPKEEP_TRUST_PROXY', /10\.0\.0\.0\/33/],
    [{ TELEGRAM_WEBHOOK_SECRET: 'x' }, 'TELEGRAM_WEBHOOK_SECRET', /32 to 256.*this one has 1.*openssl rand/],
    [{ TELEGRAM_WEBHOOK_SECRET: 'a b'.repeat(20) }, 'TELEGRAM_WEBHOOK_SECRET', /other characters/],
    [{ SHOPKEEP_TRUST_PROXY: '11' }, 'SHOPKEEP_TRUST_PROXY', /at most 10/],
    [{ AKAUNTING_URL: 'books.example.com' }, 'AKAUNTING_URL', /valid URL/],
    [
      { SHOPKEEP_QA_CHANNEL_THRESHOLDS: 'instagram:90' },
      'SHOPKEEP_QA_CHANNEL_THRESHOLDS',
      /channel=AUTO\/REGENERATE/,
    ],
    [
      { SHOPKEEP_QA_CHANNEL_THRESHOLDS: 'email=60/80' },
      'SHOPKEEP_QA_CHANNEL_THRESHOLDS',
      /not above auto-approve/,
    ],
    [
      { AKAUNTING_URL: 'https://me:secret@books.example.com' },
      'AKAUNTING_URL',
      /must not hold a user or password/,
    ],
    [{ AKAUNTING_URL: 'https://books.example.com' }, 'AKAUNTING_EMAIL', /needed with AKAUNTING_URL/],
    [
      { AKAUNTING_URL: 'https://books.example.com', AKAUNTING_EMAIL: 'a@b.example' },
      'AKAUNTING_PASSWORD',
      /needed with AKAUNTING_URL/,
    ],
    [
      {
        AKAUNTING_URL: 'https://books.example.com',
        AKAUNTING_EMAIL: 'a@b.example',
        AKAUNTING_PASSWORD: 'x',
        AKAUNTING_ACCOUNT_ID: 'main',
      },
      'AKAUNTING_ACCOUNT_ID',
      /whole number/,
    ],
  ];
  for (const [env, variable, problem] of cases) {
    assert.throws(
      () => startUp(env),
      (error: unknown) =>
        error instanceof ConfigError && error.variable === variable && problem.test(error.message),
      `${JSON.stringify(env)} should name ${variable}`,
    );
  }
});

test('.env is read and the process environment wins over it', () => {
  const envDir = mkdtempSync(path.join(tmpdir(), 'sk-dotenv-'));
  writeFileSync(path.join(envDir, '.env'), 'SHOPKEEP_PORT=9000\nSHOPKEEP_LOG_LEVEL=debug\n');
  const env = loadEnvironment({ SHOPKEEP_PORT: '9100' }, envDir);
  assert.equal(env.SHOPKEEP_PORT, '9100');
  assert.equal(env.SHOPKEEP_LOG_LEVEL, 'debug');
});

test('NAME_FILE reads a Docker secret; setting both is refused; a missing file is named', () => {
  const secret = path.join(dir, 'db-url');
  writeFileSync(secret, 'postgres://u:p@db:5432/shop\n');
  assert.equal(
    loadEnvironment({ DATABASE_URL_FILE: secret }, dir).DATABASE_URL,
    'postgres://u:p@db:5432/shop',
  );
  assert.throws(
    () => loadEnvironment({ DATABASE_URL_FILE: secret, DATABASE_URL: 'postgres://x' }, dir),
    /both DATABASE_URL and DATABASE_URL_FILE/,
  );
  assert.throws(
    () => loadEnvironment({ SHOPKEEP_MASTER_KEY_FILE: '/nope/key' }, dir),
    (e: unknown) => e instanceof ConfigError && e.variable === 'SHOPKEEP_MASTER_KEY_FILE',
  );
  // Other programs' *_FILE variables are none of our business.
  assert.doesNotThrow(() => loadEnvironment({ TF_CLI_CONFIG_FILE: '/nope' }, dir));
});

test('a master key is accepted as hex or base64', () => {
  const hex = 'ab'.repeat(32);
  assert.equal(parseConfig({ SHOPKEEP_MASTER_KEY: hex }, dir).masterKey?.length, 32);
  assert.equal(
    parseConfig({ SHOPKEEP_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }, dir).masterKey?.length,
    32,
  );
});

test('SHOPKEEP_TRUST_PROXY takes a number of proxies or their addresses, never every hop', () => {
  assert.equal(parseConfig({}).trustProxy, false);
  assert.equal(parseConfig({ SHOPKEEP_TRUST_PROXY: 'false' }).trustProxy, false);
  assert.equal(parseConfig({ SHOPKEEP_TRUST_PROXY: '1' }).trustProxy, 1);
  assert.deepEqual(parseConfig({ SHOPKEEP_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8, ::1' }).trustProxy, [
    '127.0.0.1',
    '10.0.0.0/8',
    '::1',
  ]);
});
