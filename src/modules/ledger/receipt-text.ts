// What a receipt says, from its text (OCR, or a model's reading of the photo), and whether it adds
// up: the lines and VAT make the total, and the VAT is what a standard rate would give. Pure
// functions; the receipt service decides what to do with a receipt that does not add up.
import { isDate } from '../../platform/dates.ts';

export interface ReceiptLine {
  description: string;
  amount: string; // decimal, as printed
}

/** The fields, as decimals the way a receipt prints them (the service converts to minor units). */
export interface ReceiptFields {
  supplier: string | null;
  date: string | null; // YYYY-MM-DD
  invoice: string | null;
  total: string | null;
  subtotal: string | null;
  tax: string | null;
  taxRate: string | null; // "20" for 20 %
  lines: ReceiptLine[];
}

/** The JSON schema a model's reading must match (the same shape the text rules produce). */
export const RECEIPT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['supplier', 'date', 'invoice', 'total', 'subtotal', 'tax', 'taxRate', 'lines'],
  properties: {
    supplier: { type: ['string', 'null'], maxLength: 200 },
    date: { type: ['string', 'null'], pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    invoice: { type: ['string', 'null'], maxLength: 100 },
    total: { type: ['string', 'null'], pattern: '^\\d+(\\.\\d{1,2})?$' },
    subtotal: { type: ['string', 'null'], pattern: '^\\d+(\\.\\d{1,2})?$' },
    tax: { type: ['string', 'null'], pattern: '^\\d+(\\.\\d{1,2})?$' },
    taxRate: { type: ['string', 'null'], pattern: '^\\d+(\\.\\d+)?$' },
    lines: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['description', 'amount'],
        properties: {
          description: { type: 'string', maxLength: 200 },
          amount: { type: 'string', pattern: '^-?\\d+(\\.\\d{1,2})?$' },
        },
      },
    },
  },
} as const;

const MONEY = /(-?)[£$€]?\s?(\d{1,6}(?:[.,]\d{3})*[.,]\d{2})\s*$/;
const DATE_PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/\b(\d{4})-(\d{2})-(\d{2})\b/, (m) => `${m[1]}-${m[2]}-${m[3]}`],
  [
    /\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b/,
    (m) => `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`,
  ],
  [
    /\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})\b/,
    (m) => `20${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`,
  ],
];

/** "1,234.50" or "1.234,50" or "12.50" → "1234.50". */
function decimal(text: string): string {
  const digits = text.replace(/[^\d.,]/g, '');
  const last = Math.max(digits.lastIndexOf('.'), digits.lastIndexOf(','));
  return `${digits.slice(0, last).replace(/[.,]/g, '')}.${digits.slice(last + 1)}`;
}

/** Reads the usual layout of a UK receipt: supplier first, "Date:", item lines, Subtotal, VAT, TOTAL. */
export function fieldsFromText(text: string): ReceiptFields {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const fields: ReceiptFields = {
    supplier: null,
    date: null,
    invoice: null,
    total: null,
    subtotal: null,
    tax: null,
    taxRate: null,
    lines: [],
  };
  fields.supplier =
    lines.find((line) => /[A-Za-z]{3}/.test(line) && !MONEY.test(line))?.slice(0, 200) ?? null;
  for (const line of lines) {
    if (!fields.date) {
      for (const [pattern, toIso] of DATE_PATTERNS) {
        const match = pattern.exec(line);
        if (match && isDate(toIso(match))) {
          fields.date = toIso(match);
          break;
        }
      }
    }
    const invoice =
      /\b(?:invoice|receipt|ref(?:erence)?)\s*(?:no\.?|number|#)?\s*:?\s*([A-Z0-9][A-Z0-9/-]{2,40})/i.exec(
        line,
      );
    if (invoice && !fields.invoice) fields.invoice = invoice[1]!;
    const money = MONEY.exec(line);
    if (!money) continue;
    const amount = `${money[1]}${decimal(money[2]!)}`;
    const label = line.slice(0, money.index).trim();
    if (/^(grand\s+)?total\b|amount\s+(due|paid)|balance\s+due/i.test(label)) fields.total ??= amount;
    else if (/^sub\s*-?total/i.test(label)) fields.subtotal = amount;
    else if (/\b(vat|tax|gst)\b/i.test(label)) {
      fields.tax = amount;
      const rate = /(\d{1,2}(?:\.\d+)?)\s*%/.exec(label);
      if (rate) fields.taxRate = rate[1]!;
    } else if (!/change|cash|card|tendered|paid by/i.test(label) && label) {
      fields.lines.push({ description: label.slice(0, 200), amount });
    }
  }
  return fields;
}

const pence = (value: string | null): number | null => {
  if (value === null || !/^-?\d+(\.\d{1,2})?$/.test(value)) return null;
  const [units, fraction = ''] = value.replace('-', '').split('.');
  const minor = Number(units) * 100 + Number(fraction.padEnd(2, '0'));
  return value.startsWith('-') ? -minor : minor;
};

export interface Checked {
  total: number;
  tax: number;
  problems: string[]; // why it should be looked at before it is booked
}

/** Whether the receipt adds up; amounts in pence (two-decimal currencies). */
export function checkReceipt(fields: ReceiptFields): Checked {
  const problems: string[] = [];
  const total = pence(fields.total);
  const tax = pence(fields.tax) ?? 0;
  if (total === null || total <= 0) problems.push('no total could be read');
  if (!fields.date) problems.push('no date could be read');
  if (!fields.supplier) problems.push('no supplier could be read');
  if (total !== null && total > 0) {
    if (tax < 0 || tax > total)
      problems.push(`the VAT (${fields.tax}) is more than the total (${fields.total})`);
    const subtotal = pence(fields.subtotal);
    const lines = fields.lines
      .map((line) => pence(line.amount) ?? 0)
      .reduce((sum, amount) => sum + amount, 0);
    const before = subtotal ?? (fields.lines.length ? lines : null);
    // Lines print before VAT (they make the subtotal) or, on most UK till receipts, with VAT in them
    // (they make the total).
    if (subtotal !== null && fields.lines.length && lines !== subtotal && lines !== total)
      problems.push(
        `the lines add up to ${(lines / 100).toFixed(2)}, neither the subtotal ${fields.subtotal} nor the total ${fields.total}`,
      );
    // VAT on top (subtotal + VAT = total) or included (lines add up to the total).
    if (before !== null && before + tax !== total && before !== total)
      problems.push(
        `${(before / 100).toFixed(2)} and VAT ${(tax / 100).toFixed(2)} do not make the total ${fields.total}`,
      );
    if (tax && fields.taxRate) {
      const rate = Number(fields.taxRate) / 100;
      const expected = Math.round(
        (before !== null && before + tax === total ? before : total / (1 + rate)) * rate,
      );
      if (Math.abs(expected - tax) > 2)
        problems.push(
          `VAT ${fields.tax} is not ${fields.taxRate}% (that would be ${(expected / 100).toFixed(2)})`,
        );
    }
  }
  return { total: total ?? 0, tax, problems };
}
