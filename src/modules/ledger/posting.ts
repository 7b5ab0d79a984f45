// Posting the shop's events into the books, a batch at a time, in the transaction that consumes
// them from the feed. Every entry has a source key, so a replayed event finds its entry there and
// changes nothing; an order's later versions post only the difference from what is booked.
import type pg from 'pg';
import { emitAll, type EventOf } from '../../platform/events/outbox.ts';
import type { EventMap } from '../../platform/events/catalogue.ts';
import { addDays, dayIn } from '../../platform/dates.ts';
import type { BalanceTransaction, Order, Payout, Refund, ShopReader, Transaction } from '../shop/index.ts';
import { Stock, type StockAlert } from './stock.ts';
import { ACCOUNTS, DEFAULT_CHART, accountType } from './chart.ts';
import {
  payoutRule,
  type PayoutFx,
  paymentRule,
  refundRule,
  saleAdjustment,
  saleLines,
  untaxedSalonSale,
  shopAmount,
  type EntryDraft,
  type PostingDraft,
  type ReviewDraft,
  type RuleResult,
} from './rules.ts';

/** The feed that posts the shop's events into the books. */
export const POSTING_FEED = 'ledger.post';

/** The order events the books follow: each names an order whose sale is brought up to date. */
export const ORDER_EVENTS = ['order.created', 'order.updated', 'order.cancelled'] as const;

/** The shop events the books follow. */
export const BOOKED_EVENTS = [
  ...ORDER_EVENTS,
  'transaction.created',
  'refund.created',
  'payout.paid',
] as const;

export type BookedEvent = (typeof BOOKED_EVENTS)[number];

/**
 * What to book: a shop event, of which the books read only the id of what changed (the order, the
 * payment, the refund, the payout); the record itself comes from the shop. A review item retried
 * later names only that id. A stored event of these types is one as it is.
 */
export type ToBook =
  | { id: number; type: (typeof ORDER_EVENTS)[number]; payload: Pick<EventMap['order.created'], 'orderId'> }
  | {
      id: number;
      type: 'transaction.created';
      payload: Pick<EventMap['transaction.created'], 'transactionId'>;
    }
  | { id: number; type: 'refund.created'; payload: Pick<EventMap['refund.created'], 'refundId'> }
  | { id: number; type: 'payout.paid'; payload: Pick<EventMap['payout.paid'], 'payoutId'> };

const BOOKED = new Set<string>(BOOKED_EVENTS);

/** Whether the books follow this event (the feed and the tests pick them out of everything the shop said). */
export function isBooked<E extends { type: string }>(event: E): event is E & { type: BookedEvent } {
  return BOOKED.has(event.type);
}

export interface ShopBasics {
  currency: string;
  timezone: string;
}

export interface Posted {
  entries: number;
  reviews: number;
  /** The source keys of the entries this call booked (not those already in the books). */
  inserted: Set<string>;
}

/** An entry with at least two postings that are not zero; anything less is not written. */
const bookable = (draft: EntryDraft): boolean =>
  draft.postings.filter((posting) => posting.amount !== 0).length >= 2;

// A stored payload is what emit wrote, but one from an older version may lack the id or hold
// something else there: such an event goes to review rather than being guessed at.
const safeId = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;

/** The id of the record an event is about, if it names one. */
function recordId(event: ToBook): number | undefined {
  switch (event.type) {
    case 'transaction.created':
      return safeId(event.payload.transactionId);
    case 'refund.created':
      return safeId(event.payload.refundId);
    case 'payout.paid':
      return safeId(event.payload.payoutId);
    default:
      return safeId(event.payload.orderId);
  }
}

/** What posting reads of the shop: the records the events name. */
type ShopRecords = Pick<ShopReader, 'orders' | 'transactions' | 'refunds' | 'payouts' | 'orderTransactions'>;

export class Poster {
  private readonly shop: ShopRecords;
  private readonly basics: () => Promise<ShopBasics>;
  readonly stock: Stock;

  constructor(options: {
    shop: ShopRecords;
    /** The shop's currency and time zone, asked once per batch. */
    basics: () => Promise<ShopBasics>;
    stock: Stock;
  }) {
    this.shop = options.shop;
    this.basics = options.basics;
    this.stock = options.stock;
  }

