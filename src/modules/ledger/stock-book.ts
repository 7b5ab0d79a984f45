// Stock on the books as a service: goods received, the opening stock taken once from Shopify's
// count, lots close to their expiry date, and stock at cost per product. Part of the ledger module
// (its lots and moves are in stock.ts); the ledger service hands it out as `ledger.stock`.
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import { orm } from '../../platform/db/orm.ts';
import { addDays, dayIn, isDate } from '../../platform/dates.ts';
import { conflict, invalid } from '../../platform/errors.ts';
import { currencyExponent, toMinor } from '../../platform/money.ts';
import { randomUUID } from 'node:crypto';
import { emit, emitAll } from '../../platform/events/outbox.ts';
import type { ShopReader } from '../shop/index.ts';
import { waitingInFeed } from '../../platform/events/feeds.ts';
import { ACCOUNTS } from './chart.ts';
import { ORDER_EVENTS, POSTING_FEED, type Poster } from './posting.ts';
import { saleLines, type EntryDraft } from './rules.ts';
import { costOf, type Stock } from './stock.ts';
import { ledgerOpeningStock } from './schema.ts';

export interface OpeningStock {
  date: string;
  variants: number;
  units: number;
  value: number;
  currency: string;
  withoutCost: string[];
}

export interface StockBookOptions {
  db: pg.Pool;
  /** Orders still to be booked, and what Shopify counts of each product. */
  shop: Pick<ShopReader, 'orders' | 'stockCounts' | 'unitCosts'>;
  stock: Stock;
  write: Poster['write'];
  basics: () => Promise<{ currency: string; timezone: string }>;
  accountTypes: () => Promise<Map<string, string>>;
  clock: () => Date;
}

export class StockBook {
  private readonly pool: pg.Pool;
  private readonly shop: StockBookOptions['shop'];
  private readonly stock: Stock;
  private readonly write: Poster['write'];
  private readonly basics: StockBookOptions['basics'];
  private readonly accountTypes: StockBookOptions['accountTypes'];
  private readonly clock: () => Date;

  constructor(options: StockBookOptions) {
    this.pool = options.db;
    this.shop = options.shop;
    this.stock = options.stock;
    this.write = options.write;
    this.basics = options.basics;
    this.accountTypes = options.accountTypes;
    this.clock = options.clock;
  }

