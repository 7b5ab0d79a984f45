// `npm run bench`: start-up time, memory and API throughput of `shopkeep serve` against its budgets.
// Prints one JSON document on stdout (progress goes to stderr) and writes it to .tmp/bench-results.json.
// Exits 0 whatever the figures say; non-zero only when the benchmark itself could not run.
import { socialBenchmarks } from './social.ts';
import { mailBenchmarks } from './mail.ts';
import { backupBenchmarks } from './backup.ts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  freePort,
  ServerProcess,
  stopStrayPostgres,
  postmasterPid,
  runCli,
  type BenchEnv,
} from './server.ts';
import { rssMb, treePssMb } from './memory.ts';
import { load } from './load.ts';
import { timeQaChecks } from './qa-checks.ts';
import { timeMetricsScrapes } from './metrics-scrape.ts';
import { IMPORT_ORDERS, shopBenchmarks } from './shop.ts';
import { ledgerBenchmarks } from './ledger.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TMP = path.join(ROOT, '.tmp');
const RESULTS = path.join(TMP, 'bench-results.json');
// Ports away from the defaults (8080, 55432), so a developer's running server is never touched;
// when one is taken anyway, freePort picks another.
const PORT = 18080;
const PG_PORT = 55480;
const WARM_RUNS = 3;
const IDLE_SECONDS = 10;
const LOAD = { connections: 50, seconds: 10, warmupSeconds: 2 };
const OWNER_EMAIL = 'owner@example.com';

type Budget = { max: number } | { min: number } | null;

interface Figure {
  value: number;
  unit: string;
  budget: Budget;
  /** null when the figure has no budget. */
  pass: boolean | null;
  [detail: string]: unknown;
}

function figure(
  value: number,
  unit: string,
  budget: Budget,
  details: Record<string, unknown> = {},
  valid = true,
): Figure {
  let pass: boolean | null = null;
  if (budget) pass = valid && ('max' in budget ? value <= budget.max : value >= budget.min);
  return { value: round(value), unit, budget, pass, ...details };
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

/** The one server the benchmark may have running, so clean-up can always find it. */
class Session {
  private server: ServerProcess | undefined;
  constructor(readonly env: BenchEnv) {}

  /** Starts the server; seconds until it is ready. */
  async start(): Promise<number> {
    this.server = new ServerProcess(this.env);
    return this.server.ready();
  }

  get pid(): number {
    if (!this.server) throw new Error('the server is not running');
    return this.server.pid;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
    // A clean stop takes PostgreSQL down too; if it did not, the next start would only adopt it and look fast.
    if (postmasterPid(this.env.dataDir) !== undefined) {
      progress('warning: PostgreSQL outlived the server; stopping it');
      await stopStrayPostgres(this.env.dataDir);
    }
  }
}

async function coldStart(session: Session): Promise<Figure> {
  progress('cold start (empty data dir, includes initdb)…');
  const seconds = await session.start();
  await session.stop();
  return figure(seconds, 's', null);
}

async function warmStarts(session: Session): Promise<Figure> {
  const runs: number[] = [];
  for (let run = 1; run <= WARM_RUNS; run++) {
    progress(`warm start ${run}/${WARM_RUNS}…`);
    runs.push(await session.start());
    await session.stop();
  }
  return figure(median(runs), 's', { max: 3 }, { statistic: 'median', runs: runs.map(round) });
}

/**
 * Memory after IDLE_SECONDS of idling. RSS is sampled every second: the garbage collector moves it by
 * several MB, and the range shows how much of a gap to the budget is noise. The figure is the last sample.
 */
async function idleMemory(session: Session): Promise<{ nodeRss: Figure; postgresPss: Figure }> {
  const samples: number[] = [];
  for (let second = 0; second < IDLE_SECONDS; second++) {
    await sleep(1000);
    samples.push(rssMb(session.pid));
  }
  const postmaster = postmasterPid(session.env.dataDir);
  if (postmaster === undefined) throw new Error('the embedded PostgreSQL is not running');
  const pss = treePssMb(postmaster);
  return {
    nodeRss: figure(
      samples.at(-1) ?? NaN,
      'MB',
      { max: 120 },
      { idleSeconds: IDLE_SECONDS, minMb: round(Math.min(...samples)), maxMb: round(Math.max(...samples)) },
    ),
    postgresPss: figure(pss.mb, 'MB', null, { processes: pss.processes }),
  };
}

/** An owner and a read token made with the CLI, as a user would, while the server runs. */
async function createToken(env: BenchEnv): Promise<string> {
  progress('creating the owner and an API token with the CLI…');
  const password = randomBytes(18).toString('base64url');
  await runCli(env, ['user', 'add', '--email', OWNER_EMAIL, '--role', 'owner', '--json'], `${password}\n`);
  const token = (await runCli(env, ['token', 'create', '--name', 'bench', '--scope', 'read'])).trim();
  if (!token) throw new Error('token create printed no token');
  return token;
}

/** One request first: a throughput figure of 401s would be meaningless. */
async function checkMe(url: string, token: string): Promise<void> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  if (response.status !== 200 || !body.includes(OWNER_EMAIL)) {
    throw new Error(`GET /api/v1/me answered ${response.status}: ${body.slice(0, 200)}`);
  }
}

