// A document as PDF 1.4, written directly: A4 pages of Helvetica (one of the fonts every PDF reader
// has, so nothing is embedded), headings, tables with amounts aligned right, page numbers. Text is
// encoded in WinAnsi (Latin-1 plus £ € – ’ …); a character outside it prints as "?".
import { deflateSync } from 'node:zlib';
import { displayCell, type ReportDocument, type Section } from './document.ts';

const PAGE = { width: 595, height: 842, margin: 48 };
const SIZE = { title: 16, subtitle: 10, heading: 12, text: 9 };
const LINE = 13;

// Helvetica's advance widths (thousandths of the font size) for the printable ASCII characters
// 32..126, from Adobe's font metrics; the bold face has the same widths for digits and signs.
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
  556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
  500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
  556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
  278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

// WinAnsi's characters 0x80..0x9F that are not Latin-1, with their widths.
const WIN_ANSI: Record<string, [number, number]> = {
  '€': [0x80, 556],
  '‚': [0x82, 222],
  '„': [0x84, 333],
  '…': [0x85, 1000],
  '•': [0x95, 350],
  '–': [0x96, 556],
  '—': [0x97, 1000],
  '‘': [0x91, 222],
  '’': [0x92, 222],
  '“': [0x93, 333],
  '”': [0x94, 333],
  '™': [0x99, 1000],
};

/** The WinAnsi byte of a character, and its width. */
function glyph(char: string): [number, number] {
  const code = char.codePointAt(0)!;
  if (code >= 32 && code <= 126) return [code, ASCII_WIDTHS[code - 32]!];
  if (WIN_ANSI[char]) return WIN_ANSI[char]!;
  if (code >= 0xa0 && code <= 0xff) return [code, code === 0xa3 ? 556 : 556];
  return [0x3f, 556]; // "?"
}

function textWidth(text: string, size: number): number {
  let width = 0;
  for (const char of text) width += glyph(char)[1];
  return (width * size) / 1000;
}

/** Bold figures run a little wider than the regular widths the table is measured with. */
const BOLD_WIDER = 1.06;

/** Shortens text with "…" until it fits. */
function fit(text: string, size: number, width: number): string {
  if (textWidth(text, size) <= width) return text;
  let kept = [...text];
  while (kept.length && textWidth(`${kept.join('')}…`, size) > width) kept = kept.slice(0, -1);
  return `${kept.join('')}…`;
}

