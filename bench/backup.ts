// Backup and restore of a 1 GB database (budgets: backup at 50 MB/s or more, restore within 2
// minutes): shopkeep built as the tests build it on a PostgreSQL cluster of the benchmark's own, a
// gigabyte of notices written into it, backed up with restic to a folder, then restored into an empty
// database as a new box would.
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { withTestDatabases } from './test-database.ts';
import { startTestServer } from '../test/support/server.ts';
import { createTestDatabase } from '../test/support/database.ts';
import opsModule from '../src/modules/ops/index.ts';
import { restoreFromFolder } from '../test/support/backups.ts';

const TARGET_BYTES = 1024 ** 3;
const PASSPHRASE = 'benchmark backup passphrase';

export interface BackupFigures {
  databaseBytes: number;
  backupSeconds: number;
  backupMbPerSecond: number;
  storedBytes: number;
  restoreSeconds: number;
  rows: number;
}

export async function backupBenchmarks(
  root: string,
  progress: (line: string) => void,
): Promise<BackupFigures> {
  return withTestDatabases(root, 'backup', 55710, () => measure(root, progress));
}

async function measure(root: string, progress: (line: string) => void): Promise<BackupFigures> {
  const work = mkdtempSync(path.join(root, '.tmp', 'bench-backup-'));
  const target = path.join(work, 'target');
  const env = { SHOPKEEP_BACKUP_TARGET: target, SHOPKEEP_BACKUP_PASSPHRASE: PASSPHRASE };
  const server = await startTestServer({ env });
  try {
    progress('backup: writing 1 GB of notices into the database…');
    const pool = server.db.pool;
    // Bodies of hex text: about as compressible as a shop's order and mail text.
    for (let batch = 0; (await databaseBytes(pool)) < TARGET_BYTES; batch += 1)
      await pool.query(
        `insert into notify_inbox (kind, severity, title, body)
         select 'bench.notice', 'info', 'Order #' || g, repeat(md5(g::text || $1), 12)
         from generate_series(1, 250000) g`,
        [String(batch)],
      );
    await pool.query('vacuum analyze notify_inbox');
    const size = await databaseBytes(pool);
    progress(`backup: ${(size / 2 ** 20).toFixed(0)} MB database; backing up to a folder with restic…`);
    const started = performance.now();
    const record = await server.modules.get(opsModule).backups.run('manual');
    const backupSeconds = (performance.now() - started) / 1000;

    progress('backup: restoring it into an empty database…');
    const fresh = await createTestDatabase({ migrated: false });
    const newDir = path.join(work, 'restored');
    try {
      const report = await restoreFromFolder({
        target,
        passphrase: PASSPHRASE,
        dataDir: newDir,
        databaseUrl: fresh.url,
        cacheDir: work,
      });
      return {
        databaseBytes: size,
        backupSeconds,
        backupMbPerSecond: size / 2 ** 20 / backupSeconds,
        storedBytes: record.addedBytes ?? 0,
        restoreSeconds: report.seconds,
        rows: report.rows,
      };
    } finally {
      await fresh.drop();
    }
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

async function databaseBytes(pool: { query: (sql: string) => Promise<{ rows: { bytes: string }[] }> }) {
  const { rows } = await pool.query('select pg_database_size(current_database()) as bytes');
  return Number(rows[0]!.bytes);
}
