// Bank statements as banks export them, read into lines (a day, a signed amount in minor units, what
// the bank says, its reference): CSV with a column mapping (guessed from common headers, remembered
// per header row), OFX (1.x SGML or 2.x XML) and ISO 20022 CAMT.053. A file that cannot be read is
// refused whole, naming the line or entry; nothing of it is kept.
import { parseCsv, CsvError } from '../../platform/documents/csv-parser.ts';
import { isDate } from '../../platform/dates.ts';
import { toMinor } from '../../platform/money.ts';

export interface StatementLine {
  day: string;
  /** Money in positive, money out negative, in minor units. */
  amount: number;
  description: string;
  reference: string | null;
}

export type StatementFormat = 'csv' | 'ofx' | 'camt053';

/** Which columns hold what (0-based), and how the file writes dates. */
export interface CsvMapping {
  date: number;
  /** One signed amount column, or money in and money out in two. */
  amount?: number;
  moneyIn?: number;
  moneyOut?: number;
  description: number;
  reference?: number;
  dateFormat: 'YYYY-MM-DD' | 'DD/MM/YYYY' | 'MM/DD/YYYY';
}

export class StatementError extends Error {}

/** What a statement's first bytes say it is. */
export function statementFormat(text: string): StatementFormat {
  const start = text.slice(0, 2000);
  if (/<Document[^>]*camt\.053/i.test(start) || /<BkToCstmrStmt>/i.test(start)) return 'camt053';
  if (/OFXHEADER|<OFX>/i.test(start)) return 'ofx';
  return 'csv';
}

const HEADERS: Record<keyof Omit<CsvMapping, 'dateFormat'>, RegExp> = {
  date: /^(transaction |posting |value )?date$/i,
  amount: /^(amount|value)( \(gbp\))?$/i,
  moneyIn: /^(paid in|money in|credit|credits|in)$/i,
  moneyOut: /^(paid out|money out|debit|debits|out)$/i,
  description: /^(description|details|narrative|transaction description|memo|payee|name)$/i,
  reference: /^(reference|ref|transaction reference)$/i,
};

/** The columns guessed from a header row, or undefined when the date, amount or description is not found. */
export function guessMapping(header: string[], sample: string[] = []): CsvMapping | undefined {
  const find = (pattern: RegExp) => {
    const index = header.findIndex((name) => pattern.test(name.trim()));
    return index < 0 ? undefined : index;
  };
  const date = find(HEADERS.date);
  const description = find(HEADERS.description);
  const amount = find(HEADERS.amount);
  const moneyIn = find(HEADERS.moneyIn);
  const moneyOut = find(HEADERS.moneyOut);
  if (date === undefined || description === undefined) return undefined;
  if (amount === undefined && (moneyIn === undefined || moneyOut === undefined)) return undefined;
  const sampleDate = sample[date] ?? '';
  const dateFormat = /^\d{4}-\d{2}-\d{2}/.test(sampleDate) ? 'YYYY-MM-DD' : 'DD/MM/YYYY';
  return {
    date,
    description,
    dateFormat,
    ...(amount !== undefined ? { amount } : { moneyIn, moneyOut }),
    ...(find(HEADERS.reference) !== undefined ? { reference: find(HEADERS.reference) } : {}),
  };
}

