// Manual journals over HTTP (issue 13): the contract (201 with the entry; 422 naming the problem when
// the lines do not balance or the period is closed), a document kept with the entry, opening balances
// against equity, and monthly journals that post each month once, catching up after a gap.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { rememberShop } from '../support/shop.ts';

let server: TestServer;
let owner: LoggedIn;
let viewer: LoggedIn;

before(async () => {
  server = await startTestServer({ clock: () => new Date('2026-11-30T12:00:00Z') });
  await rememberShop(server.db.pool);
  owner = await loginAs(server, 'owner');
  viewer = await loginAs(server, 'viewer');
});
after(() => server.close());

const send = (method: 'POST' | 'GET' | 'DELETE', url: string, body?: unknown, who: LoggedIn = owner) =>
  server.app.inject({
    method,
    url,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, accept: 'application/json' },
    ...(body === undefined ? {} : { payload: body as object }),
  });

const balance = async (account: string, at = '2026-11-30') => {
  const sheet = (await send('GET', `/api/v1/ledger/reports/trial-balance?from=2020-01-01&to=${at}`)).json();
  const line = sheet.lines.find((each: { account: string }) => each.account === account);
  return line ? line.debit - line.credit : 0;
};

test('POST /api/v1/ledger/journals books balanced lines and answers 201 with the entry', async () => {
  // The quarter's VAT paid to HMRC: the liability down, the bank down.
  const response = await send('POST', '/api/v1/ledger/journals', {
    date: '2026-11-07',
    memo: 'VAT paid to HMRC for the quarter to 30 September',
    lines: [
      { account: 'Liabilities:Sales Tax Payable', debit: 184_250 },
      { account: 'Assets:Bank', credit: 184_250 },
    ],
    document: {
      name: 'hmrc-receipt.pdf',
      contentType: 'application/pdf',
      base64: Buffer.from('%PDF-1.4 receipt').toString('base64'),
    },
  });
  assert.equal(response.statusCode, 201, response.body);
  const { entry } = response.json();
  assert.equal(entry.memo, 'VAT paid to HMRC for the quarter to 30 September');
  assert.deepEqual(entry.lines, [
    { account: 'Liabilities:Sales Tax Payable', debit: 184_250, credit: 0 },
    { account: 'Assets:Bank', debit: 0, credit: 184_250 },
  ]);
  assert.deepEqual(entry.document, { name: 'hmrc-receipt.pdf', contentType: 'application/pdf' });
  assert.equal(await balance('Assets:Bank'), -184_250);
  const document = await send('GET', `/api/v1/ledger/journals/${entry.entryId}/document`, undefined, viewer);
  assert.equal(document.statusCode, 200);
  assert.equal(document.headers['content-type'], 'application/pdf');
  assert.equal(document.body, '%PDF-1.4 receipt');
  const listed = (await send('GET', '/api/v1/ledger/journals', undefined, viewer)).json();
  assert.equal(listed.journals[0].entryId, entry.entryId);
});

