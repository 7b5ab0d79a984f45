// Order transactions as the payment gateways record them. Only Shopify Payments charges a fee that
// Shopify knows about (PayPal keeps its own), and the fee is taken in the shop's currency.
import type { Order, Transaction, TransactionKind } from './model.ts';
import type { Pair } from './money.ts';
import type { Store } from './store.ts';

/** Shopify Payments' UK pricing: a percentage and 25p, more for cards from abroad. */
export function paymentsFee(order: Order, amountShop: number): { fee: number; rate: number; flat: number } {
  const abroad = order.currency !== 'GBP' || (order.billingAddress?.countryCode ?? 'GB') !== 'GB';
  const rate = abroad ? 0.0325 : 0.02;
  const flat = 25;
  return { fee: Math.round(amountShop * rate) + flat, rate, flat };
}

export function recordTransaction(
  store: Store,
  order: Order,
  kind: TransactionKind,
  gateway: string,
  amount: Pair,
  at: number,
  parent: Transaction | null = null,
): Transaction {
  const charged = gateway === 'shopify_payments' && (kind === 'SALE' || kind === 'CAPTURE');
  const fee = charged ? paymentsFee(order, amount.shop) : { fee: 0, rate: 0, flat: 0 };
  const card = gateway === 'shopify_payments' || gateway === 'bogus';
  return {
    id: store.id('OrderTransaction'),
    order,
    kind,
    status: 'SUCCESS',
    gateway,
    amount,
    fee: fee.fee,
    feeRate: fee.rate,
    flatFee: fee.flat,
    processedAt: at,
    parent,
    errorCode: null,
    refund: null,
    authorizationCode: card && kind !== 'REFUND' ? String(100000 + (order.id % 899_999)) : null,
    test: order.test,
  };
}

/** A card payment that did not go through: no money moved, no fee. */
export function declined(transaction: Transaction): Transaction {
  return {
    ...transaction,
    status: 'FAILURE',
    errorCode: 'CARD_DECLINED',
    fee: 0,
    feeRate: 0,
    flatFee: 0,
    authorizationCode: null,
  };
}

/** The payments a refund goes back through: every successful sale or capture, in the order taken. */
export const settledPayments = (order: Order): Transaction[] =>
  order.transactions.filter((t) => t.status === 'SUCCESS' && (t.kind === 'SALE' || t.kind === 'CAPTURE'));
