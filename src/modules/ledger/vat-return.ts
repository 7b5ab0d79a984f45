// The UK VAT return (Making Tax Digital's nine boxes) for a period, from the books: VAT on sales and
// refunds in the UK, VAT reclaimed on expenses and stock bought, sales and purchases before VAT. A
// return once filed is kept as it was (vat_returns) and its period is locked against changes to the
// figures: a correction is a later return's business, as HMRC says. The quarter's VAT is paid by a
// journal (Sales Tax Payable and VAT Reclaimable cleared against the bank), which no box counts.
import type pg from 'pg';
import { conflict, invalid } from '../../platform/errors.ts';
import { isDate } from '../../platform/dates.ts';
import { ACCOUNTS } from './chart.ts';
import { REVERSE_CHARGE } from './expenses.ts';
import type { ClientFacts, HmrcConnection } from './hmrc.ts';

/** The nine boxes, in minor units; 6 to 9 are whole pounds (pence left off), as HMRC takes them. */
export interface VatBoxes {
  box1: number; // VAT due on sales and other outputs
  box2: number; // VAT due on acquisitions from the EU (Northern Ireland goods)
  box3: number; // 1 + 2
  box4: number; // VAT reclaimed on purchases and other inputs
  box5: number; // the net VAT to pay (or reclaim): |3 − 4|
  box6: number; // total sales and other outputs, excluding VAT
  box7: number; // total purchases and other inputs, excluding VAT
  box8: number; // goods supplied to the EU (Northern Ireland), excluding VAT
  box9: number; // goods acquired from the EU (Northern Ireland), excluding VAT
}

export interface VatScheme {
  /** Standard (invoice) accounting, or the Flat Rate Scheme at a percentage of VAT-inclusive turnover. */
  kind: 'standard' | 'flat-rate';
  /** The flat rate as a decimal percentage, e.g. "7.5"; only for the Flat Rate Scheme. */
  flatRate?: string;
}

export interface VatReturn extends VatBoxes {
  from: string;
  to: string;
  currency: string;
  scheme: VatScheme['kind'];
  /** Positive: to pay HMRC; negative: HMRC repays. */
  toPay: number;
  /** Set once filed: the return as it was sent, never recomputed. */
  filed: { at: string; by: string; periodKey: string | null; receipt: string | null } | null;
}

/** UK VAT on sales: the jurisdictions the books name for the UK ("GB …", "GB-ENG …"). */
const UK = 'GB%';
const wholePounds = (minor: number) => Math.trunc(minor / 100) * 100;
const SALES_ACCOUNTS = [ACCOUNTS.sales, ACCOUNTS.shipping, ACCOUNTS.refunds];
/** Payment fees are exempt supplies, still purchases; the cost of goods sold is not a purchase (the stock was). */
const NOT_PURCHASES = [ACCOUNTS.cogs, ACCOUNTS.chargebacks, ACCOUNTS.shopifyAdjustments];

export class VatReturns {
  constructor(
    private readonly options: { db: pg.Pool; currency: () => Promise<string>; scheme: VatScheme },
  ) {}

  /** The boxes for a period: the filed return when one covers exactly this period, else from the books. */
  async forPeriod(from: string, to: string): Promise<VatReturn> {
    const filed = await this.filed(from, to);
    if (filed) return filed;
    const currency = await this.options.currency();
    const boxes = await this.compute(from, to);
    return {
      from,
      to,
      currency,
      scheme: this.options.scheme.kind,
      ...boxes,
      toPay: boxes.box3 - boxes.box4,
      filed: null,
    };
  }

  private async compute(from: string, to: string): Promise<VatBoxes> {
    const { rows } = await this.options.db.query<{
      output_vat: string;
      input_vat: string;
      sales: string;
      expenses: string;
      stock_bought: string;
      opening_stock: string;
      reverse_charged: string;
    }>(
      `select
         coalesce(-sum(total) filter (where account_code = $3 and (jurisdiction = $10 or (jurisdiction like $4
                                      and source_type in ('order', 'refund')))), 0) as output_vat,
         coalesce(sum(total) filter (where account_code = $5 and source_type in ('manual', 'receipt', 'stock')), 0) as input_vat,
         coalesce(-sum(total) filter (where account_code = any($6::text[])), 0) as sales,
         coalesce(sum(total) filter (where account_code like 'Expenses:%' and account_code <> all($7::text[])
                                     and source_type in ('manual', 'receipt', 'payout')), 0) as expenses,
         coalesce(sum(debits) filter (where account_code = $8 and source_type = 'stock'), 0) as stock_bought,
         coalesce(-sum(credits) filter (where account_code = any($9::text[]) and source_type = 'stock'), 0) as opening_stock,
         coalesce(sum(total) filter (where account_code like 'Expenses:%' and jurisdiction = $10), 0) as reverse_charged
       from ledger_day_totals where day between $1::date and $2::date`,
      [
        from,
        to,
        ACCOUNTS.salesTax,
        UK,
        ACCOUNTS.vatReclaimable,
        SALES_ACCOUNTS,
        NOT_PURCHASES,
        ACCOUNTS.inventory,
        // Stock that came in without being bought: the opening stock, and units a count found.
        [ACCOUNTS.openingBalances, ACCOUNTS.stockWrittenOff],
        REVERSE_CHARGE,
      ],
    );
    const row = rows[0]!;
    const outputVat = Number(row.output_vat);
    const inputVat = Number(row.input_vat);
    // Services bought from abroad under the reverse charge are outputs too: their value is in box 6.
    const sales = Number(row.sales) + Number(row.reverse_charged);
    // Credits are negative in the day totals: the opening stock's credit to equity, made positive.
    const purchases = Number(row.expenses) + Number(row.stock_bought) - Math.abs(Number(row.opening_stock));
    if (this.options.scheme.kind === 'flat-rate') {
      // The Flat Rate Scheme: a fixed percentage of VAT-inclusive turnover; no input VAT (bar capital goods).
      const turnover = sales + outputVat;
      const box1 = Math.round((turnover * Number(this.options.scheme.flatRate ?? '0')) / 100);
      return boxesOf(box1, 0, wholePounds(turnover), wholePounds(purchases));
    }
    return boxesOf(outputVat, inputVat, wholePounds(sales), wholePounds(purchases));
  }

