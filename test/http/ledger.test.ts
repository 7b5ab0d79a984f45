// The books over HTTP: the P&L contract, balance sheet, sales tax, exports, the chart and periods,
// who may do what, and the Books page.
import { after, before, test } from 'node:test';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatMoney } from '../../src/platform/money.ts';
import assert from 'node:assert/strict';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import {
  rememberShop,
  sampleOrder,
  samplePayment,
  sampleProduct,
  sampleVariant,
  storeOrders,
  storeProducts,
} from '../support/shop.ts';
import { ledgerOf, shopEventsOf } from '../support/ledger.ts';

const run = promisify(execFile);
let server: TestServer;
let owner: LoggedIn;
let viewer: LoggedIn;

before(async () => {
  // The books' "today" is the last day of the month the tests book in, whatever the machine's date.
  server = await startTestServer({ clock: () => new Date('2026-11-30T12:00:00Z') });
  await rememberShop(server.db.pool);
  owner = await loginAs(server, 'owner');
  viewer = await loginAs(server, 'viewer');
  // Two orders (one paid by card), booked from the events the shop wrote.
  await storeOrders(
    server.db.pool,
    { order: sampleOrder({ financialStatus: 'paid' }), transactions: [samplePayment()] },
    { order: sampleOrder({ id: 5_550_000_000_002, name: '#1002' }) },
  );
  await ledgerOf(server).ledger.post(await shopEventsOf(server.db.pool)());
});
after(() => server.close());

const get = (url: string, who: LoggedIn = viewer, accept = 'application/json') =>
  server.app.inject({ method: 'GET', url, headers: { cookie: who.cookie, accept } });

test('GET /api/v1/ledger/reports/pnl: revenue, expenses and net in minor units with the currency', async () => {
  const response = await get('/api/v1/ledger/reports/pnl?from=2026-11-01&to=2026-11-30');
  assert.equal(response.statusCode, 200);
  const pnl = response.json();
  assert.deepEqual([pnl.revenue, pnl.expenses, pnl.net, pnl.currency], [5656, 0, 5656, 'GBP']);
  assert.deepEqual(
    pnl.income.map((line: { account: string; amount: number }) => [line.account, line.amount]),
    [
      ['Income:Sales', 4998],
      ['Income:Shipping', 658],
    ],
  );
  const compared = (
    await get(
      '/api/v1/ledger/reports/pnl?from=2026-11-01&to=2026-11-30&compareFrom=2026-10-01&compareTo=2026-10-31',
    )
  ).json();
  assert.equal(compared.comparison.net, 0);
  const backwards = await get('/api/v1/ledger/reports/pnl?from=2026-11-30&to=2026-11-01');
  assert.equal(backwards.statusCode, 400);
  assert.match(backwards.json().error.message, /from \(2026-11-30\) is after to/);
  const notADay = await get('/api/v1/ledger/reports/pnl?from=2026-02-30&to=2026-03-01');
  assert.equal(notADay.statusCode, 400);
  assert.match(notADay.json().error.message, /2026-02-30/);
});

test('balance sheet balances; sales tax by jurisdiction; trial balance debits equal credits', async () => {
  const sheet = (await get('/api/v1/ledger/reports/balance-sheet?at=2026-11-30')).json();
  assert.equal(sheet.totalAssets, sheet.totalLiabilities + sheet.totalEquity);
  assert.equal(sheet.totalAssets, 3394 * 2);
  const tax = (await get('/api/v1/ledger/reports/sales-tax?from=2026-11-01&to=2026-11-30')).json();
  assert.deepEqual(tax.lines, [{ jurisdiction: 'GB GB VAT', collected: 1132, refunded: 0, owed: 1132 }]);
  const trial = (await get('/api/v1/ledger/reports/trial-balance?from=2026-11-01&to=2026-11-30')).json();
  assert.equal(trial.totalDebits, trial.totalCredits);
  const ledger = (
    await get(
      '/api/v1/ledger/reports/general-ledger?account=Assets:Shopify%20Receivable&from=2026-11-01&to=2026-11-30',
    )
  ).json();
  assert.deepEqual(
    ledger.postings.map((p: { source: { type: string; id: string }; balance: number }) => [
      p.source.type,
      p.balance,
    ]),
    [
      ['order', 3394],
      ['order', 6788],
      ['payment', 3394],
    ],
  );
});

