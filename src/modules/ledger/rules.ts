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
import type {
  Amount,
  BalanceTransaction,
  Order,
  Payout,
  Refund,
  TaxLine,
  Transaction,
} from '../shop/index.ts';
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
  sourceType: 'order' | 'payment' | 'refund' | 'payout' | 'manual' | 'receipt' | 'stock' | 'journal';
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
  // Duties the customer paid belong to the carrier or customs: a liability, never income.
  const duties = order.duties?.shop ?? 0;
  if (duties) lines.push({ account: ACCOUNTS.duties, amount: -duties, memo: 'duties collected' });
  // Tips and rounding Shopify adds to the total: kept visible, never lost.
  const rest = -lines.reduce((sum, line) => sum + line.amount, 0);
  if (rest) lines.push({ account: ACCOUNTS.orderAdjustments, amount: rest });
  return order.total.shop === 0 && lines.length === 1 ? [] : lines;
}

/** Order tags that mark a salon's (trade) order, for shops that do not use Shopify B2B companies. */
const SALON_TAG = /^(wholesale|salon|trade|b2b)\b/i;

/**
 * A UK salon's order that Shopify charged no VAT on: a UK-to-UK sale to a VAT-registered salon is
 * standard-rated (reverse charge applies only across borders), so the owner checks it. The sale is
 * still booked as Shopify recorded it; the review says what to look at.
 */
