// Each day's summary to Akaunting: the day's revenue as one income transaction and its expenses as
// one expense transaction (Akaunting's free licence allows 1,000 documents, so never one per order).
// A day whose figures change later (a late refund) gets a correction for the difference. Every push
// is looked up in Akaunting by its reference first, so a crash between pushing and recording here
// never pushes twice.
import type pg from 'pg';
import { addDays } from '../../platform/dates.ts';
import { conflict } from '../../platform/errors.ts';
import { formatMoney, toDecimal, toMinor } from '../../platform/money.ts';
import { AkauntingError, type AkauntingClient } from './akaunting.ts';
import type { LedgerReports } from './reports.ts';

type Line = 'sales' | 'expenses';

export interface SyncResult {
  days: number;
  pushed: number;
  upToDate: number;
}

export class AkauntingSync {
  private readonly pool: pg.Pool;
  private readonly reports: LedgerReports;
  private readonly client: AkauntingClient;
  private readonly paymentMethod: string;

  constructor(options: {
    db: pg.Pool;
    reports: LedgerReports;
    client: AkauntingClient;
    /** Akaunting's payment method the transactions are recorded with. */
    paymentMethod: string;
  }) {
    this.pool = options.db;
    this.reports = options.reports;
    this.client = options.client;
    this.paymentMethod = options.paymentMethod;
  }

  /**
   * Pushes what each day in [from, to] is missing in Akaunting; days before the books began are
   * skipped. One push at a time (the morning job and the button could meet): a second is refused.
   */
  async sync(from: string, to: string, onDay: (day: string) => void = () => undefined): Promise<SyncResult> {
    const lock = await this.pool.connect();
    try {
      const { rows } = await lock.query<{ locked: boolean }>(
        "select pg_try_advisory_lock(hashtext('ledger.akaunting-sync')) as locked",
      );
      if (!rows[0]!.locked) throw conflict('a push to Akaunting is running already; try again in a minute');
      try {
        return await this.syncDays(from, to, onDay);
      } finally {
        await lock.query("select pg_advisory_unlock(hashtext('ledger.akaunting-sync'))");
      }
    } finally {
      lock.release();
    }
  }

  private async syncDays(from: string, to: string, onDay: (day: string) => void): Promise<SyncResult> {
    const { rows } = await this.pool.query<{ first: string | null }>(
      "select to_char(min(entry_date), 'YYYY-MM-DD') as first from ledger_entries",
    );
    const start = rows[0]!.first && rows[0]!.first > from ? rows[0]!.first : from;
    const result: SyncResult = { days: 0, pushed: 0, upToDate: 0 };
    if (!rows[0]!.first || start > to) return result;
    const targets = await this.client.targets((await this.reports.profitAndLoss(start, start)).currency);
    for (let day = start; day <= to; day = addDays(day, 1)) {
      const pnl = await this.reports.profitAndLoss(day, day);
      const pushed = await this.pushed(day);
      const wanted: Record<Line, number> = { sales: pnl.revenue, expenses: pnl.expenses };
      for (const line of ['sales', 'expenses'] as const) {
        const difference = wanted[line] - (pushed.get(line)?.total ?? 0);
        if (!difference) {
          if (wanted[line]) result.upToDate += 1;
          continue;
        }
        const count = pushed.get(line)?.count ?? 0;
        const number = `SK-${day}-${line.toUpperCase()}${count ? `-${count + 1}` : ''}`;
        await this.push(day, line, number, difference, count > 0, pnl.currency, targets);
        result.pushed += 1;
      }
      result.days += 1;
      onDay(day);
    }
    return result;
  }

  /** The last day with something in Akaunting, and how many transactions shopkeep has pushed. */
  async status(): Promise<{ lastDay: string | null; pushes: number }> {
    const { rows } = await this.pool.query<{ last_day: string | null; pushes: number }>(
      "select to_char(max(day), 'YYYY-MM-DD') as last_day, count(*)::int as pushes from ledger_akaunting_pushes",
    );
    return { lastDay: rows[0]!.last_day, pushes: rows[0]!.pushes };
  }

  private async pushed(day: string): Promise<Map<Line, { total: number; count: number }>> {
    const { rows } = await this.pool.query<{ line: Line; total: string; count: number }>(
      `select line, sum(amount_minor) as total, count(*)::int as count from ledger_akaunting_pushes
       where day = $1::date group by line`,
      [day],
    );
    return new Map(rows.map((row) => [row.line, { total: Number(row.total), count: row.count }]));
  }

  private async push(
    day: string,
    line: Line,
    number: string,
    amount: number,
    correction: boolean,
    currency: string,
    targets: { accountId: number; incomeCategoryId: number; expenseCategoryId: number },
  ): Promise<void> {
    // Sales up or expenses down bring money in; a correction the other way takes it out.
    const type = (line === 'sales') === amount > 0 ? 'income' : 'expense';
    const what = line === 'sales' ? 'Sales' : 'Expenses';
    const description = correction
      ? `Correction to ${what.toLowerCase()} of ${day} (shopkeep): ${amount > 0 ? 'up' : 'down'} by ${formatMoney(Math.abs(amount), currency)}`
      : `${what} of ${day} from shopkeep's books (net of refunds, without tax)`;
    let existing = await this.client.findByReference(number);
    if (!existing) {
      try {
        const created = await this.client.createTransaction({
          type,
          number,
          accountId: targets.accountId,
          paidAt: `${day} 12:00:00`,
          amount: toDecimal(Math.abs(amount), currency),
          currency,
          categoryId: line === 'sales' ? targets.incomeCategoryId : targets.expenseCategoryId,
          paymentMethod: this.paymentMethod,
          description,
          reference: number,
        });
        existing = { id: created.id, type, amount: Number(toDecimal(Math.abs(amount), currency)) };
      } catch (error) {
        // Another push of the same number won the race: it is there now.
        if (!(error instanceof AkauntingError && /number has already been taken/.test(error.message)))
          throw error;
        existing = await this.client.findByReference(number);
        if (!existing) throw error;
      }
    }
    // What Akaunting holds under this number is what counts (after a crash it may be an older figure).
    const into = existing.type === 'income' ? 1 : -1;
    const recorded = (line === 'sales' ? into : -into) * toMinor(String(existing.amount), currency);
    await this.pool.query(
      `insert into ledger_akaunting_pushes (number, day, line, amount_minor, akaunting_id) values ($1, $2, $3, $4, $5)
       on conflict (number) do nothing`,
      [number, day, line, recorded, existing.id],
    );
  }
}