test('exports: an hledger journal and CSV, as downloads', async () => {
  const journal = await get('/api/v1/ledger/export?format=hledger&from=2026-11-01&to=2026-11-30');
  assert.equal(journal.statusCode, 200);
  assert.match(
    journal.headers['content-disposition'] as string,
    /shopkeep-books-2026-11-01-to-2026-11-30\.journal/,
  );
  assert.match(journal.body, /^decimal-mark \.$/m);
  assert.match(journal.body, /^2026-11-20 \* Shopify order #1001 {2}; source:order:5550000000001/m);
  assert.match(journal.body, /^ {4}Income:Sales {2}-24\.99 GBP$/m);
  const csv = await get('/api/v1/ledger/export?format=csv&from=2026-11-01&to=2026-11-30');
  assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  const rows = csv.body.trim().split('\n');
  assert.equal(
    rows[0],
    'date,entry,description,source_type,source_id,account,debit,credit,currency,jurisdiction',
  );
  assert.ok(rows.some((row) => row.includes('Liabilities:Sales Tax Payable,,5.66,GBP,GB GB VAT')));
});

test('the chart can grow and be renamed by the owner only; periods close for the owner only', async () => {
  const accounts = (await get('/api/v1/ledger/accounts')).json().accounts;
  assert.ok(accounts.some((a: { code: string }) => a.code === 'Assets:Clearing:Shopify Payments'));
  const asViewer = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/accounts',
    headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
    payload: { code: 'Expenses:Salon Samples', name: 'Samples for salons' },
  });
  assert.equal(asViewer.statusCode, 403);
  const added = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/accounts',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: { code: 'Expenses:Salon Samples', name: 'Samples for salons' },
  });
  assert.equal(added.statusCode, 201);
  assert.equal(added.json().account.type, 'expense');
  const renamed = await server.app.inject({
    method: 'PUT',
    url: '/api/v1/ledger/accounts/Income:Sales',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: { name: 'Product sales' },
  });
  assert.equal(renamed.json().account.name, 'Product sales');
  const badCode = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/accounts',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: { code: 'Stuff:Things', name: 'x' },
  });
  assert.equal(badCode.statusCode, 400);

  const close = (who: LoggedIn, endsOn: string) =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/ledger/periods',
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrf },
      payload: { endsOn },
    });
  assert.equal((await close(viewer, '2026-11-20')).statusCode, 403);
  const closed = await close(owner, '2026-11-20');
  assert.equal(closed.statusCode, 201);
  assert.equal(closed.json().period.entries, 3);
  assert.equal((await close(owner, '2026-11-19')).statusCode, 409);
  assert.equal((await close(owner, '2999-01-01')).statusCode, 400);
  const periods = (await get('/api/v1/ledger/periods')).json();
  assert.deepEqual(periods.verified, [{ endsOn: '2026-11-20', ok: true }]);
});

