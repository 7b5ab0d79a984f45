// What the owner reads every morning, every Monday and on the first of the month, and the alerts
// when something looks wrong: refunds far above normal, sales far below, payment fees drifting from
// their usual rate. Read from the day totals, so each takes milliseconds; sent through the
// notification interface (the dashboard inbox now, Telegram and email when they plug in).
import type pg from 'pg';
import { addDays } from '../../platform/dates.ts';
import { formatMoney } from '../../platform/money.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { Notice } from '../../platform/notify/index.ts';
import { ACCOUNTS } from './chart.ts';
import type { LedgerReports } from './reports.ts';
import type { VatReturns } from './vat-return.ts';
import { taxesOwed } from './taxes.ts';

/** Thresholds of the anomaly checks: far enough from normal to be worth a look, never on tiny amounts. */
export const ANOMALY = {
  trailingDays: 28,
  refundSpikeTimes: 3,
  refundSpikeMinimum: 5000, // minor units: a single small refund is no spike
  revenueDropBelow: 0.5,
  feeDriftRelative: 0.25,
};

export class Briefings {
  private readonly pool: pg.Pool;
  private readonly reports: LedgerReports;
  private readonly notifications: Faces['notifications'];
  private readonly currency: () => Promise<string>;
  private readonly vatReturns: VatReturns;

  constructor(options: {
    db: pg.Pool;
    reports: LedgerReports;
    notifications: Faces['notifications'];
    currency: () => Promise<string>;
    /** The shop's own VAT (the UK return's), not every country's taxes added together. */
    vatReturns: VatReturns;
  }) {
    this.pool = options.db;
    this.reports = options.reports;
    this.notifications = options.notifications;
    this.currency = options.currency;
    this.vatReturns = options.vatReturns;
  }

  /** The shop's VAT for a period, and other countries' taxes collected beside it (each named once). */
  private async vatLines(from: string, to: string, money: (minor: number) => string, label: string) {
    const [vat, tax] = await Promise.all([
      this.vatReturns.forPeriod(from, to),
      this.reports.salesTax(from, to),
    ]);
    const abroad = taxesOwed(tax.lines.filter((line) => !line.jurisdiction.startsWith('GB')))
      .filter((line) => line.owed)
      .map((line) => `${line.jurisdiction} ${money(line.owed)}`);
    return [
      vat.toPay >= 0 ? `${label}: ${money(vat.toPay)}` : `${label}: HMRC owes you ${money(-vat.toPay)}`,
      ...(abroad.length ? [`Taxes collected for other countries: ${abroad.join(', ')}`] : []),
    ];
  }

  /** Daily totals of an account (debits positive) between two days, one number per day (zero filled). */
  private async daily(account: string, from: string, to: string): Promise<number[]> {
    const { rows } = await this.pool.query<{ total: string }>(
      `select coalesce(sum(t.total), 0) as total
       from generate_series($2::date, $3::date, interval '1 day') as d(day)
       left join ledger_day_totals t on t.day = d.day::date and t.account_code = $1
       group by d.day order by d.day`,
      [account, from, to],
    );
    return rows.map((row) => Number(row.total));
  }

  /** Yesterday in a few lines, and any alert about it. */
  async dailySummary(today: string): Promise<Notice[]> {
    const day = addDays(today, -1);
    const currency = await this.currency();
    const money = (minor: number) => formatMoney(minor, currency);
    const [pnl, sheet, vat, orders] = await Promise.all([
      this.reports.profitAndLoss(day, day),
      this.reports.balanceSheet(day),
      this.vatLines(
        `${day.slice(0, 8)}01`,
        day,
        money,
        'VAT owed this month so far (UK, after VAT to reclaim)',
      ),
      this.pool.query<{ n: string }>(
        `select count(*) as n from ledger_entries where entry_date = $1 and source_type = 'order' and source_key like 'order:%' and source_key not like '%:event:%'`,
        [day],
      ),
    ]);
    const held = (code: string) => sheet.assets.find((line) => line.account === code)?.amount ?? 0;
    const onTheWay = sheet.assets
      .filter((line) => line.account.startsWith('Assets:Clearing:'))
      .reduce((sum, line) => sum + line.amount, 0);
    const notices: Notice[] = [
      {
        kind: 'ledger.daily_summary',
        severity: 'info',
        title: `Yesterday (${day}): ${money(pnl.revenue)} in sales, ${money(pnl.net)} earned`,
        body: [
          `Orders: ${orders.rows[0]!.n}`,
          `Revenue: ${money(pnl.revenue)} (after refunds), costs ${money(pnl.expenses)}, net ${money(pnl.net)}`,
          ...vat,
          `In the bank: ${money(held(ACCOUNTS.bank))}; on its way from payment providers: ${money(onTheWay)}`,
          `Stock at cost: ${money(held(ACCOUNTS.inventory))}`,
        ].join('\n'),
        dedupeKey: `ledger.daily:${day}`,
      },
      ...(await this.anomalies(day)),
    ];
    for (const notice of notices) await this.notifications.send(notice);
    return notices;
  }

