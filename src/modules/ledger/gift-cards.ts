// The gift-card liability for a period: what the cards still unspent were worth at its start, cards
// sold, spent (a gift-card payment), refunded to the buyer, and refunds put back onto a card; what is
// outstanding at its end. Gift cards are a liability until spent, never revenue when sold.
import type pg from 'pg';
import { ACCOUNTS } from './chart.ts';

export interface GiftCardReport {
  from: string;
  to: string;
  currency: string;
  opening: number;
  issued: number;
  redeemed: number;
  refunded: number;
  /** Refunds paid back onto a gift card rather than to the customer's card. */
  putBack: number;
  /** Journals by hand (expired cards released, corrections). */
  other: number;
  outstanding: number;
}

export async function giftCardReport(
  pool: pg.Pool,
  from: string,
  to: string,
  currency: string,
): Promise<GiftCardReport> {
  const { rows } = await pool.query<{
    opening: string;
    issued: string;
    redeemed: string;
    refunded: string;
    put_back: string;
    outstanding: string;
  }>(
    `select
       coalesce(-sum(total) filter (where day < $2::date), 0) as opening,
       coalesce(-sum(total) filter (where day >= $2::date and source_type = 'order'), 0) as issued,
       coalesce(sum(total) filter (where day >= $2::date and source_type = 'payment'), 0) as redeemed,
       coalesce(sum(debits) filter (where day >= $2::date and source_type = 'refund'), 0) as refunded,
       coalesce(sum(credits) filter (where day >= $2::date and source_type = 'refund'), 0) as put_back,
       coalesce(-sum(total), 0) as outstanding
     from ledger_day_totals where account_code = $1 and day <= $3::date`,
    [ACCOUNTS.giftCards, from, to],
  );
  const row = rows[0]!;
  const figures = {
    opening: Number(row.opening),
    issued: Number(row.issued),
    redeemed: Number(row.redeemed),
    refunded: Number(row.refunded),
    putBack: Number(row.put_back),
  };
  const outstanding = Number(row.outstanding);
  const explained = figures.opening + figures.issued + figures.putBack - figures.redeemed - figures.refunded;
  return { from, to, currency, ...figures, other: outstanding - explained, outstanding };
}
