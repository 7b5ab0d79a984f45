// What happens to an order after checkout: the card authorisation is captured, the parcel ships, the
// customer sends something back or cancels, the bank raises a chargeback. History generation replays
// these at past times; the live driver calls them now. Stock only moves for live changes: the
// generated stock levels are today's stock take, already net of the history.
import { DAY, wholeSecond } from './clock.ts';
import {
  later,
  net,
  refundedQuantity,
  unfulfilledQuantity,
  type CancelReason,
  type Dispute,
  type InventoryLevel,
  type LineItem,
  type Order,
  type Refund,
  type RefundLine,
  type RefundShipping,
  type Transaction,
} from './model.ts';
import { each, includedTax, isZero, negate, pair, subtract, add, type Pair } from './money.ts';
import { exchangeRate } from './checkout.ts';
import type { Random } from './random.ts';
import { levelAt } from './stock.ts';
import type { Store } from './store.ts';
import { recordTransaction, settledPayments } from './transactions.ts';

/** Stock levels a change touched, for inventory_levels/update webhooks. */
export type Touched = Set<InventoryLevel>;

function touch(
  line: LineItem,
  at: number,
  touched: Touched | null,
  change: (level: InventoryLevel) => void,
): void {
  if (!touched || !line.variant.inventoryItem.tracked) return;
  const level = levelAt(line.variant, line.order.location);
  if (!level) return;
  change(level);
  level.updatedAt = Math.max(level.updatedAt, at);
  touched.add(level);
}

/** Takes a new order's stock: sold units leave `available` and wait in `committed` until they ship. */
export function commitStock(order: Order, at: number, touched: Touched): void {
  for (const line of order.lines)
    touch(line, at, touched, (level) => {
      level.available -= line.quantity;
      level.committed += line.quantity;
    });
}

export function fulfil(store: Store, order: Order, at: number, touched: Touched | null): boolean {
  if (order.cancelledAt !== null) return false;
  const shipping = order.lines
    .map((line) => [line, unfulfilledQuantity(line)] as const)
    .filter(([, n]) => n > 0);
  if (shipping.length === 0) return false;
  for (const [line, quantity] of shipping) {
    line.fulfilled += quantity;
    touch(line, at, touched, (level) => (level.committed -= quantity));
  }
  const counter = order.sourceName === 'pos' || order.shipping.length === 0;
  order.fulfilment = {
    id: store.id('Fulfillment'),
    location: order.location,
    trackingCompany: counter ? null : order.shipping[0]!.code.startsWith('DPD') ? 'DPD UK' : 'Royal Mail',
    trackingNumber: counter
      ? null
      : `${order.shipping[0]!.code.startsWith('DPD') ? '1550' : 'JX'}${String(order.id).slice(-9)}GB`,
    createdAt: at,
  };
  order.closedAt = at;
  order.updatedAt = Math.max(order.updatedAt, at);
  store.changed();
  return true;
}

/** A card authorisation turned into money, a few hours after checkout (none once cancelled). */
export function capture(store: Store, authorisation: Transaction, at: number): Transaction | null {
  const order = authorisation.order;
  const settled = order.transactions.some((t) => t.parent === authorisation && t.status === 'SUCCESS');
  if (order.cancelledAt !== null || settled) return null;
  const captured = recordTransaction(
    store,
    order,
    'CAPTURE',
    authorisation.gateway,
    authorisation.amount,
    at,
    authorisation,
  );
  store.addTransaction(captured);
  order.updatedAt = Math.max(order.updatedAt, at);
  store.changed();
  return captured;
}

