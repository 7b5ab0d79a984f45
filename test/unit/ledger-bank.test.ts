// Bank statements read from the three formats banks export (CSV with its columns guessed or given,
// OFX, CAMT.053), and lines matched to what the books hold: by amount, day and reference, each once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  guessMapping,
  readCamtStatement,
  readCsvStatement,
  readOfxStatement,
  statementFormat,
} from '../../src/modules/ledger/bank-statements.ts';
import { matchLines, type BookedMovement } from '../../src/modules/ledger/bank-matching.ts';

test('a UK bank CSV: columns guessed from the header, money in and out, dates as DD/MM/YYYY', () => {
  const csv = [
    'Date,Description,Reference,Paid out,Paid in,Balance',
    '12/11/2026,SHOPIFY PAYMENTS,P-88123,,"1,204.50",5000.00',
    '13/11/2026,ROYAL MAIL GROUP,,12.00,,4988.00',
    '14/11/2026,"SALON BELLA, INV 1042",INV-1042,,360.00,5348.00',
  ].join('\n');
  assert.equal(statementFormat(csv), 'csv');
  const { lines, mapping } = readCsvStatement(csv, 'GBP');
  assert.equal(mapping.dateFormat, 'DD/MM/YYYY');
  assert.deepEqual(lines, [
    { day: '2026-11-12', amount: 120_450, description: 'SHOPIFY PAYMENTS', reference: 'P-88123' },
    { day: '2026-11-13', amount: -1_200, description: 'ROYAL MAIL GROUP', reference: null },
    { day: '2026-11-14', amount: 36_000, description: 'SALON BELLA, INV 1042', reference: 'INV-1042' },
  ]);
});

test('a CSV whose columns cannot be guessed, or with a bad row, is refused whole, saying what to do', () => {
  assert.equal(guessMapping(['When', 'What', 'How much']), undefined);
  assert.throws(
    () => readCsvStatement('When,What,How much\n2026-11-12,x,1\n', 'GBP'),
    /say which \(date, amount/,
  );
  // Given the mapping, it reads; a row that is not a date names its line.
  const mapped = readCsvStatement('When,What,How much\n2026-11-12,Interest,0.42\n', 'GBP', {
    date: 0,
    description: 1,
    amount: 2,
    dateFormat: 'YYYY-MM-DD',
  });
  assert.deepEqual(mapped.lines, [
    { day: '2026-11-12', amount: 42, description: 'Interest', reference: null },
  ]);
  assert.throws(
    () => readCsvStatement('Date,Description,Amount\n2026-11-12,a,1.00\nyesterday,b,2.00\n', 'GBP'),
    /nothing was imported: line 3: "yesterday" is not a date/,
  );
});

test('OFX 1.x (tags left open) and CAMT.053 read to the same lines', () => {
  const ofx = `OFXHEADER:100
DATA:OFXSGML
<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261112000000[0:GMT]<TRNAMT>1204.50<FITID>P-88123<NAME>SHOPIFY PAYMENTS
</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261113<TRNAMT>-12.00<FITID>91822<NAME>ROYAL MAIL &amp; CO<MEMO>postage
</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`;
  assert.equal(statementFormat(ofx), 'ofx');
  assert.deepEqual(readOfxStatement(ofx, 'GBP'), [
    { day: '2026-11-12', amount: 120_450, description: 'SHOPIFY PAYMENTS', reference: 'P-88123' },
    { day: '2026-11-13', amount: -1_200, description: 'ROYAL MAIL & CO postage', reference: '91822' },
  ]);
  const camt = `<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="GBP">1204.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-12</Dt></BookgDt>
<NtryDtls><TxDtls><Refs><EndToEndId>P-88123</EndToEndId></Refs><RltdPties><Dbtr><Nm>SHOPIFY PAYMENTS</Nm></Dbtr></RltdPties></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="GBP">12.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-11-13</Dt></BookgDt><AcctSvcrRef>91822</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>ROYAL MAIL &amp; CO postage</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`;
  assert.equal(statementFormat(camt), 'camt053');
  assert.deepEqual(readCamtStatement(camt, 'GBP'), [
    { day: '2026-11-12', amount: 120_450, description: 'SHOPIFY PAYMENTS', reference: 'P-88123' },
    { day: '2026-11-13', amount: -1_200, description: 'ROYAL MAIL & CO postage', reference: '91822' },
  ]);
  assert.throws(
    () => readCamtStatement('<Document><BkToCstmrStmt></BkToCstmrStmt></Document>', 'GBP'),
    /no entries/,
  );
});

test('matching: the reference decides between equal amounts; a lone pair is sure; a doubtful one is suggested', () => {
  const booked: BookedMovement[] = [
    {
      entryId: 1,
      day: '2026-11-10',
      amount: 120_450,
      description: 'Shopify Payments payout 88123',
      sourceId: '88123',
    },
    {
      entryId: 2,
      day: '2026-11-11',
      amount: 120_450,
      description: 'Shopify Payments payout 88124',
      sourceId: '88124',
    },
    { entryId: 3, day: '2026-11-13', amount: -1_200, description: 'Royal Mail: postage', sourceId: null },
    { entryId: 4, day: '2026-11-02', amount: -4_999, description: 'Canva', sourceId: null },
    { entryId: 5, day: '2026-11-03', amount: -4_999, description: 'Canva', sourceId: null },
  ];
  const lines = [
    { id: 10, day: '2026-11-12', amount: 120_450, description: 'SHOPIFY PAYMENTS', reference: 'P88124' },
    { id: 11, day: '2026-11-11', amount: 120_450, description: 'SHOPIFY PAYMENTS', reference: 'P88123' },
    { id: 12, day: '2026-11-14', amount: -1_200, description: 'ROYAL MAIL', reference: null },
    { id: 13, day: '2026-11-04', amount: -4_999, description: 'CANVA*', reference: null },
    { id: 14, day: '2026-12-30', amount: -999, description: 'BANK CHARGE', reference: null },
  ];
  const { sure, suggested } = matchLines(lines, booked);
  assert.deepEqual(sure.map((pair) => [pair.lineId, pair.entryId]).sort(), [
    [10, 2],
    [11, 1],
    [12, 3],
  ]);
  // Two Canva payments of the same amount: the owner picks; the nearer day comes first.
  assert.deepEqual(
    suggested.get(13)?.map((pair) => pair.entryId),
    [5, 4],
  );
  assert.equal(suggested.get(14), undefined, 'nothing booked matches the bank charge');
});

test('5,000 lines match in one pass, each line and movement used once', () => {
  const booked: BookedMovement[] = [];
  const lines = [];
  for (let i = 0; i < 5_000; i += 1) {
    const amount = 1_000 + (i % 250) * 7;
    const day = `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')}`;
    booked.push({
      entryId: i,
      day,
      amount,
      description: `payout ${100_000 + i}`,
      sourceId: String(100_000 + i),
    });
    lines.push({ id: i, day, amount, description: `SHOPIFY ${100_000 + i}`, reference: null });
  }
  const { sure } = matchLines(lines, booked);
  assert.equal(sure.length, 5_000);
  assert.ok(sure.every((pair) => pair.lineId === pair.entryId));
});
