// restic keeps the backups: encryption (AES-256 with Poly1305 authentication), compression,
// deduplication (a table that did not change costs nothing the next time), and the targets a shop may
// have (a second disk, SFTP, S3-compatible storage, restic's REST server in append-only mode). The
// passphrase reaches restic through its environment, never its command line; what restic says is
// cleaned of it and of any password in the target's address before anyone sees it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { AppError } from '../../../platform/errors.ts';

export interface ResticOptions {
  /** restic's repository string (`/mnt/backup/shopkeep`, `sftp:…`, `s3:…`, `rest:…`). */
  repository: string;
  passphrase: string;
  /** Where restic keeps its local cache (inside the data directory, left out of the backups). */
  cacheDir: string;
  /** Variables restic reads for a target's credentials (AWS_ACCESS_KEY_ID, …), passed through. */
  env?: Record<string, string | undefined>;
  binary?: string;
}

export interface Snapshot {
  id: string;
  time: string;
  tags: string[];
}

const PASSED_THROUGH = /^(AWS_|RESTIC_REST_|B2_|AZURE_|GOOGLE_|OS_|ST_|SSH_AUTH_SOCK$)/;

export class ResticError extends AppError {}

/** What restic says when the target did not answer: the network, the server or the share is down. */
const NETWORK =
  /connection refused|connection reset|no such host|timeout|timed out|network is unreachable|no route to host|dial tcp|\bEOF\b|host is down|server closed idle connection/i;

export class Restic {
  constructor(private readonly options: ResticOptions) {}

  /**
   * Creates the repository when the target holds none yet and `mayCreate`; a wrong passphrase is an
   * error, not a new one, and so is an empty target that held backups before (a disk not mounted).
   */
  async ensureRepository(mayCreate = true): Promise<'existed' | 'created'> {
    const probe = await this.run(['cat', 'config'], { allowFailure: true });
    if (probe.code === 0) return 'existed';
    // Only a target that answered "nothing here" gets a new repository; one that did not answer at
    // all (restic asks "Is there a repository…?" then too) is a failure, never a reason to make one.
    const absent = /does not exist|no such file or directory|404/i.test(probe.stderr);
    if (!absent || NETWORK.test(probe.stderr)) throw this.failure(probe.stderr);
    if (!mayCreate)
      throw new ResticError(
        'unavailable',
        'the backup target holds no backups, though earlier ones were stored there: is its disk mounted, or its share connected? If you replaced it on purpose, run `shopkeep backup run --new-target` once',
      );
    await this.run(['init', '--repository-version', '2']);
    return 'created';
  }

  /** Stores what `write` writes as one file; answers the snapshot and how much new data it added. */
  async backup(
    filename: string,
    tags: string[],
    write: (stdin: Writable) => Promise<void>,
  ): Promise<{ snapshotId: string; addedBytes: number }> {
    const args = ['backup', '--stdin', '--stdin-filename', filename, '--host', 'shopkeep', '--json'];
    for (const tag of tags) args.push('--tag', tag);
    let summary: { snapshot_id?: string; data_added?: number } | undefined;
    await this.run(args, {
      stdin: write,
      onLine: (line) => {
        if (!line.includes('"summary"')) return;
        try {
          summary = JSON.parse(line) as typeof summary;
        } catch {
          // a status line cut in two; the summary is one whole line
        }
      },
    });
    if (!summary?.snapshot_id)
      throw new ResticError('unavailable', 'restic did not report the snapshot it made');
    return { snapshotId: summary.snapshot_id, addedBytes: summary.data_added ?? 0 };
  }

  async snapshots(tag: string): Promise<Snapshot[]> {
    const { stdout } = await this.run(['snapshots', '--json', '--tag', tag]);
    const list = JSON.parse(stdout || '[]') as { id: string; time: string; tags?: string[] }[];
    return list
      .map((s) => ({ id: s.id, time: s.time, tags: s.tags ?? [] }))
      .sort((a, b) => a.time.localeCompare(b.time));
  }