export interface RefundRequest {
  /** Put the goods back on sale (a return, or a cancellation before shipping). */
  restock: boolean;
  /** One or two units of one line, rather than everything left. */
  partial: boolean;
  /** Part of cancelling the order. */
  cancel?: boolean;
  note?: string | null;
  /**
   * Money back with no lines (goodwill for a damaged parcel): this share of what is left of the
   * goods, the VAT inside it at the order's rate. The goods stay with the customer.
   */
  goodwill?: number;
  /** Keep this share of the returned goods' price as a restocking fee (VAT included). */
  restockingFee?: number;
  /** Gift cards bought on the order come back too (cards not yet used, disabled before the refund). */
  giftCards?: boolean;
}

const refundable = (line: LineItem, giftCards = false): number =>
  line.giftCard && !giftCards ? 0 : line.quantity - refundedQuantity(line);

/** What has already been given back for one line, so the last refund takes exactly what is left. */
function alreadyRefunded(line: LineItem): { subtotal: Pair; tax: Pair } {
  let subtotal = pair(0);
  let tax = pair(0);
  for (const refund of line.order.refunds)
    for (const refunded of refund.lines)
      if (refunded.line === line) {
        subtotal = add(subtotal, refunded.subtotal);
        tax = add(tax, refunded.tax);
      }
  return { subtotal, tax };
}

/** The VAT inside an amount the refund differs by, at the order's rate (none when the goods bore none). */
function vatInside(order: Order, amount: Pair, goodsTax: Pair): Pair {
  const rate = order.taxRule?.rate ?? 0;
  return goodsTax.shop === 0 || rate === 0 ? pair(0) : each(amount, (minor) => includedTax(minor, rate));
}