  /** Books a batch of shop events; what the rules cannot book goes to the review queue. */
  async post(tx: pg.PoolClient, events: ToBook[]): Promise<Posted> {
    const orderEvents = new Map<number, number>(); // order id → the last event about it
    const transactionIds = new Set<number>();
    const refundIds = new Set<number>();
    const payoutIds = new Set<number>();
    const reviews: ReviewDraft[] = [];
    for (const event of events) {
      const id = recordId(event);
      if (id === undefined) {
        reviews.push({
          sourceKey: `event:${event.id}`,
          kind: 'unreadable_event',
          reason: `event ${event.id} (${event.type}) does not say which record it is about`,
          detail: { eventId: event.id, type: event.type },
          retriable: false,
        });
      } else if (event.type === 'transaction.created') transactionIds.add(id);
      else if (event.type === 'refund.created') refundIds.add(id);
      else if (event.type === 'payout.paid') payoutIds.add(id);
      else orderEvents.set(id, event.id);
    }
    const basics = await this.basics();
    const [transactions, refunds, payouts] = await Promise.all([
      this.shop.transactions([...transactionIds]),
      this.shop.refunds([...refundIds]),
      this.shop.payouts([...payoutIds]),
    ]);
    const orderIds = new Set(orderEvents.keys());
    for (const transaction of transactions.values()) orderIds.add(transaction.orderId);
    for (const refund of refunds.values()) orderIds.add(refund.orderId);
    const orders = await this.shop.orders([...orderIds]);
    // Another process may be posting events about the same orders: one at a time per order, so what
    // is already booked (read below) stays true until this transaction commits.
    await tx.query(
      'select pg_advisory_xact_lock(hashtextextended(key, 0)) from unnest($1::text[]) as key order by key',
      [[...orderIds].map((id) => `ledger.order:${id}`).sort()],
    );

    const results: RuleResult[] = [];
    results.push(...(await this.orderResults(tx, orderEvents, orders, basics)));
    for (const id of transactionIds) {
      const transaction = transactions.get(id);
      if (transaction)
        results.push(paymentRule(transaction, orders.get(transaction.orderId), basics.timezone));
    }
    for (const id of refundIds) {
      const refund = refunds.get(id);
      if (refund) results.push(refundRule(refund, orders.get(refund.orderId), basics.timezone));
    }
    for (const id of payoutIds) {
      const found = payouts.get(id);
      if (!found) continue;
      const fx =
        found.payout.currency === basics.currency
          ? undefined
          : await this.payoutFx(tx, found.payout, found.balanceTransactions, basics.timezone);
      results.push(payoutRule(found.payout, found.balanceTransactions, basics.currency, basics.timezone, fx));
    }
    const entries: EntryDraft[] = [];
    for (const result of results) {
      if ('entry' in result) entries.push(result.entry);
      else if ('review' in result) reviews.push(result.review);
    }
    const { rows: known } = await tx.query<{ source_key: string }>(
      'select source_key from ledger_entries where source_key = any($1::text[])',
      [entries.map((entry) => entry.sourceKey)],
    );
    const booked = new Set(known.map((row) => row.source_key));
    // Only what write() will keep: an order whose sale is all zero (a free order) moves no stock either,
    // so that replaying it can never take the goods out again.
    const fresh = entries.filter((entry) => !booked.has(entry.sourceKey) && bookable(entry));
    const stock = await this.moveStock(tx, fresh, orders, refunds, basics.currency);
    const posted = await this.write(tx, [...entries, ...stock.drafts], reviews);
    if (stock.drafts.length || stock.moved) {
      // Each movement points at the entry that booked its cost.
      await tx.query(
        `update ledger_stock_moves m set entry_id = e.id
         from (select id, source_id::bigint as order_id,
                 case when source_key like 'order:%' then 'sale' when source_key like 'stock:cancel:%' then 'cancel' else 'return' end as reason
               from ledger_entries where source_key = any($1::text[])) e
         where m.order_id = e.order_id and m.entry_id is null and m.reason = e.reason`,
        [[...fresh.map((entry) => entry.sourceKey), ...stock.drafts.map((draft) => draft.sourceKey)]],
      );
    }
    // Before the opening stock is taken (the first import is still being booked), a sale naturally
    // finds nothing on the books: the opening stock counts it back in. Only later is it news.
    if (stock.alerts.length && (await openingTaken(tx))) await emitAll(tx, stock.alerts);
    await emitAll(tx, await this.overpaid(fresh, transactions, orders));
    return posted;
  }

