// Where the cash is heading over the next 90 days, from what the books already know: money Shopify
// and PayPal hold that is on its way, takings at the pace of the last 90 days' payouts, expenses that
// come back every month, reorders of products that will run low at the pace they sell, and the VAT
// the shop pays HMRC each quarter (and any it owes for quarters already due), and what is owed on
// credit cards, paid off with the next statement.
import type pg from 'pg';
import { addDays } from '../../platform/dates.ts';
import { currencyExponent } from '../../platform/money.ts';
import { cashFlowClass } from './chart.ts';

export interface ProjectedItem {
  date: string;
  kind: 'payout' | 'takings' | 'recurring' | 'reorder' | 'vat' | 'card';
  description: string;
  amount: number; // minor units; money out negative
}

export interface CashProjection {
  from: string;
  days: number;
  currency: string;
  openingCash: number;
  items: ProjectedItem[]; // takings are one line per week, the rest as they fall
  weeks: { starts: string; moneyIn: number; moneyOut: number; closing: number }[];
  lowest: { date: string; balance: number };
  closingCash: number;
}

/** An expense paid in at least three different months of the last four: expected again monthly. */
export interface PastExpense {
  supplier: string;
  date: string;
  amount: number; // paid, positive
}

export interface SellingProduct {
  variantId: number;
  name: string;
  onHand: number;
  soldPerDay: number; // over the last 28 days
  unitCostMicros: number; // what the latest lot cost
}

const HORIZON_DAYS = 90;
const CARD_DAYS = 30; // a card's balance is paid off with its next monthly statement
const PAYOUT_DAYS = 3; // Shopify Payments pays out two to three business days after a sale
const COVER_DAYS = 14; // reorder when what is left lasts two weeks
const ORDER_DAYS = 30; // and order a month's worth

/** The same day of the month, a month later (the 31st becomes the month's last day). */
export function nextMonth(day: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year, month, 1)); // the first of the next month
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date, last));
  return target.toISOString().slice(0, 10);
}

export function recurringExpenses(history: PastExpense[], from: string, until: string): ProjectedItem[] {
  const bySupplier = new Map<string, PastExpense[]>();
  for (const expense of history) {
    const list = bySupplier.get(expense.supplier) ?? [];
    list.push(expense);
    bySupplier.set(expense.supplier, list);
  }
  const items: ProjectedItem[] = [];
  for (const [supplier, paid] of bySupplier) {
    if (new Set(paid.map((expense) => expense.date.slice(0, 7))).size < 3) continue;
    const latest = paid.reduce((a, b) => (b.date > a.date ? b : a));
    for (let day = nextMonth(latest.date); day <= until; day = nextMonth(day)) {
      if (day > from)
        items.push({
          date: day,
          kind: 'recurring',
          description: `${supplier} (monthly)`,
          amount: -latest.amount,
        });
    }
  }
  return items;
}

/** Reorders as stock runs down at its recent pace: a month's worth whenever two weeks are left. */
export function plannedReorders(
  products: SellingProduct[],
  from: string,
  days: number,
  currency: string,
): ProjectedItem[] {
  const scale = 10 ** (6 - currencyExponent(currency));
  const items: ProjectedItem[] = [];
  for (const product of products) {
    if (product.soldPerDay <= 0 || product.unitCostMicros <= 0) continue;
    const quantity = Math.ceil(product.soldPerDay * ORDER_DAYS);
    let onHand = product.onHand;
    let day = 0;
    while (day <= days) {
      const lasts = onHand / product.soldPerDay;
      const orderIn = Math.max(1, Math.ceil(lasts - COVER_DAYS));
      day += orderIn;
      if (day > days) break;
      onHand += quantity - orderIn * product.soldPerDay;
      items.push({
        date: addDays(from, day),
        kind: 'reorder',
        description: `Reorder ${quantity} × ${product.name}`,
        amount: -Math.round((quantity * product.unitCostMicros) / scale),
      });
    }
  }
  return items;
}

