// Benchmarks that build shopkeep as the tests do (test/support) get their databases from a
// PostgreSQL cluster of their own, started for the run and removed after it.
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { EmbeddedPostgres } from '../src/platform/db/embedded-postgres.ts';
import { createLogger } from '../src/platform/logger.ts';
import { freePort } from './server.ts';

export async function withTestDatabases<T>(
  root: string,
  name: string,
  preferredPort: number,
  work: () => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(path.join(root, '.tmp', `bench-${name}-`));
  const database = new EmbeddedPostgres({
    dataDir,
    port: await freePort(preferredPort),
    logger: createLogger('warn'),
  });
  await database.start();
  const before = process.env.SHOPKEEP_TEST_DATABASE_URL;
  process.env.SHOPKEEP_TEST_DATABASE_URL = database.adminConnectionString;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.SHOPKEEP_TEST_DATABASE_URL;
    else process.env.SHOPKEEP_TEST_DATABASE_URL = before;
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