  /**
   * Orders whose payments, with one booked just now, come to more than their total: the owner hears
   * of each once (the payment that tipped it is booked once).
   */
  private async overpaid(
    fresh: EntryDraft[],
    transactions: Map<number, Transaction>,
    orders: Map<number, Order>,
  ): Promise<EventOf<'ledger.order_overpaid'>[]> {
    const paid = new Set<number>();
    for (const entry of fresh) {
      if (!entry.sourceKey.startsWith('payment:')) continue;
      const transaction = transactions.get(Number(entry.sourceKey.slice('payment:'.length)));
      if (transaction) paid.add(transaction.orderId);
    }
    if (!paid.size) return [];
    const all = await this.shop.orderTransactions([...paid]);
    const alerts: EventOf<'ledger.order_overpaid'>[] = [];
    for (const orderId of paid) {
      const order = orders.get(orderId);
      if (!order) continue;
      const received = all
        .filter(
          (each) =>
            each.orderId === orderId &&
            !each.test &&
            each.status === 'success' &&
            (each.kind === 'sale' || each.kind === 'capture'),
        )
        .reduce((sum, each) => sum + (shopAmount(each, order) ?? 0), 0);
      if (received > order.total.shop)
        alerts.push({
          type: 'ledger.order_overpaid',
          payload: {
            orderId,
            order: order.name,
            currency: order.currency,
            total: order.total.shop,
            received,
          },
        });
    }
    return alerts;
  }

  /** For a payout in another currency: the rate on its day (or the last one within a week) and what it settles. */
  private async payoutFx(
    tx: pg.PoolClient,
    payout: Payout,
    balanceTransactions: BalanceTransaction[],
    timezone: string,
  ): Promise<PayoutFx> {
    const day = dayIn(payout.issuedAt, timezone);
    const { rows } = await tx.query<{ rate: string }>(
      `select rate::text as rate from ledger_fx_rates where currency = $1 and day <= $2::date and day > $2::date - 7
       order by day desc limit 1`,
      [payout.currency, day],
    );
    const orderIds = [
      ...new Set(balanceTransactions.map((bt) => bt.orderId).filter((id): id is number => id !== null)),
    ];
    // numeric(20,10) prints trailing zeros: "0.8571000000" is the rate 0.8571.
    const rate = rows[0]?.rate.replace(/\.?0+$/, '');
    const transactions = await this.shop.orderTransactions(orderIds);
    // What each payment put into clearing, as booked (a payment booked before Shopify sent its shop
    // amount was converted at the order's rate).
    const { rows: booked } = await tx.query<{ source_id: string; amount: string }>(
      `select e.source_id, sum(p.amount_minor) as amount from ledger_entries e join ledger_postings p on p.entry_id = e.id
       where e.source_key = any($1::text[]) and p.account_code like 'Assets:Clearing:%' group by e.source_id`,
      [transactions.map((transaction) => `payment:${transaction.id}`)],
    );
    return {
      rate,
      transactions,
      booked: new Map(booked.map((row) => [Number(row.source_id), Number(row.amount)])),
    };
  }

  /**
   * What the newly booked entries did to stock: a sale took goods out at cost, an unpaid order's
   * cancellation and a refund's restocked lines put them back at what they cost.
   */
  private async moveStock(
    tx: pg.PoolClient,
    fresh: EntryDraft[],
    orders: Map<number, Order>,
    refunds: Map<number, Refund>,
    currency: string,
  ): Promise<{ drafts: EntryDraft[]; alerts: StockAlert[]; moved: boolean }> {
    // Sales first: a refund or cancellation in the same batch (a first import brings an order and its
    // refunds together) puts back what its sale took.
    const sales: { order: Order; date: string }[] = [];
    for (const entry of fresh) {
      const order = entry.sourceType === 'order' ? orders.get(Number(entry.sourceId)) : undefined;
      if (order && entry.sourceKey === `order:${order.id}`) sales.push({ order, date: entry.date });
    }
    // A sale's cost goes in the sale's own entry: cost of goods sold against stock, beside the revenue.
    const sold = await this.stock.sell(tx, sales, currency);
    for (const entry of fresh) {
      const cost = entry.sourceType === 'order' ? sold.costs.get(Number(entry.sourceId)) : undefined;
      if (cost && entry.sourceKey === `order:${entry.sourceId}`) {
        entry.postings.push(
          { account: ACCOUNTS.cogs, amount: cost, memo: 'cost of goods sold' },
          { account: ACCOUNTS.inventory, amount: -cost, memo: 'cost of goods sold' },
        );
      }
    }
    const drafts: EntryDraft[] = [];
    for (const entry of fresh) {
      if (entry.sourceType === 'order') {
        const order = orders.get(Number(entry.sourceId));
        if (!order || entry.sourceKey === `order:${order.id}` || saleLines(order).length) continue;
        const back = await this.stock.putBack(
          tx,
          order,
          order.lines.map((line) => ({ lineId: line.id, quantity: line.quantity })),
          entry.date,
          'cancel',
          `stock:cancel:${order.id}`,
          currency,
        );
        if (back) drafts.push(back);
      } else if (entry.sourceType === 'refund') {
        const refund = refunds.get(Number(entry.sourceId));
        const order = refund && orders.get(refund.orderId);
        if (!refund || !order) continue;
        const back = await this.stock.putBack(
          tx,
          order,
          Stock.restocked(refund),
          entry.date,
          'return',
          `stock:return:${refund.id}`,
          currency,
        );
        if (back) drafts.push(back);
      }
    }
    return { drafts, alerts: sold.alerts, moved: sales.length > 0 };
  }

