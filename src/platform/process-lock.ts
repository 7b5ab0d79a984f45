// One `shopkeep serve` per data directory: a second one would fight the first over the port and
// the embedded PostgreSQL. The lock is a pid file; a file left by a crashed process is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from './errors.ts';

export function acquireServeLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'shopkeep.pid');
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(file, 'utf8').trim());
    if (holder !== process.pid && isShopkeep(holder)) {
      throw new AppError(
        'conflict',
        `shopkeep is already running with the data directory ${dataDir} (pid ${holder}); stop it first`,
      );
    }
    writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  }
  return () => {
    try {
      if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

/** Whether a `shopkeep serve` holds this data directory right now. */
export function serveRunning(dataDir: string): boolean {
  try {
    const holder = Number(readFileSync(path.join(dataDir, 'shopkeep.pid'), 'utf8').trim());
    return holder !== process.pid && isShopkeep(holder);
  } catch {
    return false;
  }
}

function isShopkeep(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('shopkeep');
  } catch {
    return false;
  }
}
