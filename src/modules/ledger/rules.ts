// The posting rules: what each Shopify fact means in the books, as pure functions (tested without
// a database). Amounts are the shop's money in minor units; debits positive, credits negative.
//  - an order: debit what the customer owes (receivable) for the total; credit sales net of
//    discounts and tax, shipping, sales tax by jurisdiction, gift cards sold as a liability;
//  - a payment (sale or capture that succeeded): debit the gateway's clearing account, credit the
//    receivable; a gift-card payment reduces the gift-card liability instead;
//  - a refund: debit refunds (contra-revenue) and the tax given back, credit the gateway the money
//    went back through;
//  - a Shopify Payments payout: debit the bank for the payout, fees to their expense, and clear the
//    settled charges and refunds; disputes, adjustments and reserves to their own accounts, so the
//    clearing account of settled items returns to zero.
// What a rule does not know becomes a review item, never a guess in the books.
import type { BalanceTransaction, Order, Payout, Refund, Transaction } from '../shop/index.ts';
import { dayIn } from '../../platform/dates.ts';
import { convertMinor, toDecimal } from '../../platform/money.ts';
import { ACCOUNTS, gatewayAccount, clearingAccount } from './chart.ts';

export interface PostingDraft {
  account: string;
  amount: number;
  jurisdiction?: string | null;
  memo?: string | null;
}

export interface EntryDraft {
  date: string; // YYYY-MM-DD in the shop's time zone
  description: string;
  sourceType: 'order' | 'payment' | 'refund' | 'payout' | 'manual' | 'receipt' | 'stock';
  sourceId: string | null;
  sourceKey: string;
  currency: string;
  postings: PostingDraft[];
}

export interface ReviewDraft {
  sourceKey: string;
  kind: string;
  reason: string;
  detail: Record<string, unknown>;
  /** Tried again later (a payout whose transactions have not all arrived); else it waits for the owner. */
  retriable: boolean;
}

export type RuleResult = { entry: EntryDraft } | { review: ReviewDraft } | { nothing: string };

const PAID_OR_REFUNDED = new Set(['paid', 'partially_paid', 'partially_refunded', 'refunded']);

/** Where an order's tax is owed: the shipping country (and province), and the tax's own title. */
export function jurisdiction(order: Order, title: string): string {
  const place = [order.shippingCountry, order.shippingProvince].filter(Boolean).join('-');
  return place ? `${place} ${title}` : title;
}

/**
 * What an order should have put in the books: its sale, or nothing (a test order, or one cancelled
 * before anything was paid). The ledger posts the difference from what is booked already.
 */
export function saleLines(order: Order): PostingDraft[] {
  if (order.test) return [];
  if (order.cancelledAt && !PAID_OR_REFUNDED.has(order.financialStatus ?? '')) return [];
  const lines: PostingDraft[] = [];
  const taxes = new Map<string, number>();
  const addTax = (title: string, amount: number) => {
    const where = jurisdiction(order, title);
    taxes.set(where, (taxes.get(where) ?? 0) + amount);
  };
  let sales = 0;
  let giftCards = 0;
  for (const line of order.lines) {
    const tax = line.taxLines.reduce((sum, taxLine) => sum + taxLine.amount.shop, 0);
    for (const taxLine of line.taxLines) addTax(taxLine.title, taxLine.amount.shop);
    const net = line.unitPrice.shop * line.quantity - line.discount.shop - (order.taxesIncluded ? tax : 0);
    if (line.giftCard) giftCards += net;
    else sales += net;
  }
  let shipping = 0;
  for (const line of order.shippingLines) {
    const tax = line.taxLines.reduce((sum, taxLine) => sum + taxLine.amount.shop, 0);
    for (const taxLine of line.taxLines) addTax(taxLine.title, taxLine.amount.shop);
    shipping += line.discountedPrice.shop - (order.taxesIncluded ? tax : 0);
  }
  lines.push({ account: ACCOUNTS.receivable, amount: order.total.shop });
  if (sales) lines.push({ account: ACCOUNTS.sales, amount: -sales });
  if (giftCards) lines.push({ account: ACCOUNTS.giftCards, amount: -giftCards, memo: 'gift cards sold' });
  if (shipping) lines.push({ account: ACCOUNTS.shipping, amount: -shipping });
  for (const [where, amount] of [...taxes].sort(([a], [b]) => a.localeCompare(b)))
    if (amount) lines.push({ account: ACCOUNTS.salesTax, amount: -amount, jurisdiction: where });
  // Tips, duties and rounding Shopify adds to the total: kept visible, never lost.
  const rest = -lines.reduce((sum, line) => sum + line.amount, 0);
  if (rest) lines.push({ account: ACCOUNTS.orderAdjustments, amount: rest });
  return order.total.shop === 0 && lines.length === 1 ? [] : lines;
}

