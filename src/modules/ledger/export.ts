// The books as files: an hledger journal (`hledger check --strict` accepts it, and its income
// statement agrees with ours to the cent) and CSV, one posting per row. Both are written a page of
// entries at a time, so a year of orders streams without being held in memory.
// Text reaches the files only through platform/documents (journal-text.ts, csv.ts), which escape
// what staff or Shopify wrote for each format.
import type pg from 'pg';
import { toDecimal } from '../../platform/money.ts';
import { csvNumber, csvRecord } from '../../platform/documents/csv.ts';
import {
  journalAccountDeclaration,
  journalComment,
  journalCommodityDeclaration,
  journalPosting,
  journalTransaction,
} from '../../platform/documents/journal-text.ts';
import { ACCOUNTS } from './chart.ts';
import type { AccountType } from './schema.ts';

const PAGE = 2000;

interface EntryRow {
  id: string;
  entry_date: string;
  description: string;
  source_type: string;
  source_id: string | null;
  source_key: string;
}

interface PostingRow {
  entry_id: string;
  account_code: string;
  amount_minor: string;
  currency: string;
  jurisdiction: string | null;
}

const HLEDGER_TYPE: Record<AccountType, string> = {
  asset: 'A',
  liability: 'L',
  equity: 'E',
  income: 'R',
  expense: 'X',
};

/** Entries dated in [from, to] with their postings, a page at a time, by date then id. */
async function* entriesBetween(pool: pg.Pool, from: string, to: string) {
  let after = { date: '0001-01-01', id: 0 };
  for (;;) {
    const { rows } = await pool.query<EntryRow>(
      `select id, to_char(entry_date, 'YYYY-MM-DD') as entry_date, description, source_type, source_id, source_key
       from ledger_entries
       where entry_date between $1::date and $2::date and (entry_date, id) > ($3::date, $4::bigint)
       order by entry_date, id limit $5`,
      [from, to, after.date, after.id, PAGE],
    );
    if (!rows.length) return;
    const { rows: postings } = await pool.query<PostingRow>(
      `select entry_id, account_code, amount_minor, currency, jurisdiction from ledger_postings
       where entry_id = any($1::bigint[]) order by entry_id, id`,
      [rows.map((row) => row.id)],
    );
    const byEntry = new Map<string, PostingRow[]>();
    for (const posting of postings) {
      const list = byEntry.get(posting.entry_id) ?? [];
      list.push(posting);
      byEntry.set(posting.entry_id, list);
    }
    for (const row of rows) yield { entry: row, postings: byEntry.get(row.id) ?? [] };
    const last = rows[rows.length - 1]!;
    after = { date: last.entry_date, id: Number(last.id) };
    if (rows.length < PAGE) return;
  }
}

/** The journal, line by line: declarations, opening balances at `from`, then every entry. */
export async function* hledgerJournal(pool: pg.Pool, from: string, to: string): AsyncGenerator<string> {
  const { rows: accounts } = await pool.query<{ code: string; name: string; type: AccountType }>(
    'select code, name, type from ledger_accounts order by code',
  );
  const { rows: currencies } = await pool.query<{ currency: string }>(
    'select distinct currency from ledger_postings order by currency',
  );
  yield journalComment(`shopkeep books from ${from} to ${to}`);
  yield 'decimal-mark .\n\n';
  for (const { currency } of currencies) yield journalCommodityDeclaration(currency);
  yield '\n';
  for (const account of accounts)
    yield journalAccountDeclaration(account.code, [
      ['type', HLEDGER_TYPE[account.type]],
      ['name', account.name],
    ]);
  yield '\n';

  // What the balance sheet accounts held before `from`; earlier income and expenses as retained earnings.
  const { rows: opening } = await pool.query<{
    code: string;
    type: AccountType;
    currency: string;
    total: string;
  }>(
    `select a.code, a.type, p.currency, sum(p.amount_minor) as total
     from ledger_postings p join ledger_entries e on e.id = p.entry_id join ledger_accounts a on a.code = p.account_code
     where e.entry_date < $1::date group by a.code, a.type, p.currency having sum(p.amount_minor) <> 0
     order by a.code, p.currency`,
    [from],
  );
  if (opening.length) {
    yield journalTransaction(from, 'Opening balances', [['source', 'opening']]);
    const earnings = new Map<string, number>();
    for (const row of opening) {
      if (row.type === 'income' || row.type === 'expense') {
        earnings.set(row.currency, (earnings.get(row.currency) ?? 0) + Number(row.total));
      } else yield journalPosting(row.code, Number(row.total), row.currency);
    }
    for (const [currency, total] of earnings)
      if (total) yield journalPosting(ACCOUNTS.retainedEarnings, total, currency);
    yield '\n';
  }

  for await (const { entry, postings } of entriesBetween(pool, from, to)) {
    const source = `${entry.source_type}${entry.source_id ? `:${entry.source_id}` : ''}`;
    yield journalTransaction(entry.entry_date, entry.description, [
      ['source', source],
      ['entry', entry.id],
    ]);
    for (const posting of postings)
      yield journalPosting(
        posting.account_code,
        Number(posting.amount_minor),
        posting.currency,
        posting.jurisdiction ? [['jurisdiction', posting.jurisdiction]] : [],
      );
    yield '\n';
  }
}