/** A VAT quarter: its first and last day, and the day its VAT is due (one month and seven days later). */
export interface VatQuarter {
  start: string;
  end: string;
  due: string;
}

const firstOfMonth = (year: number, month: number) =>
  new Date(Date.UTC(year, month - 1, 1)).toISOString().slice(0, 10);

/**
 * The VAT quarters begun by `today` whose VAT is not due yet. `firstEndMonth` is the month the year's
 * first quarter ends (3: Mar, Jun, Sep, Dec; 1: Jan, Apr, …; 2: Feb, May, …). HMRC wants a quarter's
 * VAT one calendar month and seven days after it ends: 7 May for the quarter to 31 March.
 */
export function openVatQuarters(today: string, firstEndMonth: number): VatQuarter[] {
  const year = Number(today.slice(0, 4));
  const quarters: VatQuarter[] = [];
  for (let y = year - 1; y <= year + 1; y += 1)
    for (let endMonth = firstEndMonth; endMonth <= 12; endMonth += 3) {
      const start = firstOfMonth(y, endMonth - 2);
      const end = addDays(firstOfMonth(y, endMonth + 1), -1);
      const due = addDays(firstOfMonth(y, endMonth + 2), 6);
      if (start <= today && due > today) quarters.push({ start, end, due });
    }
  return quarters;
}

/**
 * What the shop will pay HMRC in the window: each quarter's VAT on its due day (the quarter still
 * running at the pace it has run so far), and VAT for quarters already due that the books still owe,
 * tomorrow. `owedSoFar` is each open quarter's VAT up to today; `owedNow` all VAT the books owe today.
 */
export function vatPayments(input: {
  today: string;
  until: string;
  quarters: (VatQuarter & { owedSoFar: number })[];
  owedNow: number;
}): ProjectedItem[] {
  const items: ProjectedItem[] = [];
  const elapsed = (from: string, to: string) =>
    Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
  for (const quarter of input.quarters) {
    if (quarter.due > input.until) continue;
    const running = quarter.end > input.today;
    const amount = running
      ? Math.round(
          (quarter.owedSoFar * elapsed(quarter.start, quarter.end)) / elapsed(quarter.start, input.today),
        )
      : quarter.owedSoFar;
    // More VAT reclaimed than collected: HMRC repays the difference (after the return, about then).
    if (amount !== 0)
      items.push({
        date: quarter.due,
        kind: 'vat',
        description: `${amount > 0 ? 'VAT' : 'VAT repaid by HMRC'} for the quarter to ${quarter.end}${running ? ' (at the pace so far)' : ''}`,
        amount: -amount,
      });
  }
  const overdue = input.owedNow - input.quarters.reduce((sum, quarter) => sum + quarter.owedSoFar, 0);
  if (overdue > 0)
    items.push({
      date: addDays(input.today, 1),
      kind: 'vat',
      description:
        'VAT for quarters already due that the books still owe (pay HMRC, or book the payment made)',
      amount: -overdue,
    });
  return items;
}