function dayOf(text: string, format: CsvMapping['dateFormat']): string | undefined {
  const value = text.trim();
  let day: string | undefined;
  if (format === 'YYYY-MM-DD') day = value.slice(0, 10);
  else {
    const match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(value);
    if (match) {
      const [, a, b, y] = match;
      const [d, m] = format === 'DD/MM/YYYY' ? [a!, b!] : [b!, a!];
      day = `${y!.length === 2 ? `20${y}` : y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
    }
  }
  return day && isDate(day) ? day : undefined;
}

/** "£1,234.50", "-12.00", "(12.00)", "12.00 CR": the amount as banks print it, in minor units. */
function amountOf(text: string, currency: string): number | undefined {
  let value = text.trim().replace(/[£$€,\s]/g, '');
  if (!value) return 0;
  let sign = 1;
  if (/^\(.*\)$/.test(value)) [sign, value] = [-1, value.slice(1, -1)];
  if (/DR$/i.test(value)) [sign, value] = [-1, value.slice(0, -2)];
  if (/CR$/i.test(value)) value = value.slice(0, -2);
  try {
    return sign * toMinor(value, currency);
  } catch {
    return undefined;
  }
}

export function readCsvStatement(
  text: string,
  currency: string,
  given?: CsvMapping,
): { lines: StatementLine[]; mapping: CsvMapping; header: string[] } {
  let rows;
  try {
    rows = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new StatementError(error.message);
    throw error;
  }
  const [head, ...body] = rows;
  if (!head || !body.length) throw new StatementError('the file has no rows under its header');
  const header = head.fields;
  const mapping = given ?? guessMapping(header, body[0]?.fields);
  if (!mapping)
    throw new StatementError(
      `cannot tell which columns hold the date, the amount and the description (the header is: ${header.join(', ')}); say which (date, amount or moneyIn and moneyOut, description, reference)`,
    );
  const problems: string[] = [];
  const lines: StatementLine[] = [];
  for (const row of body) {
    const cell = (index: number | undefined) => (index === undefined ? '' : (row.fields[index] ?? ''));
    const day = dayOf(cell(mapping.date), mapping.dateFormat);
    const amount =
      mapping.amount !== undefined
        ? amountOf(cell(mapping.amount), currency)
        : (() => {
            const moneyIn = amountOf(cell(mapping.moneyIn), currency);
            const moneyOut = amountOf(cell(mapping.moneyOut), currency);
            return moneyIn === undefined || moneyOut === undefined ? undefined : moneyIn - Math.abs(moneyOut);
          })();
    if (!day)
      problems.push(`line ${row.line}: "${cell(mapping.date)}" is not a date (${mapping.dateFormat})`);
    if (amount === undefined) problems.push(`line ${row.line}: the amount is not a number`);
    if (day && amount !== undefined && amount !== 0)
      lines.push({
        day,
        amount,
        description: cell(mapping.description).trim(),
        reference: cell(mapping.reference).trim() || null,
      });
  }
  if (problems.length)
    throw new StatementError(
      `nothing was imported: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}`,
    );
  return { lines, mapping, header };
}

/** OFX 1.x (SGML: tags often left open) or 2.x (XML): each STMTTRN's date, amount, name, memo and id. */
export function readOfxStatement(text: string, currency: string): StatementLine[] {
  const blocks = text.split(/<STMTTRN>/i).slice(1);
  if (!blocks.length) throw new StatementError('the OFX file holds no transactions (<STMTTRN>)');
  return blocks.map((block, index) => {
    const body = block.split(/<\/STMTTRN>/i)[0]!;
    const tag = (name: string) => new RegExp(`<${name}>([^<\\r\\n]*)`, 'i').exec(body)?.[1]?.trim() ?? '';
    const posted = tag('DTPOSTED');
    const day = `${posted.slice(0, 4)}-${posted.slice(4, 6)}-${posted.slice(6, 8)}`;
    const amount = amountOf(tag('TRNAMT'), currency);
    if (!isDate(day) || amount === undefined)
      throw new StatementError(
        `transaction ${index + 1}: DTPOSTED "${posted}" or TRNAMT "${tag('TRNAMT')}" cannot be read`,
      );
    const name = tag('NAME');
    const memo = tag('MEMO');
    return {
      day,
      amount,
      description: [name, memo].filter(Boolean).join(' ').replace(/&amp;/g, '&'),
      reference: tag('FITID') || tag('REFNUM') || null,
    };
  });
}

/** ISO 20022 CAMT.053: each booked entry (Ntry) with its amount, credit or debit, booking day and references. */
export function readCamtStatement(text: string, currency: string): StatementLine[] {
  const entries = text
    .split(/<Ntry>/)
    .slice(1)
    .map((part) => part.split('</Ntry>')[0]!);
  if (!entries.length) throw new StatementError('the CAMT.053 file holds no entries (<Ntry>)');
  const unescape = (value: string) =>
    value
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  return entries.map((entry, index) => {
    const first = (pattern: RegExp) => pattern.exec(entry)?.[1]?.trim();
    const amount = amountOf(first(/<Amt[^>]*>([^<]+)<\/Amt>/) ?? '', currency);
    const credit = first(/<CdtDbtInd>([^<]+)<\/CdtDbtInd>/);
    const day = first(/<BookgDt>\s*<Dt>([^<]+)<\/Dt>/) ?? first(/<BookgDt>\s*<DtTm>([^<]{10})/);
    if (amount === undefined || !day || !isDate(day) || (credit !== 'CRDT' && credit !== 'DBIT'))
      throw new StatementError(`entry ${index + 1}: its amount, CdtDbtInd or booking date cannot be read`);
    const description = [...entry.matchAll(/<Ustrd>([^<]*)<\/Ustrd>/g)].map((match) => match[1]!.trim());
    const party = first(/<(?:Dbtr|Cdtr)>\s*<Nm>([^<]+)<\/Nm>/);
    return {
      day,
      amount: credit === 'CRDT' ? Math.abs(amount) : -Math.abs(amount),
      description: unescape([party, ...description].filter(Boolean).join(' ')),
      reference:
        first(/<EndToEndId>([^<]+)<\/EndToEndId>/) ??
        first(/<AcctSvcrRef>([^<]+)<\/AcctSvcrRef>/) ??
        first(/<NtryRef>([^<]+)<\/NtryRef>/) ??
        null,
    };
  });
}
