// Reports from the postings: profit and loss, balance sheet, trial balance, the sales-tax liability by
// jurisdiction and the general ledger. Income and liabilities are credits (negative postings); the
// reports show them as positive figures, the way an accountant reads them.
import type pg from 'pg';
import { addDays } from '../../platform/dates.ts';
import { cashFlowClass } from './chart.ts';
import type { AccountType } from './schema.ts';

export interface AccountLine {
  account: string;
  name: string;
  type: AccountType;
  amount: number; // minor units, shown the natural way round (income and liabilities positive)
}

export interface ProfitAndLoss {
  from: string;
  to: string;
  currency: string;
  revenue: number;
  expenses: number;
  net: number;
  income: AccountLine[];
  costs: AccountLine[];
  comparison?: Omit<ProfitAndLoss, 'comparison'>;
}

export interface BalanceSheet {
  at: string;
  currency: string;
  assets: AccountLine[];
  liabilities: AccountLine[];
  equity: AccountLine[];
  totalAssets: number;
  totalLiabilities: number;
  totalEquity: number; // includes the earnings of earlier years and this year's
  /** Income less expenses of the years closed (up to the last year end on or before `at`). */
  retainedEarnings: number;
  /** Income less expenses since the last year end (since the beginning, before any). */
  earnings: number;
}

export interface TrialBalanceLine {
  account: string;
  name: string;
  type: AccountType;
  debit: number;
  credit: number;
}

export interface TrialBalance {
  from: string | null;
  to: string;
  currency: string;
  lines: TrialBalanceLine[];
  totalDebits: number;
  totalCredits: number;
}

export interface TaxLine {
  jurisdiction: string;
  collected: number;
  refunded: number;
  owed: number;
}

/** A section of the cash-flow statement: what each account added to (or took from) the cash. */
export interface CashFlowSection {
  lines: { account: string; name: string; amount: number }[];
  total: number;
}

export interface CashFlowStatement {
  from: string;
  to: string;
  currency: string;
  openingCash: number;
  netProfit: number;
  operating: CashFlowSection; // starts from the profit; stock, Shopify balances, tax owed… adjust it
  investing: CashFlowSection;
  financing: CashFlowSection;
  netChange: number;
  closingCash: number;
}

interface Balance {
  code: string;
  name: string;
  type: AccountType;
  total: string;
  debits: string;
  credits: string;
}

const natural = (type: AccountType, total: number) =>
  type === 'income' || type === 'liability' || type === 'equity' ? -total : total;

/**
 * What to compare [from, to] with: a month (or the month so far) with the same days of the month
 * before; any other period with the one of the same length just before it.
 */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  if (from.endsWith('-01') && from.slice(0, 7) === to.slice(0, 7)) {
    const monthBefore = addDays(from, -1).slice(0, 7); // YYYY-MM
    const lastDay = addDays(from, -1).slice(8);
    const wholeMonth = addDays(to, 1).endsWith('-01');
    const day = wholeMonth || to.slice(8) > lastDay ? lastDay : to.slice(8);
    return { from: `${monthBefore}-01`, to: `${monthBefore}-${day}` };
  }
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
  return { from: addDays(from, -days - 1), to: addDays(from, -1) };
}

export class LedgerReports {
  private readonly pool: pg.Pool;
  /** The books' currency: reports are in it. */
  private readonly currency: () => Promise<string>;

  constructor(options: { db: pg.Pool; currency: () => Promise<string> }) {
    this.pool = options.db;
    this.currency = options.currency;
  }

  /** Per account: the sum of postings dated in [from, to] (from null: since the beginning). */
  private async balances(from: string | null, to: string): Promise<Balance[]> {
    const { rows } = await this.pool.query<Balance>(
      `select a.code, a.name, a.type, coalesce(sum(t.total), 0) as total,
         coalesce(sum(t.debits), 0) as debits, coalesce(sum(t.credits), 0) as credits
       from ledger_day_totals t join ledger_accounts a on a.code = t.account_code
       where t.day <= $2::date and ($1::date is null or t.day >= $1::date) and t.currency = $3
       group by a.code, a.name, a.type order by a.code`,
      [from, to, await this.currency()],
    );
    return rows;
  }