/** Lays the expected items over the days, week by week, and finds the lowest point. */
export function project(input: {
  from: string;
  currency: string;
  openingCash: number;
  pending: ProjectedItem[];
  takingsPerDay: number;
  recurring: ProjectedItem[];
  reorders: ProjectedItem[];
  /** Known liabilities falling due: VAT, credit cards. */
  liabilities?: ProjectedItem[];
  days?: number;
}): CashProjection {
  const days = input.days ?? HORIZON_DAYS;
  const until = addDays(input.from, days);
  const takings: ProjectedItem[] = [];
  // Sales from tomorrow on, paid out a few days later; one line per week.
  for (let start = PAYOUT_DAYS + 1; start <= days; start += 7) {
    const span = Math.min(7, days - start + 1);
    const amount = Math.round(input.takingsPerDay * span);
    if (amount)
      takings.push({
        date: addDays(input.from, start),
        kind: 'takings',
        description: `Payouts at the pace of the last 90 days (${span} day${span === 1 ? '' : 's'})`,
        amount,
      });
  }
  const items = [
    ...input.pending,
    ...takings,
    ...input.recurring,
    ...input.reorders,
    ...(input.liabilities ?? []),
  ]
    .filter((item) => item.date > input.from && item.date <= until)
    .sort((a, b) => a.date.localeCompare(b.date) || b.amount - a.amount);
  let balance = input.openingCash;
  let lowest = { date: input.from, balance };
  const weeks: CashProjection['weeks'] = [];
  for (let week = 0; week * 7 < days; week += 1) {
    const starts = addDays(input.from, week * 7 + 1);
    const ends = addDays(input.from, Math.min(days, week * 7 + 7));
    let moneyIn = 0;
    let moneyOut = 0;
    for (const item of items) {
      if (item.date < starts || item.date > ends) continue;
      if (item.amount >= 0) moneyIn += item.amount;
      else moneyOut -= item.amount;
      balance += item.amount;
      if (balance < lowest.balance) lowest = { date: item.date, balance };
    }
    weeks.push({ starts, moneyIn, moneyOut, closing: balance });
  }
  return {
    from: input.from,
    days,
    currency: input.currency,
    openingCash: input.openingCash,
    items,
    weeks,
    lowest,
    closingCash: balance,
  };
}

/** Reads what the projection needs from the books and their stock. */
export class CashProjector {
  private readonly pool: pg.Pool;
  /** The books' currency: reports are in it. */
  private readonly currency: () => Promise<string>;

  /** The month the year's first VAT quarter ends (3: calendar quarters). */
  private readonly vatQuarterEnd: number;

  constructor(options: { db: pg.Pool; currency: () => Promise<string>; vatQuarterEnd?: number }) {
    this.pool = options.db;
    this.currency = options.currency;
    this.vatQuarterEnd = options.vatQuarterEnd ?? 3;
  }

  /** VAT the books owe from `from` (the beginning when null) to `to`: collected less reclaimable. */
  private async vatOwed(from: string | null, to: string): Promise<number> {
    const { rows } = await this.pool.query<{ owed: string }>(
      `select coalesce(-sum(total), 0) as owed from ledger_day_totals
       where account_code in ('Liabilities:Sales Tax Payable', 'Assets:VAT Reclaimable')
         and ($1::date is null or day >= $1::date) and day <= $2::date`,
      [from, to],
    );
    return Number(rows[0]!.owed);
  }

  private async vat(today: string, until: string): Promise<ProjectedItem[]> {
    const open = openVatQuarters(today, this.vatQuarterEnd);
    const [owedNow, ...soFar] = await Promise.all([
      this.vatOwed(null, today),
      ...open.map((quarter) => this.vatOwed(quarter.start, quarter.end < today ? quarter.end : today)),
    ]);
    return vatPayments({
      today,
      until,
      quarters: open.map((quarter, index) => ({ ...quarter, owedSoFar: soFar[index]! })),
      owedNow: owedNow!,
    });
  }

