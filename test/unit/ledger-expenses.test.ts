// Expenses from a spreadsheet: RFC 4180 CSV, every bad row named by its line, nothing half-read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/platform/documents/csv-parser.ts';
import { ExpenseError, expenseEntry, readExpensesCsv } from '../../src/modules/ledger/expenses.ts';

const chart = new Map([
  ['Expenses:General', 'expense'],
  ['Expenses:Postage', 'expense'],
  ['Assets:Bank', 'asset'],
  ['Liabilities:Credit Card', 'liability'],
  ['Income:Sales', 'income'],
]);

test('CSV: quotes, doubled quotes, commas and line breaks inside fields, CRLF, a BOM, blank lines', () => {
  const rows = parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n\r\nlast,,\n');
  assert.deepEqual(
    rows.map((row) => [row.line, row.fields]),
    [
      [1, ['a', 'b', 'c']],
      [2, ['x, y', 'say "hi"', 'two\nlines']],
      [5, ['last', '', '']],
    ],
  );
  assert.throws(() => parseCsv('a,b\n"open,b\n'), /line 2: a quoted field is never closed/);
});

test('a good file becomes expenses: VAT split off to reclaim, paid from the bank unless it says otherwise', () => {
  const [postage, card] = readExpensesCsv(
    'date,supplier,description,amount,tax,account,paid_from,reference\n' +
      '2026-11-03,Royal Mail,Postage for November,120.00,20.00,Expenses:Postage,,RM-118\n' +
      '2026-11-04,Canva,Design tool,10.99,,,Liabilities:Credit Card,\n',
    'GBP',
    chart,
  );
  assert.deepEqual(
    expenseEntry(postage!, 'GBP').postings.map((p) => [p.account, p.amount]),
    [
      ['Expenses:Postage', 10000],
      ['Assets:VAT Reclaimable', 2000],
      ['Assets:Bank', -12000],
    ],
  );
  assert.deepEqual(
    expenseEntry(card!, 'GBP').postings.map((p) => [p.account, p.amount]),
    [
      ['Expenses:General', 1099],
      ['Liabilities:Credit Card', -1099],
    ],
  );
});

test('a file with bad rows is refused whole, every bad row named with its line and reason', () => {
  const csv =
    'date,supplier,amount,tax,account\n' +
    '2026-11-03,Royal Mail,120.00,20.00,Expenses:Postage\n' +
    '2026-02-30,Packaging Co,35.00,,\n' +
    '2026-11-05,,12.00,,\n' +
    '2026-11-06,Printer,12.3.4,,\n' +
    '2026-11-07,Refund?,-5.00,,\n' +
    '2026-11-08,Ads,50.00,60.00,Income:Sales\n' +
    '2026-11-03,Royal Mail,120.00,20.00,Expenses:Postage\n' +
    '2026-11-09,Short row\n';
  try {
    readExpensesCsv(csv, 'GBP', chart);
    assert.fail('the file was accepted');
  } catch (error) {
    assert.ok(error instanceof ExpenseError);
    const text = error.problems.join('\n');
    assert.match(text, /line 3: date "2026-02-30" is not a date/);
    assert.match(text, /line 4: supplier is empty/);
    assert.match(text, /line 5: amount "12\.3\.4" is not an amount in GBP/);
    assert.match(text, /line 6: amount must be more than zero/);
    assert.match(text, /line 7: tax must be between zero and the amount/);
    assert.match(text, /line 7: account "Income:Sales" is not an expense account/);
    assert.match(text, /line 8: the same expense as line 2/);
    assert.match(text, /line 9: 2 fields where the header has 5/);
    assert.doesNotMatch(text, /line 2:/);
  }
  assert.throws(
    () => readExpensesCsv('when,who,how much\n1,2,3\n', 'GBP', chart),
    /header lacks date, supplier, amount/,
  );
  assert.throws(() => readExpensesCsv('', 'GBP', chart), /empty/);
});

test('a receipt read from its text: supplier, day/month/year date, invoice, lines, VAT and total, checked', async () => {
  const { checkReceipt, fieldsFromText } = await import('../../src/modules/ledger/receipt-text.ts');
  const text = [
    'PACKRIGHT SUPPLIES LTD',
    '12 Mill Lane, Leeds LS1 4AB',
    'Date: 14/11/2026',
    'Invoice: PR-20931',
    'Mailer boxes x50 £30.00',
    'Tissue paper x200 £12.00',
    'Labels roll £6.00',
    'Subtotal £48.00',
    'VAT 20% £9.60',
    'TOTAL £57.60',
    'Paid by card. Thank you!',
  ].join('\n');
  const fields = fieldsFromText(text);
  assert.deepEqual(
    { ...fields, lines: fields.lines.length },
    {
      supplier: 'PACKRIGHT SUPPLIES LTD',
      date: '2026-11-14',
      invoice: 'PR-20931',
      total: '57.60',
      subtotal: '48.00',
      tax: '9.60',
      taxRate: '20',
      lines: 3,
    },
  );
  assert.deepEqual(checkReceipt(fields), { total: 5760, tax: 960, problems: [] });
  // VAT included in the lines (a till receipt) adds up too.
  assert.deepEqual(
    checkReceipt(fieldsFromText('Corner Shop\n01/12/2026\nTape £6.00\nVAT 20% £1.00\nTOTAL £6.00')).problems,
    [],
  );
  const wrong = checkReceipt({ ...fields, tax: '12.00' });
  assert.ok(wrong.problems.some((problem) => /do not make the total/.test(problem)));
  assert.ok(wrong.problems.some((problem) => /is not 20%/.test(problem)));
  const offByLines = checkReceipt({ ...fields, subtotal: '50.00', total: '59.60', tax: '9.60' });
  assert.ok(
    offByLines.problems.some((problem) =>
      /lines add up to 48\.00, neither the subtotal 50\.00 nor the total 59\.60/.test(problem),
    ),
  );
  // A till receipt that prints its lines with VAT in them, then the subtotal without: £46.40 of
  // lines, subtotal £38.67, VAT £7.73, total £46.40. The lines make the total: nothing wrong.
  assert.deepEqual(
    checkReceipt({
      supplier: 'Salon Wholesale',
      date: '2026-12-01',
      invoice: null,
      total: '46.40',
      subtotal: '38.67',
      tax: '7.73',
      taxRate: '20',
      lines: [
        { description: 'Foils x500', amount: '22.80' },
        { description: 'Developer 1L', amount: '23.60' },
      ],
    }),
    { total: 4640, tax: 773, problems: [] },
  );
  assert.deepEqual(checkReceipt(fieldsFromText('blurry\nsomething')).problems.slice(0, 2), [
    'no total could be read',
    'no date could be read',
  ]);
});
