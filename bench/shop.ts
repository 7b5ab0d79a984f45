// Shopify budgets: the first import of 50,000 orders from the simulator (time, Node RSS), and the
// webhook intake (throughput at 50 connections, p99 at 200 deliveries/s) of a running server.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ENTRY, NODE_FLAGS, ROOT, ServerProcess, postmasterPid, serverEnv, type BenchEnv } from './server.ts';
import { processTree } from './memory.ts';
import { ShopifySimulator } from '../src/sim/shopify/index.ts';

export const IMPORT_ORDERS = 50_000;
const INTAKE = { connections: 50, seconds: 10, warmupSeconds: 2, steadyRate: 200, steadySeconds: 10 };

export interface ShopFigures {
  generateSeconds: number;
  importSeconds: number;
  importPeakRssMb: number;
  importCounts: Record<string, number>;
  /** How long the server was busy after the import (dispatching its events) before the intake was measured. */
  settleSeconds: number;
  intake: IntakeRun;
  intakeSteady: IntakeRun;
}

export interface IntakeRun {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  non2xx: number;
  errors: number;
}

/** CPU seconds a process has used so far (user + system), from /proc; 0 once it has gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return 0;
  }
}

/** The server's and its PostgreSQL's CPU seconds (autovacuum analyses the freshly imported tables). */
function serverCpuSeconds(pid: number, dataDir: string): number {
  const postmaster = postmasterPid(dataDir);
  const database = postmaster === undefined ? [] : processTree(postmaster);
  return [pid, ...database].reduce((sum, each) => sum + cpuSeconds(each), 0);
}

/**
 * After the import the server dispatches its backlog of events (one per order, payment, refund) and
 * PostgreSQL's autovacuum analyses the new tables; the intake is measured once both are done and
 * three seconds in a row were quiet, as the server would be most of the day.
 */
async function settled(pid: number, dataDir: string, limitSeconds = 180): Promise<number> {
  const started = performance.now();
  let quiet = 0;
  while ((performance.now() - started) / 1000 < limitSeconds && quiet < 3) {
    const before = serverCpuSeconds(pid, dataDir);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    quiet = serverCpuSeconds(pid, dataDir) - before < 0.05 ? quiet + 1 : 0;
  }
  return (performance.now() - started) / 1000;
}

/** Peak resident memory of a process so far (VmHWM), in MB; 0 once it has gone. */
function peakRssMb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export async function shopBenchmarks(env: BenchEnv, progress: (line: string) => void): Promise<ShopFigures> {
  progress(`generating a shop with ${IMPORT_ORDERS.toLocaleString('en-GB')} orders in the simulator…`);
  const generating = performance.now();
  const sim = await ShopifySimulator.start({
    adminToken: 'shpat_bench_token_0123456789',
    apiSecret: 'shpss_bench_secret_0123456789',
    orderCount: IMPORT_ORDERS,
    seed: 11,
    // A Shopify Plus bucket: the import is measured, not the plan's rate limit.
    bucket: { maximumAvailable: 20_000, restoreRate: 1000 },
  });
  const generateSeconds = (performance.now() - generating) / 1000;
  const shopEnv: BenchEnv = {
    ...env,
    extra: {
      SHOPIFY_SHOP: sim.shopDomain,
      SHOPIFY_ADMIN_TOKEN: sim.adminToken,
      SHOPIFY_API_SECRET: sim.apiSecret,
      SHOPIFY_API_BASE_URL: sim.baseUrl,
      SHOPKEEP_SHOP_RECONCILE_MINUTES: '59',
    },
  };
  try {
    const imported = await importRun(shopEnv, progress);
    const server = new ServerProcess(shopEnv);
    try {
      await server.ready();
      progress('waiting for the server to dispatch the import’s events and idle…');
      const settleSeconds = await settled(server.pid, env.dataDir);
      const url = `http://127.0.0.1:${env.port}/webhooks/shopify`;
      const orderId = sim.orderIds()[0]!;
      const delivered = sim.delivery('orders/updated', orderId);
      // Header names in lower case, so the fresh id per request replaces the sample's instead of joining it.
      const sample = {
        body: delivered.body,
        headers: Object.fromEntries(
          Object.entries(delivered.headers).map(([name, value]) => [name.toLowerCase(), value]),
        ),
      };
      const check = await fetch(url, { method: 'POST', headers: sample.headers, body: sample.body });
      if (check.status !== 200) throw new Error(`the intake answered ${check.status}: ${await check.text()}`);
      const run = (connections: number, seconds: number, overallRate?: number) =>
        intake(url, sample.headers, sample.body, connections, seconds, overallRate);
      progress(`warming up the webhook intake for ${INTAKE.warmupSeconds} s…`);
      await run(INTAKE.connections, INTAKE.warmupSeconds);
      progress(`webhook intake at ${INTAKE.connections} connections for ${INTAKE.seconds} s…`);
      const burst = await run(INTAKE.connections, INTAKE.seconds);
      progress(`webhook intake at a steady ${INTAKE.steadyRate}/s for ${INTAKE.steadySeconds} s…`);
      const steady = await run(10, INTAKE.steadySeconds, INTAKE.steadyRate);
      return { generateSeconds, ...imported, settleSeconds, intake: burst, intakeSteady: steady };
    } finally {
      await server.stop();
    }
  } finally {
    await sim.stop();
  }
}

async function importRun(env: BenchEnv, progress: (line: string) => void) {
  progress('shopkeep shop import (a separate process; its peak RSS is measured)…');
  const started = performance.now();
  const child = spawn(process.execPath, [...NODE_FLAGS, ENTRY, 'shop', 'import', '--json'], {
    cwd: ROOT,
    env: serverEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRssMb(child.pid!))), 100);
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    peak = Math.max(peak, peakRssMb(child.pid!));
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`shop import exited with ${code}: ${stderr.slice(-500)}`);
  const result = JSON.parse(stdout) as { counts: Record<string, number> };
  return {
    importSeconds: (performance.now() - started) / 1000,
    importPeakRssMb: peak,
    importCounts: result.counts,
  };
}

/** Runs bench/intake-load.ts in a child process and returns its figures. */
async function intake(
  url: string,
  headers: Record<string, string>,
  body: string,
  connections: number,
  seconds: number,
  overallRate?: number,
): Promise<IntakeRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'intake-load.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stdin.end(JSON.stringify({ url, headers, body, connections, seconds, overallRate }));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the webhook load generator exited with ${code}`);
  return JSON.parse(stdout) as IntakeRun;
}