  async profitAndLoss(
    from: string,
    to: string,
    compare?: { from: string; to: string },
  ): Promise<ProfitAndLoss> {
    const rows = await this.balances(from, to);
    const lines = (type: AccountType) =>
      rows
        .filter((row) => row.type === type)
        .map((row) => ({
          account: row.code,
          name: row.name,
          type,
          amount: natural(type, Number(row.total)),
        }));
    const income = lines('income');
    const costs = lines('expense');
    const revenue = income.reduce((sum, line) => sum + line.amount, 0);
    const expenses = costs.reduce((sum, line) => sum + line.amount, 0);
    const report: ProfitAndLoss = {
      from,
      to,
      currency: await this.currency(),
      revenue,
      expenses,
      net: revenue - expenses,
      income,
      costs,
    };
    if (compare) report.comparison = await this.profitAndLoss(compare.from, compare.to);
    return report;
  }

  async balanceSheet(at: string): Promise<BalanceSheet> {
    const rows = await this.balances(null, at);
    const lines = (type: AccountType) =>
      rows
        .filter((row) => row.type === type && Number(row.total) !== 0)
        .map((row) => ({
          account: row.code,
          name: row.name,
          type,
          amount: natural(type, Number(row.total)),
        }));
    const sum = (list: AccountLine[]) => list.reduce((total, line) => total + line.amount, 0);
    const allEarnings = -rows
      .filter((row) => row.type === 'income' || row.type === 'expense')
      .reduce((total, row) => total + Number(row.total), 0);
    // Years closed roll into earnings of earlier years; no entry moves them (each year's P&L stays).
    const { rows: closed } = await this.pool.query<{ ends_on: string | null }>(
      `select to_char(max(ends_on), 'YYYY-MM-DD') as ends_on from ledger_year_ends where ends_on <= $1::date`,
      [at],
    );
    const yearEnd = closed[0]?.ends_on ?? null;
    const retainedEarnings = yearEnd
      ? -(await this.balances(null, yearEnd))
          .filter((row) => row.type === 'income' || row.type === 'expense')
          .reduce((total, row) => total + Number(row.total), 0)
      : 0;
    const earnings = allEarnings - retainedEarnings;
    const equity = lines('equity');
    return {
      at,
      currency: await this.currency(),
      assets: lines('asset'),
      liabilities: lines('liability'),
      equity,
      totalAssets: sum(lines('asset')),
      totalLiabilities: sum(lines('liability')),
      totalEquity: sum(equity) + retainedEarnings + earnings,
      retainedEarnings,
      earnings,
    };
  }

  /**
   * The cash-flow statement (indirect method): the period's profit, adjusted by the change in every
   * account that is not cash, in three sections. Every posting balances, so the sections add up to
   * the change in the bank and cash accounts exactly.
   */
  async cashFlow(from: string, to: string): Promise<CashFlowStatement> {
    const [moved, before] = await Promise.all([
      this.balances(from, to),
      this.balances(null, addDays(from, -1)),
    ]);
    const cashOf = (rows: Balance[]) =>
      rows
        .filter((row) => cashFlowClass(row.code) === 'cash')
        .reduce((sum, row) => sum + Number(row.total), 0);
    const netProfit = -moved
      .filter((row) => row.type === 'income' || row.type === 'expense')
      .reduce((sum, row) => sum + Number(row.total), 0);
    const section = (kind: 'operating' | 'investing' | 'financing'): CashFlowSection => {
      const lines = moved
        .filter(
          (row) =>
            row.type !== 'income' &&
            row.type !== 'expense' &&
            cashFlowClass(row.code) === kind &&
            Number(row.total) !== 0,
        )
        .map((row) => ({ account: row.code, name: row.name, amount: -Number(row.total) }));
      return { lines, total: lines.reduce((sum, line) => sum + line.amount, 0) };
    };
    const adjustments = section('operating');
    const operating = {
      lines: [{ account: 'profit', name: 'Profit for the period', amount: netProfit }, ...adjustments.lines],
      total: netProfit + adjustments.total,
    };
    const investing = section('investing');
    const financing = section('financing');
    const openingCash = cashOf(before);
    const netChange = operating.total + investing.total + financing.total;
    return {
      from,
      to,
      currency: await this.currency(),
      openingCash,
      netProfit,
      operating,
      investing,
      financing,
      netChange,
      closingCash: openingCash + cashOf(moved),
    };
  }

