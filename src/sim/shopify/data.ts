// Generates the shop's past from a seed: the range and the stock take, the customer base, a year of
// orders (busier at weekends, in the evening and before Christmas), then everything that happened to
// those orders afterwards (captures, shipping, returns, cancellations, chargebacks) replayed in time
// order, and finally the Shopify Payments account with its payouts. 50,000 orders take a couple of
// seconds; nothing is generated lazily, so every read sees one consistent shop.
import { checkout, type Checkout } from './checkout.ts';
import { DAY, HOUR, MINUTE, SECOND, localParts, wholeSecond } from './clock.ts';
import { Crowd } from './crowd.ts';
import {
  cancel,
  capture,
  fulfil,
  openDispute,
  answerDispute,
  refund,
  settleDispute,
  type RefundRequest,
} from './lifecycle.ts';
import type { CancelReason, Order, Transaction } from './model.ts';
import { allocate } from './money.ts';
import { replayAccount } from './payments.ts';
import { Random } from './random.ts';
import { openShop, stockShelves } from './stock.ts';
import { Store } from './store.ts';

export interface GenerateOptions {
  seed: number;
  shopDomain: string;
  now: number;
  historyDays: number;
  /** An average; weekends, evenings and December are busier. Ignored when orderCount is set. */
  ordersPerDay: number;
  orderCount?: number;
}

export interface GeneratedShop {
  store: Store;
  crowd: Crowd;
  /** The stream live changes draw from, so a seeded sandbox also repeats its live orders. */
  live: Random;
}

type Event =
  | { at: number; kind: 'capture'; authorisation: Transaction }
  | { at: number; kind: 'fulfil'; order: Order }
  | { at: number; kind: 'refund'; order: Order; request: RefundRequest }
  | { at: number; kind: 'cancel'; order: Order; reason: CancelReason }
  | {
      at: number;
      kind: 'dispute';
      order: Order;
      outcome: 'won' | 'lost' | 'answered' | 'open';
      decidedAt: number;
    };

export function generateShop(options: GenerateOptions): GeneratedShop {
  const rng = new Random(options.seed);
  const store = new Store(options.seed);
  const now = wholeSecond(options.now);
  const from = now - options.historyDays * DAY;
  openShop(store, options.shopDomain, from - 800 * DAY);
  stockShelves(store, rng.fork('range'), from, now);
  const times = orderTimes(rng.fork('calendar'), from, now, options);
  const crowd = new Crowd(store, rng.fork('customers'));
  // About 1,500 customers for a year of a small shop; more when asked for far more orders.
  crowd.populate(Math.max(1500, Math.round(times.length / 4)), 0.3, from);

  const buying = rng.fork('orders');
  const fates = rng.fork('fates');
  const events: Event[] = [];
  const testEvery = 2000;
  for (let i = 0; i < times.length; i += 1) {
    const placed = checkout(store, crowd, buying, times[i]!, { touched: null, test: i % testEvery === 17 });
    if (placed) plan(placed, fates, events);
  }
  events.sort((a, b) => a.at - b.at);
  const after = rng.fork('aftercare');
  for (const event of events) if (event.at < now) apply(store, after, event, now);
  ensureDispute(store, after, now);
  crowd.settle(from, now);
  replayAccount(store, rng.fork('payments'), from, now);
  store.settle(now);
  return { store, crowd, live: rng.fork('live') };
}

/** Relative trade on a day: weekends, the run-up to Christmas, Black Friday week, a slow January. */
function dayWeight(dayStart: number, progress: number): number {
  const { weekday, month } = localParts(dayStart + 12 * HOUR, 'Europe/London');
  const date = new Date(dayStart).getUTCDate();
  let weight = weekday === 0 || weekday === 6 ? 1.35 : weekday === 5 ? 1.1 : 1;
  if (month === 12) weight *= date <= 20 ? 1.8 : 1.1;
  if (month === 11) weight *= date >= 24 ? 2.2 : 1.15;
  if (month === 1) weight *= 0.8;
  if (month === 8) weight *= 0.9;
  // The shop is growing.
  return weight * (0.8 + 0.4 * progress);
}

/** Evenings and lunchtimes, hardly anything at 4 a.m. */
const HOURS = [
  1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.2, 2.6, 2.8, 3, 3.6, 3.4, 2.8, 2.6, 2.6, 2.8, 3.4, 4.2, 4.6, 4.2, 3,
  1.8,
];
const HOUR_CHOICES = HOURS.map((weight, hour) => [hour, weight] as const);

