// The files a backup keeps beside the database: everything in the data directory that is the shop's
// (the master key, the audit log's anchor, uploaded media and receipts, the sandbox's state), and the
// configuration file, but not what a new box makes for itself (the PostgreSQL cluster and its
// passwords, the lock, logs, restic's cache). The master key goes in only inside the encrypted backup.
import { existsSync, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Made by each box for itself; a restore makes them new. */
const LEFT_OUT = new Set([
  'postgres',
  'postgres.password',
  'postgres-app.password',
  '.initdb-password',
  'postgres.log',
  'shopkeep.pid',
  'restic-cache',
  'tmp',
  // Where a restore puts the configuration file: the backup takes it from where it is in use.
  'config',
  // Left by a restore that did not finish; a new box never has it.
  'restore-incomplete',
]);

/** Where the configuration file is kept inside a backup, and restored to. */
export const CONFIG_IN_BACKUP = 'config/shopkeep.env';

export interface BackedUpFile {
  /** Its path in the backup (and in a restored data directory). */
  path: string;
  source: string;
  mode: number;
}

/** The data directory's files to back up, then the configuration file; `skip` leaves a folder out (a target inside the data directory). */
export async function filesToBackUp(
  dataDir: string,
  envFile: string | undefined,
  skip: string[] = [],
): Promise<BackedUpFile[]> {
  const root = path.resolve(dataDir);
  const skipped = new Set(skip.map((dir) => path.resolve(dir)));
  const files: BackedUpFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (dir === root && LEFT_OUT.has(entry.name)) continue;
      // Half-written files (a restore's, the audit anchor's temporary ones) are not the shop's data.
      if (skipped.has(full) || /\.(restoring|tmp)$/.test(entry.name)) continue;
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const info = await stat(full);
        files.push({
          path: path.relative(root, full).split(path.sep).join('/'),
          source: full,
          mode: info.mode & 0o777,
        });
      }
    }
  };
  await walk(root);
  if (envFile && existsSync(envFile)) files.push({ path: CONFIG_IN_BACKUP, source: envFile, mode: 0o600 });
  return files;
}
