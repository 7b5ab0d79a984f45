// A database that goes away makes /readyz fail and the dashboard say so; it comes back by itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedPostgres } from '../../src/platform/db/embedded-postgres.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { parseConfig } from '../../src/platform/config.ts';
import { startRuntime, type Runtime } from '../../src/platform/runtime.ts';
import accountsModule from '../../src/platform/accounts/index.ts';
import { freePort } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

let dir: string;
let database: EmbeddedPostgres;
let runtime: Runtime;
let cookie: string;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sk-dbdown-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as another user who must be able to walk in
  const logger = createLogger('silent');
  database = new EmbeddedPostgres({ dataDir: path.join(dir, 'db'), port: await freePort(), logger });
  await database.start();
  const config = parseConfig({
    DATABASE_URL: database.connectionString,
    SHOPKEEP_DATA_DIR: path.join(dir, 'data'),
    SHOPKEEP_LOG_LEVEL: 'silent',
  });
  runtime = await startRuntime(config, logger, { http: true, work: true, ownsEmbeddedServer: false });
  const { totpSecret } = await runtime.modules.get(accountsModule).users.add({
    email: 'owner@salon.example',
    password: 'a long owner password',
    role: 'owner',
    by: 'test',
    withTotp: true,
  });
  const { totpCode, currentStep } = await import('../../src/platform/accounts/totp.ts');
  const login = await runtime.app!.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: {
      email: 'owner@salon.example',
      password: 'a long owner password',
      totp: totpCode(totpSecret!, currentStep(Date.now())),
    },
  });
  cookie = `sk_session=${login.cookies.find((c) => c.name === 'sk_session')!.value}`;
});
after(async () => {
  await runtime.stop().catch(() => undefined);
  await database.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('database down: /readyz is 503, the API answers 503 in the error shape, the dashboard says so', async () => {
  assert.equal((await runtime.app!.inject('/readyz')).statusCode, 200);
  await database.stop();

  const readiness = await runtime.app!.inject('/readyz');
  assert.equal(readiness.statusCode, 503);
  assert.equal(readiness.json().database, false);
  assert.equal((await runtime.app!.inject('/healthz')).statusCode, 200, 'the process itself is up');

  const api = await runtime.app!.inject({ url: '/api/v1/me', headers: { cookie } });
  assert.equal(api.statusCode, 503);
  assert.equal(api.json().error.code, 'unavailable');
  assert.match(api.json().error.message, /database/);

  const page = await runtime.app!.inject({ url: '/', headers: { cookie, accept: 'text/html' } });
  assert.equal(page.statusCode, 503);
  assert.match(page.body, /cannot reach its database/);

  await database.start();
  await waitFor(
    async () => (await runtime.app!.inject('/readyz')).statusCode === 200,
    30_000,
    'readiness after the database returns',
  );
  const back = await runtime.app!.inject({ url: '/api/v1/me', headers: { cookie } });
  assert.equal(back.statusCode, 200, 'sessions survive the outage');
});
