// Shopify Payments as the bank statement sees it: every card charge, refund and chargeback becomes a
// balance transaction in pounds (fee and net included), and twice a week the settled balance is paid
// out. A payout's net is exactly the sum of its balance transactions' nets, which is what a
// bookkeeper reconciles against the bank.
import { DAY, HOUR, localParts, wholeSecond } from './clock.ts';
import {
  balanceNet,
  type BalanceTransaction,
  type BalanceType,
  type Dispute,
  type Payout,
  type Transaction,
} from './model.ts';
import type { Random } from './random.ts';
import type { Store } from './store.ts';

/** What a UK chargeback costs the shop, won or lost. */
export const CHARGEBACK_FEE = 1500;
/** Card money settles two days before it can be paid out. */
const SETTLEMENT = 2 * DAY;

type Entry = Omit<BalanceTransaction, 'id' | 'payout'>;

function add(store: Store, entry: Entry): BalanceTransaction {
  const recorded: BalanceTransaction = {
    id: store.id('ShopifyPaymentsBalanceTransaction'),
    payout: null,
    ...entry,
  };
  store.balanceTransactions.push(recorded);
  store.changed();
  return recorded;
}

/** The balance entry for a card payment or a refund through Shopify Payments, if the transaction makes one. */
export function paymentEntry(transaction: Transaction): Entry | null {
  if (transaction.gateway !== 'shopify_payments' || transaction.status !== 'SUCCESS' || transaction.test)
    return null;
  const charge = transaction.kind === 'SALE' || transaction.kind === 'CAPTURE';
  if (!charge && transaction.kind !== 'REFUND') return null;
  return {
    type: charge ? 'CHARGE' : 'REFUND',
    sourceType: charge ? 'CHARGE' : 'REFUND',
    sourceId: transaction.id,
    orderTransaction: transaction,
    order: transaction.order,
    amount: charge ? transaction.amount.shop : -transaction.amount.shop,
    // UK card fees are not returned on refunds.
    fee: charge ? transaction.fee : 0,
    date: transaction.processedAt,
    adjustmentReason: null,
  };
}

/** A chargeback takes the disputed amount and the fee; winning it gives the amount back. */
export function disputeEntry(dispute: Dispute, at: number, won: boolean): Entry | null {
  if (dispute.kind !== 'CHARGEBACK') return null;
  return {
    type: 'DISPUTE',
    sourceType: 'DISPUTE',
    sourceId: dispute.id,
    orderTransaction: dispute.charge,
    order: dispute.order,
    amount: won ? dispute.amount : -dispute.amount,
    fee: won ? 0 : CHARGEBACK_FEE,
    date: at,
    adjustmentReason: null,
  };
}

const other = (type: BalanceType, amount: number, at: number, reason: string): Entry => ({
  type,
  sourceType: type === 'ADJUSTMENT' ? 'ADJUSTMENT' : null,
  sourceId: null,
  orderTransaction: null,
  order: null,
  amount,
  fee: 0,
  date: at,
  adjustmentReason: reason,
});

export function record(store: Store, entry: Entry | null): BalanceTransaction | null {
  return entry ? add(store, entry) : null;
}

/**
 * The account's past in date order (so ids rise with time): every payment, refund and chargeback of
 * the generated orders, a couple of fee adjustments, and a reserve held and released once.
 */
export function replayAccount(store: Store, rng: Random, from: number, now: number): void {
  const entries: Entry[] = [];
  for (const order of store.orders)
    for (const transaction of order.transactions) {
      const entry = paymentEntry(transaction);
      if (entry) entries.push(entry);
    }
  for (const dispute of store.disputes) {
    const opened = disputeEntry(dispute, dispute.initiatedAt, false);
    if (opened) entries.push(opened);
    if (dispute.status === 'WON' && dispute.finalizedOn !== null) {
      const returned = disputeEntry(dispute, dispute.finalizedOn, true);
      if (returned) entries.push(returned);
    }
  }
  const span = now - from;
  if (span > 20 * DAY) {
    entries.push(
      other(
        'ADJUSTMENT',
        -rng.int(150, 600),
        wholeSecond(from + span * 0.35),
        'Shopify Payments fee correction',
      ),
    );
    entries.push(
      other('ADJUSTMENT', rng.int(100, 400), wholeSecond(from + span * 0.62), 'Refund of processing fees'),
    );
    entries.push(other('RESERVED_FUNDS', -15_000, wholeSecond(from + span * 0.4), 'Rolling reserve held'));
    entries.push(other('RESERVED_FUNDS', 15_000, wholeSecond(from + span * 0.7), 'Rolling reserve released'));
  }
  entries.sort((a, b) => a.date - b.date);
  for (const entry of entries) add(store, entry);
  schedulePayouts(store, from, now);
}

/** Payouts on Mondays and Thursdays of everything settled; the latest is on its way, the next one scheduled. */
function schedulePayouts(store: Store, from: number, now: number): void {
  const entries = store.balanceTransactions;
  let next = 0;
  const payOut = (issuedAt: number, cutoff: number, status: Payout['status']): void => {
    let end = next;
    let sum = 0;
    while (end < entries.length && entries[end]!.date <= cutoff) sum += balanceNet(entries[end++]!);
    // A balance that is not positive carries over to the next payout day.
    if (end === next || sum <= 0) return;
    const payout: Payout = {
      id: store.id('ShopifyPaymentsPayout'),
      issuedAt,
      status,
      transactions: entries.slice(next, end),
    };
    for (const entry of payout.transactions) entry.payout = payout;
    store.payouts.push(payout);
    next = end;
  };
  let day = Math.floor(from / DAY) * DAY + DAY;
  for (; ; day += DAY) {
    const { weekday } = localParts(day + 12 * HOUR, 'Europe/London');
    if (weekday !== 1 && weekday !== 4) continue;
    const issuedAt = day + 6 * HOUR;
    if (issuedAt > now) {
      payOut(issuedAt, Math.min(issuedAt - SETTLEMENT, now), 'SCHEDULED');
      break;
    }
    payOut(issuedAt, issuedAt - SETTLEMENT, now - issuedAt < 2 * DAY ? 'IN_TRANSIT' : 'PAID');
  }
  store.changed();
}

/** Money in the account not yet on its way to the bank. */
export function pendingBalance(store: Store): number {
  let sum = 0;
  for (const entry of store.balanceTransactions)
    if (entry.payout === null || entry.payout.status === 'SCHEDULED') sum += balanceNet(entry);
  return sum;
}
