// A restore as a new box does it, from a backup target in a folder: for the backup tests and bench.
import { restoreBackup, type RestoreReport } from '../../src/modules/ops/backups/restore.ts';
import { resticFor } from '../../src/modules/ops/backups/backups.ts';
import { backupSettings } from '../../src/modules/ops/backups/settings.ts';
import { SettingsReader } from '../../src/platform/kit/settings.ts';
import { parseConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { migrationSources } from '../../src/platform/runtime.ts';

export interface FolderRestore {
  target: string;
  passphrase: string;
  /** The new data directory. */
  dataDir: string;
  /** An empty database to load into; the embedded PostgreSQL in `dataDir` when not given. */
  databaseUrl?: string;
  /** Where restic keeps its cache (outside the new data directory). */
  cacheDir: string;
  force?: boolean;
}

export function restoreFromFolder(restore: FolderRestore): Promise<RestoreReport> {
  const settings = backupSettings(
    new SettingsReader({
      SHOPKEEP_BACKUP_TARGET: restore.target,
      SHOPKEEP_BACKUP_PASSPHRASE: restore.passphrase,
    }),
  );
  return restoreBackup({
    restic: resticFor(settings, restore.cacheDir, {}),
    snapshot: undefined,
    dataDir: restore.dataDir,
    force: restore.force ?? false,
    config: parseConfig({
      SHOPKEEP_DATA_DIR: restore.dataDir,
      ...(restore.databaseUrl ? { DATABASE_URL: restore.databaseUrl } : {}),
    }),
    sources: migrationSources(),
    logger: createLogger('silent'),
    onProgress: () => undefined,
  });
}