  /** Refund spike, revenue drop and fee-rate drift on a day, against the weeks before it. */
  async anomalies(day: string): Promise<Notice[]> {
    const currency = await this.currency();
    const money = (minor: number) => formatMoney(minor, currency);
    const from = addDays(day, -ANOMALY.trailingDays);
    const before = addDays(day, -1);
    const [refunds, sales, fees] = await Promise.all([
      this.daily(ACCOUNTS.refunds, from, day),
      this.daily(ACCOUNTS.sales, from, day),
      this.daily(ACCOUNTS.fees, addDays(day, -97), day),
    ]);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / (values.length || 1);
    const notices: Notice[] = [];
    const refundsToday = refunds.at(-1)!;
    const refundsNormal = mean(refunds.slice(0, -1));
    if (
      refundsToday >= ANOMALY.refundSpikeMinimum &&
      refundsToday > ANOMALY.refundSpikeTimes * refundsNormal
    ) {
      notices.push({
        kind: 'ledger.refund_spike',
        severity: 'warning',
        title: `Refunds on ${day}: ${money(refundsToday)}, ${refundsNormal ? `${(refundsToday / refundsNormal).toFixed(1)}× a normal day` : 'after weeks of none'}`,
        body: `A normal day in the four weeks before had ${money(Math.round(refundsNormal))} of refunds. Look at the day's refunds on the Orders page: a faulty batch, a delivery problem or fraud shows here first.`,
        dedupeKey: `ledger.refund_spike:${day}`,
      });
    }
    const salesToday = -sales.at(-1)!;
    const salesNormal = -mean(sales.slice(0, -1));
    if (salesNormal > 0 && salesToday < ANOMALY.revenueDropBelow * salesNormal) {
      notices.push({
        kind: 'ledger.revenue_drop',
        severity: 'warning',
        title: `Sales on ${day}: ${money(salesToday)}, against ${money(Math.round(salesNormal))} on a normal day`,
        body: `Sales were under half the average of the four weeks before (${before} and earlier). Check that the shop is open, checkout and payments work, and the last campaign is still running.`,
        dedupeKey: `ledger.revenue_drop:${day}`,
      });
    }
    // Fees as a share of sales: the last week against the three months before it.
    const salesWeek = -(await this.daily(ACCOUNTS.sales, addDays(day, -6), day)).reduce((a, b) => a + b, 0);
    const salesQuarter = -(await this.daily(ACCOUNTS.sales, addDays(day, -97), addDays(day, -7))).reduce(
      (a, b) => a + b,
      0,
    );
    const feesWeek = fees.slice(-7).reduce((a, b) => a + b, 0);
    const feesQuarter = fees.slice(0, -7).reduce((a, b) => a + b, 0);
    if (salesWeek > 0 && salesQuarter > 0 && feesQuarter > 0) {
      const rateWeek = feesWeek / salesWeek;
      const rateQuarter = feesQuarter / salesQuarter;
      if (Math.abs(rateWeek - rateQuarter) / rateQuarter > ANOMALY.feeDriftRelative) {
        notices.push({
          kind: 'ledger.fee_drift',
          severity: 'warning',
          title: `Payment fees were ${(rateWeek * 100).toFixed(2)}% of sales this week, against ${(rateQuarter * 100).toFixed(2)}% before`,
          body: 'A change in the payment provider’s rates, more foreign cards, or a new gateway can do this. Compare the latest payouts’ fees with the plan you signed up for.',
          dedupeKey: `ledger.fee_drift:${day}`,
        });
      }
    }
    return notices;
  }

  /** The week to yesterday against the week before. */
  async weeklyReport(today: string): Promise<Notice> {
    const to = addDays(today, -1);
    const from = addDays(today, -7);
    const currency = await this.currency();
    const money = (minor: number) => formatMoney(minor, currency);
    const pnl = await this.reports.profitAndLoss(from, to, { from: addDays(from, -7), to: addDays(to, -7) });
    const before = pnl.comparison!;
    const change = (now: number, then: number) =>
      then ? ` (${now >= then ? '+' : ''}${Math.round(((now - then) / Math.abs(then)) * 100)}%)` : '';
    const notice: Notice = {
      kind: 'ledger.weekly_report',
      severity: 'info',
      title: `Week ${from} to ${to}: ${money(pnl.revenue)} revenue${change(pnl.revenue, before.revenue)}, ${money(pnl.net)} earned`,
      body: [
        `Revenue ${money(pnl.revenue)} against ${money(before.revenue)} the week before${change(pnl.revenue, before.revenue)}`,
        `Costs ${money(pnl.expenses)} against ${money(before.expenses)}`,
        `Net ${money(pnl.net)} against ${money(before.net)}${change(pnl.net, before.net)}`,
        ...pnl.costs.map((line) => `  ${line.name}: ${money(line.amount)}`),
      ].join('\n'),
      dedupeKey: `ledger.weekly:${from}`,
    };
    await this.notifications.send(notice);
    return notice;
  }

  /** Last month's statement: profit and loss and the balance sheet at its end. */
  async monthlyStatement(today: string): Promise<Notice> {
    const to = addDays(`${today.slice(0, 8)}01`, -1);
    const from = `${to.slice(0, 8)}01`;
    const currency = await this.currency();
    const money = (minor: number) => formatMoney(minor, currency);
    const [pnl, sheet, vat] = await Promise.all([
      this.reports.profitAndLoss(from, to),
      this.reports.balanceSheet(to),
      this.vatLines(from, to, money, 'VAT for the month (UK, after VAT to reclaim)'),
    ]);
    const notice: Notice = {
      kind: 'ledger.monthly_statement',
      severity: 'info',
      title: `${to.slice(0, 7)}: ${money(pnl.revenue)} revenue, ${money(pnl.net)} earned`,
      body: [
        'Profit and loss',
        ...[...pnl.income, ...pnl.costs].map((line) => `  ${line.name}: ${money(line.amount)}`),
        `  Net: ${money(pnl.net)}`,
        `Balance sheet at ${to}: assets ${money(sheet.totalAssets)}, liabilities ${money(sheet.totalLiabilities)}, equity ${money(sheet.totalEquity)}`,
        ...vat,
        'The full reports: Books in the dashboard, or shopkeep ledger export.',
      ].join('\n'),
      dedupeKey: `ledger.monthly:${to.slice(0, 7)}`,
    };
    await this.notifications.send(notice);
    return notice;
  }
}
