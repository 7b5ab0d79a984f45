// Runs the real `shopkeep` binary as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(import.meta.dirname, '../../bin/shopkeep.js');

import { freePort } from '../../src/platform/net/free-port.ts';

export { freePort };

/** Environment for a real `shopkeep` process on the embedded PostgreSQL, on free ports. */
export async function embeddedServerEnv(
  dataDir: string,
  port: number,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  return {
    SHOPKEEP_DATA_DIR: dataDir,
    SHOPKEEP_PORT: String(port),
    SHOPKEEP_HOST: '127.0.0.1',
    SHOPKEEP_EMBEDDED_PG_PORT: String(await freePort()),
    SHOPKEEP_LOG_LEVEL: 'warn',
    DATABASE_URL: '',
    ...extra,
  };
}

export function runCli(
  args: string[],
  env: Record<string, string>,
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end(stdin);
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export interface RunningServer {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `shopkeep serve` and resolves once it prints that it is ready. */
export function startServe(
  env: Record<string, string>,
  timeoutMs = 60_000,
  command = 'serve',
): Promise<RunningServer> {
  return untilReady(
    spawn(process.execPath, [BIN, command], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    timeoutMs,
  );
}

/** Starts shopkeep the README's way, `npm start` from the checkout, and resolves once it is ready. */
export function startWithNpm(env: Record<string, string>, timeoutMs = 60_000): Promise<RunningServer> {
  const child = spawn('npm', ['start'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return untilReady(child, timeoutMs);
}

function untilReady(child: ChildProcess, timeoutMs: number): Promise<RunningServer> {
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`shopkeep did not become ready:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/is ready at/.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`shopkeep exited with ${code} before it was ready:\n${output}`));
    });
  });
}