export function refund(
  store: Store,
  rng: Random,
  order: Order,
  at: number,
  request: RefundRequest,
  touched: Touched | null,
): Refund | null {
  const open = order.lines.filter((line) => refundable(line, request.giftCards) > 0);
  let chosen: [LineItem, number][];
  if (request.goodwill) chosen = [];
  else if (request.partial && open.length > 0) {
    const line = rng.pick(open);
    chosen = [
      [
        line,
        Math.min(
          refundable(line),
          rng.weighted([
            [1, 85],
            [2, 15],
          ] as const),
        ),
      ],
    ];
  } else chosen = open.map((line) => [line, refundable(line, request.giftCards)]);
  const refundRecord: Refund = {
    id: store.id('Refund'),
    order,
    note:
      request.note ??
      (request.cancel
        ? 'Order cancelled'
        : request.restock
          ? rng.pick(['Returned unopened', 'Wrong shade', 'Changed mind'])
          : 'Arrived damaged'),
    restock: request.restock,
    lines: [],
    shipping: [],
    adjustments: [],
    transactions: [],
    createdAt: at,
  };
  if (request.goodwill) {
    const goods = add(...open.map((line) => subtract(net(line), alreadyRefunded(line).subtotal)));
    const tax = add(...open.map((line) => subtract(line.tax, alreadyRefunded(line).tax)));
    const amount = each(goods, (minor) => Math.round(minor * request.goodwill!));
    if (amount.shop <= 0) return null;
    refundRecord.adjustments.push({
      id: store.id('OrderAdjustment'),
      order,
      reason: 'DAMAGE',
      amount,
      tax: vatInside(order, amount, tax),
    });
  }
  for (const [line, quantity] of chosen) {
    const before = alreadyRefunded(line);
    const last = quantity === refundable(line, request.giftCards);
    // The last units take what is left of the line, so the refunds of a line always sum to the line.
    const share = (whole: Pair, done: Pair): Pair =>
      last ? subtract(whole, done) : each(whole, (amount) => Math.round((amount * quantity) / line.quantity));
    const unshipped = unfulfilledQuantity(line) >= quantity;
    const refunded: RefundLine = {
      id: store.id('RefundLineItem'),
      line,
      quantity,
      restockType: request.cancel
        ? 'CANCEL'
        : !request.restock
          ? 'NO_RESTOCK'
          : unshipped
            ? 'CANCEL'
            : 'RETURN',
      subtotal: share(net(line), before.subtotal),
      tax: share(line.tax, before.tax),
      location: request.restock ? order.location : null,
    };
    refundRecord.lines.push(refunded);
    touch(line, at, touched, (level) => {
      if (refunded.restockType === 'RETURN') level.available += quantity;
      else if (refunded.restockType === 'CANCEL') {
        level.committed -= quantity;
        level.available += quantity;
      } else if (unshipped) level.committed -= quantity;
    });
  }
  if (!request.partial) {
    for (const line of order.shipping) {
      let done = pair(0);
      let doneTax = pair(0);
      for (const earlier of order.refunds)
        for (const s of earlier.shipping)
          if (s.line === line) {
            done = add(done, s.amount);
            doneTax = add(doneTax, s.tax);
          }
      const amount = subtract(line.price, done);
      if (isZero(amount)) continue;
      const shippingRefund: RefundShipping = {
        id: store.id('RefundShippingLine'),
        line,
        amount,
        tax: subtract(line.tax, doneTax),
      };
      refundRecord.shipping.push(shippingRefund);
    }
  }
  if (request.restockingFee && refundRecord.lines.length) {
    const goods = add(...refundRecord.lines.map((l) => l.subtotal));
    const tax = add(...refundRecord.lines.map((l) => l.tax));
    const fee = each(goods, (minor) => Math.round(minor * request.restockingFee!));
    const feeTax = vatInside(order, fee, tax);
    if (fee.shop > 0)
      refundRecord.adjustments.push({
        id: store.id('OrderAdjustment'),
        order,
        reason: 'RESTOCK',
        amount: negate(fee),
        tax: negate(feeTax),
      });
  }
  if (!refundRecord.lines.length && !refundRecord.shipping.length && !refundRecord.adjustments.length)
    return null;
  let owed = add(
    ...refundRecord.lines.map((l) => l.subtotal),
    ...refundRecord.shipping.map((s) => s.amount),
    ...refundRecord.adjustments.map((a) => a.amount),
  );
  // Money goes back the way it came: the card or PayPal first, then the gift card.
  const payments = settledPayments(order).sort(
    (a, b) => Number(a.gateway === 'gift_card') - Number(b.gateway === 'gift_card'),
  );
  for (const payment of payments) {
    if (owed.shop <= 0 && owed.presentment <= 0) break;
    const returned = add(
      ...order.transactions
        .filter((t) => t.kind === 'REFUND' && t.status === 'SUCCESS' && t.parent === payment)
        .map((t) => t.amount),
    );
    const room = subtract(payment.amount, returned);
    // In another currency the customer's money decides (what was booked in pounds moved with the rate).
    const back =
      order.exchangeRate === 1
        ? pair(Math.min(owed.shop, room.shop), Math.min(owed.presentment, room.presentment))
        : pair(
            Math.round(
              (owed.shop * Math.min(owed.presentment, room.presentment)) / Math.max(owed.presentment, 1),
            ),
            Math.min(owed.presentment, room.presentment),
          );
    if (back.shop <= 0 && back.presentment <= 0) continue;
    // Money in another currency goes back in that currency; Shopify converts it at the refund day's rate.
    const paid =
      order.exchangeRate === 1
        ? back
        : pair(Math.round(back.presentment / exchangeRate(order.currency, at)), back.presentment);
    const moneyBack = recordTransaction(store, order, 'REFUND', payment.gateway, paid, at, payment);
    moneyBack.refund = refundRecord;
    refundRecord.transactions.push(moneyBack);
    owed = subtract(owed, back);
  }
  store.addRefund(refundRecord);
  const given = add(...refundRecord.transactions.map((t) => t.amount));
  if (order.customer && !order.test) {
    order.customer.amountSpent -= given.shop;
    order.customer.updatedAt = touched
      ? later(order.customer.updatedAt, at)
      : Math.max(order.customer.updatedAt, at);
  }
  order.updatedAt = Math.max(order.updatedAt, at);
  store.changed();
  return refundRecord;
}

