// Bank reconciliation: a statement imported (CSV, OFX, CAMT.053) becomes lines on a bank account;
// each is matched to the entry that booked it (Shopify payouts, expenses, journals, a salon's payment),
// at once when sure, else suggested; a line nothing booked can be booked from the line itself (an
// expense or income to an account), or set aside. What is unreconciled shows on both sides: lines no
// entry explains, and money the books hold on the account that no statement has shown yet.
import { createHash } from 'node:crypto';
import { transaction } from '../../platform/db/database.ts';
import { conflict, invalid, notFound, unprocessable } from '../../platform/errors.ts';
import { ACCOUNTS } from './chart.ts';
import type { BookParts } from './journals.ts';
// The statement readers and the matching load when a statement is imported or reconciled, not at
// start-up (the Pi's idle memory).
import type { CsvMapping, StatementLine } from './bank-statements.ts';
import type { BankLine, BookedMovement, Candidate } from './bank-matching.ts';

const statements = () => import('./bank-statements.ts');
const matching = () => import('./bank-matching.ts');

export interface StatementImport {
  statementId: number;
  format: 'csv' | 'ofx' | 'camt053';
  lines: number;
  alreadyImported: number;
  matched: number;
  open: number;
}

export interface OpenLine extends BankLine {
  accountCode: string;
  suggestions: { entryId: number; day: string; description: string; days: number; referenced: boolean }[];
}

export interface Unreconciled {
  account: string;
  currency: string;
  openLines: OpenLine[];
  /** Booked on the account, on no statement yet (a payout on its way, a cheque not yet cleared). */
  notOnStatement: BookedMovement[];
  matched: number;
}

/** How many days apart a line and its entry may be. */
const WINDOW = 7;

export class BankReconciliation {
  constructor(private readonly options: BookParts) {}