/** One row per posting; amounts as decimals in their currency, debits positive; LF line ends, as it always had. */
export async function* ledgerCsv(pool: pg.Pool, from: string, to: string): AsyncGenerator<string> {
  yield `${csvRecord(['date', 'entry', 'description', 'source_type', 'source_id', 'account', 'debit', 'credit', 'currency', 'jurisdiction'])}\n`;
  for await (const { entry, postings } of entriesBetween(pool, from, to)) {
    for (const posting of postings) {
      const amount = Number(posting.amount_minor);
      yield `${csvRecord([
        entry.entry_date,
        csvNumber(entry.id),
        entry.description,
        entry.source_type,
        entry.source_id,
        posting.account_code,
        amount > 0 ? csvNumber(toDecimal(amount, posting.currency)) : null,
        amount < 0 ? csvNumber(toDecimal(-amount, posting.currency)) : null,
        posting.currency,
        posting.jurisdiction,
      ])}\n`;
    }
  }
}

/** One summary journal a month for another accounting program: each account's movement in the month. */
async function monthlyMovements(pool: pg.Pool, from: string, to: string) {
  const { rows } = await pool.query<{
    month: string;
    last_day: string;
    account_code: string;
    currency: string;
    total: string;
  }>(
    `select to_char(date_trunc('month', day), 'YYYY-MM') as month,
       to_char(least(max(date_trunc('month', day) + interval '1 month' - interval '1 day')::date, $2::date), 'YYYY-MM-DD') as last_day,
       account_code, currency, sum(total) as total
     from ledger_day_totals where day between $1::date and $2::date
     group by 1, account_code, currency having sum(total) <> 0 order by 1, account_code`,
    [from, to],
  );
  return rows;
}

const dayMonthYear = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/**
 * Xero's manual journal import (Narration, Date as dd/mm/yyyy, Description, AccountCode, TaxRate,
 * Amount: positive a debit, negative a credit): a summary journal a month, VAT on its own lines, so
 * every line is "No VAT" (Xero must not work VAT out again). AccountCode is shopkeep's account code:
 * map it to the Xero chart's codes once (docs/books.md).
 */
export async function* xeroJournals(pool: pg.Pool, from: string, to: string): AsyncGenerator<string> {
  yield `${csvRecord(['Narration', 'Date', 'Description', 'AccountCode', 'TaxRate', 'Amount'])}\r\n`;
  for (const row of await monthlyMovements(pool, from, to))
    yield `${csvRecord([
      `shopkeep ${row.month}`,
      dayMonthYear(row.last_day),
      `Movement in ${row.month} (${row.currency})`,
      row.account_code,
      'No VAT',
      csvNumber(toDecimal(Number(row.total), row.currency)),
    ])}\r\n`;
}

/** QuickBooks Online's journal entry import (JournalNo, JournalDate, AccountName, Debits, Credits, Description). */
export async function* quickbooksJournals(pool: pg.Pool, from: string, to: string): AsyncGenerator<string> {
  yield `${csvRecord(['JournalNo', 'JournalDate', 'AccountName', 'Debits', 'Credits', 'Description', 'Currency'])}\r\n`;
  for (const row of await monthlyMovements(pool, from, to)) {
    const amount = Number(row.total);
    yield `${csvRecord([
      `SK-${row.month}`,
      dayMonthYear(row.last_day),
      row.account_code,
      amount > 0 ? csvNumber(toDecimal(amount, row.currency)) : null,
      amount < 0 ? csvNumber(toDecimal(-amount, row.currency)) : null,
      `shopkeep: movement in ${row.month}`,
      row.currency,
    ])}\r\n`;
  }
}

export const EXPORTS = {
  hledger: hledgerJournal,
  csv: ledgerCsv,
  xero: xeroJournals,
  quickbooks: quickbooksJournals,
} as const;

export type ExportFormat = keyof typeof EXPORTS;

/** How each export is named and typed as a download. */
export const EXPORT_FILES: Record<ExportFormat, { extension: string; type: string }> = {
  hledger: { extension: 'journal', type: 'text/plain; charset=utf-8' },
  csv: { extension: 'csv', type: 'text/csv; charset=utf-8' },
  xero: { extension: 'xero.csv', type: 'text/csv; charset=utf-8' },
  quickbooks: { extension: 'quickbooks.csv', type: 'text/csv; charset=utf-8' },
};
