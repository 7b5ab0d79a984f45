// Exchange rates from the bank statement, for payouts paid to an account in another currency: what one
// unit of the currency was worth in the books' currency on a day. Posting reads the rate of a payout's
// day (or the last one within a week) when it books the payout.
import type pg from 'pg';
import { asc, desc, sql } from 'drizzle-orm';
import { orm, type Orm } from '../../platform/db/orm.ts';
import { isDate } from '../../platform/dates.ts';
import { invalid } from '../../platform/errors.ts';
import { ledgerFxRates } from './schema.ts';

export interface ExchangeRate {
  currency: string;
  day: string;
  /** Units of the books' currency per unit, as a decimal without trailing zeros: "0.8571". */
  rate: string;
}

export class ExchangeRates {
  private readonly db: Orm;

  constructor(options: { db: pg.Pool }) {
    this.db = orm(options.db);
  }

  /** The latest 200, newest day first. */
  async list(): Promise<ExchangeRate[]> {
    const rows = await this.db
      .select({ currency: ledgerFxRates.currency, day: ledgerFxRates.day, rate: ledgerFxRates.rate })
      .from(ledgerFxRates)
      .orderBy(desc(ledgerFxRates.day), asc(ledgerFxRates.currency))
      .limit(200);
    // numeric(20,10) prints its ten decimals: "0.8571000000" is the rate 0.8571.
    return rows.map((row) => ({ ...row, rate: row.rate.replace(/\.?0+$/, '') }));
  }

  /** Saves the rate of a day (a rate saved again replaces it); anything but a code, a day and a positive decimal is refused. */
  async set(currency: string, day: string, rate: string, booksCurrency: string): Promise<void> {
    const problems: string[] = [];
    if (!/^[A-Z]{3}$/.test(currency)) problems.push(`currency "${currency}" is not a code like EUR`);
    else if (currency === booksCurrency) problems.push(`${currency} is the books' own currency`);
    if (!isDate(day)) problems.push(`day "${day}" is not a date (YYYY-MM-DD)`);
    if (!/^\d{1,9}(\.\d{1,10})?$/.test(rate) || Number(rate) <= 0)
      problems.push(`rate "${rate}" is not a positive decimal (like 0.8571)`);
    if (problems.length) throw invalid(problems.join('; '));
    await this.db
      .insert(ledgerFxRates)
      .values({ currency, day, rate })
      .onConflictDoUpdate({
        target: [ledgerFxRates.currency, ledgerFxRates.day],
        set: { rate, createdAt: sql`now()` },
      });
  }
}