export function untaxedSalonSale(order: Order): ReviewDraft | null {
  if (order.test || order.total.shop <= 0 || (order.shippingCountry ?? 'GB') !== 'GB') return null;
  if (order.companyId === null && !order.tags.some((tag) => SALON_TAG.test(tag.trim()))) return null;
  const taxed = [...order.lines, ...order.shippingLines].some((line) =>
    line.taxLines.some((taxLine) => taxLine.amount.shop !== 0),
  );
  if (taxed || order.lines.every((line) => line.giftCard)) return null;
  return {
    sourceKey: `salon-untaxed:${order.id}`,
    kind: 'salon_untaxed',
    reason: `order ${order.name} is a UK salon's order with no VAT charged: a sale from a UK shop to a UK salon is standard-rated (20 %) even when the salon is VAT-registered; reverse charge applies only across borders. Check the customer's tax exemption in Shopify, then correct the order or dismiss this`,
    detail: { orderId: order.id, order: order.name },
    retriable: false,
  };
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

/** What a refund gives back, by where it goes in the books (shop money, debits positive). */
interface RefundParts {
  /** Goods, shipping and any difference, net of their VAT. */
  revenue: number;
  giftCards: number;
  taxes: Map<string, number>;
  duties: number;
  /** The order was paid in another currency: what is left over is an exchange difference. */
  foreign: boolean;
}

/**
 * A refund taken apart the way VAT law reads it (VAT Regulations 1995 reg. 38): each refunded line
 * and shipping line gives back its own VAT; a difference between the refund worked out and the one
 * made (a restocking fee kept, a goodwill amount with no lines) changes VAT by the VAT inside it:
 * Shopify's own tax on the adjustment when it gives one, else at the rate of the refunded goods (or
 * the order's, for money back with no lines). In another currency the difference is measured in the
 * customer's money and converted at the order's rate.
 */
export function refundParts(refund: Refund, order: Order, moneyBack: Transaction[]): RefundParts {
  const parts: RefundParts = { revenue: 0, giftCards: 0, taxes: new Map(), duties: 0, foreign: false };
  const addTax = (where: string, amount: number) =>
    parts.taxes.set(where, (parts.taxes.get(where) ?? 0) + amount);
  const gross = (subtotal: Amount, tax: Amount): Amount =>
    order.taxesIncluded
      ? subtotal
      : { shop: subtotal.shop + tax.shop, presentment: subtotal.presentment + tax.presentment };
  const expected = { shop: 0, presentment: 0 };
  const count = (amount: Amount) => {
    expected.shop += amount.shop;
    expected.presentment += amount.presentment;
  };
  // The rates of what is refunded, by jurisdiction: a difference is taxed at these.
  const rates = new Map<string, number>();
  const ratesOf = (taxLines: TaxLine[]) => {
    for (const taxLine of taxLines) {
      const rate = Number(taxLine.rate);
      if (rate > 0) rates.set(jurisdiction(order, taxLine.title), rate);
    }
  };
  const taxedBy = (taxLines: TaxLine[], tax: number) => {
    ratesOf(taxLines);
    const lines = taxLines.filter((taxLine) => taxLine.amount.shop);
    const shares = split(tax, lines.length ? lines.map((taxLine) => taxLine.amount.shop) : [1]);
    (lines.length ? lines.map((taxLine) => taxLine.title) : ['Tax']).forEach((title, index) =>
      addTax(jurisdiction(order, title), shares[index]!),
    );
  };
  for (const refunded of refund.lines) {
    const line = order.lines.find((each) => each.id === refunded.lineId);
    const money = gross(refunded.subtotal, refunded.tax);
    count(money);
    // A gift card bought and refunded was never revenue: it gives back from the gift-card liability.
    if (line?.giftCard) {
      parts.giftCards += money.shop;
      continue;
    }
    parts.revenue += money.shop - refunded.tax.shop;
    taxedBy(line?.taxLines ?? [], refunded.tax.shop);
  }
  for (const shipping of refund.shipping ?? []) {
    const money = gross(shipping.subtotal, shipping.tax);
    count(money);
    parts.revenue += money.shop - shipping.tax.shop;
    const shippingTaxLines = order.shippingLines.flatMap((line) => line.taxLines);
    taxedBy(shippingTaxLines.length ? shippingTaxLines : order.taxLines, shipping.tax.shop);
  }
  if (refund.duties?.shop) {
    count(refund.duties);
    parts.duties += refund.duties.shop;
  }
  // The difference between the money that went back and what the lines add up to.
  const returnedShop = moneyBack.reduce((sum, t) => sum + (shopAmount(t, order) ?? 0), 0);
  parts.foreign =
    order.presentmentCurrency !== order.currency &&
    moneyBack.every((t) => t.currency === order.presentmentCurrency) &&
    order.total.presentment > 0;
  const rest = parts.foreign
    ? Math.round(
        ((moneyBack.reduce((sum, t) => sum + t.amount.presentment, 0) - expected.presentment) *
          order.total.shop) /
          order.total.presentment,
      )
    : returnedShop - expected.shop;
  if (rest) {
    // Money back with no lines: at the rates of the order's goods.
    if (!rates.size) for (const line of order.lines) if (!line.giftCard) ratesOf(line.taxLines);
    const stated = (refund.adjustments ?? []).reduce(
      (sum, adjustment) => sum + Math.abs(adjustment.tax.shop),
      0,
    );
    const combined = [...rates.values()].reduce((sum, rate) => sum + rate, 0);
    // The VAT inside a VAT-inclusive amount, r / (1 + r) of it (half a penny rounds away from zero,
    // either way), shared by jurisdiction by rate.
    const restTax = Math.sign(rest) * (stated || Math.round((Math.abs(rest) * combined) / (1 + combined)));
    if (restTax) {
      const by = rates.size ? rates : new Map([[jurisdiction(order, 'Tax'), 1]]);
      const shares = split(restTax, [...by.values()]);
      [...by.keys()].forEach((where, index) => addTax(where, shares[index]!));
    }
    parts.revenue += rest - restTax;
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
  const given = refundParts(refund, order, moneyBack);
  const postings: PostingDraft[] = [];
  if (given.revenue) postings.push({ account: ACCOUNTS.refunds, amount: given.revenue });
  if (given.giftCards)
    postings.push({ account: ACCOUNTS.giftCards, amount: given.giftCards, memo: 'gift card refunded' });
  for (const [where, amount] of [...given.taxes].sort(([a], [b]) => a.localeCompare(b)))
    if (amount) postings.push({ account: ACCOUNTS.salesTax, amount, jurisdiction: where });
  if (given.duties)
    postings.push({ account: ACCOUNTS.duties, amount: given.duties, memo: 'duties given back' });
  // Shopify converts a refund in the customer's currency at the refund day's rate; what the rate
  // changed since the sale is an exchange difference, so the refund reverses the sale as booked.
  const difference = returned - postings.reduce((sum, posting) => sum + posting.amount, 0);
  if (difference)
    postings.push({
      account: given.foreign ? ACCOUNTS.exchangeDifferences : ACCOUNTS.refunds,
      amount: difference,
      ...(given.foreign ? { memo: `${order.presentmentCurrency} refunded at the day's rate` } : {}),
    });
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