  /** The next 90 days from today; `names` gives products their shop names. */
  async projection(today: string, names: Map<number, string>): Promise<CashProjection> {
    const currency = await this.currency();
    const until = addDays(today, HORIZON_DAYS);
    const [balances, takings, expenses, products, vat, cards] = await Promise.all([
      this.balances(today, currency),
      this.pool.query<{ total: string }>(
        `select coalesce(sum(total), 0) as total from ledger_day_totals
         where source_type = 'payout' and currency = $3 and day > $1::date and day <= $2::date
           and account_code ~ '^Assets:(Bank|Cash)(:|$)'`,
        [addDays(today, -HORIZON_DAYS), today, currency],
      ),
      this.pool.query<{ supplier: string; date: string; amount: string }>(
        `select split_part(e.description, ':', 1) as supplier, to_char(e.entry_date, 'YYYY-MM-DD') as date,
           -sum(p.amount_minor) as amount
         from ledger_entries e join ledger_postings p on p.entry_id = e.id
         where e.source_type in ('manual', 'receipt') and e.entry_date > $1::date - 122 and e.entry_date <= $1::date
           and p.amount_minor < 0 and (p.account_code ~ '^Assets:(Bank|Cash)(:|$)' or p.account_code like 'Liabilities:%')
         group by e.id`,
        [today],
      ),
      this.sellingProducts(today, names),
      this.vat(today, until),
      this.cards(today, currency),
    ]);
    const pending = balances
      .filter((row) => row.code.startsWith('Assets:Clearing:') && row.total > 0)
      .map((row): ProjectedItem => ({
        date: addDays(today, PAYOUT_DAYS),
        kind: 'payout',
        description: `${row.name}: on its way to the bank`,
        amount: row.total,
      }));
    return project({
      from: today,
      currency,
      openingCash: balances
        .filter((row) => cashFlowClass(row.code) === 'cash')
        .reduce((sum, row) => sum + row.total, 0),
      pending,
      takingsPerDay: Number(takings.rows[0]!.total) / HORIZON_DAYS,
      recurring: recurringExpenses(
        expenses.rows.map((row) => ({ supplier: row.supplier, date: row.date, amount: Number(row.amount) })),
        today,
        until,
      ),
      reorders: plannedReorders(products, today, HORIZON_DAYS, currency),
      liabilities: [...vat, ...cards],
    });
  }

  /** What is owed on credit cards today, paid off with the next statement. */
  private async cards(today: string, currency: string): Promise<ProjectedItem[]> {
    const { rows } = await this.pool.query<{ name: string; owed: string }>(
      `select a.name, -sum(t.total) as owed from ledger_day_totals t join ledger_accounts a on a.code = t.account_code
       where t.day <= $1::date and t.currency = $2 and a.code like 'Liabilities:Credit Card%'
       group by a.code, a.name having -sum(t.total) > 0`,
      [today, currency],
    );
    return rows.map((row) => ({
      date: addDays(today, CARD_DAYS),
      kind: 'card',
      description: `${row.name}: what is owed today, paid off with the next statement`,
      amount: -Number(row.owed),
    }));
  }

  private async balances(today: string, currency: string) {
    const { rows } = await this.pool.query<{ code: string; name: string; total: string }>(
      `select a.code, a.name, sum(t.total) as total from ledger_day_totals t join ledger_accounts a on a.code = t.account_code
       where t.day <= $1::date and t.currency = $2 and a.type = 'asset' group by a.code, a.name`,
      [today, currency],
    );
    return rows.map((row) => ({ code: row.code, name: row.name, total: Number(row.total) }));
  }

  /** Products sold in the last 28 days: what is left on the books, the pace, and the latest cost. */
  private async sellingProducts(today: string, names: Map<number, string>): Promise<SellingProduct[]> {
    const { rows } = await this.pool.query<{
      variant_id: string;
      sold: string;
      on_hand: string;
      unit_cost_micros: string | null;
    }>(
      `with sold as (
         select variant_id, -sum(quantity) as sold from ledger_stock_moves
         where reason = 'sale' and moved_on > $1::date - 28 and moved_on <= $1::date group by variant_id
       )
       select s.variant_id, s.sold,
         coalesce((select sum(left_quantity) from ledger_lots l where l.variant_id = s.variant_id), 0)
           - coalesce((select open from ledger_stock_short o where o.variant_id = s.variant_id), 0) as on_hand,
         (select unit_cost_micros from ledger_lots l where l.variant_id = s.variant_id
          order by received_on desc, id desc limit 1) as unit_cost_micros
       from sold s where s.sold > 0`,
      [today],
    );
    return rows.map((row) => ({
      variantId: Number(row.variant_id),
      name: names.get(Number(row.variant_id)) ?? `variant ${row.variant_id}`,
      onHand: Number(row.on_hand),
      soldPerDay: Number(row.sold) / 28,
      unitCostMicros: Number(row.unit_cost_micros ?? 0),
    }));
  }
}