  async trialBalance(from: string | null, to: string): Promise<TrialBalance> {
    const rows = await this.balances(from, to);
    const lines: TrialBalanceLine[] = rows.map((row) => ({
      account: row.code,
      name: row.name,
      type: row.type,
      debit: Number(row.debits),
      credit: Number(row.credits),
    }));
    return {
      from,
      to,
      currency: await this.currency(),
      lines,
      totalDebits: lines.reduce((sum, line) => sum + line.debit, 0),
      totalCredits: lines.reduce((sum, line) => sum + line.credit, 0),
    };
  }

  /** What was booked since a moment: orders (their sale, not later changes) and receipts. */
  async bookedSince(moment: Date): Promise<{ orders: number; receipts: number }> {
    const { rows } = await this.pool.query<{ orders: string; receipts: string }>(
      `select count(*) filter (where source_type = 'order' and source_key not like '%:event:%') as orders,
              count(*) filter (where source_type = 'receipt') as receipts
       from ledger_entries where created_at > $1`,
      [moment],
    );
    return { orders: Number(rows[0]!.orders), receipts: Number(rows[0]!.receipts) };
  }

  /** Sales tax by jurisdiction: collected on sales, given back on refunds, and what is owed. */
  async salesTax(
    from: string,
    to: string,
  ): Promise<{ from: string; to: string; currency: string; lines: TaxLine[]; reclaimable: number }> {
    const { rows: purchases } = await this.pool.query<{ total: string }>(
      `select coalesce(sum(total), 0) as total from ledger_day_totals
       where account_code = 'Assets:VAT Reclaimable' and day between $1::date and $2::date`,
      [from, to],
    );
    const { rows } = await this.pool.query<{ jurisdiction: string; collected: string; refunded: string }>(
      `select coalesce(nullif(jurisdiction, ''), 'unspecified') as jurisdiction,
         coalesce(sum(-total) filter (where source_type <> 'refund'), 0) as collected,
         coalesce(sum(total) filter (where source_type = 'refund'), 0) as refunded
       from ledger_day_totals
       where account_code = 'Liabilities:Sales Tax Payable' and day between $1::date and $2::date
       group by 1 order by 1`,
      [from, to],
    );
    return {
      from,
      to,
      currency: await this.currency(),
      lines: rows.map((row) => ({
        jurisdiction: row.jurisdiction,
        collected: Number(row.collected),
        refunded: Number(row.refunded),
        owed: Number(row.collected) - Number(row.refunded),
      })),
      reclaimable: Number(purchases[0]!.total),
    };
  }

  /** One account's postings in a period, with the entry each belongs to and where it came from. */
  async generalLedger(account: string, from: string, to: string, limit = 500) {
    const { rows } = await this.pool.query<{
      entry_id: string;
      entry_date: string;
      description: string;
      source_type: string;
      source_id: string | null;
      amount_minor: string;
      jurisdiction: string | null;
    }>(
      `select e.id as entry_id, to_char(e.entry_date, 'YYYY-MM-DD') as entry_date, e.description, e.source_type,
         e.source_id, p.amount_minor, p.jurisdiction
       from ledger_postings p join ledger_entries e on e.id = p.entry_id
       where p.account_code = $1 and e.entry_date between $2::date and $3::date
       order by e.entry_date, e.id limit $4`,
      [account, from, to, limit],
    );
    const { rows: opening } = await this.pool.query<{ total: string }>(
      `select coalesce(sum(p.amount_minor), 0) as total from ledger_postings p
       join ledger_entries e on e.id = p.entry_id where p.account_code = $1 and e.entry_date < $2::date`,
      [account, from],
    );
    let running = Number(opening[0]!.total);
    return {
      account,
      from,
      to,
      currency: await this.currency(),
      opening: running,
      postings: rows.map((row) => {
        running += Number(row.amount_minor);
        return {
          entryId: Number(row.entry_id),
          date: row.entry_date,
          description: row.description,
          source: { type: row.source_type, id: row.source_id },
          amount: Number(row.amount_minor),
          jurisdiction: row.jurisdiction,
          balance: running,
        };
      }),
    };
  }
}