/** A PDF string literal: WinAnsi bytes, with ( ) \ escaped and anything outside ASCII as octal. */
function literal(text: string): string {
  let out = '(';
  for (const char of text) {
    const [byte] = glyph(char);
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 32 || byte > 126) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out})`;
}

const number = (value: number) => (Math.round(value * 100) / 100).toString();

/** Lays the document out in pages of drawing operators. */
function layout(document: ReportDocument): string[] {
  const pages: string[][] = [];
  let ops: string[] = [];
  let y = 0;
  const usable = PAGE.width - 2 * PAGE.margin;
  const newPage = () => {
    ops = [];
    pages.push(ops);
    y = PAGE.height - PAGE.margin;
    text(document.title, PAGE.margin, y - SIZE.title, SIZE.title, true);
    y -= SIZE.title + 6;
    text(document.subtitle, PAGE.margin, y - SIZE.subtitle, SIZE.subtitle, false);
    y -= SIZE.subtitle + 14;
  };
  const text = (value: string, x: number, at: number, size: number, bold: boolean) => {
    ops.push(`BT /${bold ? 'F2' : 'F1'} ${size} Tf ${number(x)} ${number(at)} Td ${literal(value)} Tj ET`);
  };
  // The section being written: its column labels are repeated at the top of a page it runs onto.
  let header: (() => void) | undefined;
  const room = (needed: number) => {
    if (y - needed >= PAGE.margin + 20) return;
    newPage();
    header?.();
  };
  const rule = () =>
    ops.push(`${PAGE.margin} ${number(y - 4)} m ${PAGE.width - PAGE.margin} ${number(y - 4)} l S`);
  // Columns share the page's width; a column of figures is never narrower than its widest figure
  // (a figure is never cut short), taking the room from the first column, whose text may be.
  const columnsOf = (section: Section, rows: string[][]) => {
    const shares = section.columns.map((column, index) => column.width ?? (index === 0 ? 3 : 1));
    const total = shares.reduce((sum, share) => sum + share, 0);
    const widths = shares.map((share) => (share / total) * usable);
    section.columns.forEach((column, index) => {
      if (index === 0) return;
      const widest = Math.max(
        textWidth(column.label, SIZE.text),
        ...rows.map((cells) => textWidth(cells[index] ?? '', SIZE.text)),
      );
      const needed = widest * BOLD_WIDER + 8;
      if (widths[index]! < needed) {
        widths[0] = widths[0]! - (needed - widths[index]!);
        widths[index] = needed;
      }
    });
    let x = PAGE.margin;
    return section.columns.map((column, index) => {
      const width = widths[index]!;
      const placed = { x, width, align: column.align ?? (index === 0 ? 'left' : 'right') };
      x += width;
      return placed;
    });
  };
  const row = (cells: string[], placed: ReturnType<typeof columnsOf>, bold: boolean) => {
    room(LINE);
    y -= LINE;
    cells.forEach((cell, index) => {
      const column = placed[index];
      if (!column || !cell) return;
      const shown = fit(cell, SIZE.text, column.width - 6);
      const x = column.align === 'right' ? column.x + column.width - textWidth(shown, SIZE.text) : column.x;
      text(shown, x, y, SIZE.text, bold);
    });
  };
  newPage();
  for (const section of document.sections) {
    const rows = section.rows.map((line) => line.cells.map((cell) => displayCell(cell, document.currency)));
    const placed = columnsOf(section, rows);
    header = undefined;
    room(LINE * 3 + (section.heading ? SIZE.heading + 8 : 0));
    if (section.heading) {
      y -= SIZE.heading + 8;
      text(section.heading, PAGE.margin, y, SIZE.heading, true);
    }
    const labels = () => {
      y -= LINE;
      section.columns.forEach((column, index) => {
        const at = placed[index]!;
        const shown = fit(column.label, SIZE.text, at.width - 6);
        const x = at.align === 'right' ? at.x + at.width - textWidth(shown, SIZE.text) : at.x;
        text(shown, x, y, SIZE.text, true);
      });
      rule();
    };
    if (section.columns.some((column) => column.label)) {
      labels();
      header = labels;
    }
    section.rows.forEach((line, index) => row(rows[index]!, placed, Boolean(line.bold)));
    header = undefined;
    y -= LINE / 2;
  }
  if (document.note) {
    room(LINE * 2);
    y -= LINE * 1.5;
    text(fit(document.note, SIZE.text - 1, usable), PAGE.margin, y, SIZE.text - 1, false);
  }
  return pages.map((page, index) => {
    const footer = `Page ${index + 1} of ${pages.length}`;
    page.push(
      `BT /F1 8 Tf ${number(PAGE.width - PAGE.margin - textWidth(footer, 8))} ${PAGE.margin - 20} Td ${literal(footer)} Tj ET`,
    );
    return `0.5 w 0.6 G\n${page.join('\n')}\n`;
  });
}

/** The PDF file's bytes. */
export function documentPdf(document: ReportDocument, created = new Date()): Buffer {
  const pages = layout(document);
  const objects: Buffer[] = [];
  const add = (body: string | Buffer) => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const catalog = add(''); // filled in once the page tree's number is known
  const info = add(
    `<< /Title ${literal(document.title)} /Subject ${literal(document.subtitle)} /Producer (shopkeep) /CreationDate (D:${created.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z) >>`,
  );
  const regular = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const bold = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const tree = objects.length + 1 + pages.length * 2;
  const kids: number[] = [];
  for (const content of pages) {
    const packed = deflateSync(Buffer.from(content, 'latin1'));
    const stream = add(
      Buffer.concat([
        Buffer.from(`<< /Length ${packed.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'),
        packed,
        Buffer.from('\nendstream', 'latin1'),
      ]),
    );
    kids.push(
      add(
        `<< /Type /Page /Parent ${tree} 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Contents ${stream} 0 R /Resources << /Font << /F1 ${regular} 0 R /F2 ${bold} 0 R >> >> >>`,
      ),
    );
  }
  add(`<< /Type /Pages /Kids [${kids.map((kid) => `${kid} 0 R`).join(' ')}] /Count ${kids.length} >>`);
  objects[catalog - 1] = Buffer.from(`<< /Type /Catalog /Pages ${tree} 0 R >>`, 'latin1');

  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(offset);
    const whole = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`, 'latin1'),
      body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    parts.push(whole);
    offset += whole.length;
  });
  const xref = [
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`,
    ...offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`),
    `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${info} 0 R >>\nstartxref\n${offset}\n%%EOF\n`,
  ].join('');
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}
