// Memory figures from /proc (Linux only, like the Pi): the Node process's RSS, PostgreSQL's PSS.
// PSS rather than RSS for PostgreSQL because its backends share the buffer pool; RSS would count it once per process.
import { readdirSync, readFileSync } from 'node:fs';

const MB = 1024; // /proc reports kB; figures are in MiB

/** A "Name:   123 kB" field of a /proc file, in kB. */
function procField(file: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
  if (!match) throw new Error(`${file} has no ${name} line`);
  return Number(match[1]);
}

export function rssMb(pid: number): number {
  return procField(`/proc/${pid}/status`, 'VmRSS') / MB;
}

/** Every live pid with its parent, from /proc/<pid>/stat. */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses; the fields after its last ')' are "state ppid ...".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // the process ended while we listed
    }
  }
  return parents;
}

/** The postmaster and every process whose parent chain leads to it. */
export function processTree(root: number): number[] {
  const parents = parentsByPid();
  const leadsToRoot = (pid: number): boolean => {
    for (
      let current: number | undefined = pid;
      current !== undefined && current > 1;
      current = parents.get(current)
    ) {
      if (current === root) return true;
    }
    return false;
  };
  return [...parents.keys()].filter(leadsToRoot);
}

export function treePssMb(root: number): { mb: number; processes: number } {
  let kb = 0;
  let processes = 0;
  for (const pid of processTree(root)) {
    try {
      kb += procField(`/proc/${pid}/smaps_rollup`, 'Pss');
      processes += 1;
    } catch {
      // a backend that exited between listing and reading
    }
  }
  return { mb: kb / MB, processes };
}