  /** Each order brought to what it should have booked: its sale first, then the differences. */
  private async orderResults(
    tx: pg.PoolClient,
    orderEvents: Map<number, number>,
    orders: Map<number, Order>,
    basics: ShopBasics,
  ): Promise<RuleResult[]> {
    if (!orderEvents.size) return [];
    const { rows } = await tx.query<{
      source_id: string;
      account_code: string;
      jurisdiction: string | null;
      amount: string;
    }>(
      `select e.source_id, p.account_code, p.jurisdiction, sum(p.amount_minor) as amount
       from ledger_entries e join ledger_postings p on p.entry_id = e.id
       where e.source_type = 'order' and e.source_id = any($1::text[]) and p.account_code <> all($2::text[])
       group by e.source_id, p.account_code, p.jurisdiction`,
      [[...orderEvents.keys()].map(String), [ACCOUNTS.cogs, ACCOUNTS.inventory]],
    );
    const booked = new Map<string, PostingDraft[]>();
    for (const row of rows) {
      const list = booked.get(row.source_id) ?? [];
      list.push({ account: row.account_code, amount: Number(row.amount), jurisdiction: row.jurisdiction });
      booked.set(row.source_id, list);
    }
    const results: RuleResult[] = [];
    for (const [id, eventId] of orderEvents) {
      const order = orders.get(id);
      if (!order) continue; // an order the shop no longer has: nothing to book from
      const desired = saleLines(order);
      const already = booked.get(String(id));
      if (!already) {
        if (!desired.length) continue;
        const untaxed = untaxedSalonSale(order);
        if (untaxed) results.push({ review: untaxed });
        results.push({
          entry: {
            date: dayIn(order.processedAt ?? order.createdAt, basics.timezone),
            description: `Shopify order ${order.name}`,
            sourceType: 'order',
            sourceId: String(id),
            sourceKey: `order:${id}`,
            currency: order.currency,
            postings: desired,
          },
        });
        continue;
      }
      const difference = saleAdjustment(desired, already);
      if (!difference.length) continue;
      results.push({
        entry: {
          date: dayIn(order.cancelledAt ?? order.updatedAt, basics.timezone),
          description: desired.length
            ? `Shopify order ${order.name} changed`
            : `Shopify order ${order.name} cancelled`,
          sourceType: 'order',
          sourceId: String(id),
          sourceKey: `order:${id}:event:${eventId}`,
          currency: order.currency,
          postings: difference,
        },
      });
    }
    return results;
  }

