// The books' budgets: posting orders from events (≥ 2,000 orders/s) and the profit and loss and
// balance sheet over a year of 500 orders a day (≤ 300 ms each), the VAT return for a quarter
// (≤ 100 ms), a 5,000-line bank statement imported and matched (≤ 2 s), on an embedded PostgreSQL;
// then the dashboard's pages over the same year (bench/dashboard.ts).
// Orders are generated as the shop module would store them (VAT-inclusive, shipping, a payment each,
// a refund now and then); the posting code is the production Poster, reading them through the same
// interface it uses against the shop's tables.
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../src/platform/db/embedded-postgres.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { transaction } from '../src/platform/db/database.ts';
import { createLogger } from '../src/platform/logger.ts';
import { migrationSources } from '../src/platform/runtime.ts';
import { Poster } from '../src/modules/ledger/posting.ts';
import { Stock } from '../src/modules/ledger/stock.ts';
import { LedgerReports } from '../src/modules/ledger/reports.ts';
import { CashProjector } from '../src/modules/ledger/projection.ts';
import { ChartOfAccounts } from '../src/modules/ledger/chart-of-accounts.ts';
import { VatReturns } from '../src/modules/ledger/vat-return.ts';
import { BankReconciliation } from '../src/modules/ledger/bank-reconciliation.ts';
import type { ToBook } from '../src/modules/ledger/posting.ts';
import type { Order, PayoutRecord, Refund, Transaction } from '../src/modules/shop/index.ts';
import { freePort } from './server.ts';
import { dashboardBenchmarks, type DashboardFigures } from './dashboard.ts';

export const YEAR_ORDERS = 500 * 365;
const ORDERS_PER_BATCH = 250; // two events each: the feed's batch of 500
const REPORT_RUNS = 5;
const FIRST_DAY = Date.parse('2025-01-01T09:00:00Z');

const money = (minor: number) => ({ shop: minor, presentment: minor });

/** Order n of the year, the same every run. */
function order(n: number): Order {
  const unit = 500 + ((n * 7919) % 4500);
  const quantity = 1 + (n % 3);
  const gross = unit * quantity;
  const tax = Math.round(gross / 6);
  const at = new Date(FIRST_DAY + Math.floor((n * 365 * 86_400_000) / YEAR_ORDERS)).toISOString();
  return {
    id: 1_000_000 + n,
    name: `#${1000 + n}`,
    createdAt: at,
    updatedAt: at,
    processedAt: at,
    cancelledAt: null,
    cancelReason: null,
    closedAt: null,
    test: false,
    currency: 'GBP',
    presentmentCurrency: 'GBP',
    taxesIncluded: true,
    financialStatus: 'paid',
    fulfillmentStatus: null,
    email: null,
    customerId: null,
    tags: [],
    gateways: ['shopify_payments'],
    discountCodes: [],
    sourceName: 'web',
    shippingCountry: 'GB',
    shippingProvince: null,
    subtotal: money(gross),
    total: money(gross + 395),
    tax: money(tax + 66),
    shipping: money(395),
    discounts: money(0),
    duties: money(0),
    companyId: null,
    taxLines: [],
    lines: [
      {
        id: 5_000_000 + n,
        variantId: 7_000_000 + (n % 120),
        productId: null,
        sku: null,
        name: 'Argan Repair Oil',
        quantity,
        unitPrice: money(unit),
        discount: money(0),
        taxLines: [{ title: 'GB VAT', rate: '0.2', amount: money(tax) }],
        giftCard: false,
      },
    ],
    shippingLines: [
      {
        id: 9_000_000 + n,
        title: 'Royal Mail',
        price: money(395),
        discountedPrice: money(395),
        taxLines: [{ title: 'GB VAT', rate: '0.2', amount: money(66) }],
      },
    ],
    firstVisit: null,
    lastVisit: null,
  };
}

function payment(n: number): Transaction {
  const placed = order(n);
  return {
    id: 2_000_000 + n,
    orderId: placed.id,
    kind: 'sale',
    status: 'success',
    gateway: n % 5 === 0 ? 'paypal' : 'shopify_payments',
    processedAt: placed.createdAt,
    parentId: null,
    test: false,
    currency: 'GBP',
    amount: placed.total,
    fee: null,
  };
}

/** The shop's records for the generated year, made on demand (the Poster asks by id), as the shop's face answers. */
const shop = {
  async orders(ids: number[]) {
    return new Map(ids.map((id) => [id, order(id - 1_000_000)]));
  },
  async transactions(ids: number[]) {
    return new Map(ids.map((id) => [id, payment(id - 2_000_000)]));
  },
  async orderTransactions(): Promise<Transaction[]> {
    return [];
  },
  async refunds() {
    return new Map<number, Refund>();
  },
  async payouts() {
    return new Map<number, PayoutRecord>();
  },
  async unitCosts(ids: number[]) {
    return new Map(ids.map((id) => [id, 400 + (id % 7) * 50]));
  },
  async stockCounts() {
    return [];
  },
};

export interface LedgerFigures extends DashboardFigures {
  orders: number;
  postingOrdersPerSecond: number;
  pnlMs: number;
  balanceSheetMs: number;
  cashFlowMs: number;
  projectionMs: number;
  vatReturnMs: number;
  bankStatementLines: number;
  bankMatchMs: number;
}

const BANK_LINES = 5_000;

/**
 * A year of money in and out of the bank (payouts, suppliers), booked, then the bank's statement of
 * it imported and matched: the time from the file to the matches made.
 */