/**
 * The difference between what an order should have booked and what is booked, per account and
 * jurisdiction; empty when they agree.
 */
export function saleAdjustment(desired: PostingDraft[], booked: PostingDraft[]): PostingDraft[] {
  const key = (p: PostingDraft) => `${p.account}\u0000${p.jurisdiction ?? ''}`;
  const totals = new Map<string, PostingDraft>();
  for (const [sign, postings] of [
    [1, desired],
    [-1, booked],
  ] as const) {
    for (const posting of postings) {
      const seen = totals.get(key(posting)) ?? { ...posting, amount: 0, memo: null };
      seen.amount += sign * posting.amount;
      totals.set(key(posting), seen);
    }
  }
  return [...totals.values()].filter((posting) => posting.amount !== 0);
}

/** A transaction in the shop's money: Shopify's own figure, else converted at the order's rate. */
export function shopAmount(transaction: Transaction, order: Order | undefined): number | undefined {
  if (transaction.amount.shop !== null) return transaction.amount.shop;
  if (order && order.total.presentment)
    return Math.round((transaction.amount.presentment * order.total.shop) / order.total.presentment);
  if (order && transaction.currency === order.currency) return transaction.amount.presentment;
  return undefined;
}

const IGNORED_KINDS = new Set(['authorization', 'void', 'refund']); // refunds book with their refund

export function paymentRule(
  transaction: Transaction,
  order: Order | undefined,
  timeZone: string,
): RuleResult {
  const sourceKey = `payment:${transaction.id}`;
  if (transaction.test || order?.test) return { nothing: 'a test transaction' };
  if (IGNORED_KINDS.has(transaction.kind)) return { nothing: `a ${transaction.kind} moves no money` };
  if (transaction.kind !== 'sale' && transaction.kind !== 'capture') {
    return {
      review: {
        sourceKey,
        kind: 'unknown_transaction_kind',
        reason: `Shopify transaction ${transaction.id} is of a kind the books do not know ("${transaction.kind}")`,
        detail: { transactionId: transaction.id, orderId: transaction.orderId, kind: transaction.kind },
        retriable: false,
      },
    };
  }
  if (transaction.status === 'pending') {
    return {
      review: {
        sourceKey,
        kind: 'payment_pending',
        reason: `payment ${transaction.id} on order ${order?.name ?? transaction.orderId} is still pending`,
        detail: { transactionId: transaction.id, orderId: transaction.orderId },
        retriable: true,
      },
    };
  }
  if (transaction.status !== 'success') return { nothing: `a ${transaction.status} payment moves no money` };
  const amount = shopAmount(transaction, order);
  if (amount === undefined || !order) {
    return {
      review: {
        sourceKey,
        kind: 'payment_without_order',
        reason: `payment ${transaction.id} belongs to order ${transaction.orderId}, which is not stored yet`,
        detail: { transactionId: transaction.id, orderId: transaction.orderId },
        retriable: true,
      },
    };
  }
  return {
    entry: {
      date: dayIn(transaction.processedAt, timeZone),
      description: `Payment for order ${order.name} (${transaction.gateway})`,
      sourceType: 'payment',
      sourceId: String(transaction.id),
      sourceKey,
      currency: order.currency,
      postings: [
        { account: gatewayAccount(transaction.gateway), amount },
        { account: ACCOUNTS.receivable, amount: -amount },
      ],
    },
  };
}