test('the Books pages: the P&L with its chart, the balance sheet and exports; VAT, review, periods and settings each on its own', async () => {
  const response = await get('/books?from=2026-11-01&to=2026-11-30', viewer, 'text/html');
  assert.equal(response.statusCode, 200);
  assert.match(response.body, /data-testid="pnl-chart"/);
  assert.match(response.body, /data-testid="pnl-net">£56\.56</);
  assert.match(response.body, /format=hledger&amp;from=2026-11-01&amp;to=2026-11-30/);
  // Quick ranges on the report, the one shown marked.
  assert.match(
    response.body,
    /<a href="\/books\?from=2026-11-01&amp;to=2026-11-30" class="current" aria-current="true">This month<\/a>/,
  );
  assert.match(response.body, /<a href="\/books\?from=2026-10-01&amp;to=2026-10-31">Last month<\/a>/);
  // The tabs carry the period to the pages that show one.
  assert.match(response.body, /<a href="\/books\/vat\?from=2026-11-01&amp;to=2026-11-30">VAT<\/a>/);
  const vat = await get('/books/vat?from=2026-11-01&to=2026-11-30', viewer, 'text/html');
  assert.match(vat.body, /<td>United Kingdom: VAT<\/td>/);
  assert.doesNotMatch(vat.body, /GB GB VAT|GB-ENG/, 'one row per tax the shop owes');
  assert.match(vat.body, /<strong>Total<\/strong>/);
  assert.match((await get('/books/review', viewer, 'text/html')).body, /Nothing waits for review/);
  assert.doesNotMatch((await get('/books/periods', viewer, 'text/html')).body, /Close period/); // a viewer cannot close the books
  assert.match((await get('/books/periods', owner, 'text/html')).body, /Close period/);
  // Exchange rates from a form: a bad one is named, a good one listed.
  const rateForm = (rate: string) =>
    server.app.inject({
      method: 'POST',
      url: '/books/fx-rate',
      headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: owner.csrf,
        currency: 'eur',
        day: '2026-11-20',
        rate,
      }).toString(),
    });
  const bad = await rateForm('lots');
  assert.match(
    decodeURIComponent(String(bad.headers.location)),
    /^\/books\/settings\?problem=Not saved: rate "lots"/,
  );
  const typedBack = (await get(String(bad.headers.location), owner, 'text/html')).body;
  assert.match(
    typedBack,
    /name="rate" inputmode="decimal" pattern="[^"]*" placeholder="0\.8571" value="lots"/,
  );
  assert.match(typedBack, /name="currency" maxlength="3" pattern="[^"]*" placeholder="EUR" value="eur"/);
  assert.match(
    decodeURIComponent(String((await rateForm('0.8571')).headers.location)),
    /Saved: 1 EUR = 0\.8571/,
  );
  assert.match(
    (await get('/books/settings', owner, 'text/html')).body,
    /<td>EUR<\/td>\s*<td>20 Nov 2026<\/td>\s*<td>1 EUR = 0\.8571 GBP<\/td>/,
  );
  // An account's line opens its entries, each with the Shopify order it came from.
  assert.match(
    response.body,
    /href="\/books\/account\?code=Income%3ASales&amp;from=2026-11-01&amp;to=2026-11-30"/,
  );
  const sales = await get(
    '/books/account?code=Income%3ASales&from=2026-11-01&to=2026-11-30',
    viewer,
    'text/html',
  );
  assert.equal(sales.statusCode, 200);
  // By the order's name; a sale is a credit to the sales account, in its own column, no minus sign.
  assert.match(
    sales.body,
    /<a href="\/orders\/5550000000001">Order #1001<\/a><\/td><td><\/td><td>£24\.99<\/td>/,
  );
  assert.match(sales.body, /<th>Debit<\/th><th>Credit<\/th>/);
  assert.doesNotMatch(sales.body, /5550000000001<\/a>/, 'no raw id on screen');
  const unknown = await get('/books/account?code=Income%3ANope', viewer, 'text/html');
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.body, /no account "Income:Nope" in the chart/);
  // Product margins: the two Argan Oils sold (VAT included) are £49.98 of sales, none on the books
  // at a cost, so the whole of it is margin.
  const margins = await get('/books/margins?from=2026-11-01&to=2026-11-30', viewer, 'text/html');
  assert.equal(margins.statusCode, 200);
  assert.match(margins.body, /data-testid="margin-chart"/);
  assert.match(margins.body, /<td>Argan Repair Oil - 100 ml<\/td>\s*<td>2<\/td>\s*<td>£49\.98<\/td>/);
});

