// CSV as spreadsheets write it (RFC 4180): commas, double quotes around fields that need them, ""
// for a quote inside, CRLF or LF line ends. Returns rows of fields with their line number, or says
// exactly where the text stops being CSV. For any import (the books' expenses; the outreach's leads);
// csv.ts beside it writes CSV.

export interface CsvRow {
  line: number; // 1-based, where the row starts in the file
  fields: string[];
}

export class CsvError extends Error {}

export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark from Excel
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  for (; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
      continue;
    }
    if (char === '"') {
      if (field !== '')
        throw new CsvError(`line ${line}: a quote in the middle of a field; put the whole field in quotes`);
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      endRow();
      line += 1;
      rowLine = line;
    } else field += char;
  }
  if (quoted) throw new CsvError(`line ${rowLine}: a quoted field is never closed`);
  endRow();
  return rows;
}