export interface Cancellation {
  refund: Refund | null;
  voided: Transaction[];
}

/** Cancels an order that has not shipped: an uncaptured authorisation is voided, money taken is refunded. */
export function cancel(
  store: Store,
  rng: Random,
  order: Order,
  at: number,
  reason: CancelReason,
  touched: Touched | null,
): Cancellation | null {
  if (order.cancelledAt !== null || order.fulfilment !== null) return null;
  const voided: Transaction[] = [];
  for (const authorisation of order.transactions.filter(
    (t) => t.kind === 'AUTHORIZATION' && t.status === 'SUCCESS',
  )) {
    if (order.transactions.some((t) => t.parent === authorisation && t.status === 'SUCCESS')) continue;
    const voiding = recordTransaction(
      store,
      order,
      'VOID',
      authorisation.gateway,
      authorisation.amount,
      at,
      authorisation,
    );
    store.addTransaction(voiding);
    voided.push(voiding);
  }
  const paid = settledPayments(order).length > 0;
  const refunded = paid
    ? refund(store, rng, order, at, { restock: true, partial: false, cancel: true }, touched)
    : null;
  if (!paid) {
    // Nothing to give back, but the units still return to stock.
    for (const line of order.lines)
      touch(line, at, touched, (level) => {
        level.committed -= line.quantity;
        level.available += line.quantity;
      });
  }
  order.cancelledAt = at;
  order.cancelReason = reason;
  order.closedAt = at;
  order.updatedAt = Math.max(order.updatedAt, at);
  store.changed();
  return { refund: refunded, voided };
}

const REASONS = [
  ['FRAUDULENT', ['10.4', '4837'], 45],
  ['PRODUCT_NOT_RECEIVED', ['13.1', '4855'], 30],
  ['PRODUCT_UNACCEPTABLE', ['13.3', '4853'], 10],
  ['CREDIT_NOT_PROCESSED', ['13.6', '4860'], 8],
  ['GENERAL', ['4853'], 7],
] as const;

/** A chargeback on a card payment; needs a Shopify Payments charge to dispute. */
export function openDispute(store: Store, rng: Random, order: Order, at: number): Dispute | null {
  const charge = settledPayments(order).find((t) => t.gateway === 'shopify_payments');
  if (!charge || order.disputes.some((d) => d.charge === charge)) return null;
  const [reason, codes] = rng.weighted(REASONS.map((r) => [[r[0], r[1]] as const, r[2]] as const));
  const dispute: Dispute = {
    id: store.id('ShopifyPaymentsDispute'),
    order,
    charge,
    amount: charge.amount.shop,
    kind: rng.chance(0.9) ? 'CHARGEBACK' : 'INQUIRY',
    reason,
    networkReasonCode: rng.pick(codes),
    status: 'NEEDS_RESPONSE',
    initiatedAt: at,
    evidenceDueBy: wholeSecond(at + 14 * DAY),
    evidenceSentOn: null,
    finalizedOn: null,
    updatedAt: at,
  };
  store.addDispute(dispute);
  order.updatedAt = Math.max(order.updatedAt, at);
  store.changed();
  return dispute;
}

/** The shop answered with evidence; the bank decided. */
export function settleDispute(store: Store, dispute: Dispute, at: number, won: boolean): void {
  dispute.evidenceSentOn = wholeSecond(
    dispute.initiatedAt + Math.min(5 * DAY, (at - dispute.initiatedAt) / 2),
  );
  dispute.finalizedOn = at;
  dispute.status = won ? 'WON' : 'LOST';
  dispute.updatedAt = at;
  store.changed();
}

/** A dispute the shop has answered, waiting for the bank. */
export function answerDispute(store: Store, dispute: Dispute, at: number): void {
  dispute.evidenceSentOn = at;
  dispute.status = 'UNDER_REVIEW';
  dispute.updatedAt = at;
  store.changed();
}