  /**
   * Reads a statement and keeps its lines (those already imported from an earlier, overlapping file
   * are counted, not kept twice), then matches what is sure.
   */
  async importStatement(
    text: string,
    options: { account?: string; name: string; by: string; mapping?: CsvMapping },
  ): Promise<StatementImport> {
    const account = options.account ?? ACCOUNTS.bank;
    const types = await this.options.chart.types();
    if (types.get(account) !== 'asset' && types.get(account) !== 'liability')
      throw unprocessable(`"${account}" is not a bank or card account in the chart`);
    const currency = await this.options.currency();
    const { StatementError, readCamtStatement, readCsvStatement, readOfxStatement, statementFormat } =
      await statements();
    const format = statementFormat(text);
    let lines: StatementLine[];
    try {
      if (format === 'ofx') lines = readOfxStatement(text, currency);
      else if (format === 'camt053') lines = readCamtStatement(text, currency);
      else {
        const header = text.split(/\r?\n/, 1)[0]!.replace(/^\uFEFF/, '');
        const remembered = options.mapping ?? (await this.rememberedMapping(header));
        const read = readCsvStatement(text, currency, remembered);
        lines = read.lines;
        await this.options.db.query(
          `insert into ledger_bank_csv_mappings (header, mapping) values ($1, $2)
           on conflict (header) do update set mapping = excluded.mapping, saved_at = now()`,
          [header, JSON.stringify(read.mapping)],
        );
      }
    } catch (error) {
      if (error instanceof StatementError) throw unprocessable(error.message);
      throw error;
    }
    if (!lines.length) throw unprocessable('the statement holds no lines with money in or out');
    const seen = new Map<string, number>();
    const fingerprints = lines.map((line) => {
      const identity = [account, line.day, line.amount, line.description, line.reference ?? ''].join('|');
      const nth = (seen.get(identity) ?? 0) + 1;
      seen.set(identity, nth);
      return createHash('sha256').update(`${identity}|${nth}`).digest('hex').slice(0, 40);
    });
    const statementId = await transaction(this.options.db, async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `insert into ledger_bank_statements (account_code, name, format, lines, imported_by)
         values ($1, $2, $3, $4, $5) returning id`,
        [account, options.name.slice(0, 200), format, lines.length, options.by],
      );
      const id = Number(rows[0]!.id);
      await tx.query(
        `insert into ledger_bank_lines (statement_id, account_code, day, amount_minor, description, reference, fingerprint)
         select $1, $2, * from unnest($3::date[], $4::bigint[], $5::text[], $6::text[], $7::text[])
         on conflict (fingerprint) do nothing`,
        [
          id,
          account,
          lines.map((line) => line.day),
          lines.map((line) => line.amount),
          lines.map((line) => line.description.slice(0, 500)),
          lines.map((line) => line.reference?.slice(0, 200) ?? null),
          fingerprints,
        ],
      );
      return id;
    });
    const { rows: kept } = await this.options.db.query<{ n: string }>(
      'select count(*) as n from ledger_bank_lines where statement_id = $1',
      [statementId],
    );
    const matched = await this.matchSure(account);
    const { rows: left } = await this.options.db.query<{ n: string }>(
      "select count(*) as n from ledger_bank_lines where account_code = $1 and status = 'open'",
      [account],
    );
    const open = Number(left[0]!.n);
    return {
      statementId,
      format,
      lines: Number(kept[0]!.n),
      alreadyImported: lines.length - Number(kept[0]!.n),
      matched,
      open,
    };
  }

  private async rememberedMapping(header: string): Promise<CsvMapping | undefined> {
    const { rows } = await this.options.db.query<{ mapping: CsvMapping }>(
      'select mapping from ledger_bank_csv_mappings where header = $1',
      [header],
    );
    return rows[0]?.mapping;
  }

  private async open(account: string): Promise<{ lines: BankLine[]; booked: BookedMovement[] }> {
    const { rows: lineRows } = await this.options.db.query<{
      id: string;
      day: string;
      amount_minor: string;
      description: string;
      reference: string | null;
    }>(
      `select id, to_char(day, 'YYYY-MM-DD') as day, amount_minor, description, reference
       from ledger_bank_lines where account_code = $1 and status = 'open' order by day, id`,
      [account],
    );
    const lines = lineRows.map((row) => ({
      id: Number(row.id),
      day: row.day,
      amount: Number(row.amount_minor),
      description: row.description,
      reference: row.reference,
    }));
    const booked = await this.unmatchedMovements(account);
    return { lines, booked };
  }

  /** What the books hold on the account that no statement line explains yet. */
  private async unmatchedMovements(account: string): Promise<BookedMovement[]> {
    const { rows } = await this.options.db.query<{
      entry_id: string;
      day: string;
      amount: string;
      description: string;
      source_id: string | null;
    }>(
      `select e.id as entry_id, to_char(e.entry_date, 'YYYY-MM-DD') as day, sum(p.amount_minor) as amount,
         e.description, e.source_id
       from ledger_postings p join ledger_entries e on e.id = p.entry_id
       where p.account_code = $1
         and not exists (select 1 from ledger_bank_lines l where l.entry_id = e.id)
       group by e.id having sum(p.amount_minor) <> 0
       order by e.entry_date, e.id`,
      [account],
    );
    return rows.map((row) => ({
      entryId: Number(row.entry_id),
      day: row.day,
      amount: Number(row.amount),
      description: row.description,
      sourceId: row.source_id,
    }));
  }

  /** Matches every sure pair on the account; returns how many. */
  async matchSure(account: string = ACCOUNTS.bank): Promise<number> {
    const { lines, booked } = await this.open(account);
    if (!lines.length || !booked.length) return 0;
    const { sure } = (await matching()).matchLines(lines, booked, WINDOW);
    if (!sure.length) return 0;
    const { rowCount } = await this.options.db.query(
      `update ledger_bank_lines l set status = 'matched', entry_id = m.entry_id, matched_by = 'matched by amount, day and reference', matched_at = now()
       from unnest($1::bigint[], $2::bigint[]) as m(line_id, entry_id)
       where l.id = m.line_id and l.status = 'open'`,
      [sure.map((pair) => pair.lineId), sure.map((pair) => pair.entryId)],
    );
    return rowCount ?? 0;
  }

  /** The open lines with their best three suggestions, each named by its entry. */
  private withSuggestions(
    account: string,
    lines: BankLine[],
    booked: BookedMovement[],
    suggestions: Map<number, Candidate[]>,
  ): OpenLine[] {
    const byEntry = new Map(booked.map((movement) => [movement.entryId, movement]));
    return lines.map((line) => ({
      ...line,
      accountCode: account,
      suggestions: (suggestions.get(line.id) ?? []).slice(0, 3).map((pair) => ({
        entryId: pair.entryId,
        day: byEntry.get(pair.entryId)!.day,
        description: byEntry.get(pair.entryId)!.description,
        days: pair.days,
        referenced: pair.referenced,
      })),
    }));
  }

  /** Both sides of what is not reconciled on the account, with suggestions for each open line. */
  async unreconciled(account: string = ACCOUNTS.bank): Promise<Unreconciled> {
    const { lines, booked } = await this.open(account);
    const { suggested } = (await matching()).matchLines(lines, booked, WINDOW);
    const { rows } = await this.options.db.query<{ n: string; first: string | null }>(
      `select count(*) filter (where status = 'matched') as n, to_char(min(day), 'YYYY-MM-DD') as first
       from ledger_bank_lines where account_code = $1`,
      [account],
    );
    const first = rows[0]?.first;
    return {
      account,
      currency: await this.options.currency(),
      openLines: this.withSuggestions(account, lines, booked, suggested),
      // Before the first statement's first day the books are not compared with any statement.
      notOnStatement: first ? booked.filter((movement) => movement.day >= first) : [],
      matched: Number(rows[0]?.n ?? 0),
    };
  }

  /** The owner's match of a line to an entry that booked the same money on the same account. */
  async accept(lineId: number, entryId: number, by: string): Promise<void> {
    const line = await this.line(lineId);
    if (line.status !== 'open') throw conflict(`bank line ${lineId} is already ${line.status}`);
    const { rows } = await this.options.db.query<{ amount: string | null; taken: boolean }>(
      `select (select sum(amount_minor) from ledger_postings where entry_id = $1 and account_code = $2) as amount,
         exists (select 1 from ledger_bank_lines where entry_id = $1) as taken`,
      [entryId, line.account],
    );
    const amount = rows[0]?.amount === null || rows[0]?.amount === undefined ? null : Number(rows[0].amount);
    if (amount === null) throw unprocessable(`entry ${entryId} books nothing on ${line.account}`);
    if (rows[0]!.taken) throw conflict(`entry ${entryId} is already matched to another bank line`);
    if (amount !== line.amount)
      throw unprocessable(
        `entry ${entryId} books ${amount} on ${line.account}, the line ${line.amount}: they are not the same money`,
      );
    await this.options.db.query(
      `update ledger_bank_lines set status = 'matched', entry_id = $2, matched_by = $3, matched_at = now()
       where id = $1 and status = 'open'`,
      [lineId, entryId, by],
    );
  }

  /**
   * Books a line nothing in the books explains (bank charges, a supplier paid by card, interest): to
   * an account, with the VAT in it to reclaim when money went out, and matches the line to it.
   */
  async book(
    lineId: number,
    input: { account: string; vat?: number; memo?: string },
    by: string,
  ): Promise<number> {
    const line = await this.line(lineId);
    if (line.status !== 'open') throw conflict(`bank line ${lineId} is already ${line.status}`);
    const types = await this.options.chart.types();
    if (!types.has(input.account))
      throw unprocessable(
        `"${input.account}" is not an account in the chart (add it under Books → Settings)`,
      );
    if (input.account === line.account)
      throw unprocessable('choose the account the money came from or went to');
    const vat = input.vat ?? 0;
    if (!Number.isInteger(vat) || vat < 0 || vat >= Math.abs(line.amount))
      throw invalid('the VAT is whole pence, less than the amount');
    if (vat && line.amount > 0) throw invalid('VAT to reclaim goes with money out, not money in');
    const currency = await this.options.currency();
    const sourceKey = `bank-line:${lineId}`;
    return transaction(this.options.db, async (tx) => {
      await this.options.poster.write(
        tx,
        [
          {
            date: line.day,
            description: input.memo?.trim() || line.description || 'Bank line',
            sourceType: 'journal',
            sourceId: line.reference,
            sourceKey,
            currency,
            postings: [
              { account: line.account, amount: line.amount },
              { account: input.account, amount: -line.amount - vat },
              ...(vat ? [{ account: ACCOUNTS.vatReclaimable, amount: vat }] : []),
            ],
          },
        ],
        [],
      );
      const { rows } = await tx.query<{ id: string }>('select id from ledger_entries where source_key = $1', [
        sourceKey,
      ]);
      const entryId = Number(rows[0]!.id);
      await tx.query(
        `update ledger_bank_lines set status = 'matched', entry_id = $2, matched_by = $3, matched_at = now() where id = $1`,
        [lineId, entryId, by],
      );
      return entryId;
    });
  }

  async ignore(lineId: number, by: string): Promise<void> {
    const line = await this.line(lineId);
    if (line.status !== 'open') throw conflict(`bank line ${lineId} is already ${line.status}`);
    await this.options.db.query(
      `update ledger_bank_lines set status = 'ignored', matched_by = $2, matched_at = now() where id = $1`,
      [lineId, by],
    );
  }

  private async line(id: number) {
    const { rows } = await this.options.db.query<{
      account_code: string;
      day: string;
      amount_minor: string;
      description: string;
      reference: string | null;
      status: string;
    }>(
      `select account_code, to_char(day, 'YYYY-MM-DD') as day, amount_minor, description, reference, status
       from ledger_bank_lines where id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) throw notFound(`there is no bank line ${id}`);
    return {
      account: row.account_code,
      day: row.day,
      amount: Number(row.amount_minor),
      description: row.description,
      reference: row.reference,
      status: row.status,
    };
  }
}