test('the Stock page: products on the books beside Shopify’s count, goods received from a form, opening stock', async () => {
  await storeProducts(
    server.db.pool,
    sampleProduct({
      title: 'Argan Oil',
      variants: [
        sampleVariant({
          id: 8_800_000_000_101,
          sku: 'ARG-100',
          price: 1800,
          unitCost: 425,
          inventoryQuantity: 7,
        }),
      ],
    }),
  );
  const stockPage = () => get('/books/stock', owner, 'text/html').then((response) => response.body);
  assert.match(await stockPage(), /Argan Oil – 100 ml \(ARG-100\)/); // in the goods-received picker
  const form = (url: string, who: LoggedIn, fields: Record<string, string>) =>
    server.app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: who.csrf, ...fields }).toString(),
    });
  const receive = {
    variantId: '8800000000101',
    date: '2026-11-02',
    quantity: '3',
    unitCost: '4.10',
    supplier: 'Oils Ltd',
    reference: 'INV-77',
  };
  assert.equal((await form('/books/stock/receive', viewer, receive)).statusCode, 403);
  const received = await form('/books/stock/receive', owner, receive);
  assert.equal(received.statusCode, 303);
  assert.match(decodeURIComponent(String(received.headers.location)), /Recorded: 3 received on 2026-11-02/);
  const badCost = await form('/books/stock/receive', owner, { ...receive, unitCost: 'four' });
  assert.match(decodeURIComponent(String(badCost.headers.location)), /Not recorded: unitCost "four"/);
  // The form comes back with what was typed (never the CSRF token), to correct it.
  const back = String(badCost.headers.location);
  assert.doesNotMatch(back, /_csrf/);
  const returned = await get(back, owner, 'text/html');
  assert.match(returned.body, /<p class="notice bad" role="alert">Not recorded: unitCost &quot;four&quot;/);
  assert.match(returned.body, /<option value="8800000000101" selected>/);
  assert.match(returned.body, /name="quantity" min="1" max="1000000" value="3"/);
  assert.match(returned.body, /name="unitCost" inputmode="decimal" pattern="[^"]*" value="four"/);
  assert.match(returned.body, /name="supplier" maxlength="200" value="Oils Ltd"/);
  // Shopify counts 7; the books hold 3: four more open at Shopify's £4.25.
  const opening = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/stock/opening',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
  });
  assert.equal(opening.statusCode, 200, opening.body);
  assert.deepEqual([opening.json().units, opening.json().value], [4, 1700]);
  const valuation = (await get('/api/v1/ledger/reports/stock?at=2026-11-30')).json();
  assert.deepEqual(
    valuation.lines.find((line: { sku: string }) => line.sku === 'ARG-100'),
    {
      variantId: 8_800_000_000_101,
      name: 'Argan Oil – 100 ml',
      sku: 'ARG-100',
      quantity: 7,
      value: 1230 + 1700,
      expiringWithin30Days: 0,
      shopifyCount: 7,
    },
  );
  assert.match(
    await stockPage(),
    /<td>Argan Oil – 100 ml<\/td>\s*<td>ARG-100<\/td>\s*<td><span class="">7<\/span><\/td>/,
  );
  const again = await form('/books/stock/opening', owner, {});
  assert.match(decodeURIComponent(String(again.headers.location)), /opening stock was taken already/);
  assert.match(await stockPage(), /Taken from Shopify's count after the first import: 4 unit\(s\)/);
});

test('an expense: VAT to reclaim split off, paid from the bank; the same one twice is refused', async () => {
  const post = (payload: Record<string, string>) =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/ledger/expenses',
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
      payload,
    });
  const expense = {
    date: '2026-11-24',
    supplier: 'Royal Mail',
    amount: '120.00',
    tax: '20.00',
    account: 'Expenses:Postage',
    reference: 'RM-1',
  };
  const booked = await post(expense);
  assert.equal(booked.statusCode, 201, booked.body);
  assert.ok(booked.json().entryId > 0);
  const again = await post(expense);
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error.message, /already in the books/);
  const wrongAccount = await post({ ...expense, reference: 'RM-2', account: 'Income:Sales' });
  assert.equal(wrongAccount.statusCode, 400);
  assert.match(wrongAccount.json().error.message, /not an expense account/);
  const pnl = (await get('/api/v1/ledger/reports/pnl?from=2026-11-24&to=2026-11-24')).json();
  assert.deepEqual([pnl.expenses, pnl.net], [10000, -10000]);
  const tax = (await get('/api/v1/ledger/reports/sales-tax?from=2026-11-24&to=2026-11-24')).json();
  assert.equal(tax.reclaimable, 2000);
  // Cash: the £120 left the bank; the profit says £100 of it, the VAT to reclaim the other £20.
  const flow = (await get('/api/v1/ledger/reports/cash-flow?from=2026-11-24&to=2026-11-24')).json();
  assert.deepEqual(
    flow.operating.lines.map((line: { account: string; amount: number }) => [line.account, line.amount]),
    [
      ['profit', -10000],
      ['Assets:VAT Reclaimable', -2000],
    ],
  );
  assert.deepEqual([flow.netChange, flow.closingCash - flow.openingCash], [-12000, -12000]);
  const cashPage = await get('/books/cash?from=2026-11-24&to=2026-11-24', viewer, 'text/html');
  assert.equal(cashPage.statusCode, 200);
  assert.match(cashPage.body, /data-testid="cash-change">-£120\.00</);
  assert.match(cashPage.body, /data-testid="projection-chart"/);
});