async function apiLoad(env: BenchEnv, token: string): Promise<{ throughput: Figure; p99: Figure }> {
  const url = `http://127.0.0.1:${env.port}/api/v1/me`;
  await checkMe(url, token);
  // The first seconds measure JIT compilation and connection-pool growth, not the steady state.
  progress(`warming up GET /api/v1/me for ${LOAD.warmupSeconds} s…`);
  await load(url, token, LOAD.connections, LOAD.warmupSeconds);
  progress(`GET /api/v1/me at ${LOAD.connections} connections for ${LOAD.seconds} s…`);
  const result = await load(url, token, LOAD.connections, LOAD.seconds);
  // Errors or non-2xx answers mean the figures describe failures, not the endpoint.
  const valid = result.non2xx === 0 && result.errors === 0 && result.timeouts === 0;
  const details = {
    valid,
    connections: LOAD.connections,
    durationSeconds: LOAD.seconds,
    totalRequests: result.totalRequests,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodes,
  };
  return {
    throughput: figure(result.requestsPerSecond, 'req/s', { min: 3000 }, details, valid),
    p99: figure(result.p99Ms, 'ms', { max: 30 }, { p50Ms: result.p50Ms, valid }, valid),
  };
}

async function shopFigures(env: BenchEnv) {
  const shop = await shopBenchmarks(env, progress);
  const valid = (run: { non2xx: number; errors: number }) => run.non2xx === 0 && run.errors === 0;
  return {
    shopImportSeconds: figure(
      shop.importSeconds,
      's',
      { max: 120 },
      {
        orders: IMPORT_ORDERS,
        counts: shop.importCounts,
        simulatorGenerateSeconds: round(shop.generateSeconds),
        serverBusyAfterImportSeconds: round(shop.settleSeconds),
      },
    ),
    shopImportPeakRssMb: figure(shop.importPeakRssMb, 'MB', { max: 250 }),
    webhookIntakePerSecond: figure(
      shop.intake.requestsPerSecond,
      'deliveries/s',
      { min: 1500 },
      {
        connections: 50,
        total: shop.intake.total,
        non2xx: shop.intake.non2xx,
        errors: shop.intake.errors,
        p99Ms: shop.intake.p99Ms,
      },
      valid(shop.intake),
    ),
    webhookIntakeP99At200PerSecondMs: figure(
      shop.intakeSteady.p99Ms,
      'ms',
      { max: 50 },
      {
        rate: shop.intakeSteady.requestsPerSecond,
        p50Ms: shop.intakeSteady.p50Ms,
        non2xx: shop.intakeSteady.non2xx,
      },
      valid(shop.intakeSteady),
    ),
  };
}

async function ledgerFigures() {
  const ledger = await ledgerBenchmarks(ROOT, progress);
  const year = { orders: ledger.orders, ordersPerDay: 500 };
  return {
    ledgerPostingOrdersPerSecond: figure(
      ledger.postingOrdersPerSecond,
      'orders/s',
      { min: 2000 },
      {
        ...year,
        eventsPerOrder: 2,
      },
    ),
    ledgerPnlMs: figure(ledger.pnlMs, 'ms', { max: 300 }, { ...year, withComparison: true }),
    ledgerBalanceSheetMs: figure(ledger.balanceSheetMs, 'ms', { max: 300 }, year),
    ledgerCashFlowMs: figure(ledger.cashFlowMs, 'ms', { max: 300 }, year),
    ledgerProjectionMs: figure(ledger.projectionMs, 'ms', { max: 300 }, { ...year, days: 90 }),
    ledgerVatReturnMs: figure(ledger.vatReturnMs, 'ms', { max: 100 }, { ...year, period: 'a quarter' }),
    ledgerBankMatchMs: figure(ledger.bankMatchMs, 'ms', { max: 2_000 }, { lines: ledger.bankStatementLines }),
    dashboardHomeMs: figure(ledger.homeMs, 'ms', { max: 150 }, { ...year, serverTime: true }),
    dashboardSlowestPageMs: figure(
      Math.max(...Object.values(ledger.pagesMs)),
      'ms',
      { max: 300 },
      { ...year, pages: ledger.pagesMs },
    ),
  };
}

async function mailFigures() {
  const mail = await mailBenchmarks(ROOT, progress);
  return {
    mailTriagePerSecond: figure(
      mail.triagePerSecond,
      'emails/s',
      { min: 100 },
      { emails: mail.triaged, model: 'none (rules, offline fallback)' },
    ),
    mailReceivedToDraftSeconds: figure(
      mail.receivedToDraftSeconds,
      's',
      { max: 5 },
      { statistic: 'median of 5', model: 'Gemini simulator', server: 'Dovecot' },
    ),
    mailRetrievalP95Ms: figure(
      mail.retrievalP95Ms,
      'ms',
      { max: 20 },
      { pairs: mail.retrievalPairs, queries: 200 },
    ),
    mailImport100Seconds: figure(
      mail.import100Seconds,
      's',
      { max: 30 },
      { replies: 100, server: 'Dovecot' },
    ),
  };
}