/** Splits an amount over weights by the largest remainder, so the parts add up exactly. */
export function split(amount: number, weights: number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (!total) return weights.map((_, index) => (index === 0 ? amount : 0));
  const exact = weights.map((weight) => (amount * weight) / total);
  const parts = exact.map((value) => Math.trunc(value));
  let left = amount - parts.reduce((sum, part) => sum + part, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: Math.abs(value - Math.trunc(value)) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let i = 0; left !== 0; i = (i + 1) % order.length) {
    parts[order[i]!.index]! += Math.sign(left);
    left -= Math.sign(left);
  }
  return parts;
}

export function refundRule(refund: Refund, order: Order | undefined, timeZone: string): RuleResult {
  const sourceKey = `refund:${refund.id}`;
  if (!order) {
    return {
      review: {
        sourceKey,
        kind: 'refund_without_order',
        reason: `refund ${refund.id} belongs to order ${refund.orderId}, which is not stored yet`,
        detail: { refundId: refund.id, orderId: refund.orderId },
        retriable: true,
      },
    };
  }
  if (order.test) return { nothing: 'a test order' };
  if (refund.transactions.some((t) => t.kind === 'refund' && t.status === 'pending' && !t.test)) {
    return {
      review: {
        sourceKey,
        kind: 'refund_pending',
        reason: `refund ${refund.id} on order ${order.name} is still being paid back`,
        detail: { refundId: refund.id, orderId: refund.orderId },
        retriable: true,
      },
    };
  }
  const moneyBack = refund.transactions.filter(
    (t) => t.kind === 'refund' && t.status === 'success' && !t.test,
  );
  const credits: PostingDraft[] = [];
  for (const transaction of moneyBack) {
    const amount = shopAmount(transaction, order)!;
    credits.push({ account: gatewayAccount(transaction.gateway), amount: -amount });
  }
  const returned = -credits.reduce((sum, posting) => sum + posting.amount, 0);
  if (!returned) return { nothing: 'no money went back' };
  // Tax given back, by the jurisdictions the refunded lines were taxed in.
  const taxes = new Map<string, number>();
  for (const refunded of refund.lines) {
    const line = order.lines.find((each) => each.id === refunded.lineId);
    const taxLines = line?.taxLines.filter((taxLine) => taxLine.amount.shop) ?? [];
    const titles = taxLines.length ? taxLines.map((taxLine) => taxLine.title) : ['Tax'];
    const parts = split(
      refunded.tax.shop,
      taxLines.length ? taxLines.map((taxLine) => taxLine.amount.shop) : [1],
    );
    titles.forEach((title, index) => {
      const where = jurisdiction(order, title);
      taxes.set(where, (taxes.get(where) ?? 0) + parts[index]!);
    });
  }
  // A gift card bought and refunded was never revenue: it gives back from the gift-card liability.
  const giftCards = refund.lines
    .filter((refunded) => order.lines.find((each) => each.id === refunded.lineId)?.giftCard)
    .reduce((sum, refunded) => sum + refunded.subtotal.shop, 0);
  const postings: PostingDraft[] = [];
  let tax = 0;
  for (const [where, amount] of [...taxes].sort(([a], [b]) => a.localeCompare(b))) {
    if (!amount) continue;
    postings.push({ account: ACCOUNTS.salesTax, amount, jurisdiction: where });
    tax += amount;
  }
  const revenue = returned - tax - giftCards;
  if (giftCards)
    postings.unshift({ account: ACCOUNTS.giftCards, amount: giftCards, memo: 'gift card refunded' });
  if (revenue) postings.unshift({ account: ACCOUNTS.refunds, amount: revenue });
  postings.push(...credits);
  return {
    entry: {
      date: dayIn(refund.createdAt, timeZone),
      description: `Refund on order ${order.name}`,
      sourceType: 'refund',
      sourceId: String(refund.id),
      sourceKey,
      currency: order.currency,
      postings,
    },
  };
}

