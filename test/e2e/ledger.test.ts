// The books end to end: a simulated shop imported by the server, its events booked through the feed,
// exported for Debian's hledger, which must accept the journal with --strict and agree with our
// profit and loss and balance sheet to the cent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { embeddedServerEnv, freePort, runCli, startServe, type RunningServer } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';
import { ShopifySimulator } from '../../src/sim/shopify/index.ts';

const run = promisify(execFile);
let dataDir: string;
let env: Record<string, string>;
let server: RunningServer | undefined;
let sim: ShopifySimulator;
let db: pg.Pool;

before(async () => {
  sim = await ShopifySimulator.start({
    adminToken: 'shpat_books_token_0123456789',
    apiSecret: 'shpss_books_secret_0123456789',
    historyDays: 120,
    ordersPerDay: 6,
    seed: 23,
    bucket: { maximumAvailable: 20_000, restoreRate: 1000 },
  });
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-books-'));
  const port = await freePort();
  env = await embeddedServerEnv(dataDir, port, {
    SHOPIFY_SHOP: sim.shopDomain,
    SHOPIFY_ADMIN_TOKEN: sim.adminToken,
    SHOPIFY_API_SECRET: sim.apiSecret,
    SHOPIFY_API_BASE_URL: sim.baseUrl,
    SHOPKEEP_PUBLIC_URL: `http://127.0.0.1:${port}`,
  });
  // The server imports the shop on its first start and books what the import's events say.
  server = await startServe(env, 120_000);
  const password = readFileSync(path.join(dataDir, 'postgres.password'), 'utf8').trim();
  db = new pg.Pool({
    connectionString: `postgres://shopkeep:${encodeURIComponent(password)}@127.0.0.1:${env.SHOPKEEP_EMBEDDED_PG_PORT}/shopkeep`,
    max: 2,
  });
  db.on('error', () => undefined);
});

after(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await db?.end();
  await sim?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const count = async (sql: string) => Number((await db.query(sql)).rows[0].n);

async function cli(args: string[]) {
  const result = await runCli(args, env);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

/** Amount in minor units from an hledger CSV cell such as "1234.56 GBP" or "-0.50 GBP" (one commodity). */
function minor(cell: string): number {
  const match = /(-?)(\d+)(?:\.(\d+))?/.exec(cell.replace(/,/g, ''));
  if (!match) return 0;
  const [, sign, units, fraction = ''] = match;
  return (sign ? -1 : 1) * (Number(units) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2)));
}

