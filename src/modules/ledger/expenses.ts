// Expenses the owner enters or imports from a spreadsheet: each becomes an entry (the expense net of
// VAT, the VAT to reclaim, paid from the bank or a card). A CSV is checked whole first: one bad row
// and nothing is imported, with every bad row named. The same expense twice (same day, supplier and
// amount) is not booked again: within a file it is refused, against the books it is reported.
import { createHash } from 'node:crypto';
import { isDate } from '../../platform/dates.ts';
import { toMinor } from '../../platform/money.ts';
import { ACCOUNTS } from './chart.ts';
import { parseCsv, CsvError } from '../../platform/documents/csv-parser.ts';
import type { EntryDraft } from './rules.ts';

export interface Expense {
  date: string; // YYYY-MM-DD
  supplier: string;
  description: string;
  amount: number; // minor units, what was paid (VAT included)
  tax: number; // minor units of VAT in it that can be reclaimed; 0 when none
  account: string; // an expense account
  paidFrom: string; // an asset or liability account
  reference: string | null; // invoice number, receipt id
  /**
   * A service bought from abroad with no UK VAT on its invoice (Meta or Google ads billed from
   * Ireland, an app from the US): the shop accounts for the VAT itself, due and reclaimed alike.
   */
  reverseCharge: boolean;
}

/** The UK VAT a reverse-charged service carries: due (box 1) and reclaimed (box 4) together. */
export const REVERSE_CHARGE = 'GB reverse charge';
const REVERSE_CHARGE_RATE = { numerator: 1, denominator: 5 }; // 20 %

export interface ExpenseInput {
  date: string;
  supplier: string;
  description?: string;
  amount: string; // "12.50"
  tax?: string;
  account?: string;
  paidFrom?: string;
  reference?: string;
  reverseCharge?: boolean;
}

export class ExpenseError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

export const CSV_COLUMNS = [
  'date',
  'supplier',
  'description',
  'amount',
  'tax',
  'account',
  'paid_from',
  'reference',
];

/** Checks one expense against the chart; returns the problems, or the expense. */
export function readExpense(
  input: ExpenseInput,
  currency: string,
  accountTypes: Map<string, string>,
): { expense: Expense } | { problems: string[] } {
  const problems: string[] = [];
  if (!isDate(input.date)) problems.push(`date "${input.date}" is not a date (YYYY-MM-DD)`);
  const supplier = input.supplier.trim();
  if (!supplier) problems.push('supplier is empty');
  if (supplier.length > 200) problems.push('supplier is longer than 200 characters');
  const money = (name: string, value: string | undefined): number => {
    if (value === undefined || value.trim() === '') return 0;
    try {
      return toMinor(value.trim(), currency);
    } catch {
      problems.push(`${name} "${value}" is not an amount in ${currency} (like 12.50)`);
      return 0;
    }
  };
  const amount = money('amount', input.amount);
  const tax = money('tax', input.tax);
  if (!problems.some((p) => p.startsWith('amount')) && amount <= 0)
    problems.push('amount must be more than zero');
  if (tax < 0 || tax > amount) problems.push('tax must be between zero and the amount');
  const account = input.account?.trim() || ACCOUNTS.generalExpenses;
  if (accountTypes.get(account) !== 'expense')
    problems.push(`account "${account}" is not an expense account in the chart`);
  const paidFrom = input.paidFrom?.trim() || ACCOUNTS.bank;
  const from = accountTypes.get(paidFrom);
  if (from !== 'asset' && from !== 'liability')
    problems.push(
      `paid_from "${paidFrom}" is not a bank, card or other asset or liability account in the chart`,
    );
  const reverseCharge = input.reverseCharge === true;
  if (reverseCharge && tax)
    problems.push('a reverse-charged service has no VAT on its invoice: leave tax empty');
  if (problems.length) return { problems };
  return {
    expense: {
      date: input.date,
      supplier,
      description: (input.description ?? '').trim().slice(0, 500),
      amount,
      tax,
      account,
      paidFrom,
      reference: input.reference?.trim() || null,
      reverseCharge,
    },
  };
}

