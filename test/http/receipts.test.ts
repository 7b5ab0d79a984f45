// Receipt photos end to end in the server: a real photo read by offline OCR (tesseract.js with its
// English data from npm), checked, booked as an expense; the same photo again refused; the same
// receipt photographed again sent to review as a duplicate; a blank photo and a non-image refused
// or reviewed with a message that says what to do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';
import { documentPdf } from '../../src/platform/documents/pdf.ts';

const PHOTO = readFileSync(path.resolve(import.meta.dirname, '../fixtures/receipt.png'));
let server: TestServer;
let owner: LoggedIn;

before(async () => {
  server = await startTestServer({ work: true });
  owner = await loginAs(server, 'owner');
});
after(() => server.close());

const upload = (body: Buffer, type = 'image/png') =>
  server.app.inject({
    method: 'POST',
    url: '/api/v1/ledger/receipts?name=receipt.png',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': type },
    payload: body,
  });

async function settled(id: number) {
  return waitFor(
    async () => {
      const { receipt } = (
        await server.app.inject({
          method: 'GET',
          url: `/api/v1/ledger/receipts/${id}`,
          headers: { cookie: owner.cookie },
        })
      ).json();
      return receipt.status === 'reading' ? undefined : receipt;
    },
    60_000,
    `receipt ${id} to be read`,
  );
}

/** A plain white PNG: an image with nothing on it (one bit a pixel makes a huge one small). */
function blankPng(width = 64, height = 64, bitDepth: 1 | 8 = 8): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const check = Buffer.alloc(4);
    check.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, check]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = 0; // greyscale
  const rows = Buffer.concat(
    Array.from({ length: height }, () =>
      Buffer.concat([Buffer.from([0]), Buffer.alloc(bitDepth === 1 ? Math.ceil(width / 8) : width, 255)]),
    ),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('a receipt photo is read offline and booked: net, VAT to reclaim, paid from the bank', async () => {
  const response = await upload(PHOTO);
  assert.equal(response.statusCode, 202, response.body);
  const receipt = await settled(response.json().receipt.id);
  assert.equal(receipt.status, 'booked', receipt.problem);
  assert.equal(receipt.readBy, 'ocr');
  assert.equal(receipt.fields.supplier, 'PACKRIGHT SUPPLIES LTD');
  assert.equal(receipt.fields.date, '2026-11-14');
  assert.equal(receipt.fields.invoice, 'PR-20931');
  const { rows } = await server.db.pool.query(
    `select to_char(e.entry_date, 'YYYY-MM-DD') as day, e.source_type, p.account_code, p.amount_minor::int as amount
     from ledger_entries e join ledger_postings p on p.entry_id = e.id where e.id = $1 order by p.id`,
    [receipt.entryId],
  );
  assert.deepEqual(
    rows.map((row) => [row.day, row.source_type, row.account_code, row.amount]),
    [
      ['2026-11-14', 'receipt', 'Expenses:Packaging', 4800],
      ['2026-11-14', 'receipt', 'Assets:VAT Reclaimable', 960],
      ['2026-11-14', 'receipt', 'Assets:Bank', -5760],
    ],
  );

  // The same file again: refused at the door.
  const again = await upload(PHOTO);
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error.message, /uploaded before/);

  // The same receipt in another file (a second photo): read, then held back as a duplicate, with an alert.
  const second = await upload(Buffer.concat([PHOTO, Buffer.from('another shot')]));
  assert.equal(second.statusCode, 202);
  const duplicate = await settled(second.json().receipt.id);
  assert.equal(duplicate.status, 'review');
  assert.match(duplicate.problem, /already in the books/);
  const review = (
    await server.app.inject({
      method: 'GET',
      url: '/api/v1/ledger/review',
      headers: { cookie: owner.cookie },
    })
  ).json();
  assert.ok(review.items.some((item: { kind: string }) => item.kind === 'duplicate_receipt'));
  const alerts = await server.db.pool.query(
    `select count(*)::int as n from events_outbox where type = 'ledger.review_needed'`,
  );
  assert.ok(alerts.rows[0].n >= 1);
});

test('a decompression bomb (20000 × 20000 pixels in a small file) is refused before anything decodes it', async () => {
  const bomb = blankPng(20_000, 20_000, 1);
  assert.ok(bomb.length < 1024 * 1024, `${bomb.length} bytes`);
  const before = await server.db.pool.query('select count(*)::int as n from ledger_receipts');
  const response = await upload(bomb);
  assert.equal(response.statusCode, 400);
  assert.match(response.json().error.message, /20000 × 20000 pixels, more than the 50 megapixels/);
  const after = await server.db.pool.query('select count(*)::int as n from ledger_receipts');
  assert.equal(after.rows[0].n, before.rows[0].n);
});

