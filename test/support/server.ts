// A whole shopkeep runtime on a fresh test database, with the Fastify app for inject().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { parseConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { startRuntime, type Runtime } from '../../src/platform/runtime.ts';
import type { Kernel } from '../../src/platform/kit/kernel.ts';
import type { FaceName, Faces } from '../../src/platform/kit/faces.ts';
import type { AnyModule } from '../../src/platform/kit/module.ts';
import type { Modules } from '../../src/platform/kit/modules.ts';
import { MODULES } from '../../src/modules/index.ts';
import { totpCode, currentStep } from '../../src/platform/accounts/totp.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { accountsOf, newUser } from './accounts.ts';
import type { Catalog } from '../../src/modules/shop/index.ts';

export interface TestServer {
  app: FastifyInstance;
  runtime: Runtime;
  kernel: Kernel;
  /** The modules as built for this server (a module's parts: `modules.get(ledger)`). */
  modules: Modules;
  /** A face a module offers, as other modules get it. */
  face<K extends FaceName>(name: K): Faces[K];
  db: TestDatabase;
  dataDir: string;
  logLines: () => Record<string, unknown>[];
  /** The log exactly as written, one JSON object per line. */
  logText: () => string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    work?: boolean;
    env?: Record<string, string>;
    catalog?: Catalog;
    /** Modules beyond the registry's (a throwaway module in the kit's own test). */
    extraModules?: AnyModule[];
    /** The clock the modules read "today" from (the wall clock by default). */
    clock?: () => Date;
  } = {},
): Promise<TestServer> {
  const db = await createTestDatabase({ migrated: false });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shopkeep-test-'));
  const config = parseConfig({
    DATABASE_URL: db.url,
    SHOPKEEP_DATA_DIR: dataDir,
    SHOPKEEP_TIMEZONE: 'Europe/London',
    ...options.env,
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger('info', sink);
  const runtime = await startRuntime(config, logger, {
    ...(options.catalog ? { faces: { catalog: options.catalog } } : {}),
    ...(options.extraModules ? { modules: [...MODULES, ...options.extraModules] } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    http: true,
    work: options.work ?? false,
    ownsEmbeddedServer: false,
  });
  await runtime.app!.ready();
  return {
    app: runtime.app!,
    runtime,
    kernel: runtime.kernel,
    modules: runtime.modules,
    face: (name) => runtime.modules.face(name),
    db,
    dataDir,
    logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    logText: () => lines.join('\n') + '\n',
    async close() {
      await runtime.stop();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface LoggedIn {
  email: string;
  password: string;
  totpSecret: string;
  cookie: string;
  csrf: string;
}

let counter = 0;

/** A user with two-factor set up, logged in through the real login route. */
export async function loginAs(
  server: TestServer,
  role: 'owner' | 'staff' | 'viewer' = 'owner',
  remoteAddress = '127.0.0.1',
): Promise<LoggedIn> {
  counter += 1;
  const email = `${role}${counter}@example.com`;
  const password = 'correct horse battery staple';
  const { totpSecret } = await newUser(accountsOf(server), { email, password, role });
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress,
    payload: { email, password, totp: totpCode(totpSecret!, currentStep(Date.now())) },
  });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  return {
    email,
    password,
    totpSecret: totpSecret!,
    cookie: sessionCookie(response),
    csrf: response.json().csrfToken,
  };
}

export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'sk_session');
  if (!cookie) throw new Error('no session cookie in the response');
  return `sk_session=${cookie.value}`;
}

/** Counts rows in every shopkeep table: proof that a request wrote nothing. */
export async function rowCounts(server: TestServer): Promise<Record<string, number>> {
  const { rows } = await server.db.pool.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of rows) {
    counts[table_name] = Number(
      (await server.db.pool.query(`select count(*) from "${table_name}"`)).rows[0].count,
    );
  }
  return counts;
}