async function bankStatement(pool: pg.Pool, poster: Poster, chart: ChartOfAccounts): Promise<number> {
  const drafts = Array.from({ length: BANK_LINES }, (_, n) => {
    const day = new Date(FIRST_DAY + Math.floor((n * 364 * 86_400_000) / BANK_LINES))
      .toISOString()
      .slice(0, 10);
    const amount = n % 4 === 0 ? -(1_000 + ((n * 131) % 20_000)) : 10_000 + ((n * 7919) % 90_000);
    return {
      date: day,
      description: amount > 0 ? `Shopify Payments payout ${900_000 + n}` : `Supplier ${n % 40}`,
      sourceType: 'journal' as const,
      sourceId: String(900_000 + n),
      sourceKey: `bench-bank:${n}`,
      currency: 'GBP',
      postings: [
        { account: 'Assets:Bank', amount },
        { account: amount > 0 ? 'Assets:Clearing:Shopify Payments' : 'Expenses:General', amount: -amount },
      ],
    };
  });
  await transaction(pool, (tx) => poster.write(tx, drafts, []));
  const pounds = (minor: number) => (minor / 100).toFixed(2);
  const csv = [
    'Date,Description,Reference,Amount',
    ...drafts.map((draft) => {
      const [year, month, day] = draft.date.split('-');
      const amount = draft.postings[0]!.amount;
      return `${day}/${month}/${year},${amount > 0 ? 'SHOPIFY PAYMENTS' : 'CARD PAYMENT'},${amount > 0 ? draft.sourceId : ''},${pounds(amount)}`;
    }),
  ].join('\n');
  const bank = new BankReconciliation({ db: pool, poster, chart, currency: async () => 'GBP' });
  const started = performance.now();
  const imported = await bank.importStatement(csv, { name: 'bench', by: 'bench' });
  const ms = performance.now() - started;
  if (imported.lines !== BANK_LINES) throw new Error(`the bench statement kept ${imported.lines} lines`);
  if (imported.matched < BANK_LINES * 0.9) throw new Error(`only ${imported.matched} of the lines matched`);
  return ms;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function ledgerBenchmarks(
  root: string,
  progress: (line: string) => void,
): Promise<LedgerFigures> {
  const dataDir = mkdtempSync(path.join(root, '.tmp', 'bench-ledger-'));
  const database = new EmbeddedPostgres({
    dataDir,
    port: await freePort(55490),
    logger: createLogger('warn'),
  });
  await database.start();
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 4 });
  pool.on('error', () => undefined); // a client dropped as the database stops at the end
  try {
    await migrate(pool, migrationSources());
    const poster = new Poster({
      shop,
      basics: async () => ({ currency: 'GBP', timezone: 'Europe/London' }),
      stock: new Stock({ shop, costing: 'fifo' }),
    });
    progress(`posting a year of orders (${YEAR_ORDERS.toLocaleString('en-GB')}, each with its payment)…`);
    const started = performance.now();
    let eventId = 0;
    for (let first = 0; first < YEAR_ORDERS; first += ORDERS_PER_BATCH) {
      const events: ToBook[] = [];
      for (let n = first; n < Math.min(YEAR_ORDERS, first + ORDERS_PER_BATCH); n += 1) {
        events.push({
          id: ++eventId,
          type: 'order.created',
          payload: { orderId: 1_000_000 + n },
        });
        events.push({
          id: ++eventId,
          type: 'transaction.created',
          payload: { transactionId: 2_000_000 + n },
        });
      }
      await transaction(pool, (tx) => poster.post(tx, events));
      if (first % 50_000 === 0 && first) progress(`${first.toLocaleString('en-GB')} orders posted`);
    }
    const seconds = (performance.now() - started) / 1000;
    await pool.query('analyze');
    const reports = new LedgerReports({ db: pool, currency: async () => 'GBP' });
    const time = async (work: () => Promise<unknown>) => {
      const runs: number[] = [];
      for (let i = 0; i < REPORT_RUNS; i += 1) {
        const at = performance.now();
        await work();
        runs.push(performance.now() - at);
      }
      return median(runs);
    };
    progress('timing the profit and loss and the balance sheet over the year…');
    const pnlMs = await time(() =>
      reports.profitAndLoss('2025-01-01', '2025-12-31', { from: '2024-01-01', to: '2024-12-31' }),
    );
    const balanceSheetMs = await time(() => reports.balanceSheet('2025-12-31'));
    progress('timing the cash-flow statement over the year and the 90-day projection…');
    const cashFlowMs = await time(() => reports.cashFlow('2025-01-01', '2025-12-31'));
    const projector = new CashProjector({ db: pool, currency: async () => 'GBP' });
    const projectionMs = await time(() => projector.projection('2025-12-31', new Map()));
    progress('timing the VAT return for a quarter…');
    const chart = new ChartOfAccounts({ db: pool });
    const vatReturns = new VatReturns({
      db: pool,
      currency: async () => 'GBP',
      scheme: { kind: 'standard' },
    });
    const vatReturnMs = await time(() => vatReturns.forPeriod('2025-10-01', '2025-12-31'));
    progress(`importing and matching a bank statement of ${BANK_LINES.toLocaleString('en-GB')} lines…`);
    const bankMatchMs = await bankStatement(pool, poster, chart);
    const dashboard = await dashboardBenchmarks(
      root,
      database.connectionString,
      pool,
      { orders: YEAR_ORDERS, firstDay: FIRST_DAY, lastDay: '2025-12-31' },
      progress,
    );
    return {
      ...dashboard,
      orders: YEAR_ORDERS,
      postingOrdersPerSecond: YEAR_ORDERS / seconds,
      pnlMs,
      balanceSheetMs,
      cashFlowMs,
      projectionMs,
      vatReturnMs,
      bankStatementLines: BANK_LINES,
      bankMatchMs,
    };
  } finally {
    await pool.end();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