test('a journal that does not balance, names an unknown account or falls in a closed period is a 422 saying so; nothing is booked', async () => {
  const before = await balance('Equity:Owner Capital');
  const unbalanced = await send('POST', '/api/v1/ledger/journals', {
    date: '2026-11-10',
    memo: 'Capital put in',
    lines: [
      { account: 'Assets:Bank', debit: 500_000 },
      { account: 'Equity:Owner Capital', credit: 450_000 },
    ],
  });
  assert.equal(unbalanced.statusCode, 422);
  assert.equal(unbalanced.json().error.code, 'unprocessable');
  assert.match(
    unbalanced.json().error.message,
    /does not balance: debits £5,000\.00, credits £4,500\.00 \(£500\.00 apart\)/,
  );
  const unknown = await send('POST', '/api/v1/ledger/journals', {
    date: '2026-11-10',
    memo: 'Drawings',
    lines: [
      { account: 'Equity:Drawings Typo', debit: 10_000 },
      { account: 'Assets:Bank', credit: 10_000 },
    ],
  });
  assert.equal(unknown.statusCode, 422);
  assert.match(unknown.json().error.message, /line 1: "Equity:Drawings Typo" is not an account in the chart/);
  const both = await send('POST', '/api/v1/ledger/journals', {
    date: '2026-11-10',
    memo: 'Drawings',
    lines: [
      { account: 'Equity:Owner Capital', debit: 10_000, credit: 10_000 },
      { account: 'Assets:Bank', credit: 10_000 },
    ],
  });
  assert.equal(both.statusCode, 422);
  assert.match(both.json().error.message, /line 1: give a debit or a credit, not both/);
  const notADay = await send('POST', '/api/v1/ledger/journals', {
    date: '2026-02-30',
    memo: 'x',
    lines: [
      { account: 'Assets:Bank', debit: 1 },
      { account: 'Equity:Owner Capital', credit: 1 },
    ],
  });
  assert.equal(notADay.statusCode, 400);
  assert.match(notADay.json().error.message, /2026-02-30/);
  assert.equal((await send('POST', '/api/v1/ledger/periods', { endsOn: '2026-10-31' })).statusCode, 201);
  const closed = await send('POST', '/api/v1/ledger/journals', {
    date: '2026-10-15',
    memo: 'Depreciation for October',
    lines: [
      { account: 'Expenses:General', debit: 2_500 },
      { account: 'Assets:Bank', credit: 2_500 },
    ],
  });
  assert.equal(closed.statusCode, 422);
  assert.match(
    closed.json().error.message,
    /closed up to 2026-10-31: a journal dated 2026-10-15 cannot go in\. Date it 2026-11-01 or later/,
  );
  assert.equal(await balance('Equity:Owner Capital'), before, 'nothing was booked');
  // A viewer cannot book.
  const viewing = await send(
    'POST',
    '/api/v1/ledger/journals',
    { date: '2026-11-10', memo: 'x', lines: [] },
    viewer,
  );
  assert.equal(viewing.statusCode, 403);
});

test('the same reference twice books once; opening balances balance against equity', async () => {
  const journal = {
    date: '2026-11-12',
    memo: 'PayPal withdrawal to the bank',
    reference: 'PP-WD-2026-11-12',
    lines: [
      { account: 'Assets:Bank', debit: 30_000 },
      { account: 'Assets:Clearing:PayPal', credit: 30_000 },
    ],
  };
  assert.equal((await send('POST', '/api/v1/ledger/journals', journal)).statusCode, 201);
  const again = await send('POST', '/api/v1/ledger/journals', journal);
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error.message, /PP-WD-2026-11-12" is already in the books/);
  const opening = await send('POST', '/api/v1/ledger/opening-balances', {
    date: '2026-11-01',
    lines: [
      { account: 'Assets:Inventory', debit: 120_000 },
      { account: 'Liabilities:Credit Card', credit: 15_000 },
    ],
  });
  assert.equal(opening.statusCode, 201, opening.body);
  assert.deepEqual(opening.json().entry.lines.at(-1), {
    account: 'Equity:Opening Balances',
    debit: 0,
    credit: 105_000,
  });
});