test('a CSV of expenses is imported whole, or refused whole naming each bad row', async () => {
  const upload = (csv: string) =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/ledger/expenses/import',
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'text/csv' },
      payload: csv,
    });
  const entries = async () =>
    Number((await server.db.pool.query('select count(*) from ledger_entries')).rows[0].count);
  const before = await entries();
  const bad = await upload(
    'date,supplier,amount,tax,account\n2026-11-25,Packaging Co,35.00,5.83,Expenses:Packaging\n2026-11-26,Ads,lots,,Expenses:Advertising\n',
  );
  assert.equal(bad.statusCode, 400);
  assert.match(
    bad.json().error.message,
    /nothing was imported: line 3: amount "lots" is not an amount in GBP/,
  );
  assert.equal(await entries(), before);
  const good =
    'date,supplier,amount,tax,account\n2026-11-25,Packaging Co,35.00,5.83,Expenses:Packaging\n2026-11-26,Meta,50.00,,Expenses:Advertising\n';
  assert.deepEqual((await upload(good)).json(), { imported: 2, alreadyBooked: 0 });
  assert.deepEqual((await upload(good)).json(), { imported: 0, alreadyBooked: 2 });
  assert.equal(await entries(), before + 2);
  const notCsv = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/expenses/import',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: { csv: 'x' },
  });
  assert.equal(notCsv.statusCode, 400);
});

test('the inbox: notices in the API and the dashboard, marked read once seen', async () => {
  const sent = await server.face('notifications').send({
    kind: 'ledger.daily_summary',
    severity: 'info',
    title: 'Yesterday (2026-11-25): £56.56 in sales',
    body: 'Orders: 2',
    dedupeKey: 'test:inbox',
  });
  assert.ok(sent);
  assert.equal(await server.face('notifications').send({ ...sent, dedupeKey: 'test:inbox' }), undefined);
  const unread = (await get('/api/v1/notifications?unread=true')).json();
  assert.deepEqual(
    unread.notifications.map((n: { title: string }) => n.title),
    ['Yesterday (2026-11-25): £56.56 in sales'],
  );
  const page = await get('/inbox', viewer, 'text/html');
  assert.match(page.body, /Yesterday \(2026-11-25\): £56\.56 in sales/);
  assert.match(page.body, /Mark as read/);
  const read = await server.app.inject({
    method: 'POST',
    url: `/api/v1/notifications/${sent.id}/read`,
    headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
  });
  assert.equal(read.statusCode, 204);
  assert.deepEqual((await get('/api/v1/notifications?unread=true')).json().notifications, []);
});