test('a photo with nothing readable goes to review saying so; a file that is not an image is refused', async () => {
  const blank = await upload(blankPng());
  assert.equal(blank.statusCode, 202, blank.body);
  const receipt = await settled(blank.json().receipt.id);
  assert.equal(receipt.status, 'review');
  assert.match(receipt.problem, /no text could be read/);
  const gif = await upload(Buffer.from('GIF89a a moving picture'), 'application/octet-stream');
  assert.equal(gif.statusCode, 400);
  assert.match(
    gif.json().error.message,
    /not a receipt: upload a photo \(PNG, JPEG or WebP\) or a PDF invoice/,
  );
  // A PDF that is not one, and a PDF with nothing printed on it (a scan would be the same): review.
  const broken = await settled(
    (await upload(Buffer.from('%PDF-1.7 and then nothing'), 'application/pdf')).json().receipt.id,
  );
  assert.equal(broken.status, 'review');
  assert.match(broken.problem, /the PDF could not be opened/);
  const empty = await settled((await upload(emptyPdf(), 'application/pdf')).json().receipt.id);
  assert.equal(empty.status, 'review');
  assert.match(empty.problem, /no text in it \(a scan\?\): upload a photo/);
  const entries = await server.db.pool.query(
    `select count(*)::int as n from ledger_entries where source_type = 'receipt'`,
  );
  assert.equal(entries.rows[0].n, 1); // only the photo of the first test: nothing from these

  // The owner books the blank one by hand, into the account it belongs in; its review item closes.
  const book = (id: number, payload: Record<string, string>) =>
    server.app.inject({
      method: 'POST',
      url: `/api/v1/ledger/receipts/${id}/book`,
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
      payload,
    });
  const corrected = {
    date: '2026-11-15',
    supplier: 'Corner Shop',
    amount: '6.00',
    account: 'Expenses:Packaging',
  };
  const wrong = await book(receipt.id, { ...corrected, account: 'Income:Sales' });
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.json().error.message, /not an expense account/);
  const booked = await book(receipt.id, corrected);
  assert.equal(booked.statusCode, 200, booked.body);
  assert.equal(booked.json().receipt.status, 'booked');
  const { rows } = await server.db.pool.query(
    'select account_code, amount_minor::int as amount from ledger_postings where entry_id = $1 order by id',
    [booked.json().receipt.entryId],
  );
  assert.deepEqual(
    rows.map((row) => [row.account_code, row.amount]),
    [
      ['Expenses:Packaging', 600],
      ['Assets:Bank', -600],
    ],
  );
  const review = await server.db.pool.query('select status from ledger_review where source_key = $1', [
    `receipt:${receipt.id}`,
  ]);
  assert.equal(review.rows[0].status, 'resolved');
  // A receipt still in review shows a form to correct and book it, filled with what was read.
  const books = await server.app.inject({
    url: '/books/expenses',
    headers: { cookie: owner.cookie, accept: 'text/html' },
  });
  assert.match(books.body, new RegExp(`action="/books/receipts/${empty.id}/book"`));
  assert.doesNotMatch(books.body, new RegExp(`action="/books/receipts/${receipt.id}/book"`));
  const twice = await book(receipt.id, corrected);
  assert.equal(twice.statusCode, 409);
  assert.match(twice.json().error.message, /is booked, not waiting for review/);
});

test('a PDF invoice is read from its own text; the owner is asked its kind once, and the supplier’s next is booked in it', async () => {
  const invoice = (number: string, date: string) =>
    documentPdf({
      title: 'GLOW WHOLESALE LTD',
      subtitle: `Invoice: ${number} · Date: ${date}`,
      currency: 'GBP',
      sections: [
        {
          columns: [{ label: 'Item' }, { label: 'Amount' }],
          rows: [
            { cells: ['Shampoo base 5L', { money: 3000 }] },
            { cells: ['Pump bottles x100', { money: 1000 }] },
            { cells: ['Subtotal', { money: 4000 }] },
            { cells: ['VAT 20%', { money: 800 }] },
            { cells: ['Total', { money: 4800 }], bold: true },
          ],
        },
      ],
    });
  const response = await upload(invoice('GW-5512', '03/11/2026'), 'application/pdf');
  assert.equal(response.statusCode, 202, response.body);
  const receipt = await settled(response.json().receipt.id);
  assert.equal(receipt.readBy, 'pdf text');
  assert.deepEqual(
    [
      receipt.fields.supplier,
      receipt.fields.date,
      receipt.fields.invoice,
      receipt.fields.total,
      receipt.fields.tax,
    ],
    ['GLOW WHOLESALE LTD', '2026-11-03', 'GW-5512', '48.00', '8.00'],
  );
  // Nothing on it says which kind of expense it is, and the supplier is new: the owner is asked.
  assert.equal(receipt.status, 'review');
  assert.match(receipt.problem, /which kind of expense is it\?/);
  assert.equal(receipt.suggestedKind, null);
  const books = await server.app.inject({
    method: 'GET',
    url: '/books/expenses',
    headers: { cookie: owner.cookie },
  });
  assert.match(books.body, /<option value="">Choose the kind of expense…<\/option>/);
  const booked = await server.app.inject({
    method: 'POST',
    url: `/api/v1/ledger/receipts/${receipt.id}/book`,
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: {
      date: '2026-11-03',
      supplier: 'GLOW WHOLESALE LTD',
      amount: '48.00',
      tax: '8.00',
      account: 'Expenses:Packaging',
    },
  });
  assert.equal(booked.statusCode, 200, booked.body);

  // The same supplier's next invoice goes where the owner put the first.
  const next = await settled(
    (await upload(invoice('GW-5540', '17/11/2026'), 'application/pdf')).json().receipt.id,
  );
  assert.equal(next.status, 'booked', next.problem);
  const { rows } = await server.db.pool.query(
    'select account_code, amount_minor::int as amount from ledger_postings where entry_id = $1 order by id',
    [next.entryId],
  );
  assert.deepEqual(
    rows.map((row) => [row.account_code, row.amount]),
    [
      ['Expenses:Packaging', 4000],
      ['Assets:VAT Reclaimable', 800],
      ['Assets:Bank', -4800],
    ],
  );
});

/** A valid PDF with one blank page: nothing to read. */
function emptyPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets = objects.map((object, index) => {
    const at = body.length;
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
    return at;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