  /** Writes new entries (a source key already booked is skipped) and the review items, together. */
  async write(tx: pg.PoolClient, drafts: EntryDraft[], reviews: ReviewDraft[]): Promise<Posted> {
    await this.ensureChart(tx);
    const entries = drafts
      .filter(bookable)
      .map((draft) => ({ ...draft, postings: draft.postings.filter((posting) => posting.amount !== 0) }));
    let written = 0;
    const keys = new Set<string>();
    if (entries.length) {
      await this.ensureAccounts(
        tx,
        entries.flatMap((entry) => entry.postings.map((posting) => posting.account)),
      );
      // An entry dated in a closed period goes on the first open day, saying so.
      const { rows: closed } = await tx.query<{ ends_on: string | null }>(
        `select to_char(max(ends_on), 'YYYY-MM-DD') as ends_on from ledger_periods`,
      );
      const closedUpTo = closed[0]?.ends_on ?? null;
      const dated = entries.map((entry) =>
        closedUpTo && entry.date <= closedUpTo
          ? {
              ...entry,
              date: addDays(closedUpTo, 1),
              description: `${entry.description} (dated ${entry.date}, in a closed period)`,
            }
          : entry,
      );
      const { rows: inserted } = await tx.query<{ id: string; source_key: string }>(
        `insert into ledger_entries (entry_date, description, source_type, source_id, source_key)
         select * from unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[])
         on conflict (source_key) do nothing returning id, source_key`,
        [
          dated.map((entry) => entry.date),
          dated.map((entry) => entry.description),
          dated.map((entry) => entry.sourceType),
          dated.map((entry) => entry.sourceId),
          dated.map((entry) => entry.sourceKey),
        ],
      );
      const ids = new Map(inserted.map((row) => [row.source_key, Number(row.id)]));
      for (const key of ids.keys()) keys.add(key);
      const postings = dated.flatMap((entry) => {
        const id = ids.get(entry.sourceKey);
        return id === undefined
          ? []
          : entry.postings.map((posting) => ({ ...posting, entryId: id, currency: entry.currency }));
      });
      if (postings.length) {
        await tx.query(
          `insert into ledger_postings (entry_id, account_code, amount_minor, currency, jurisdiction, memo)
           select * from unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])`,
          [
            postings.map((posting) => posting.entryId),
            postings.map((posting) => posting.account),
            postings.map((posting) => posting.amount),
            postings.map((posting) => posting.currency),
            postings.map((posting) => posting.jurisdiction ?? null),
            postings.map((posting) => posting.memo ?? null),
          ],
        );
      }
      written = inserted.length;
      // What the books now hold is no longer waiting for review.
      await tx.query(
        `update ledger_review set status = 'resolved', resolved_at = now()
         where status = 'open' and source_key = any($1::text[])`,
        [dated.map((entry) => entry.sourceKey)],
      );
    }
    let raised = 0;
    if (reviews.length) {
      const { rows } = await tx.query<{ source_key: string; kind: string; reason: string; fresh: boolean }>(
        `insert into ledger_review (source_key, kind, reason, detail, retriable)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::boolean[])
         on conflict (source_key) do update set reason = excluded.reason, detail = excluded.detail,
           kind = excluded.kind, retriable = excluded.retriable
           where ledger_review.status = 'open'
         returning source_key, kind, reason, (xmax = 0) as fresh`,
        [
          reviews.map((review) => review.sourceKey),
          reviews.map((review) => review.kind),
          reviews.map((review) => review.reason),
          reviews.map((review) => JSON.stringify(review.detail)),
          reviews.map((review) => review.retriable),
        ],
      );
      const fresh = rows.filter((row) => row.fresh);
      raised = fresh.length;
      // An alert for each new item that needs the owner (retriable ones usually settle by themselves).
      await emitAll(
        tx,
        fresh
          .filter((row) => !reviews.find((review) => review.sourceKey === row.source_key)?.retriable)
          .map((row) => ({
            type: 'ledger.review_needed',
            payload: { sourceKey: row.source_key, kind: row.kind, reason: row.reason },
          })),
      );
    }
    return { entries: written, reviews: raised, inserted: keys };
  }

  /** The default chart, where it is missing (names the owner changed stay). */
  async ensureChart(tx: pg.PoolClient | pg.Pool): Promise<void> {
    await tx.query(
      `insert into ledger_accounts (code, name, type, system)
       select code, name, type, true from unnest($1::text[], $2::text[], $3::text[]) as a(code, name, type)
       on conflict (code) do nothing`,
      [DEFAULT_CHART.map((a) => a.code), DEFAULT_CHART.map((a) => a.name), DEFAULT_CHART.map((a) => a.type)],
    );
  }

  /** Accounts a rule names that the chart does not have yet (a new gateway's clearing account). */
  private async ensureAccounts(tx: pg.PoolClient, codes: string[]): Promise<void> {
    const unique = [...new Set(codes)];
    await tx.query(
      `insert into ledger_accounts (code, name, type, system)
       select code, name, type, true from unnest($1::text[], $2::text[], $3::text[]) as a(code, name, type)
       on conflict (code) do nothing`,
      [unique, unique.map((code) => code.split(':').pop()!), unique.map(accountType)],
    );
  }
}

/** Whether the opening stock has been taken: until then stock on the books is still being built. */
async function openingTaken(tx: pg.PoolClient): Promise<boolean> {
  const { rows } = await tx.query('select 1 from ledger_opening_stock limit 1');
  return rows.length > 0;
}