test('a monthly journal posts each month once from its start, catching up, and stops when told', async () => {
  const created = await send('POST', '/api/v1/ledger/journals/recurring', {
    memo: 'Rent for the unit',
    dayOfMonth: 1,
    startsOn: '2026-11-01',
    lines: [
      { account: 'Expenses:General', debit: 45_000 },
      { account: 'Assets:Bank', credit: 45_000 },
    ],
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().recurring.nextOn, '2026-12-01');
  // November's rent (due on the 1st, before today) is booked at once; running again books nothing more.
  const rent = async () =>
    (await send('GET', '/api/v1/ledger/journals'))
      .json()
      .journals.filter((j: { memo: string }) => j.memo === 'Rent for the unit');
  assert.deepEqual(
    (await rent()).map((j: { date: string }) => j.date),
    ['2026-11-01'],
  );
  const { ledger } = (await import('../support/ledger.ts')).ledgerOf(server);
  assert.equal(await ledger.journals.postDue('2026-11-30'), 0);
  // A Pi off over New Year catches up December and January on one run, each once.
  assert.equal(await ledger.journals.postDue('2027-01-05'), 2);
  assert.equal(await ledger.journals.postDue('2027-01-05'), 0);
  const { id } = created.json().recurring;
  assert.equal((await send('DELETE', `/api/v1/ledger/journals/recurring/${id}`)).statusCode, 204);
  assert.equal(await ledger.journals.postDue('2027-03-05'), 0);
  const listed = (await send('GET', '/api/v1/ledger/journals/recurring', undefined, viewer)).json();
  assert.equal(listed.recurring[0].nextOn, null);
  const bad = await send('POST', '/api/v1/ledger/journals/recurring', {
    memo: 'Loan repayment',
    dayOfMonth: 15,
    startsOn: '2026-12-01',
    lines: [
      { account: 'Liabilities:Loan', debit: 20_000 },
      { account: 'Assets:Bank', credit: 20_000 },
    ],
  });
  assert.equal(bad.statusCode, 422);
  assert.match(bad.json().error.message, /"Liabilities:Loan" is not an account/);
});

test('the Journals page books a journal from its form; one that does not balance comes back with what was typed', async () => {
  const form = (fields: Record<string, string>) =>
    server.app.inject({
      method: 'POST',
      url: '/books/journals',
      headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: owner.csrf, ...fields }).toString(),
    });
  const drawings = {
    date: '2026-11-20',
    memo: 'Drawings for November',
    account0: 'Equity:Owner Capital',
    debit0: '250.00',
    account1: 'Assets:Bank',
    credit1: '250.00',
  };
  const booked = await form(drawings);
  assert.equal(booked.statusCode, 303);
  assert.match(
    decodeURIComponent(booked.headers.location as string),
    /Booked "Drawings for November" on 2026-11-20/,
  );
  const unbalanced = await form({ ...drawings, memo: 'Drawings again', credit1: '240.00' });
  const back = decodeURIComponent(String(unbalanced.headers.location).replace(/\+/g, ' '));
  assert.match(back, /problem=the journal does not balance: debits £250\.00, credits £240\.00/);
  assert.match(back, /memo=Drawings again/);
  assert.doesNotMatch(back, /_csrf/);
  const shown = await server.app.inject({
    url: String(unbalanced.headers.location),
    headers: { cookie: owner.cookie, accept: 'text/html' },
  });
  assert.match(shown.body, /value="Drawings again"/);
  assert.match(shown.body, /value="240.00"/);
  const listing = await server.app.inject({ url: '/books/journals', headers: { cookie: viewer.cookie } });
  assert.match(listing.body, /Drawings for November/);
  assert.match(listing.body, /Equity:Owner Capital: £250\.00 debit/);
  assert.match(listing.body, /hmrc-receipt\.pdf/);
});

