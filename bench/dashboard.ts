// The dashboard's budgets over a year of 500 orders a day: the home page ≤ 150 ms of server time and
// every other page ≤ 300 ms. Runs the whole shopkeep runtime in this process on the ledger bench's
// database (the year is booked already), with the shop's orders stored as the shop module keeps
// them, and asks for each page as a signed-in owner; the time is the server's alone (no network).
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { parseConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { startRuntime } from '../src/platform/runtime.ts';
import accountsModule from '../src/platform/accounts/index.ts';
import { currentStep, totpCode } from '../src/platform/accounts/totp.ts';

/** The pages an owner opens; each is timed, the home page against its own budget. */
const PAGES = [
  '/',
  '/orders',
  '/products',
  '/books',
  '/books/cash',
  '/books/margins',
  '/books/stock',
  '/inbox',
  '/approvals',
  '/ai',
  '/ops',
  '/shop',
  '/settings',
  '/users',
];
const RUNS = 7;

export interface DashboardFigures {
  homeMs: number;
  /** Each page's median time. */
  pagesMs: Record<string, number>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * `orders` orders from `firstDay`, spread evenly over the year as the ledger bench generated them,
 * stored in the shop's table in one statement.
 */
async function storeYear(pool: pg.Pool, orders: number, firstDay: number): Promise<void> {
  await pool.query(
    `insert into shop_orders (id, name, created_at, updated_at, processed_at, paid_at, financial_status,
       currency, presentment_currency, total_minor, tax_minor, discounts_minor, data, content_hash, source)
     select 1000000 + n, '#' || (1000 + n), at, at, at, at, 'paid', 'GBP', 'GBP', total, total / 6, 0,
       jsonb_build_object('id', 1000000 + n, 'name', '#' || (1000 + n)), md5(n::text), 'api'
     from generate_series(0, $1 - 1) as n,
       lateral (select to_timestamp($2 / 1000.0 + (n::float8 * 365 * 86400) / $1) as at,
                       (500 + (n * 7919) % 4500) * (1 + n % 3) + 395 as total) as made
     on conflict (id) do nothing`,
    [orders, firstDay],
  );
  await pool.query(
    `insert into shop_sync_cursors (resource, cursor) values ('shop.info', $1) on conflict (resource) do nothing`,
    [
      JSON.stringify({
        name: 'Bench Beauty',
        domain: 'bench.myshopify.com',
        currency: 'GBP',
        timezone: 'Europe/London',
      }),
    ],
  );
  await pool.query('analyze shop_orders');
}

export async function dashboardBenchmarks(
  root: string,
  connectionString: string,
  pool: pg.Pool,
  year: { orders: number; firstDay: number; lastDay: string },
  progress: (line: string) => void,
): Promise<DashboardFigures> {
  progress(`storing the year's ${year.orders.toLocaleString('en-GB')} orders in the shop's tables…`);
  await storeYear(pool, year.orders, year.firstDay);
  const dataDir = mkdtempSync(path.join(root, '.tmp', 'bench-dashboard-'));
  const config = parseConfig({
    DATABASE_URL: connectionString,
    SHOPKEEP_DATA_DIR: dataDir,
    SHOPKEEP_TIMEZONE: 'Europe/London',
    SHOPIFY_SHOP: 'bench.myshopify.com',
    SHOPIFY_ADMIN_TOKEN: 'shpat_bench_0123456789abcdef',
    SHOPIFY_API_SECRET: 'shpss_bench_0123456789abcdef',
    SHOPIFY_API_BASE_URL: 'http://127.0.0.1:9',
  });
  const runtime = await startRuntime(config, createLogger('error'), {
    http: true,
    work: false,
    ownsEmbeddedServer: false,
    clock: () => new Date(`${year.lastDay}T18:00:00Z`),
  });
  try {
    const app = runtime.app!;
    await app.ready();
    const email = 'owner@bench.example';
    const password = 'a long bench password';
    const { totpSecret } = await runtime.modules
      .get(accountsModule)
      .users.add({ email, password, role: 'owner', by: 'bench', withTotp: true });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password, totp: totpCode(totpSecret!, currentStep(Date.now())) },
    });
    const session = login.cookies.find((cookie) => cookie.name === 'sk_session');
    if (!session) throw new Error(`the bench could not log in: ${login.body.slice(0, 200)}`);
    const cookie = `sk_session=${session.value}`;
    progress(`timing ${PAGES.length} dashboard pages as the owner, ${RUNS} times each…`);
    const pagesMs: Record<string, number> = {};
    for (const url of PAGES) {
      const runs: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const started = performance.now();
        const response = await app.inject({ method: 'GET', url, headers: { cookie } });
        runs.push(performance.now() - started);
        if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
      }
      pagesMs[url] = Math.round(median(runs) * 10) / 10;
    }
    return { homeMs: pagesMs['/']!, pagesMs };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
