// Starting, timing and stopping `shopkeep serve` as a separate process, and running its CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const ENTRY = path.join(ROOT, 'bin', 'shopkeep.js');
/** The Node flags `npm start` and the systemd unit run shopkeep with (see bin/shopkeep.js). */
export const NODE_FLAGS = ['--max-semi-space-size=8'];
const READY_TIMEOUT_MS = 180_000; // a cold start includes initdb, slow on an SD card
const STOP_TIMEOUT_MS = 60_000;
const ANNOUNCE_TIMEOUT_MS = 10_000;

export interface BenchEnv {
  dataDir: string;
  port: number;
  pgPort: number;
  /** More variables (the Shopify simulator's address and credentials). */
  extra?: Record<string, string>;
}

/** The server's environment: ours, minus anything that would point it away from the throwaway setup. */
export function serverEnv({ dataDir, port, pgPort, extra }: BenchEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SHOPKEEP_DATA_DIR: dataDir,
    SHOPKEEP_PORT: String(port),
    SHOPKEEP_HOST: '127.0.0.1',
    SHOPKEEP_EMBEDDED_PG_PORT: String(pgPort),
    SHOPKEEP_LOG_LEVEL: 'warn',
    // A developer's .env (DATABASE_URL, ports) must not leak in; this file never exists.
    SHOPKEEP_ENV_FILE: path.join(dataDir, 'no-such.env'),
    // An empty value counts as unset, so the embedded PostgreSQL is what gets measured.
    DATABASE_URL: '',
    ...extra,
  };
  delete env.DATABASE_URL_FILE;
  return env;
}

/**
 * One `shopkeep serve` process, tracked from the moment it is spawned so that clean-up can always stop it.
 * Its output goes to our stderr: our stdout carries the JSON document only.
 */
export class ServerProcess {
  readonly child: ChildProcess;
  private readonly spawnedAt = performance.now();
  /** Settles once the server prints its "is ready at" line, right before it installs its SIGTERM handler. */
  private readonly announced: Promise<void>;
  private readonly exited: Promise<string>;

  constructor(private readonly bench: BenchEnv) {
    // bin/shopkeep.js registers tsx in-process, so child.pid is the Node process that serves requests.
    // detached: a Ctrl-C on the benchmark reaches the benchmark only, which then stops the server in order.
    this.child = spawn(process.execPath, [...NODE_FLAGS, ENTRY, 'serve'], {
      cwd: ROOT,
      env: serverEnv(bench),
      stdio: ['ignore', 'pipe', 2],
      detached: true,
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve(`code ${code}, signal ${signal}`)),
    );
    this.announced = new Promise((resolve) => {
      let seen = '';
      this.child.stdout!.on('data', (chunk: Buffer) => {
        process.stderr.write(chunk);
        seen += chunk.toString();
        if (seen.includes(' is ready at ')) resolve();
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('shopkeep serve could not be spawned');
    return this.child.pid;
  }

  /** Seconds from spawn to the first 200 from /readyz. */
  async ready(): Promise<number> {
    const died = this.exited.then((how) => {
      throw new Error(`shopkeep serve exited before it was ready (${how})`);
    });
    await Promise.race([waitForReady(this.bench.port), died]);
    return (performance.now() - this.spawnedAt) / 1000;
  }

  /**
   * SIGTERM and wait for the exit, so the server stops its PostgreSQL; SIGKILL only as a last resort.
   * /readyz answers 200 a moment before `serve` installs its SIGTERM handler, and a signal in that
   * window kills Node outright and leaves PostgreSQL running. So wait for the announcement first
   * (bounded, in case its wording changes or start-up fails).
   */
  async stop(): Promise<void> {
    const unref = { ref: false }; // these timers must not keep the benchmark alive
    await Promise.race([this.announced, this.exited, sleep(ANNOUNCE_TIMEOUT_MS, undefined, unref)]);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const killed = sleep(STOP_TIMEOUT_MS, undefined, unref).then(() => this.child.kill('SIGKILL'));
    await Promise.race([this.exited, killed]);
    await this.exited;
  }
}

async function waitForReady(port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    // A short poll interval: it bounds the error of the start-up figure.
    await sleep(20);
  }
  throw new Error(`/readyz did not answer 200 within ${READY_TIMEOUT_MS / 1000}s`);
}

/**
 * The preferred port when nothing listens on it, else one the OS picks. Without this check a server
 * someone else runs on the port would answer /readyz, and we would time theirs.
 */
export async function freePort(preferred: number): Promise<number> {
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      // No host: the wildcard address, which also collides with servers bound to 0.0.0.0 or 127.0.0.1.
      probe.listen(port, () => {
        const { port: bound } = probe.address() as { port: number };
        probe.close(() => resolve(bound));
      });
    });
  return listen(preferred).catch(() => listen(0));
}

/** The pid of the embedded postmaster, from the first line of its pid file. */
export function postmasterPid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** After a killed server the detached PostgreSQL keeps running; stop it before its files are removed. */
export async function stopStrayPostgres(dataDir: string): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (pid === undefined) return;
  process.kill(pid, 'SIGINT'); // PostgreSQL's fast shutdown
  for (let waited = 0; waited < STOP_TIMEOUT_MS && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `shopkeep <args>` against the same data dir (adopting the running database) and returns its stdout. */
export function runCli(bench: BenchEnv, args: string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, ENTRY, ...args], {
      cwd: ROOT,
      env: serverEnv(bench),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`shopkeep ${args.slice(0, 2).join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
    child.stdin.end(input);
  });
}
