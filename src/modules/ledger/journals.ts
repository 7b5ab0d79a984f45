// Manual journals: what no Shopify event says. VAT paid to HMRC, the owner's drawings and capital, a
// loan and its repayments, PayPal withdrawals and fees, depreciation, accruals and prepayments, the
// opening balances on the day the books start. Each has balanced lines (minor units), a memo and
// perhaps a document; a journal in a closed period is refused, never moved. Journals that repeat
// (rent, depreciation, a loan repayment) are kept as templates and post themselves on their day.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import { addDays, isDate } from '../../platform/dates.ts';
import { conflict, invalid, notFound, unprocessable } from '../../platform/errors.ts';
import { formatMoney } from '../../platform/money.ts';
import type { ChartOfAccounts } from './chart-of-accounts.ts';
import { ACCOUNTS } from './chart.ts';
import type { Poster } from './posting.ts';
import type { EntryDraft } from './rules.ts';

export interface JournalLineInput {
  account: string;
  debit?: number;
  credit?: number;
}

export interface JournalInput {
  date: string;
  memo: string;
  lines: JournalLineInput[];
  /** Your own reference (a bill number): the same reference twice is refused, so a retry books once. */
  reference?: string;
}

export interface JournalDocument {
  name: string;
  contentType: string;
  content: Buffer;
}

export interface JournalLine {
  account: string;
  debit: number;
  credit: number;
}

export interface Journal {
  entryId: number;
  date: string;
  memo: string;
  currency: string;
  lines: JournalLine[];
  document: { name: string; contentType: string } | null;
}

export interface RecurringJournalInput {
  memo: string;
  lines: JournalLineInput[];
  /** 1–28: the day of each month it falls on. */
  dayOfMonth: number;
  startsOn: string;
  endsOn?: string;
}

export interface RecurringJournal extends Omit<RecurringJournalInput, 'lines' | 'endsOn'> {
  id: number;
  endsOn: string | null;
  lines: JournalLine[];
  createdBy: string;
  /** The next day it posts on; null when it has ended or was stopped. */
  nextOn: string | null;
}

const MAX_AMOUNT = 1e13; // ten billion pounds in pence: anything larger is a typing slip

/** Lines as signed amounts (debits positive), or every problem with them, named. */
export function readLines(
  lines: JournalLineInput[],
  accounts: ReadonlySet<string>,
  currency: string,
): { amounts: { account: string; amount: number }[] } | { problems: string[] } {
  const problems: string[] = [];
  if (lines.length < 2) problems.push('a journal has at least two lines (a debit and a credit)');
  const amounts: { account: string; amount: number }[] = [];
  lines.forEach((line, index) => {
    const where = `line ${index + 1}`;
    if (!accounts.has(line.account))
      problems.push(
        `${where}: "${line.account}" is not an account in the chart (add it under Books → Settings, or pick another)`,
      );
    const given = [line.debit, line.credit].filter((value) => value !== undefined);
    if (given.length !== 1) {
      problems.push(`${where}: give a debit or a credit, not ${given.length ? 'both' : 'neither'}`);
      return;
    }
    const value = given[0]!;
    if (!Number.isInteger(value) || value <= 0 || value > MAX_AMOUNT) {
      problems.push(`${where}: the amount is whole minor units (pence), more than 0 (got ${value})`);
      return;
    }
    amounts.push({ account: line.account, amount: line.debit !== undefined ? value : -value });
  });
  if (problems.length) return { problems };
  const debits = amounts.filter((line) => line.amount > 0).reduce((sum, line) => sum + line.amount, 0);
  const credits = -amounts.filter((line) => line.amount < 0).reduce((sum, line) => sum + line.amount, 0);
  if (debits !== credits)
    return {
      problems: [
        `the journal does not balance: debits ${formatMoney(debits, currency)}, credits ${formatMoney(credits, currency)} (${formatMoney(Math.abs(debits - credits), currency)} apart)`,
      ],
    };
  return { amounts };
}

const shownLines = (amounts: { account: string; amount: number }[]): JournalLine[] =>
  amounts.map(({ account, amount }) => ({
    account,
    debit: Math.max(amount, 0),
    credit: Math.max(-amount, 0),
  }));