  /** Goods received into stock: a lot (with its expiry date if any), its cost moved into stock. */
  async receiveGoods(input: {
    date: string;
    variantId: number;
    quantity: number;
    unitCost: string;
    expiresOn?: string;
    supplier?: string;
    paidFrom?: string;
    reference?: string;
    /** The VAT on the invoice for these goods (a decimal, like 200.00); none when it had none. */
    vat?: string;
  }): Promise<{ entryId: number | null }> {
    const problems: string[] = [];
    if (!isDate(input.date)) problems.push(`date "${input.date}" is not a date (YYYY-MM-DD)`);
    if (input.expiresOn !== undefined && !isDate(input.expiresOn))
      problems.push(`expiresOn "${input.expiresOn}" is not a date (YYYY-MM-DD)`);
    if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > 1_000_000)
      problems.push('quantity must be a whole number from 1 to 1,000,000');
    const cost = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(input.unitCost);
    if (!cost)
      problems.push(`unitCost "${input.unitCost}" is not an amount with up to 6 decimals (like 2.345)`);
    const paidFrom = input.paidFrom ?? ACCOUNTS.bank;
    const from = (await this.accountTypes()).get(paidFrom);
    if (from !== 'asset' && from !== 'liability')
      problems.push(`paidFrom "${paidFrom}" is not a bank, card or supplier account in the chart`);
    const vatText = input.vat?.trim();
    if (vatText && !/^\d{1,9}(\.\d{1,2})?$/.test(vatText))
      problems.push(`vat "${input.vat}" is not an amount (like 200.00)`);
    if (problems.length) throw invalid(problems.join('; '));
    const unitCostMicros = Number(cost![1]) * 1_000_000 + Number((cost![2] ?? '').padEnd(6, '0'));
    const { currency } = await this.basics();
    const vat = vatText ? toMinor(vatText, currency) : 0;
    let value: number;
    try {
      value = costOf(input.quantity, unitCostMicros, currency);
    } catch {
      throw invalid(
        `${input.quantity} at ${input.unitCost} each is more than the books can hold: check the quantity and the cost`,
      );
    }
    if (vat > value) throw invalid(`the VAT (${vatText}) is more than the goods cost before it: check both`);
    return transaction(
      this.pool,
      async (tx) => {
        const drafts = await this.stock.receive(
          tx,
          {
            date: input.date,
            variantId: input.variantId,
            quantity: input.quantity,
            unitCostMicros,
            expiresOn: input.expiresOn ?? null,
            supplier: input.supplier?.trim() || null,
            paidFrom,
            reference: input.reference?.trim() || null,
            vat,
          },
          currency,
        );
        const posted = await this.write(tx, drafts, []);
        if (!posted.entries && drafts[0]!.postings.some((posting) => posting.amount !== 0))
          throw conflict(
            'these goods were received already (same day, variant, quantity, cost and reference)',
          );
        const { rows } = await tx.query<{ id: string }>(
          'select id from ledger_entries where source_key = $1',
          [drafts[0]!.sourceKey],
        );
        return { entryId: rows[0] ? Number(rows[0].id) : null };
      },
      { retries: 3 },
    );
  }

  /**
   * Stock written off (expired, damaged, used in the salon, given away): out of stock at what it cost,
   * to **Stock written off** (an expense).
   */
  async writeOff(input: {
    date: string;
    variantId: number;
    quantity: number;
    reason: 'expired' | 'damaged' | 'other';
    note?: string;
  }): Promise<{ entryId: number; cost: number }> {
    if (!isDate(input.date)) throw invalid(`date "${input.date}" is not a date (YYYY-MM-DD)`);
    if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > 1_000_000)
      throw invalid('quantity must be a whole number from 1 to 1,000,000');
    const { currency } = await this.basics();
    const sourceKey = `stock:write-off:${randomUUID()}`;
    return transaction(this.pool, async (tx) => {
      const cost = await this.stock.takeOut(tx, { ...input, reason: 'write_off' }, currency);
      const note = input.note?.trim();
      await this.write(
        tx,
        [
          {
            date: input.date,
            description: `Stock written off (${input.reason}): ${input.quantity} × variant ${input.variantId}${note ? `: ${note}` : ''}`,
            sourceType: 'stock',
            sourceId: String(input.variantId),
            sourceKey,
            currency,
            postings: [
              { account: ACCOUNTS.stockWrittenOff, amount: cost, memo: input.reason },
              { account: ACCOUNTS.inventory, amount: -cost },
            ],
          },
        ],
        [],
      );
      const { rows } = await tx.query<{ id: string }>('select id from ledger_entries where source_key = $1', [
        sourceKey,
      ]);
      return { entryId: Number(rows[0]!.id), cost };
    });
  }

  /**
   * A stock count: each variant's counted units against the books'. Units missing come out at what they
   * cost (to Stock written off); units found go in as a lot at the last cost paid (the gain off the
   * same account). Returns each difference and its value.
   */
  async count(
    date: string,
    counts: { variantId: number; counted: number }[],
  ): Promise<{ variantId: number; books: number; counted: number; difference: number; value: number }[]> {
    if (!isDate(date)) throw invalid(`date "${date}" is not a date (YYYY-MM-DD)`);
    const bad = counts.filter((each) => !Number.isInteger(each.counted) || each.counted < 0);
    if (bad.length)
      throw invalid(`a count is a whole number of units, 0 or more (variant ${bad[0]!.variantId})`);
    const { currency } = await this.basics();
    const costs = await this.shop.unitCosts(counts.map((each) => each.variantId));
    return transaction(this.pool, async (tx) => {
      const results = [];
      const drafts: EntryDraft[] = [];
      for (const { variantId, counted } of counts) {
        const { units, lastCostMicros } = await this.stock.onHand(tx, variantId);
        const difference = counted - units;
        if (!difference) {
          results.push({ variantId, books: units, counted, difference, value: 0 });
          continue;
        }
        const key = `stock:count:${date}:${variantId}:${randomUUID()}`;
        let value: number;
        if (difference < 0) {
          value = -(await this.stock.takeOut(
            tx,
            { variantId, quantity: -difference, date, reason: 'count' },
            currency,
          ));
          drafts.push({
            date,
            description: `Stock count: ${-difference} unit(s) of variant ${variantId} missing`,
            sourceType: 'stock',
            sourceId: String(variantId),
            sourceKey: key,
            currency,
            postings: [
              { account: ACCOUNTS.stockWrittenOff, amount: -value, memo: 'missing at a count' },
              { account: ACCOUNTS.inventory, amount: value },
            ],
          });
        } else {
          const micros =
            lastCostMicros ?? (costs.get(variantId) ?? 0) * 10 ** (6 - currencyExponent(currency));
          const found = await this.stock.receive(
            tx,
            {
              date,
              variantId,
              quantity: difference,
              unitCostMicros: micros,
              expiresOn: null,
              supplier: null,
              paidFrom: ACCOUNTS.stockWrittenOff,
              reference: key,
            },
            currency,
          );
          value = found[0]!.postings[0]!.amount;
          drafts.push(
            ...found.map((draft) => ({
              ...draft,
              description: `Stock count: ${difference} unit(s) of variant ${variantId} found`,
            })),
          );
        }
        results.push({ variantId, books: units, counted, difference, value });
      }
      await this.write(tx, drafts, []);
      return results;
    });
  }

  /**
   * The opening stock by hand (the Stock page, the API, the CLI), when the first import's did not
   * happen (an import made before this version). Once only: afterwards stock bought is goods received.
   */
  async takeOpening(): Promise<OpeningStock> {
    const taken = await transaction(this.pool, (tx) => this.opening(tx), { retries: 3 });
    if (taken) return taken;
    const earlier = await this.openingTaken();
    throw conflict(
      `the opening stock was taken already (dated ${earlier?.date}): record stock bought since under Goods received`,
    );
  }

  async openingTaken(): Promise<{ date: string; units: number; variants: number } | undefined> {
    const [taken] = await orm(this.pool)
      .select({
        date: ledgerOpeningStock.takenOn,
        units: ledgerOpeningStock.units,
        variants: ledgerOpeningStock.variants,
      })
      .from(ledgerOpeningStock);
    return taken;
  }

  /**
   * Brings stock on the books in line with Shopify's count, once (see Stock.opening), dated the day
   * before the books' first entry; undefined when it was taken before. The feed calls it in the
   * transaction that books the first import's last events, so every imported order is booked; orders
   * still waiting for the books have left Shopify's count already and are counted back in.
   */
  async opening(tx: pg.PoolClient): Promise<OpeningStock | undefined> {
    await tx.query("select pg_advisory_xact_lock(hashtext('ledger.opening-stock'))");
    if ((await orm(tx).select({ id: ledgerOpeningStock.id }).from(ledgerOpeningStock)).length)
      return undefined;
    const { currency, timezone } = await this.basics();
    const { rows } = await tx.query<{ first_day: string | null }>(
      "select to_char(min(entry_date), 'YYYY-MM-DD') as first_day from ledger_entries",
    );
    // The day before the first entry: opening stock is what the books start with, not a purchase.
    const date = addDays(rows[0]?.first_day ?? dayIn(this.clock(), timezone), -1);
    const opening = await this.stock.opening(tx, date, currency, await this.unbookedSales(tx));
    await this.write(tx, opening.drafts, []);
    const value = opening.drafts
      .filter(
        (draft) => draft.sourceKey.startsWith('stock:opening:') && !draft.sourceKey.endsWith(':shortfall'),
      )
      .reduce((sum, draft) => sum + draft.postings[0]!.amount, 0);
    await orm(tx)
      .insert(ledgerOpeningStock)
      .values({ takenOn: date, variants: opening.variants, units: opening.units, valueMinor: value });
    const taken = {
      date,
      variants: opening.variants,
      units: opening.units,
      value,
      currency,
      withoutCost: opening.withoutCost,
    };
    await emit(tx, 'ledger.opening_stock', taken);
    return taken;
  }

  /** Units per variant in orders whose events still wait for the books (sold in Shopify, not yet here). */
  private async unbookedSales(tx: pg.PoolClient): Promise<Map<number, number>> {
    const waiting = await waitingInFeed(tx, POSTING_FEED, ORDER_EVENTS);
    const ids = new Set<number>();
    for (const { payload } of waiting)
      if (Number.isSafeInteger(payload.orderId) && payload.orderId >= 0) ids.add(payload.orderId);
    const { rows } = await tx.query<{ source_key: string }>(
      'select source_key from ledger_entries where source_key = any($1::text[])',
      [[...ids].map((id) => `order:${id}`)],
    );
    for (const { source_key } of rows) ids.delete(Number(source_key.slice('order:'.length)));
    const orders = await this.shop.orders([...ids]);
    const units = new Map<number, number>();
    for (const order of orders.values()) {
      if (!saleLines(order).length) continue;
      for (const line of order.lines)
        if (line.variantId !== null && !line.giftCard && line.quantity > 0)
          units.set(line.variantId, (units.get(line.variantId) ?? 0) + line.quantity);
    }
    return units;
  }

  /** One alert per lot with stock left that expires within 30 days (ledger.stock_expiring). */
  async alertExpiring(): Promise<number> {
    const today = dayIn(this.clock(), (await this.basics()).timezone);
    return transaction(this.pool, async (tx) => {
      const { rows } = await tx.query<{
        id: string;
        variant_id: string;
        left_quantity: number;
        expires_on: string;
      }>(
        `update ledger_lots set expiry_alerted_at = now()
         where left_quantity > 0 and expires_on is not null and expires_on <= $1::date + 30 and expiry_alerted_at is null
         returning id, variant_id, left_quantity, to_char(expires_on, 'YYYY-MM-DD') as expires_on`,
        [today],
      );
      await emitAll(
        tx,
        rows.map((row) => ({
          type: 'ledger.stock_expiring',
          payload: {
            lotId: Number(row.id),
            variantId: Number(row.variant_id),
            left: row.left_quantity,
            expiresOn: row.expires_on,
          },
        })),
      );
      return rows.length;
    });
  }

  /** The shop's products, to pick from when goods are received. */
  async products(): Promise<{ variantId: number; name: string; sku: string | null }[]> {
    const counts = await this.shop.stockCounts();
    return counts.map(({ variantId, name, sku }) => ({ variantId, name, sku }));
  }

  /** Stock at cost at the end of a day, per variant with its name and what Shopify counts now. */
  async valuation(at: string) {
    const { currency } = await this.basics();
    const [valuation, counts] = await Promise.all([
      this.stock.valuation(this.pool, at, currency),
      this.shop.stockCounts(),
    ]);
    const byVariant = new Map(counts.map((count) => [count.variantId, count]));
    return {
      ...valuation,
      lines: valuation.lines.map((line) => {
        const count = byVariant.get(line.variantId);
        return {
          ...line,
          name: count?.name ?? `Variant ${line.variantId}`,
          sku: count?.sku ?? null,
          shopifyCount: count?.available ?? null,
        };
      }),
    };
  }
}
