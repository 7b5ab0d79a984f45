// A document as CSV (RFC 4180) for a spreadsheet: each section's heading on a line of its own, its
// column labels, then its rows; money as plain decimals.
import { dataCell, type ReportDocument } from './document.ts';

/**
 * A text field, quoted when it needs to be. Text that a spreadsheet would run as a formula (starting
 * with = + - @ or a tab) is kept as text with a leading apostrophe.
 */
export const csvField = (value: string) =>
  /[",\r\n]/.test(value) || /^[=+\-@\t]/.test(value)
    ? `"${value.replace(/"/g, '""').replace(/^([=+\-@\t])/, "'$1")}"`
    : value;

export function documentCsv(document: ReportDocument): string {
  const lines = [csvField(document.title), csvField(document.subtitle)];
  for (const section of document.sections) {
    lines.push('');
    if (section.heading) lines.push(csvField(section.heading));
    lines.push(section.columns.map((column) => csvField(column.label)).join(','));
    for (const row of section.rows)
      lines.push(
        row.cells
          .map((cell) => (typeof cell === 'string' ? csvField(cell) : dataCell(cell, document.currency)))
          .join(','),
      );
  }
  return `${lines.join('\r\n')}\r\n`;
}
