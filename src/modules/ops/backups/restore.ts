// `shopkeep backup restore`: a backup from the target into a new data directory (a fresh box after a
// dead SSD), which `shopkeep serve` then starts from. The embedded PostgreSQL is made new in it (or
// DATABASE_URL's empty database is used); the files, the master key and the configuration come back
// beside it. A data directory that holds anything is left alone unless --force, which moves it aside.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../../../platform/config.ts';
import { EmbeddedPostgres } from '../../../platform/db/embedded-postgres.ts';
import type { MigrationSource } from '../../../platform/db/migrate.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Logger } from '../../../platform/logger.ts';
import { freePort } from '../../../platform/net/free-port.ts';
import { serveRunning } from '../../../platform/process-lock.ts';
import { backupIdOf, BACKUP_TAG, loadSnapshot, type Progress } from './backups.ts';
import { CONFIG_IN_BACKUP } from './files.ts';
import { RESTORE_INCOMPLETE } from '../../../platform/paths.ts';
import type { Restic } from './restic.ts';

export interface RestoreRequest {
  restic: Restic;
  /** A snapshot id (or its start); the newest when undefined. */
  snapshot: string | undefined;
  dataDir: string;
  force: boolean;
  config: Config;
  sources: MigrationSource[];
  logger: Logger;
  onProgress: Progress;
}

export interface RestoreReport {
  backupId: string | undefined;
  snapshotId: string;
  backedUpAt: string;
  dataDir: string;
  tables: number;
  rows: number;
  files: number;
  seconds: number;
  /** Where the configuration file came back, when the backup had one. */
  configFile: string | undefined;
  /** Where --force moved what was in the data directory. */
  movedAside: string | undefined;
}

export async function restoreBackup(request: RestoreRequest): Promise<RestoreReport> {
  const started = performance.now();
  const { restic, onProgress } = request;
  const dataDir = path.resolve(request.dataDir);
  if (serveRunning(dataDir))
    throw new AppError(
      'conflict',
      `shopkeep is running on ${dataDir}: stop it, or restore into a new directory`,
    );
  const snapshots = await restic.snapshots(BACKUP_TAG);
  const chosen = request.snapshot
    ? snapshots.find((s) => s.id.startsWith(request.snapshot!) || backupIdOf(s) === request.snapshot)
    : snapshots.at(-1);
  if (!chosen)
    throw new AppError(
      'not_found',
      request.snapshot
        ? `no backup ${request.snapshot} at the target (see \`shopkeep backup list\`)`
        : 'there is no backup at the target',
    );
  const movedAside = clearDataDir(dataDir, request.force);
  if (movedAside) onProgress(`moved what was in ${dataDir} to ${movedAside}`);
  // Until the end, the directory says it is not whole: shopkeep refuses to start on it (a new master
  // key made over a restore that stopped halfway would lock every stored secret away).
  const marker = path.join(dataDir, RESTORE_INCOMPLETE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(marker, `restore of ${chosen.id} started ${new Date().toISOString()}\n`);
  onProgress(`restoring the backup of ${chosen.time} into ${dataDir}`);
  let embedded: EmbeddedPostgres | undefined;
  let url = request.config.databaseUrl;
  if (url === undefined) {
    onProgress('making a new embedded PostgreSQL in the data directory');
    embedded = new EmbeddedPostgres({ dataDir, port: await freePort(), logger: request.logger });
    await embedded.start();
    url = embedded.connectionString;
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  try {
    const loaded = await loadSnapshot(restic, chosen.id, {
      pool,
      sources: request.sources,
      filesDir: dataDir,
      onProgress,
    });
    // The dump was taken while this backup ran: its own record says 'running'; it did succeed.
    await pool.query(
      `update ops_backups set status = 'succeeded', snapshot_id = $2, finished_at = coalesce(finished_at, now())
       where id = $1 and status = 'running'`,
      [loaded.manifest.id, chosen.id],
    );
    const configFile = path.join(dataDir, CONFIG_IN_BACKUP);
    rmSync(marker);
    return {
      backupId: backupIdOf(chosen),
      snapshotId: chosen.id,
      backedUpAt: chosen.time,
      dataDir,
      tables: loaded.tables,
      rows: loaded.rows,
      files: loaded.files,
      seconds: (performance.now() - started) / 1000,
      configFile: existsSync(configFile) ? configFile : undefined,
      movedAside,
    };
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

/** An empty (or new) directory is used as it is; anything in it needs --force, and is moved aside, not deleted. */
function clearDataDir(dataDir: string, force: boolean): string | undefined {
  // restic's cache may be there already: listing the backups made it.
  if (!existsSync(dataDir) || readdirSync(dataDir).every((name) => name === 'restic-cache')) return undefined;
  // A restore that stopped halfway is done again over itself.
  if (existsSync(path.join(dataDir, RESTORE_INCOMPLETE))) force = true;
  if (!force)
    throw new AppError(
      'conflict',
      `${dataDir} is not empty: restore into a new directory, or add --force to move what is there aside first`,
    );
  const aside = `${dataDir}.before-restore-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}`;
  renameSync(dataDir, aside);
  return aside;
}