  /** Files a return: the figures are kept as they are now, and the period's return can no longer change. */
  async file(
    from: string,
    to: string,
    by: string,
    sent?: { periodKey: string; receipt: string },
  ): Promise<VatReturn> {
    if (!isDate(from) || !isDate(to))
      throw invalid(`"${isDate(from) ? to : from}" is not a date (YYYY-MM-DD)`);
    const existing = await this.options.db.query<{ from_day: string; to_day: string }>(
      `select to_char(from_day, 'YYYY-MM-DD') as from_day, to_char(to_day, 'YYYY-MM-DD') as to_day
       from ledger_vat_returns where from_day <= $2::date and to_day >= $1::date`,
      [from, to],
    );
    if (existing.rows[0])
      throw conflict(
        `a return from ${existing.rows[0].from_day} to ${existing.rows[0].to_day} is already filed; it overlaps ${from} to ${to}`,
      );
    if (from > to) throw invalid(`from (${from}) is after to (${to})`);
    const computed = await this.forPeriod(from, to);
    await this.options.db.query(
      `insert into ledger_vat_returns (from_day, to_day, currency, scheme, boxes, filed_by, period_key, receipt)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        from,
        to,
        computed.currency,
        computed.scheme,
        JSON.stringify(boxesOnly(computed)),
        by,
        sent?.periodKey ?? null,
        sent?.receipt ?? null,
      ],
    );
    return (await this.filed(from, to))!;
  }

  /**
   * Sends the period's return to HMRC (the period HMRC expects, found by its dates) and files it here
   * with HMRC's period key and receipt. A return HMRC took is never sent twice: one filed here is refused.
   */
  async submit(
    hmrc: HmrcConnection,
    from: string,
    to: string,
    facts: ClientFacts,
    by: string,
  ): Promise<VatReturn> {
    const already = await this.filed(from, to);
    if (already)
      throw conflict(`the return for ${from} to ${to} was filed on ${already.filed!.at.slice(0, 10)}`);
    const obligation = await hmrc.obligation(from, to);
    const boxes = await this.forPeriod(from, to);
    const receipt = await hmrc.submit(obligation.periodKey, boxes, facts);
    return this.file(from, to, by, { periodKey: obligation.periodKey, receipt: receipt.formBundleNumber });
  }

  /** Every filed return, newest first. */
  async list(): Promise<VatReturn[]> {
    const { rows } = await this.options.db.query<FiledRow>(`${FILED} order by from_day desc`);
    return rows.map(filedReturn);
  }

  private async filed(from: string, to: string): Promise<VatReturn | null> {
    const { rows } = await this.options.db.query<FiledRow>(`${FILED} where from_day = $1 and to_day = $2`, [
      from,
      to,
    ]);
    return rows[0] ? filedReturn(rows[0]) : null;
  }
}

function boxesOf(box1: number, box4: number, box6: number, box7: number): VatBoxes {
  const box2 = 0; // acquisitions of goods from the EU: Northern Ireland traders only
  const box3 = box1 + box2;
  return { box1, box2, box3, box4, box5: Math.abs(box3 - box4), box6, box7, box8: 0, box9: 0 };
}

const boxesOnly = (vat: VatBoxes): VatBoxes => ({
  box1: vat.box1,
  box2: vat.box2,
  box3: vat.box3,
  box4: vat.box4,
  box5: vat.box5,
  box6: vat.box6,
  box7: vat.box7,
  box8: vat.box8,
  box9: vat.box9,
});

const FILED = `select to_char(from_day, 'YYYY-MM-DD') as from_day, to_char(to_day, 'YYYY-MM-DD') as to_day,
  currency, scheme, boxes, filed_at, filed_by, period_key, receipt from ledger_vat_returns`;

interface FiledRow {
  from_day: string;
  to_day: string;
  currency: string;
  scheme: VatScheme['kind'];
  boxes: VatBoxes;
  filed_at: Date;
  filed_by: string;
  period_key: string | null;
  receipt: string | null;
}

const filedReturn = (row: FiledRow): VatReturn => ({
  from: row.from_day,
  to: row.to_day,
  currency: row.currency,
  scheme: row.scheme,
  ...row.boxes,
  toPay: row.boxes.box3 - row.boxes.box4,
  filed: {
    at: row.filed_at.toISOString(),
    by: row.filed_by,
    periodKey: row.period_key,
    receipt: row.receipt,
  },
});