test('the VAT return: boxes over the API, on the VAT page, filed by the owner and then kept', async () => {
  const vat = await send(
    'GET',
    '/api/v1/ledger/reports/vat-return?from=2026-11-01&to=2026-11-30',
    undefined,
    viewer,
  );
  assert.equal(vat.statusCode, 200, vat.body);
  for (const box of ['box1', 'box2', 'box3', 'box4', 'box5', 'box6', 'box7', 'box8', 'box9'])
    assert.equal(typeof vat.json()[box], 'number', box);
  assert.equal(vat.json().box1, 0, 'the VAT paid to HMRC by journal is in no box');
  const bad = await send(
    'GET',
    '/api/v1/ledger/reports/vat-return?from=2026-11-31&to=2026-12-01',
    undefined,
    viewer,
  );
  assert.equal(bad.statusCode, 400);
  const viewing = await server.app.inject({
    url: '/books/vat?from=2026-11-01&to=2026-11-30',
    headers: { cookie: viewer.cookie },
  });
  assert.match(viewing.body, /VAT return \(UK\)/);
  assert.match(viewing.body, /Box 6: sales before VAT/);
  assert.doesNotMatch(viewing.body, /Mark this return as filed/, 'a viewer cannot file');
  assert.equal(
    (await send('POST', '/api/v1/ledger/vat-returns', { from: '2026-11-01', to: '2026-11-30' }, viewer))
      .statusCode,
    403,
  );
  const filed = await server.app.inject({
    method: 'POST',
    url: '/books/vat-return',
    headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: owner.csrf, from: '2026-11-01', to: '2026-11-30' }).toString(),
  });
  assert.equal(filed.statusCode, 303);
  assert.match(decodeURIComponent(String(filed.headers.location)), /is filed/);
  const after = await server.app.inject({
    url: '/books/vat?from=2026-11-01&to=2026-11-30',
    headers: { cookie: owner.cookie },
  });
  assert.match(after.body, /Filed .* by owner/);
  const again = await send('POST', '/api/v1/ledger/vat-returns', { from: '2026-11-15', to: '2026-12-15' });
  assert.equal(again.statusCode, 409);
  assert.equal((await send('GET', '/api/v1/ledger/vat-returns', undefined, viewer)).json().returns.length, 1);
});

test('a bank statement: lines matched to the journals that booked them, one booked from the line, one set aside', async () => {
  const csv = [
    'Date,Description,Reference,Paid out,Paid in',
    '01/11/2026,UNIT RENT LTD,,450.00,',
    '07/11/2026,HMRC VAT,,"1,842.50",',
    '13/11/2026,PAYPAL WITHDRAWAL,PP-WD-2026-11-12,,300.00',
    '25/11/2026,ACCOUNT FEE,,5.00,',
    '26/11/2026,TO SAVINGS,,100.00,',
  ].join('\n');
  const imported = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/bank/statements?name=November',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'text/csv' },
    payload: csv,
  });
  assert.equal(imported.statusCode, 201, imported.body);
  assert.deepEqual(
    [imported.json().format, imported.json().lines, imported.json().matched, imported.json().open],
    ['csv', 5, 3, 2],
  );
  // The same file again: nothing twice.
  const again = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/bank/statements',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'text/csv' },
    payload: csv,
  });
  assert.deepEqual([again.json().lines, again.json().alreadyImported], [0, 5]);
  const state = (await send('GET', '/api/v1/ledger/bank', undefined, viewer)).json();
  assert.deepEqual(
    state.openLines.map((line: { description: string }) => line.description),
    ['ACCOUNT FEE', 'TO SAVINGS'],
  );
  assert.ok(
    state.notOnStatement.some(
      (movement: { description: string }) => movement.description === 'Drawings for November',
    ),
    'the drawings are in the books, on no statement yet',
  );
  const [fee, savings] = state.openLines;
  const booked = await send('POST', `/api/v1/ledger/bank/lines/${fee.id}/book`, {
    account: 'Expenses:General',
  });
  assert.equal(booked.statusCode, 201, booked.body);
  assert.equal((await send('POST', `/api/v1/ledger/bank/lines/${savings.id}/ignore`)).statusCode, 204);
  assert.equal((await send('POST', `/api/v1/ledger/bank/lines/${savings.id}/ignore`)).statusCode, 409);
  const after = (await send('GET', '/api/v1/ledger/bank', undefined, viewer)).json();
  assert.deepEqual([after.openLines.length, after.matched], [0, 4]);
  const wrong = await send('POST', `/api/v1/ledger/bank/lines/${fee.id}/match`, {
    entryId: booked.json().entryId,
  });
  assert.equal(wrong.statusCode, 409);
  const broken = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/bank/statements',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'text/csv' },
    payload: 'When,What\n2026-11-01,x\n',
  });
  assert.equal(broken.statusCode, 422);
  assert.match(broken.json().error.message, /cannot tell which columns/);
  const page = await server.app.inject({ url: '/books/bank', headers: { cookie: viewer.cookie } });
  assert.match(page.body, /Every line is reconciled/);
  assert.match(page.body, /Drawings for November/);
});

