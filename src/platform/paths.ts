// Files that ship beside the code (SQL migrations, dashboard assets, package.json) are read from the
// package's source tree, whether the code runs from src/ (tsx) or from the compiled dist/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('cannot find shopkeep’s package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = packageRoot();

/** A path inside src/, for files that are not compiled. */
export function sourcePath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, 'src', ...parts);
}

/** In a data directory while `backup restore` fills it: shopkeep will not start on it until it is gone. */
export const RESTORE_INCOMPLETE = 'restore-incomplete';