/** What makes two expenses the same one: day, supplier, amount and reference. */
export function expenseKey(expense: Expense): string {
  const identity = [
    expense.date,
    expense.supplier.toLowerCase(),
    expense.amount,
    expense.reference ?? '',
  ].join('|');
  return `expense:${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
}

/** The VAT the shop accounts for on a reverse-charged service: due and reclaimable, the same amount. */
function reverseCharged(expense: Expense): EntryDraft['postings'] {
  if (!expense.reverseCharge) return [];
  const vat = Math.round((expense.amount * REVERSE_CHARGE_RATE.numerator) / REVERSE_CHARGE_RATE.denominator);
  return [
    { account: ACCOUNTS.vatReclaimable, amount: vat, jurisdiction: REVERSE_CHARGE, memo: 'reverse charge' },
    { account: ACCOUNTS.salesTax, amount: -vat, jurisdiction: REVERSE_CHARGE, memo: 'reverse charge' },
  ];
}

export function expenseEntry(
  expense: Expense,
  currency: string,
  source: 'manual' | 'receipt' = 'manual',
): EntryDraft {
  return {
    date: expense.date,
    description: `${expense.supplier}${expense.description ? `: ${expense.description}` : ''}`,
    sourceType: source,
    sourceId: expense.reference,
    sourceKey: expenseKey(expense),
    currency,
    postings: [
      // A reverse-charged service's own line says so too: the VAT return reads its value (boxes 6, 7).
      {
        account: expense.account,
        amount: expense.amount - expense.tax,
        ...(expense.reverseCharge ? { jurisdiction: REVERSE_CHARGE } : {}),
      },
      ...(expense.tax ? [{ account: ACCOUNTS.vatReclaimable, amount: expense.tax }] : []),
      ...reverseCharged(expense),
      { account: expense.paidFrom, amount: -expense.amount },
    ],
  };
}

/** A whole CSV file checked: every expense, or every problem with its line number. */
export function readExpensesCsv(
  text: string,
  currency: string,
  accountTypes: Map<string, string>,
): Expense[] {
  let rows;
  try {
    rows = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new ExpenseError([error.message]);
    throw error;
  }
  const [header, ...body] = rows;
  if (!header) throw new ExpenseError(['the file is empty']);
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const missing = ['date', 'supplier', 'amount'].filter((name) => !names.includes(name));
  const unknown = names.filter((name) => !CSV_COLUMNS.includes(name));
  if (missing.length || unknown.length) {
    throw new ExpenseError([
      ...(missing.length ? [`line 1: the header lacks ${missing.join(', ')}`] : []),
      ...(unknown.length
        ? [`line 1: unknown columns ${unknown.join(', ')} (known: ${CSV_COLUMNS.join(', ')})`]
        : []),
    ]);
  }
  if (!body.length) throw new ExpenseError(['the file has a header and no expenses']);
  if (body.length > 5000)
    throw new ExpenseError([`the file has ${body.length} rows; import at most 5,000 at a time`]);
  const problems: string[] = [];
  const expenses: Expense[] = [];
  const seen = new Map<string, number>();
  for (const row of body) {
    if (row.fields.length !== names.length) {
      problems.push(`line ${row.line}: ${row.fields.length} fields where the header has ${names.length}`);
      continue;
    }
    const value = (name: string) => {
      const index = names.indexOf(name);
      return index === -1 ? undefined : row.fields[index];
    };
    const read = readExpense(
      {
        date: value('date') ?? '',
        supplier: value('supplier') ?? '',
        description: value('description'),
        amount: value('amount') ?? '',
        tax: value('tax'),
        account: value('account'),
        paidFrom: value('paid_from'),
        reference: value('reference'),
      },
      currency,
      accountTypes,
    );
    if ('problems' in read) {
      problems.push(...read.problems.map((problem) => `line ${row.line}: ${problem}`));
      continue;
    }
    const key = expenseKey(read.expense);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push(
        `line ${row.line}: the same expense as line ${earlier} (day, supplier, amount and reference)`,
      );
      continue;
    }
    seen.set(key, row.line);
    expenses.push(read.expense);
  }
  if (problems.length) throw new ExpenseError(problems);
  return expenses;
}