  /** The stored file as a stream; `done` settles when restic has finished (and says how). */
  dump(snapshotId: string, filename: string): { stream: Readable; done: Promise<void> } {
    const child = this.spawn(['dump', snapshotId, `/${filename}`]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()).length);
    const done = new Promise<void>((resolve, reject) => {
      child.on('error', (error) => reject(this.notInstalled(error)));
      child.on('close', (code) => (code === 0 ? resolve() : reject(this.failure(stderr))));
    });
    done.catch(() => undefined);
    return { stream: child.stdout, done };
  }

  /** Forgets these snapshots and frees the space only they used. */
  async forget(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.run(['forget', '--prune', ...ids]);
  }

  /** restic's own check of the repository's structure (the data itself is read by a restore drill). */
  async check(): Promise<void> {
    await this.run(['check']);
  }

  /** Removes locks left by a restic that was killed (locks of a running one stay). */
  async unlock(): Promise<void> {
    await this.run(['unlock'], { allowFailure: true });
  }

  private spawn(args: string[]) {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      RESTIC_REPOSITORY: this.options.repository,
      RESTIC_PASSWORD: this.options.passphrase,
      RESTIC_CACHE_DIR: this.options.cacheDir,
    };
    for (const [name, value] of Object.entries(this.options.env ?? {}))
      if (value !== undefined && PASSED_THROUGH.test(name)) env[name] = value;
    return spawn(this.options.binary ?? 'restic', args, {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  private run(
    args: string[],
    options: {
      stdin?: (stdin: Writable) => Promise<void>;
      onLine?: (line: string) => void;
      allowFailure?: boolean;
    } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const child = this.spawn(args);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString();
    });
    if (options.onLine) createInterface({ input: child.stdout }).on('line', options.onLine);
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()).length);
    const exited = new Promise<number>((resolve, reject) => {
      child.on('error', (error) => reject(this.notInstalled(error)));
      child.on('close', (code) => resolve(code ?? 1));
    });
    const fed = options.stdin
      ? options
          .stdin(child.stdin)
          .then(() => new Promise<void>((resolve) => child.stdin.end(resolve)))
          .catch((error: unknown) => {
            child.kill('SIGTERM');
            throw error;
          })
      : (child.stdin.end(), Promise.resolve());
    return Promise.all([fed, exited]).then(([, code]) => {
      if (code !== 0 && !options.allowFailure) throw this.failure(stderr);
      return { code, stdout, stderr: this.clean(stderr) };
    });
  }

  private notInstalled(error: NodeJS.ErrnoException): Error {
    if (error.code === 'ENOENT')
      return new ResticError(
        'unavailable',
        'restic is not installed: backups need it (sudo apt install restic), then run the backup again',
      );
    return error;
  }

  /** What restic said, cleaned of secrets, as an error that says what to do where we know. */
  private failure(stderr: string): ResticError {
    const said = this.clean(stderr).trim().split('\n').slice(-3).join(' ').slice(0, 500);
    if (/wrong password|no key found/i.test(said))
      return new ResticError(
        'forbidden',
        'the backup passphrase does not open the backups at the target (SHOPKEEP_BACKUP_PASSPHRASE): use the passphrase from your recovery kit',
      );
    if (/no space left|insufficient storage|507/i.test(said))
      return new ResticError(
        'unavailable',
        `the backup target is full: make room there; the earlier backups are untouched (${said})`,
      );
    if (NETWORK.test(said))
      return new ResticError(
        'unavailable',
        `the backup target cannot be reached: check its network and power (${said})`,
      );
    if (/ciphertext verification failed|MAC|checksum|does not match|unable to decrypt/i.test(said))
      return new ResticError('conflict', `the backup is damaged or was changed: it was not used (${said})`);
    return new ResticError('unavailable', `restic failed: ${said || 'no message'}`);
  }

  private clean(text: string): string {
    let cleaned = text.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@');
    if (this.options.passphrase) cleaned = cleaned.split(this.options.passphrase).join('***');
    return cleaned;
  }
}