/** Where each kind of Shopify Payments balance transaction lands when its payout settles it. */
const SETTLED_IN: Record<string, string> = {
  charge: clearingAccount('shopify_payments'),
  refund: clearingAccount('shopify_payments'),
  payment: clearingAccount('shopify_payments'),
  payment_refund: clearingAccount('shopify_payments'),
  refund_failure: clearingAccount('shopify_payments'),
  dispute: ACCOUNTS.chargebacks,
  dispute_reversal: ACCOUNTS.chargebacks,
  chargeback: ACCOUNTS.chargebacks,
  chargeback_reversal: ACCOUNTS.chargebacks,
  adjustment: ACCOUNTS.shopifyAdjustments,
  reserved_funds: ACCOUNTS.reserve,
  reserve: ACCOUNTS.reserve,
  reserve_release: ACCOUNTS.reserve,
};

export function payoutRule(
  payout: Payout,
  balanceTransactions: BalanceTransaction[],
  shopCurrency: string,
  timeZone: string,
  fx?: PayoutFx,
): RuleResult {
  const sourceKey = `payout:${payout.id}`;
  const review = (
    kind: string,
    reason: string,
    retriable: boolean,
    detail: Record<string, unknown> = {},
  ) => ({
    review: { sourceKey, kind, reason, retriable, detail: { payoutId: payout.id, ...detail } },
  });
  if (payout.status !== 'paid') return { nothing: `payout is ${payout.status}` };
  const foreign = payout.currency !== shopCurrency;
  const day = dayIn(payout.issuedAt, timeZone);
  if (foreign && !fx?.rate)
    return review(
      'payout_fx_rate',
      `payout ${payout.id} went to a ${payout.currency} account on ${day}: the books (in ${shopCurrency}) need the ${payout.currency} rate of that day (Books → Exchange rates)`,
      true,
      { currency: payout.currency, day },
    );
  const unknown = balanceTransactions.filter((bt) => !SETTLED_IN[bt.type]);
  if (unknown.length) {
    return review(
      'unknown_balance_transaction',
      `payout ${payout.id} holds balance transactions of a kind the books do not know (${[...new Set(unknown.map((bt) => bt.type))].join(', ')})`,
      false,
      { types: unknown.map((bt) => bt.type) },
    );
  }
  const net = balanceTransactions.reduce((sum, bt) => sum + bt.net, 0);
  if (net !== payout.net) {
    return review(
      'payout_incomplete',
      `payout ${payout.id} pays ${payout.net} but its ${balanceTransactions.length} known balance transactions add up to ${net}; waiting for the rest`,
      true,
      { expected: payout.net, known: net },
    );
  }
  if (foreign) return foreignPayout(payout, balanceTransactions, shopCurrency, day, fx!, review);
  const settled = new Map<string, number>();
  let fees = 0;
  for (const bt of balanceTransactions) {
    const account = SETTLED_IN[bt.type]!;
    settled.set(account, (settled.get(account) ?? 0) - bt.amount);
    fees += bt.fee;
  }
  const postings: PostingDraft[] = [{ account: ACCOUNTS.bank, amount: payout.net }];
  if (fees) postings.push({ account: ACCOUNTS.fees, amount: fees });
  for (const [account, amount] of settled) if (amount) postings.push({ account, amount });
  return {
    entry: {
      date: day,
      description: `Shopify Payments payout ${payout.id}`,
      sourceType: 'payout',
      sourceId: String(payout.id),
      sourceKey,
      currency: payout.currency,
      postings,
    },
  };
}

