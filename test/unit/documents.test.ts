// Report documents as files: the PDF's structure (every cross-reference points at its object, a page
// per screenful of rows, text escaped), and CSV that a spreadsheet reads as data, not formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { documentPdf } from '../../src/platform/documents/pdf.ts';
import { documentCsv } from '../../src/platform/documents/csv.ts';
import type { ReportDocument } from '../../src/platform/documents/document.ts';

const sample = (rows: number): ReportDocument => ({
  title: 'Margin per product',
  subtitle: 'Test (shop) · 2026-11-01 to 2026-11-30 · GBP',
  currency: 'GBP',
  sections: [
    {
      heading: 'Products',
      columns: [{ label: 'Product' }, { label: 'Units' }, { label: 'Margin' }, { label: '%' }],
      rows: Array.from({ length: rows }, (_, i) => ({
        cells: [`=Oil (${i}) \\ 100 ml ✨`, i, { money: -1234 + i }, { percent: i ? i / 2 : null }],
      })),
    },
  ],
});

test('the PDF: a valid cross-reference table, pages as the rows need, text escaped and in WinAnsi', () => {
  const pdf = documentPdf(sample(130));
  const text = pdf.toString('latin1');
  assert.ok(text.startsWith('%PDF-1.4\n'));
  assert.ok(text.endsWith('%%EOF\n'));
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1]);
  assert.ok(text.slice(startxref).startsWith('xref\n'));
  const entries = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
  entries.forEach((offset, index) =>
    assert.ok(text.slice(offset).startsWith(`${index + 1} 0 obj\n`), `object ${index + 1}`),
  );
  const pages = Number(/\/Type \/Pages \/Kids \[[^\]]*\] \/Count (\d+)/.exec(text)![1]);
  assert.equal(pages, 3); // about 55 rows to an A4 page
  // The page content: brackets and backslashes escaped, a character outside WinAnsi as "?".
  const streams = [...text.matchAll(/stream\n([\s\S]*?)\nendstream/g)].map((m) =>
    inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1'),
  );
  assert.equal(streams.length, 3);
  assert.ok(streams[0]!.includes('(=Oil \\(0\\) \\\\ 100 ml ?) Tj'));
  assert.ok(streams[0]!.includes('(-\\24312.34) Tj')); // £ is byte 0243 (octal) in WinAnsi
  assert.ok(streams[2]!.includes('(Page 3 of 3) Tj'));
  assert.ok(streams[1]!.includes('(Product) Tj'), 'the column labels again at the top of a new page');
});

test('the CSV: labels, plain decimals, and text that would run as a formula kept as text', () => {
  const csv = documentCsv(sample(2));
  assert.equal(
    csv,
    [
      'Margin per product',
      'Test (shop) · 2026-11-01 to 2026-11-30 · GBP',
      '',
      'Products',
      'Product,Units,Margin,%',
      `"'=Oil (0) \\ 100 ml ✨",0,-12.34,`,
      `"'=Oil (1) \\ 100 ml ✨",1,-12.33,0.5`,
      '',
    ].join('\r\n'),
  );
});

test('a figure is never cut short in the PDF: nine columns of money as the margins report has them', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const labels = ['Product', 'Units', 'Returned', 'Sales', 'Refunds', 'Cost', 'Fees', 'Margin', 'Margin %'];
  const pdf = documentPdf({
    title: 'Product margins',
    subtitle: 'Test · 2026-01-01 to 2026-12-31 · GBP',
    currency: 'GBP',
    sections: [
      {
        columns: labels.map((label) => ({ label })),
        rows: [
          {
            cells: [
              'Salon back-bar shampoo, 5 litres, the one with the pump',
              1_204,
              31,
              { money: 1_167_432 },
              { money: -23_518 },
              { money: -498_210 },
              { money: -18_733 },
              { money: 626_971 },
              { percent: 53.7 },
            ],
          },
        ],
      },
    ],
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'sk-doc-'));
  try {
    writeFileSync(path.join(dir, 'margins.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'margins.pdf'), '-'], {
      encoding: 'utf8',
    });
    for (const figure of ['£11,674.32', '-£235.18', '-£4,982.10', '-£187.33', '£6,269.71', '53.7%', '1,204'])
      assert.ok(text.includes(figure), `${figure} whole in:\n${text}`);
    assert.ok(!/\d…/.test(text), 'no figure ends in …');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