test('reports download as PDF (text that pdftotext reads back) and CSV (plain decimals)', async () => {
  const download = (report: string, format: string, from = '2026-11-01', to = '2026-11-30') =>
    server.app.inject({
      url: `/api/v1/ledger/reports/${report}/download?from=${from}&to=${to}&format=${format}`,
      headers: { cookie: viewer.cookie },
    });
  const pdf = await download('pnl', 'pdf');
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  assert.match(String(pdf.headers['content-disposition']), /shopkeep-pnl-2026-11-01-to-2026-11-30\.pdf/);
  const dir = mkdtempSync(path.join(tmpdir(), 'sk-pdf-'));
  try {
    const file = path.join(dir, 'pnl.pdf');
    writeFileSync(file, pdf.rawPayload);
    const { stdout: info } = await run('pdfinfo', [file]);
    assert.match(info, /Pages:\s+1/);
    assert.match(info, /Title:\s+Profit and loss/);
    const { stdout: text } = await run('pdftotext', ['-layout', file, '-']);
    assert.match(text, /Sandbox Beauty · 2026-11-01 to 2026-11-30 · GBP/);
    assert.match(text, /Product sales\s+£49\.98\s+£0\.00/); // this month beside the month before (renamed above)
    const { net } = (await get('/api/v1/ledger/reports/pnl?from=2026-11-01&to=2026-11-30')).json();
    const shown = formatMoney(net, 'GBP').replace('.', '\\.');
    assert.match(text, new RegExp(`Net profit\\s+${shown}\\s`));
    // Every report makes a PDF that poppler reads without complaint.
    for (const report of ['balance-sheet', 'cash-flow', 'trial-balance', 'sales-tax', 'margins', 'stock']) {
      const response = await download(report, 'pdf');
      assert.equal(response.statusCode, 200, report);
      writeFileSync(file, response.rawPayload);
      const checked = await run('pdftotext', [file, '-']);
      assert.equal(checked.stderr, '', report);
      assert.ok(checked.stdout.length > 50, report);
    }
    // The month's management pack: every part in one PDF.
    const pack = await download('management-pack', 'pdf');
    assert.equal(pack.statusCode, 200);
    writeFileSync(file, pack.rawPayload);
    const { stdout: packText } = await run('pdftotext', ['-layout', file, '-']);
    for (const part of [
      'Management pack',
      'Profit and loss: Income',
      'Balance sheet',
      'Cash-flow statement',
      'VAT return (UK)',
      'Owed to you',
    ])
      assert.match(packText, new RegExp(part.replace(/[()]/g, '\\$&')), part);
    assert.match(packText, /Net profit\s+-?£\d/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const csv = await download('sales-tax', 'csv');
  assert.equal(csv.statusCode, 200);
  assert.match(csv.headers['content-type'] as string, /^text\/csv/);
  assert.match(csv.body, /^Tax,Collected,Refunded,Owed\r$/m);
  assert.match(csv.body, /^United Kingdom: VAT,[0-9]+\.[0-9]{2},0\.00,[0-9]+\.[0-9]{2}\r$/m);
  const unknown = await download('profits', 'pdf');
  assert.equal(unknown.statusCode, 400);
  const backwards = await download('pnl', 'csv', '2026-11-30', '2026-11-01');
  assert.equal(backwards.statusCode, 400);
  assert.match(backwards.json().error.message, /after to/);
});

test('an expense the books refuse comes back as an error on the form, with what was typed', async () => {
  const posted = await server.app.inject({
    method: 'POST',
    url: '/books/expenses',
    headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      _csrf: owner.csrf,
      date: '2026-11-20',
      supplier: 'Hair & Co',
      description: 'salon towels',
      amount: 'twelve pounds',
      account: 'Expenses:Packaging',
      paidFrom: 'Assets:Bank',
    }).toString(),
  });
  assert.equal(posted.statusCode, 303);
  const back = String(posted.headers.location);
  assert.match(back, /^\/books\/expenses\?problem=Not%20booked/);
  const page = await server.app.inject({ url: back, headers: { cookie: owner.cookie } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<p class="notice bad" role="alert">Not booked: [^<]*amount/);
  assert.match(page.body, /name="supplier" maxlength="200" value="Hair &amp; Co"/);
  assert.match(page.body, /name="description" maxlength="500" value="salon towels"/);
  assert.match(page.body, /value="twelve pounds"/);
  assert.match(page.body, /<option value="Expenses:Packaging" selected>/);
});

test('the cash projection pays what is known to fall due: the quarter’s VAT on its day, and the card balance', async () => {
  const paid = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/expenses',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: {
      date: '2026-11-25',
      supplier: 'Canva',
      amount: '10.99',
      account: 'Expenses:Software',
      paidFrom: 'Liabilities:Credit Card',
      reference: 'CANVA-11',
    },
  });
  assert.equal(paid.statusCode, 201, paid.body);
  const projection = (await get('/api/v1/ledger/reports/cash-projection')).json();
  const items = projection.items as { date: string; kind: string; description: string; amount: number }[];
  // Today is 30 November: the card is paid off with its next statement, a month on.
  assert.deepEqual(
    items.filter((item) => item.kind === 'card'),
    [
      {
        date: '2026-12-30',
        kind: 'card',
        description: 'Credit card: what is owed today, paid off with the next statement',
        amount: -1099,
      },
    ],
  );
  // The quarter to 31 December is due on 7 February, inside the 90 days, at its pace so far. These
  // books reclaim more VAT on their expenses than their few sales collected: HMRC repays it.
  const vat = items.filter((item) => item.kind === 'vat');
  assert.equal(vat.length, 1, JSON.stringify(vat));
  assert.equal(vat[0]!.date, '2027-02-07');
  assert.equal(vat[0]!.description, 'VAT repaid by HMRC for the quarter to 2026-12-31 (at the pace so far)');
  assert.ok(vat[0]!.amount > 0, 'money in');
});