/** The order transactions a payout in another currency settles, and that currency's rate on its day. */
export interface PayoutFx {
  rate: string | undefined;
  transactions: Transaction[];
  /** What each payment (by transaction id) put into clearing, as booked. */
  booked: Map<number, number>;
}

const CHARGE_KINDS: Record<string, string[]> = {
  charge: ['sale', 'capture'],
  payment: ['sale', 'capture'],
  refund: ['refund'],
  payment_refund: ['refund'],
};

/**
 * A payout to a bank account in another currency, booked in the shop's currency: the bank at the
 * day's rate, fees and other items converted, and each charge or refund settled at the shop amount it
 * was booked at (found by order and amount), so clearing returns to zero. What the rate makes of the
 * difference is an exchange gain or loss.
 */
function foreignPayout(
  payout: Payout,
  balanceTransactions: BalanceTransaction[],
  shopCurrency: string,
  day: string,
  fx: PayoutFx,
  review: (kind: string, reason: string, retriable: boolean, detail?: Record<string, unknown>) => RuleResult,
): RuleResult {
  const rate = fx.rate!;
  const convert = (minor: number) => convertMinor(minor, payout.currency, shopCurrency, rate);
  const used = new Set<number>();
  const postings: PostingDraft[] = [
    {
      account: `${ACCOUNTS.bank}:${payout.currency}`,
      amount: convert(payout.net),
      memo: `${toDecimal(payout.net, payout.currency)} ${payout.currency} at ${rate}`,
    },
  ];
  const fees = convert(balanceTransactions.reduce((sum, bt) => sum + bt.fee, 0));
  if (fees) postings.push({ account: ACCOUNTS.fees, amount: fees });
  for (const bt of balanceTransactions) {
    const account = SETTLED_IN[bt.type]!;
    const kinds = CHARGE_KINDS[bt.type];
    if (!kinds) {
      postings.push({ account, amount: -convert(bt.amount) });
      continue;
    }
    // The payment or refund it settles: the one Shopify names, else the order's one of that amount.
    const candidates = fx.transactions.filter(
      (transaction) =>
        !used.has(transaction.id) &&
        transaction.orderId === bt.orderId &&
        transaction.status === 'success' &&
        kinds.includes(transaction.kind),
    );
    const original =
      candidates.find((transaction) => transaction.id === bt.sourceId) ??
      candidates.find(
        (transaction) =>
          transaction.currency === payout.currency && transaction.amount.presentment === Math.abs(bt.amount),
      );
    const settled = original && (fx.booked.get(original.id) ?? original.amount.shop);
    if (!original || settled === null || settled === undefined)
      return review(
        'payout_fx_unmatched',
        `payout ${payout.id}: the ${bt.type} of ${toDecimal(bt.amount, payout.currency)} ${payout.currency} for order ${bt.orderId ?? '(none)'} matches no booked transaction in ${shopCurrency} yet`,
        true,
        { balanceTransactionId: bt.id },
      );
    used.add(original.id);
    // A charge takes what the payment put into clearing out of it; a refund puts back what it took.
    postings.push({ account, amount: bt.amount < 0 ? Math.abs(settled) : -Math.abs(settled) });
  }
  const difference = -postings.reduce((sum, posting) => sum + posting.amount, 0);
  if (difference)
    postings.push({
      account: ACCOUNTS.exchangeDifferences,
      amount: difference,
      memo: `${payout.currency} at ${rate}`,
    });
  return {
    entry: {
      date: day,
      description: `Shopify Payments payout ${payout.id} (${payout.currency})`,
      sourceType: 'payout',
      sourceId: String(payout.id),
      sourceKey: `payout:${payout.id}`,
      currency: shopCurrency,
      postings,
    },
  };
}