test('exports Xero and QuickBooks take: a summary journal a month that balances, VAT on its own lines', async () => {
  const { parseCsv } = await import('../../src/platform/documents/csv-parser.ts');
  const download = async (format: string) => {
    const response = await send(
      'GET',
      `/api/v1/ledger/export?format=${format}&from=2026-11-01&to=2026-11-30`,
      undefined,
      viewer,
    );
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-disposition']), new RegExp(`\\.${format}\\.csv"$`));
    return parseCsv(response.body).map((row) => row.fields);
  };
  const pence = (text: string) => Math.round(Number(text || '0') * 100);
  const [xeroHeader, ...xero] = await download('xero');
  assert.deepEqual(xeroHeader, ['Narration', 'Date', 'Description', 'AccountCode', 'TaxRate', 'Amount']);
  assert.ok(xero.length > 3);
  assert.ok(
    xero.every((row) => row[0] === 'shopkeep 2026-11' && row[1] === '30/11/2026' && row[4] === 'No VAT'),
  );
  assert.equal(
    xero.reduce((sum, row) => sum + pence(row[5]!), 0),
    0,
    'the journal balances',
  );
  const bank = xero.find((row) => row[3] === 'Assets:Bank');
  assert.ok(bank && pence(bank[5]!) < 0);
  const [qbHeader, ...quickbooks] = await download('quickbooks');
  assert.deepEqual(qbHeader, [
    'JournalNo',
    'JournalDate',
    'AccountName',
    'Debits',
    'Credits',
    'Description',
    'Currency',
  ]);
  assert.equal(
    quickbooks.reduce((sum, row) => sum + pence(row[3]!), 0),
    quickbooks.reduce((sum, row) => sum + pence(row[4]!), 0),
  );
  const bad = await send(
    'GET',
    '/api/v1/ledger/export?format=sage&from=2026-11-01&to=2026-11-30',
    undefined,
    viewer,
  );
  assert.equal(bad.statusCode, 400);
});

test('a supplier bill: lines with their VAT and carriage owed until paid; aged while it waits', async () => {
  const bill = {
    supplier: 'Salon Supplies Ltd',
    reference: 'INV-7781',
    date: '2026-11-02',
    dueOn: '2026-11-16',
    lines: [
      { account: 'Expenses:Packaging', net: 12_000, vat: 2_400, description: 'mailer boxes' },
      { account: 'Expenses:General', net: 5_000, vat: 1_000 },
    ],
    carriage: { net: 800, vat: 160 },
  };
  const created = await send('POST', '/api/v1/ledger/bills', bill);
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().bill.gross, 21_360);
  assert.equal((await send('POST', '/api/v1/ledger/bills', bill)).statusCode, 409);
  const stock = await send('POST', '/api/v1/ledger/bills', {
    ...bill,
    reference: 'INV-7782',
    lines: [{ account: 'Assets:Inventory', net: 100 }],
  });
  assert.equal(stock.statusCode, 400);
  assert.match(stock.json().error.message, /goods for resale go in as goods received/);
  assert.equal(await balance('Liabilities:Suppliers'), -21_360);
  const aged = (await send('GET', '/api/v1/ledger/bills/aged?at=2026-11-30', undefined, viewer)).json();
  assert.deepEqual(aged.bands, [0, 21_360, 0, 0], 'fourteen days late');
  assert.equal(aged.bills[0].daysOverdue, 14);
  const { id } = created.json().bill;
  const paid = await send('POST', `/api/v1/ledger/bills/${id}/pay`, { date: '2026-11-28' });
  assert.equal(paid.statusCode, 200, paid.body);
  assert.equal(await balance('Liabilities:Suppliers'), 0);
  assert.equal(
    (await send('GET', '/api/v1/ledger/bills/aged?at=2026-11-30', undefined, viewer)).json().total,
    0,
  );
  assert.equal(
    (await send('POST', `/api/v1/ledger/bills/${id}/pay`, { date: '2026-11-29' })).statusCode,
    409,
  );
});