test('the imported year becomes books that hledger accepts and that agree with our reports to the cent', async () => {
  await waitFor(
    async () =>
      (await count(`select count(*) as n from shop_sync_runs where kind = 'import' and status = 'done'`)) ===
        1 &&
      (await count(`select count(*) as n from events_outbox where dispatched_at is null`)) === 0 &&
      (await count(`select count(*) as n from events_feed_items`)) === 0 &&
      (await count(`select count(*) as n from ledger_lots where source_key like 'stock:opening:%'`)) > 0,
    240_000,
    'the import, its booking and the opening stock',
  );
  const orders = await count(`select count(*) as n from shop_orders where not test`);
  assert.ok(orders > 300, `${orders} orders`);
  const booked = await count(
    `select count(distinct source_id) as n from ledger_entries where source_type = 'order'`,
  );
  assert.ok(booked >= orders * 0.9, `${booked} of ${orders} orders booked`);
  assert.ok((await count(`select count(*) as n from ledger_entries where source_type = 'payout'`)) > 5);
  assert.ok((await count(`select count(*) as n from ledger_entries where source_type = 'refund'`)) > 0);
  const review = JSON.parse(await cli(['ledger', 'report', 'pnl', '--from', '2000-01-01', '--json'])) as {
    revenue: number;
    expenses: number;
    net: number;
    currency: string;
  };
  assert.ok(review.revenue > 0);

  // Expenses from a spreadsheet: a broken row refuses the file, a good one is booked (and exported).
  const broken = path.join(dataDir, 'broken.csv');
  writeFileSync(broken, 'date,supplier,amount\n2026-11-02,Royal Mail,12.00\n2026-11-03,Canva,ten\n');
  const refused = await runCli(['ledger', 'import-expenses', broken], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /line 3: amount "ten" is not an amount in GBP/);
  const good = path.join(dataDir, 'expenses.csv');
  writeFileSync(
    good,
    'date,supplier,amount,tax,account\n2026-11-02,Royal Mail,12.00,2.00,Expenses:Postage\n',
  );
  assert.match(await cli(['ledger', 'import-expenses', good]), /Imported 1 expense/);
  // A journal by hand: one that does not balance is refused naming the difference; one that does is booked.
  const capital = ['ledger', 'journal', '--date', '2026-11-05', '--memo', 'Capital put in'];
  const unbalanced = await runCli(
    [...capital, '--debit', 'Assets:Bank=500.00', '--credit', 'Equity:Owner Capital=450.00'],
    env,
  );
  assert.equal(unbalanced.code, 1);
  assert.match(unbalanced.stderr, /does not balance: debits £500\.00, credits £450\.00/);
  assert.match(
    await cli([...capital, '--debit', 'Assets:Bank=500.00', '--credit', 'Equity:Owner Capital=500.00']),
    /Booked "Capital put in" on 2026-11-05/,
  );

  const { rows: span } = await db.query(
    `select to_char(min(entry_date), 'YYYY-MM-DD') as first, to_char(max(entry_date), 'YYYY-MM-DD') as last from ledger_entries`,
  );
  const { first, last } = span[0] as { first: string; last: string };
  const journal = path.join(dataDir, 'books.journal');
  await cli(['ledger', 'export', '--format', 'hledger', '--from', first, '--to', last, '--output', journal]);
  await run('hledger', ['-f', journal, 'check', '--strict']);

  const ours = JSON.parse(
    await cli(['ledger', 'report', 'pnl', '--from', first, '--to', last, '--json']),
  ) as {
    net: number;
    revenue: number;
    expenses: number;
  };
  const income = (await run('hledger', ['-f', journal, 'incomestatement', '-O', 'csv'])).stdout;
  const netRow = income.split('\n').find((line) => /^"?Net:?"?,/.test(line));
  assert.ok(netRow, income);
  assert.equal(minor(netRow.split(',').pop()!), ours.net, `hledger net ${netRow} vs ours ${ours.net}`);

  // The balance sheet: every account's balance at the last day, ours against hledger's.
  const sheet = JSON.parse(await cli(['ledger', 'report', 'trial-balance', '--to', last, '--json'])) as {
    lines: { account: string; debit: number; credit: number }[];
    totalDebits: number;
    totalCredits: number;
  };
  assert.equal(sheet.totalDebits, sheet.totalCredits);
  const balances = (
    await run('hledger', ['-f', journal, 'balance', '-O', 'csv', '--layout=bare', '--no-total', '-E'])
  ).stdout
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')));
  const theirs = new Map(balances.map(([account, , amount]) => [account!, minor(amount ?? '0')]));
  for (const line of sheet.lines) {
    assert.equal(theirs.get(line.account) ?? 0, line.debit - line.credit, line.account);
  }
  const balanceSheet = JSON.parse(
    await cli(['ledger', 'report', 'balance-sheet', '--at', last, '--json']),
  ) as {
    totalAssets: number;
    totalLiabilities: number;
    totalEquity: number;
  };
  assert.equal(balanceSheet.totalAssets, balanceSheet.totalLiabilities + balanceSheet.totalEquity);
  // The cash-flow statement explains the change in the bank to the cent, as hledger sees the bank.
  const flow = JSON.parse(
    await cli(['ledger', 'report', 'cash-flow', '--from', first, '--to', last, '--json']),
  ) as { openingCash: number; closingCash: number; netChange: number; netProfit: number };
  assert.equal(flow.openingCash, 0);
  assert.equal(flow.netProfit, ours.net);
  assert.equal(flow.closingCash, theirs.get('Assets:Bank') ?? 0);
  assert.equal(flow.netChange, flow.closingCash - flow.openingCash);
  assert.ok(flow.closingCash > 0, 'payouts reached the bank');
  // The next 90 days start from the cash in the bank and add up week by week.
  const projection = JSON.parse(await cli(['ledger', 'report', 'projection', '--json'])) as {
    openingCash: number;
    closingCash: number;
    weeks: { moneyIn: number; moneyOut: number }[];
    items: { kind: string }[];
  };
  assert.equal(projection.weeks.length, 13);
  assert.ok(projection.items.some((item) => item.kind === 'takings'));
  assert.equal(
    projection.closingCash,
    projection.openingCash + projection.weeks.reduce((sum, week) => sum + week.moneyIn - week.moneyOut, 0),
  );

  // Settled items leave clearing: what Shopify Payments clearing holds is exactly what was taken and
  // not yet paid out (charges less refunds outside a paid payout).
  const unsettled = await count(
    `select coalesce(sum(case when kind = 'refund' then -amount_shop_minor else amount_shop_minor end), 0)
       - (select coalesce(sum(b.amount_minor), 0) from shop_balance_transactions b
          join shop_payouts p on p.id = b.payout_id where p.status = 'paid' and b.type in ('charge', 'refund')) as n
     from shop_transactions
     where gateway = 'shopify_payments' and status = 'success' and not test and kind in ('sale', 'capture', 'refund')`,
  );
  const clearing = sheet.lines.find((line) => line.account === 'Assets:Clearing:Shopify Payments')!;
  assert.equal(clearing.debit - clearing.credit, unsettled);

  // Shopify Payments clearing ends at zero for every payout: what each takes out of clearing is what
  // its charges and refunds put in.
  const { rows: perPayout } = await db.query(
    `select p.id,
       (select coalesce(sum(b.amount_minor), 0) from shop_balance_transactions b
         where b.payout_id = p.id and b.type in ('charge', 'refund')) as settled,
       (select coalesce(-sum(x.amount_minor), 0) from ledger_entries e join ledger_postings x on x.entry_id = e.id
         where e.source_key = 'payout:' || p.id and x.account_code = 'Assets:Clearing:Shopify Payments') as cleared
     from shop_payouts p where p.status = 'paid' and p.currency = 'GBP'`,
  );
  assert.ok(perPayout.length > 5);
  for (const row of perPayout) assert.equal(Number(row.cleared), Number(row.settled), `payout ${row.id}`);

  // A bank statement of the sandbox's payouts (each the day after Shopify issued it, as the bank shows
  // it), the expense and the capital: it reconciles fully.
  const { rows: payouts } = await db.query(
    `select id, to_char((issued_at at time zone 'Europe/London')::date + 1, 'DD/MM/YYYY') as day, net_minor
     from shop_payouts where status = 'paid' and currency = 'GBP' and net_minor <> 0 order by issued_at`,
  );
  const pounds = (minor: number) => (minor / 100).toFixed(2);
  const statement = [
    'Date,Description,Reference,Paid out,Paid in',
    '02/11/2026,ROYAL MAIL GROUP LTD,,12.00,',
    '05/11/2026,OWNER TRANSFER,,,500.00',
    ...payouts.map((payout) =>
      Number(payout.net_minor) > 0
        ? `${payout.day},SHOPIFY PAYMENTS UK,${payout.id},,${pounds(Number(payout.net_minor))}`
        : `${payout.day},SHOPIFY PAYMENTS UK,${payout.id},${pounds(-Number(payout.net_minor))},`,
    ),
  ].join('\n');
  const statementFile = path.join(dataDir, 'statement.csv');
  writeFileSync(statementFile, statement);
  const reconciled = JSON.parse(await cli(['ledger', 'import-statement', statementFile, '--json'])) as {
    lines: number;
    matched: number;
    open: number;
  };
  assert.deepEqual(reconciled, {
    ...reconciled,
    lines: payouts.length + 2,
    matched: payouts.length + 2,
    open: 0,
  });

  // Nothing the rules did not know was guessed: anything doubtful is in the review queue, and says why.
  const { rows: waiting } = await db.query(`select kind, reason from ledger_review where status = 'open'`);
  for (const item of waiting) assert.ok(item.reason.length > 10, JSON.stringify(item));
});
