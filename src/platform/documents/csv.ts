// CSV for a spreadsheet, written only through csvRecord: RFC 4180 quoting for every field, and the
// OWASP rule against formula injection for every text field ("CSV Injection": a cell that starts with
// = + - @, a tab or a carriage return is run as a formula by Excel, LibreOffice and Google Sheets;
// prefix it with a single quote). Numbers the exporter writes itself (amounts, counts) are marked as
// such, so -12.50 stays a number the spreadsheet adds up.
import { dataCell, type ReportDocument } from './document.ts';

/** A number written by the exporter (an amount in decimals, a count), not text someone typed. */
export interface CsvNumber {
  readonly number: string;
}
export type CsvCell = string | CsvNumber | null;

export const csvNumber = (value: string | number): CsvNumber => ({ number: String(value) });

// What a spreadsheet would run: a trigger at the start, also behind spaces (some trim them before
// reading a formula), and behind apostrophes, so that text already starting with one gets its own
// and reading back (drop one apostrophe before such text) gives exactly what was written.
const FORMULA = /^'*(?:[\t\r]|\s*[=+\-@])/;

/** A text field: quoted when it holds , " CR or LF; text a spreadsheet would run kept as text with a leading '. */
export function csvField(value: string): string {
  const guarded = FORMULA.test(value);
  const text = guarded ? `'${value}` : value;
  return guarded || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record (without its line end): text guarded, numbers as they are when they are plain decimals. */
export function csvRecord(cells: readonly CsvCell[]): string {
  return cells
    .map((cell) => {
      if (cell === null) return '';
      if (typeof cell === 'string') return csvField(cell);
      // Only a plain decimal is left bare: anything else the exporter calls a number is still text.
      return /^-?\d+(\.\d+)?$/.test(cell.number) ? cell.number : csvField(cell.number);
    })
    .join(',');
}

/** A document: each section's heading on a line of its own, its column labels, then its rows; CRLF line ends. */
export function documentCsv(document: ReportDocument): string {
  const lines = [csvRecord([document.title]), csvRecord([document.subtitle])];
  for (const section of document.sections) {
    lines.push('');
    if (section.heading) lines.push(csvRecord([section.heading]));
    lines.push(csvRecord(section.columns.map((column) => column.label)));
    for (const row of section.rows)
      lines.push(
        csvRecord(
          row.cells.map((cell) =>
            cell === null || typeof cell === 'string' ? cell : csvNumber(dataCell(cell, document.currency)),
          ),
        ),
      );
  }
  return `${lines.join('\r\n')}\r\n`;
}
