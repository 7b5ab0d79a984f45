// `npm test`: runs every test file with Node's test runner against a real PostgreSQL.
// SHOPKEEP_TEST_DATABASE_URL (an admin connection, e.g. the system server in CI) is used when set;
// otherwise an embedded PostgreSQL is started for the run, with its data under .tmp/, and stopped after.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { EmbeddedPostgres } from '../src/platform/db/embedded-postgres.ts';
import { createLogger } from '../src/platform/logger.ts';
import { freePort } from '../test/support/cli.ts';

const root = path.resolve(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

async function main(): Promise<number> {
  const filter = process.argv.slice(2);
  const files = testFiles(path.join(root, 'test'))
    .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
    .sort();
  let embedded: EmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  // Every JSON answer is held to the response schema its route declares, every event written to its
  // declaration (src/platform/checks.ts).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SHOPKEEP_CHECK_RESPONSES: '1',
    SHOPKEEP_CHECK_EVENTS: '1',
  };
  if (!env.SHOPKEEP_TEST_DATABASE_URL) {
    // Its own cluster and a free port per run, so two runs on one machine never share a server.
    dataDir = path.join(root, '.tmp', `test-postgres-${process.pid}`);
    mkdirSync(dataDir, { recursive: true });
    process.stderr.write(`test database: embedded PostgreSQL in ${dataDir}\n`);
    embedded = new EmbeddedPostgres({ dataDir, port: await freePort(), logger: createLogger('warn') });
    await embedded.start();
    env.SHOPKEEP_TEST_DATABASE_URL = embedded.adminConnectionString;
  } else {
    process.stderr.write('test database: SHOPKEEP_TEST_DATABASE_URL\n');
  }
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
      { stdio: 'inherit', env, cwd: root },
    );
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  await embedded?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`npm test could not start: ${error.message}`);
    process.exit(1);
  },
);