/** The days a monthly journal falls on, from its start to `to` or its end (both included). */
export function daysDue(
  template: { dayOfMonth: number; startsOn: string; endsOn: string | null },
  to: string,
) {
  const days: string[] = [];
  let [year, month] = template.startsOn.split('-').map(Number) as [number, number];
  const last = template.endsOn && template.endsOn < to ? template.endsOn : to;
  for (;;) {
    const day = `${year}-${String(month).padStart(2, '0')}-${String(template.dayOfMonth).padStart(2, '0')}`;
    if (day > last) return days;
    if (day >= template.startsOn) days.push(day);
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
}

/** A recurring journal as stored. */
interface RecurringRow {
  id: string;
  memo: string;
  lines: { account: string; amount: number }[];
  day_of_month: number;
  starts_on: string;
  ends_on: string | null;
  stopped: boolean;
  created_by: string;
}

const RECURRING = `select id, memo, lines, day_of_month, to_char(starts_on, 'YYYY-MM-DD') as starts_on,
  to_char(ends_on, 'YYYY-MM-DD') as ends_on, stopped_at is not null as stopped, created_by
  from ledger_recurring_journals`;

/** What the books' own services share: the database, the poster that books, the chart, the currency. */
export interface BookParts {
  db: pg.Pool;
  poster: Poster;
  chart: ChartOfAccounts;
  currency: () => Promise<string>;
}

export class Journals {
  constructor(private readonly options: BookParts) {}

  private async accounts(): Promise<Set<string>> {
    return new Set((await this.options.chart.types()).keys());
  }

  private async closedUpTo(db: pg.Pool | pg.PoolClient): Promise<string | null> {
    const { rows } = await db.query<{ ends_on: string | null }>(
      `select to_char(max(ends_on), 'YYYY-MM-DD') as ends_on from ledger_periods`,
    );
    return rows[0]?.ends_on ?? null;
  }

  /** Books a journal, or refuses it (422) naming what is wrong; a reference already booked is a 409. */
  async post(input: JournalInput, document?: JournalDocument): Promise<Journal> {
    const currency = await this.options.currency();
    const problems: string[] = [];
    if (!isDate(input.date)) problems.push(`"${input.date}" is not a date (YYYY-MM-DD)`);
    const memo = input.memo.trim();
    if (!memo) problems.push('the memo says what the journal is for (e.g. "VAT paid to HMRC, Q3")');
    if (problems.length) throw invalid(problems.join('; '));
    const read = readLines(input.lines, await this.accounts(), currency);
    if ('problems' in read) throw unprocessable(read.problems.join('; '));
    const closed = await this.closedUpTo(this.options.db);
    if (closed && input.date <= closed)
      throw unprocessable(
        `the books are closed up to ${closed}: a journal dated ${input.date} cannot go in. Date it ${addDays(closed, 1)} or later, with the memo saying which period it corrects`,
      );
    const reference = input.reference?.trim();
    const draft: EntryDraft = {
      date: input.date,
      description: memo,
      sourceType: 'journal',
      sourceId: reference || null,
      sourceKey: reference ? `journal:ref:${reference}` : `journal:${randomUUID()}`,
      currency,
      postings: read.amounts.map(({ account, amount }) => ({ account, amount })),
    };
    return transaction(
      this.options.db,
      async (tx) => {
        const posted = await this.options.poster.write(tx, [draft], []);
        if (!posted.entries)
          throw conflict(`a journal with the reference "${reference}" is already in the books`);
        const { rows } = await tx.query<{ id: string }>(
          'select id from ledger_entries where source_key = $1',
          [draft.sourceKey],
        );
        const entryId = Number(rows[0]!.id);
        if (document)
          await tx.query(
            'insert into ledger_journal_documents (entry_id, name, content_type, content) values ($1, $2, $3, $4)',
            [entryId, document.name, document.contentType, document.content],
          );
        return {
          entryId,
          date: input.date,
          memo,
          currency,
          lines: shownLines(read.amounts),
          document: document ? { name: document.name, contentType: document.contentType } : null,
        };
      },
      { retries: 3 },
    );
  }

  /**
   * Opening balances on the day the books start: each account's balance as a debit or credit, the
   * difference to Equity:Opening Balances, so the lines need not balance by themselves.
   */
  async openingBalances(date: string, lines: JournalLineInput[]): Promise<Journal> {
    const signed = lines.map((line) => (line.debit ?? 0) - (line.credit ?? 0));
    const rest = -signed.reduce((sum, amount) => sum + amount, 0);
    const balancing: JournalLineInput[] = rest
      ? [{ account: ACCOUNTS.openingBalances, ...(rest > 0 ? { debit: rest } : { credit: -rest }) }]
      : [];
    return this.post({
      date,
      memo: 'Opening balances',
      lines: [...lines, ...balancing],
      reference: `opening-balances:${date}`,
    });
  }

  /** A journal's document, to download. */
  async document(entryId: number): Promise<JournalDocument> {
    const { rows } = await this.options.db.query<{ name: string; content_type: string; content: Buffer }>(
      'select name, content_type, content from ledger_journal_documents where entry_id = $1',
      [entryId],
    );
    if (!rows[0]) throw notFound(`journal ${entryId} has no document`);
    return { name: rows[0].name, contentType: rows[0].content_type, content: rows[0].content };
  }

  /** The journals booked by hand, newest first. */
  async list(limit = 100): Promise<Journal[]> {
    const { rows } = await this.options.db.query<{
      id: string;
      entry_date: string;
      description: string;
      currency: string;
      lines: { account: string; amount: number }[];
      document_name: string | null;
      content_type: string | null;
    }>(
      `select e.id, to_char(e.entry_date, 'YYYY-MM-DD') as entry_date, e.description,
         min(p.currency) as currency,
         json_agg(json_build_object('account', p.account_code, 'amount', p.amount_minor) order by p.id) as lines,
         d.name as document_name, d.content_type
       from ledger_entries e join ledger_postings p on p.entry_id = e.id
         left join ledger_journal_documents d on d.entry_id = e.id
       where e.source_type = 'journal'
       group by e.id, d.name, d.content_type
       order by e.entry_date desc, e.id desc limit $1`,
      [limit],
    );
    return rows.map((row) => ({
      entryId: Number(row.id),
      date: row.entry_date,
      memo: row.description,
      currency: row.currency,
      lines: shownLines(row.lines.map((line) => ({ account: line.account, amount: Number(line.amount) }))),
      document: row.document_name ? { name: row.document_name, contentType: row.content_type! } : null,
    }));
  }

  async addRecurring(input: RecurringJournalInput, by: string, today: string): Promise<RecurringJournal> {
    const problems: string[] = [];
    const memo = input.memo.trim();
    if (!memo) problems.push('the memo says what the journal is for (e.g. "Rent for the unit")');
    if (!Number.isInteger(input.dayOfMonth) || input.dayOfMonth < 1 || input.dayOfMonth > 28)
      problems.push('the day of the month is 1 to 28 (so it falls in every month)');
    if (!isDate(input.startsOn)) problems.push(`"${input.startsOn}" is not a date (YYYY-MM-DD)`);
    if (input.endsOn !== undefined && (!isDate(input.endsOn) || input.endsOn < input.startsOn))
      problems.push(`the end "${input.endsOn}" is a date on or after the start`);
    if (problems.length) throw invalid(problems.join('; '));
    const read = readLines(input.lines, await this.accounts(), await this.options.currency());
    if ('problems' in read) throw unprocessable(read.problems.join('; '));
    const { rows } = await this.options.db.query<{ id: string }>(
      `insert into ledger_recurring_journals (memo, lines, day_of_month, starts_on, ends_on, created_by)
       values ($1, $2, $3, $4, $5, $6) returning id`,
      [memo, JSON.stringify(read.amounts), input.dayOfMonth, input.startsOn, input.endsOn ?? null, by],
    );
    await this.postDue(today);
    return (await this.recurring(today)).find((each) => each.id === Number(rows[0]!.id))!;
  }

  async recurring(today: string): Promise<RecurringJournal[]> {
    const { rows } = await this.options.db.query<RecurringRow>(`${RECURRING} order by id`);
    return rows.map((row) => {
      // The first day it falls on after today (or on its start), unless it has ended.
      const from = row.starts_on > today ? row.starts_on : addDays(today, 1);
      let next: string | null = `${from.slice(0, 8)}${String(row.day_of_month).padStart(2, '0')}`;
      if (next < from) next = `${addDays(`${from.slice(0, 8)}28`, 4).slice(0, 8)}${next.slice(8)}`;
      if (row.stopped || (row.ends_on && next > row.ends_on)) next = null;
      return {
        id: Number(row.id),
        memo: row.memo,
        lines: shownLines(row.lines),
        dayOfMonth: row.day_of_month,
        startsOn: row.starts_on,
        endsOn: row.ends_on,
        createdBy: row.created_by,
        nextOn: next,
      };
    });
  }

  async stopRecurring(id: number): Promise<void> {
    const { rowCount } = await this.options.db.query(
      'update ledger_recurring_journals set stopped_at = coalesce(stopped_at, now()) where id = $1',
      [id],
    );
    if (!rowCount) throw notFound(`there is no recurring journal ${id}`);
  }

  /**
   * Posts every recurring journal due up to today that is not in the books yet (each month's once,
   * whenever the job runs: a Pi that was off for a week catches up). One in a closed period goes on
   * the first open day, saying so.
   */
  async postDue(today: string): Promise<number> {
    const currency = await this.options.currency();
    const { rows } = await this.options.db.query<RecurringRow>(
      `${RECURRING} where stopped_at is null and starts_on <= $1`,
      [today],
    );
    const drafts: EntryDraft[] = rows.flatMap((row) =>
      daysDue({ dayOfMonth: row.day_of_month, startsOn: row.starts_on, endsOn: row.ends_on }, today).map(
        (day) => ({
          date: day,
          description: row.memo,
          sourceType: 'journal' as const,
          sourceId: `recurring:${row.id}`,
          sourceKey: `journal:recurring:${row.id}:${day.slice(0, 7)}`,
          currency,
          postings: row.lines.map(({ account, amount }) => ({ account, amount: Number(amount) })),
        }),
      ),
    );
    if (!drafts.length) return 0;
    const posted = await transaction(this.options.db, (tx) => this.options.poster.write(tx, drafts, []), {
      retries: 3,
    });
    return posted.entries;
  }
}