async function backupFigures() {
  const backup = await backupBenchmarks(ROOT, progress);
  const details = {
    databaseMb: round(backup.databaseBytes / 2 ** 20),
    target: 'a folder (restic)',
    storedMb: round(backup.storedBytes / 2 ** 20),
  };
  return {
    backupMbPerSecond: figure(
      backup.backupMbPerSecond,
      'MB/s',
      { min: 50 },
      {
        ...details,
        seconds: round(backup.backupSeconds),
      },
    ),
    restoreSeconds: figure(backup.restoreSeconds, 's', { max: 120 }, { ...details, rows: backup.rows }),
  };
}

async function socialFigures() {
  const social = await socialBenchmarks(ROOT, progress);
  return {
    socialWeekPlanWriteSeconds: figure(
      social.weekPlanWriteSeconds,
      's',
      { max: 10 },
      { posts: social.weekPosts, provider: 'offline' },
    ),
    socialImagePrepareMs: figure(
      Math.max(social.imagePrepareMs.feed, social.imagePrepareMs.story),
      'ms',
      { max: 300 },
      {
        feedMs: round(social.imagePrepareMs.feed),
        storyMs: round(social.imagePrepareMs.story),
        statistic: 'median of 10',
      },
    ),
    socialCreatedToPublishedSeconds: figure(
      social.createdToPublishedSeconds,
      's',
      { max: 30 },
      { platform: 'instagram (simulator)', approvedBy: 'qa-gate' },
    ),
  };
}

async function measure(session: Session) {
  const cold = await coldStart(session);
  const warm = await warmStarts(session);
  progress(`starting once more, then ${IDLE_SECONDS} s idle…`);
  await session.start();
  const { nodeRss, postgresPss } = await idleMemory(session);
  progress('scraping /metrics 50 times, a second apart…');
  const scrapes = await timeMetricsScrapes(session.env.port);
  const token = await createToken(session.env);
  const { throughput, p99 } = await apiLoad(session.env, token);
  const rssAfterLoad = figure(rssMb(session.pid), 'MB', null);
  await session.stop();
  return {
    coldStartSeconds: cold,
    warmStartSeconds: warm,
    idleNodeRssMb: nodeRss,
    postgresPssMb: postgresPss,
    meRequestsPerSecond: throughput,
    meP99LatencyMs: p99,
    nodeRssAfterLoadMb: rssAfterLoad,
    metricsScrapeMs: figure(
      scrapes.p95Ms,
      'ms',
      { max: 20 },
      {
        statistic: 'p95',
        scrapes: scrapes.scrapes,
        p50Ms: round(scrapes.p50Ms),
      },
    ),
  };
}

function host() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    // Other work on the box skews every figure; the load average at the end says whether there was some.
    loadAverage1m: round(os.loadavg()[0] ?? NaN),
  };
}

async function main(): Promise<void> {
  mkdirSync(TMP, { recursive: true });
  // A failed run must not leave an older result looking current.
  rmSync(RESULTS, { force: true });
  const port = await freePort(PORT);
  const pgPort = await freePort(PG_PORT);
  const env: BenchEnv = { dataDir: mkdtempSync(path.join(TMP, 'bench-')), port, pgPort };
  const session = new Session(env);
  let cleaning: Promise<void> | undefined;
  // Idempotent: both Ctrl-C and the normal path end here.
  const cleanup = () =>
    (cleaning ??= session
      .stop()
      .catch((error: Error) => progress(`clean-up problem: ${error.message}`))
      .finally(() => rmSync(env.dataDir, { recursive: true, force: true })));
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  progress(`data dir ${env.dataDir}, port ${env.port}, PostgreSQL port ${env.pgPort}`);
  try {
    const qa = timeQaChecks();
    const figures = {
      ...(await measure(session)),
      ...(await shopFigures(env)),
      ...(await ledgerFigures()),
      ...(await socialFigures()),
      ...(await mailFigures()),
      ...(await backupFigures()),
      qaChecksMsPerDraft: figure(
        qa.msPerDraft,
        'ms',
        { max: 5 },
        { drafts: qa.drafts, comparedWithRecentPosts: qa.recent },
      ),
    };
    const pass = Object.values(figures).every((f) => f.pass !== false);
    const report = {
      benchmark: 'shopkeep',
      date: new Date().toISOString(),
      host: host(),
      ports: { http: port, postgres: pgPort },
      pass,
      figures,
    };
    const json = JSON.stringify(report, null, 2);
    writeFileSync(RESULTS, `${json}\n`);
    console.log(json);
  } finally {
    await cleanup();
  }
}

main().catch((error: Error) => {
  console.error(`bench: could not run: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