/** Order times in order, either about `ordersPerDay` a day or exactly `orderCount` in all. */
function orderTimes(rng: Random, from: number, now: number, options: GenerateOptions): number[] {
  const days = Math.max(1, Math.ceil((now - from) / DAY));
  const weights = Array.from({ length: days }, (_, d) => dayWeight(from + d * DAY, d / days));
  const mean = weights.reduce((a, b) => a + b, 0) / days;
  const counts =
    options.orderCount !== undefined
      ? allocate(options.orderCount, weights)
      : weights.map((w) =>
          Math.max(0, Math.round((options.ordersPerDay * w * rng.between(0.75, 1.25)) / mean)),
        );
  const times: number[] = [];
  const last = now - MINUTE;
  for (let d = 0; d < days; d += 1) {
    const start = from + d * DAY;
    const end = Math.min(start + DAY, last);
    const today: number[] = [];
    for (let k = 0; k < counts[d]!; k += 1) {
      let at = start + rng.weighted(HOUR_CHOICES) * HOUR + rng.int(0, 3599) * SECOND;
      if (at >= end) at = start + Math.floor(rng.next() * ((end - start) / SECOND)) * SECOND;
      today.push(at);
    }
    today.sort((a, b) => a - b);
    for (const at of today) times.push(at);
  }
  return times;
}

/** Decides, at checkout, what will happen to an order later; events after "now" never happen. */
function plan({ order, pendingCapture }: Checkout, rng: Random, events: Event[]): void {
  const at = order.createdAt;
  if (pendingCapture)
    events.push({
      at: at + Math.round((rng.between(1, 4) * HOUR) / SECOND) * SECOND,
      kind: 'capture',
      authorisation: pendingCapture,
    });
  if (order.fulfilment) return;
  if (!order.test && rng.chance(0.012)) {
    const reason = rng.weighted([
      ['CUSTOMER', 60],
      ['INVENTORY', 20],
      ['FRAUD', 10],
      ['OTHER', 10],
    ] as const);
    const delay = reason === 'FRAUD' ? rng.between(0.2, 1) * HOUR : rng.between(1, 20) * HOUR;
    events.push({ at: wholeSecond(at + delay), kind: 'cancel', order, reason });
    return;
  }
  const { weekday } = localParts(at, 'Europe/London');
  const weekend = weekday === 6 ? 2 * DAY : weekday === 0 ? DAY : 0;
  const shipped = wholeSecond(at + weekend + rng.skewed(0.2, 3, 1.6) * DAY);
  events.push({ at: shipped, kind: 'fulfil', order });
  if (order.test) return;
  if (rng.chance(0.005)) {
    // An item ran out before picking: refunded, and the rest ships.
    events.push({
      at: wholeSecond(at + rng.between(0.05, 0.18) * DAY),
      kind: 'refund',
      order,
      request: { restock: true, partial: true, note: 'Out of stock' },
    });
  } else if (rng.chance(0.06)) {
    const at = wholeSecond(shipped + rng.skewed(3, 30, 1.5) * DAY);
    const restock = rng.chance(0.7);
    const partial = rng.chance(0.55);
    // Some returns keep a restocking fee; some damaged parcels get money back without the goods.
    events.push({
      at,
      kind: 'refund',
      order,
      request: {
        restock,
        partial,
        ...(restock && order.number % 4 === 0 ? { restockingFee: 0.1 } : {}),
        ...(!restock && order.number % 3 === 0
          ? { goodwill: 0.2, note: 'Goodwill: parcel arrived damaged' }
          : {}),
        // A whole order sent back with an unused gift card on it: the card is refunded too.
        ...(!partial && order.lines.some((line) => line.giftCard) ? { giftCards: true } : {}),
      },
    });
  }
  if (rng.chance(0.0015)) {
    const opened = wholeSecond(at + rng.between(10, 60) * DAY);
    const decided = wholeSecond(opened + rng.between(20, 45) * DAY);
    events.push({
      at: opened,
      kind: 'dispute',
      order,
      outcome: rng.chance(0.55) ? 'won' : 'lost',
      decidedAt: decided,
    });
  }
}

function apply(store: Store, rng: Random, event: Event, now: number): void {
  switch (event.kind) {
    case 'capture':
      capture(store, event.authorisation, event.at);
      return;
    case 'fulfil':
      fulfil(store, event.order, event.at, null);
      return;
    case 'refund':
      if (event.order.cancelledAt === null) refund(store, rng, event.order, event.at, event.request, null);
      return;
    case 'cancel':
      cancel(store, rng, event.order, event.at, event.reason, null);
      return;
    case 'dispute': {
      const dispute = openDispute(store, rng, event.order, event.at);
      if (!dispute) return;
      if (event.decidedAt < now) settleDispute(store, dispute, event.decidedAt, event.outcome === 'won');
      else if (now - event.at > 4 * DAY) answerDispute(store, dispute, wholeSecond(event.at + 3 * DAY));
      return;
    }
  }
}

/** Chargebacks are rare; a small history still needs one for the books to handle. */
function ensureDispute(store: Store, rng: Random, now: number): void {
  if (store.disputes.length > 0) return;
  for (let i = store.orders.length - 1; i >= 0; i -= 1) {
    const order = store.orders[i]!;
    if (order.test || order.cancelledAt !== null || now - order.createdAt < 3 * DAY) continue;
    if (openDispute(store, rng, order, wholeSecond(Math.max(order.createdAt + 2 * DAY, now - DAY)))) return;
  }
}
