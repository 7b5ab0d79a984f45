// Stock at cost: goods received into lots, taken out by sales (first to expire first, then first in,
// first out; or at the running average), put back by returns and cancellations at what they cost.
// Each movement books its cost: a sale debits cost of goods sold and credits stock; a return the
// other way round. Lots are locked while they are taken from, so two batches never sell the same unit.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { currencyExponent, divideMinor } from '../../platform/money.ts';
import type { Order, Refund, ShopReader } from '../shop/index.ts';
import { ACCOUNTS } from './chart.ts';
import { invalid } from '../../platform/errors.ts';
import type { EntryDraft } from './rules.ts';
import type { EventOf } from '../../platform/events/outbox.ts';

export type Costing = 'fifo' | 'average';

export interface GoodsReceipt {
  date: string;
  variantId: number;
  quantity: number;
  unitCostMicros: number; // millionths of the currency unit: £2.345678 → 2345678
  expiresOn: string | null;
  supplier: string | null;
  paidFrom: string;
  reference: string | null;
  /** The VAT on the supplier's invoice for these goods, in minor units: reclaimable, paid with them. */
  vat?: number;
}

export type StockAlert = EventOf<'ledger.stock_negative'>;

interface Lot {
  id: string;
  left_quantity: number;
  unit_cost_micros: string;
}

const RESTOCKED = new Set(['return', 'cancel', 'legacy_restock']);

/** The same receipt entered twice (same day, variant, quantity, cost, reference, supplier) is one lot. */
function receiptKey(receipt: GoodsReceipt): string {
  const identity = [
    receipt.date,
    receipt.variantId,
    receipt.quantity,
    receipt.unitCostMicros,
    receipt.reference ?? '',
    receipt.supplier ?? '',
  ];
  return `stock:receipt:${createHash('sha256').update(identity.join('|')).digest('hex').slice(0, 32)}`;
}

/** Minor units for a quantity at a unit cost in millionths (rounded once, half away from zero). */
export function costOf(quantity: number, unitCostMicros: number, currency: string): number {
  // In integers: a million units at a cost with six decimals is past what a double holds exactly.
  return divideMinor(
    BigInt(quantity) * BigInt(unitCostMicros),
    10n ** BigInt(6 - currencyExponent(currency)),
    'the cost',
  );
}

export class Stock {
  private readonly shop: Pick<ShopReader, 'stockCounts' | 'unitCosts'>;
  readonly costing: Costing;

  constructor(options: {
    /** Shopify's count and unit cost of each variant (the opening stock, a sale with none on the books). */
    shop: Pick<ShopReader, 'stockCounts' | 'unitCosts'>;
    costing: Costing;
  }) {
    this.shop = options.shop;
    this.costing = options.costing;
  }

  /**
   * A goods receipt: a new lot, and the entry that puts its cost into stock. Goods that arrive after
   * the books sold them (stock gone negative) cover that shortfall first, oldest sale first, and the
   * cost those sales were booked at (Shopify's unit cost) is corrected to the lot's.
   */
  async receive(
    tx: pg.PoolClient,
    receipt: GoodsReceipt,
    currency: string,
    sourceKey = receiptKey(receipt),
  ): Promise<EntryDraft[]> {
    const { rows } = await tx.query<{ id: string }>(
      `insert into ledger_lots (variant_id, received_on, quantity, left_quantity, unit_cost_micros, expires_on, supplier, source_key)
       values ($1, $2, $3, $3, $4, $5, $6, $7) on conflict (source_key) do nothing returning id`,
      [
        receipt.variantId,
        receipt.date,
        receipt.quantity,
        receipt.unitCostMicros,
        receipt.expiresOn,
        receipt.supplier,
        sourceKey,
      ],
    );
    const value = costOf(receipt.quantity, receipt.unitCostMicros, currency);
    const entry: EntryDraft = {
      date: receipt.date,
      description: `Goods received: ${receipt.quantity} × variant ${receipt.variantId}${receipt.supplier ? ` from ${receipt.supplier}` : ''}`,
      sourceType: 'stock',
      sourceId: String(receipt.variantId),
      sourceKey,
      currency,
      // Stock at its net cost, the invoice's VAT to reclaim, the gross from the bank or supplier.
      postings: [
        { account: ACCOUNTS.inventory, amount: value },
        ...(receipt.vat ? [{ account: ACCOUNTS.vatReclaimable, amount: receipt.vat }] : []),
        { account: receipt.paidFrom, amount: -(value + (receipt.vat ?? 0)) },
      ],
    };
    const lotId = rows[0]?.id;
    if (!lotId) return [entry];
    const correction = await this.coverShortfall(tx, lotId, receipt, sourceKey, currency);
    return correction ? [entry, correction] : [entry];
  }

  /**
   * Covers the variant's sales made with none on the books from a new lot, oldest first: for each
   * order line, what it sold short less what was covered before and what came back (a return is
   * never covered), as a pair of moves on the lot's day. Returns the cost correction: the lot's cost
   * of those units less the Shopify cost they were booked at.
   */
  private async coverShortfall(
    tx: pg.PoolClient,
    lotId: string,
    receipt: GoodsReceipt,
    sourceKey: string,
    currency: string,
  ): Promise<EntryDraft | undefined> {
    const { rows: lines } = await tx.query<{
      order_id: string;
      order_line_id: string;
      open: string;
      open_cost: string;
      back: string;
    }>(
      `select order_id, order_line_id,
         -sum(quantity) filter (where lot_id is null and reason in ('sale', 'cover')) as open,
         -sum(cost_minor) filter (where lot_id is null and reason in ('sale', 'cover')) as open_cost,
         coalesce(sum(quantity) filter (where reason in ('return', 'cancel')), 0) as back
       from ledger_stock_moves
       where order_line_id in (select order_line_id from ledger_stock_moves
                               where variant_id = $1 and lot_id is null and reason = 'sale')
       group by order_id, order_line_id order by min(moved_on), min(id)`,
      [receipt.variantId],
    );
    let left = receipt.quantity;
    let correction = 0;
    const pairs: { orderId: string; lineId: string; quantity: number; booked: number; cost: number }[] = [];
    for (const line of lines) {
      if (!left) break;
      const open = Number(line.open ?? 0);
      const outstanding = open - Number(line.back);
      if (outstanding <= 0) continue;
      const take = Math.min(outstanding, left);
      const booked = Math.round((Number(line.open_cost ?? 0) * take) / open);
      const cost = costOf(take, receipt.unitCostMicros, currency);
      pairs.push({ orderId: line.order_id, lineId: line.order_line_id, quantity: take, booked, cost });
      correction += cost - booked;
      left -= take;
    }
    if (!pairs.length) return undefined;
    await tx.query(
      `insert into ledger_stock_moves (variant_id, lot_id, moved_on, quantity, cost_minor, reason, order_id, order_line_id)
       select $1, v.lot_id, $2, v.quantity, v.cost, 'cover', v.order_id, v.line_id
       from unnest($3::bigint[], $4::int[], $5::bigint[], $6::bigint[], $7::bigint[]) as v(lot_id, quantity, cost, order_id, line_id)`,
      [
        receipt.variantId,
        receipt.date,
        pairs.flatMap(() => [null, lotId]),
        pairs.flatMap((pair) => [pair.quantity, -pair.quantity]),
        pairs.flatMap((pair) => [pair.booked, -pair.cost]),
        pairs.flatMap((pair) => [pair.orderId, pair.orderId]),
        pairs.flatMap((pair) => [pair.lineId, pair.lineId]),
      ],
    );
    await tx.query('update ledger_lots set left_quantity = $2 where id = $1', [lotId, left]);
    await this.addShort(tx, [[receipt.variantId, -(receipt.quantity - left)]]);
    if (!correction) return undefined;
    return {
      date: receipt.date,
      description: `Cost of goods sold before they were on the books: variant ${receipt.variantId} at the received cost`,
      sourceType: 'stock',
      sourceId: String(receipt.variantId),
      sourceKey: `${sourceKey}:shortfall`,
      currency,
      postings: [
        { account: ACCOUNTS.cogs, amount: correction },
        { account: ACCOUNTS.inventory, amount: -correction },
      ],
    };
  }

  /**
   * Opening stock: each variant's units that Shopify counts beyond what the books hold become a lot
   * at Shopify's unit cost, dated before the books' first day, against Opening balances.
   * Sales booked before it, with none on the books, are covered from it.
   */
  async opening(
    tx: pg.PoolClient,
    openedOn: string,
    currency: string,
    unbooked: Map<number, number>,
  ): Promise<{ drafts: EntryDraft[]; variants: number; units: number; withoutCost: string[] }> {
    const counts = await this.shop.stockCounts();
    const { rows } = await tx.query<{ variant_id: string; on_hand: string }>(
      `select variant_id, sum(quantity) as on_hand from (
         select variant_id, left_quantity as quantity from ledger_lots where variant_id = any($1::bigint[])
         union all
         select variant_id, -open from ledger_stock_short where variant_id = any($1::bigint[])
       ) held group by variant_id`,
      [counts.map((count) => count.variantId)],
    );
    const onBooks = new Map(rows.map((row) => [Number(row.variant_id), Number(row.on_hand)]));
    const drafts: EntryDraft[] = [];
    const withoutCost: string[] = [];
    let variants = 0;
    let units = 0;
    const micros = 10 ** (6 - currencyExponent(currency));
    for (const count of counts) {
      if (count.available === null) continue;
      // Units in orders not booked yet have left Shopify's count but not the books: they count back in.
      const missing =
        count.available + (unbooked.get(count.variantId) ?? 0) - (onBooks.get(count.variantId) ?? 0);
      if (missing <= 0) continue;
      if (count.unitCost === null) {
        withoutCost.push(count.sku ?? `variant ${count.variantId}`);
        continue;
      }
      const receipt: GoodsReceipt = {
        date: openedOn,
        variantId: count.variantId,
        quantity: missing,
        unitCostMicros: count.unitCost * micros,
        expiresOn: null,
        supplier: null,
        paidFrom: ACCOUNTS.openingBalances,
        reference: 'opening stock',
      };
      const [entry, ...rest] = await this.receive(tx, receipt, currency, `stock:opening:${count.variantId}`);
      entry!.description = `Opening stock: ${missing} × ${count.sku ?? `variant ${count.variantId}`} (Shopify's count and unit cost)`;
      drafts.push(entry!, ...rest);
      variants += 1;
      units += missing;
    }
    return { drafts, variants, units, withoutCost };
  }

  /**
   * Takes what newly booked orders sold out of stock. Returns each order's cost and an alert for each
   * variant that went below zero on the books (sold at Shopify's unit cost until goods are received).
   */
  async sell(
    tx: pg.PoolClient,
    sales: { order: Order; date: string }[],
    currency: string,
  ): Promise<{ costs: Map<number, number>; alerts: StockAlert[] }> {
    const variantIds = [
      ...new Set(sales.flatMap(({ order }) => order.lines.map((line) => line.variantId))),
    ].filter((id): id is number => id !== null);
    if (!variantIds.length) return { costs: new Map(), alerts: [] };
    const shopifyCosts = await this.shop.unitCosts(variantIds);
    const scale = 10 ** (6 - currencyExponent(currency));
    // Lots of every variant sold, locked in one sorted statement.
    const { rows } = await tx.query<Lot & { variant_id: string }>(
      `select id, variant_id, left_quantity, unit_cost_micros from ledger_lots
       where variant_id = any($1::bigint[]) and left_quantity > 0
       order by variant_id, coalesce(expires_on, 'infinity'::date), received_on, id for update`,
      [variantIds],
    );
    const lots = new Map<number, Lot[]>();
    for (const row of rows) {
      const list = lots.get(Number(row.variant_id)) ?? [];
      list.push(row);
      lots.set(Number(row.variant_id), list);
    }
    const { rows: short } = await tx.query<{ variant_id: string }>(
      'select variant_id from ledger_stock_short where variant_id = any($1::bigint[]) and open > 0',
      [variantIds],
    );
    const wentShort = new Set(short.map((row) => Number(row.variant_id)));
    const moves: {
      variantId: number;
      lotId: string | null;
      date: string;
      quantity: number;
      cost: number;
      orderId: number;
      lineId: number;
    }[] = [];
    const costs = new Map<number, number>();
    const alerts: StockAlert[] = [];
    for (const { order, date } of sales) {
      let total = 0;
      for (const line of order.lines) {
        if (line.variantId === null || line.giftCard || line.quantity <= 0) continue;
        const open = lots.get(line.variantId) ?? [];
        const onHand = open.reduce((sum, lot) => sum + lot.left_quantity, 0);
        const average = onHand
          ? open.reduce((sum, lot) => sum + lot.left_quantity * Number(lot.unit_cost_micros), 0) / onHand
          : 0;
        let wanted = line.quantity;
        for (const lot of open) {
          if (!wanted) break;
          const take = Math.min(wanted, lot.left_quantity);
          if (!take) continue;
          lot.left_quantity -= take;
          wanted -= take;
          const micros = this.costing === 'average' ? average : Number(lot.unit_cost_micros);
          const cost = Math.round((take * micros) / scale);
          moves.push({
            variantId: line.variantId,
            lotId: lot.id,
            date,
            quantity: -take,
            cost,
            orderId: order.id,
            lineId: line.id,
          });
          total += cost;
        }
        if (wanted) {
          // Sold more than the books hold: costed at Shopify's unit cost, and the owner is told once.
          const unit = shopifyCosts.get(line.variantId) ?? 0;
          const cost = unit * wanted;
          moves.push({
            variantId: line.variantId,
            lotId: null,
            date,
            quantity: -wanted,
            cost,
            orderId: order.id,
            lineId: line.id,
          });
          total += cost;
          if (onHand > 0 || !wentShort.has(line.variantId)) {
            alerts.push({
              type: 'ledger.stock_negative',
              payload: {
                variantId: line.variantId,
                sku: line.sku,
                orderId: order.id,
                order: order.name,
                short: wanted,
              },
            });
          }
          wentShort.add(line.variantId);
        }
      }
      if (total) costs.set(order.id, total);
    }
    await this.saveMoves(tx, moves, 'sale');
    await this.addShort(
      tx,
      moves.filter((move) => move.lotId === null).map((move) => [move.variantId, -move.quantity]),
    );
    const used = [...lots.values()].flat();
    if (used.length) {
      await tx.query(
        `update ledger_lots l set left_quantity = v.remaining from unnest($1::bigint[], $2::int[]) as v(id, remaining) where l.id = v.id`,
        [used.map((lot) => lot.id), used.map((lot) => lot.left_quantity)],
      );
    }
    return { costs, alerts };
  }

  /**
   * Takes units out that were not sold (written off as expired or damaged, or missing at a count), at
   * what they cost: first to expire, then first in (or the running average). Refused when the books
   * hold fewer units. Returns their cost.
   */
  async takeOut(
    tx: pg.PoolClient,
    input: { variantId: number; quantity: number; date: string; reason: 'write_off' | 'count' },
    currency: string,
  ): Promise<number> {
    const scale = 10 ** (6 - currencyExponent(currency));
    const { rows: lots } = await tx.query<Lot>(
      `select id, left_quantity, unit_cost_micros from ledger_lots
       where variant_id = $1 and left_quantity > 0
       order by coalesce(expires_on, 'infinity'::date), received_on, id for update`,
      [input.variantId],
    );
    const onHand = lots.reduce((sum, lot) => sum + lot.left_quantity, 0);
    if (onHand < input.quantity)
      throw invalid(
        `the books hold ${onHand} unit(s) of variant ${input.variantId}, fewer than ${input.quantity} to take out`,
      );
    const average = onHand
      ? lots.reduce((sum, lot) => sum + lot.left_quantity * Number(lot.unit_cost_micros), 0) / onHand
      : 0;
    let wanted = input.quantity;
    let total = 0;
    const moves: { lotId: string; quantity: number; cost: number }[] = [];
    for (const lot of lots) {
      if (!wanted) break;
      const take = Math.min(wanted, lot.left_quantity);
      lot.left_quantity -= take;
      wanted -= take;
      const cost = Math.round(
        (take * (this.costing === 'average' ? average : Number(lot.unit_cost_micros))) / scale,
      );
      moves.push({ lotId: lot.id, quantity: take, cost });
      total += cost;
    }
    await tx.query(
      `insert into ledger_stock_moves (variant_id, lot_id, moved_on, quantity, cost_minor, reason)
       select $1, v.lot_id, $2, -v.quantity, -v.cost, $3 from unnest($4::bigint[], $5::int[], $6::bigint[]) as v(lot_id, quantity, cost)`,
      [
        input.variantId,
        input.date,
        input.reason,
        moves.map((m) => m.lotId),
        moves.map((m) => m.quantity),
        moves.map((m) => m.cost),
      ],
    );
    await tx.query(
      `update ledger_lots l set left_quantity = v.remaining from unnest($1::bigint[], $2::int[]) as v(id, remaining) where l.id = v.id`,
      [lots.map((lot) => lot.id), lots.map((lot) => lot.left_quantity)],
    );
    return total;
  }

  /** Units the books hold of a variant now, and the last unit cost they were bought at (micros). */
  async onHand(
    tx: pg.PoolClient,
    variantId: number,
  ): Promise<{ units: number; lastCostMicros: number | null }> {
    const { rows } = await tx.query<{ units: string; last: string | null }>(
      `select coalesce(sum(left_quantity), 0) as units,
         (select unit_cost_micros from ledger_lots where variant_id = $1 order by received_on desc, id desc limit 1) as last
       from ledger_lots where variant_id = $1`,
      [variantId],
    );
    return {
      units: Number(rows[0]!.units),
      lastCostMicros: rows[0]!.last === null ? null : Number(rows[0]!.last),
    };
  }

  /**
   * Puts goods back at what they cost when sold: the restocked lines of a refund, or every line of an
   * order cancelled before it was paid. Returns the entry, or nothing when nothing had been taken.
   */
  async putBack(
    tx: pg.PoolClient,
    order: Order,
    lines: { lineId: number; quantity: number }[],
    date: string,
    reason: 'return' | 'cancel',
    sourceKey: string,
    currency: string,
  ): Promise<EntryDraft | undefined> {
    const ids = lines.map((line) => line.lineId);
    if (!ids.length) return undefined;
    const { rows } = await tx.query<{
      order_line_id: string;
      variant_id: string;
      out: string;
      back: string;
      cost: string;
    }>(
      `select order_line_id, variant_id, -sum(quantity) filter (where reason = 'sale') as out,
         coalesce(sum(quantity) filter (where reason in ('return', 'cancel')), 0) as back,
         -sum(cost_minor) filter (where reason in ('sale', 'cover')) as cost
       from ledger_stock_moves where order_line_id = any($1::bigint[]) group by order_line_id, variant_id`,
      [ids],
    );
    const scale = 10 ** (6 - currencyExponent(currency));
    let total = 0;
    const moves = [];
    for (const line of lines) {
      const sold = rows.find((row) => Number(row.order_line_id) === line.lineId);
      if (!sold || !Number(sold.out)) continue;
      const quantity = Math.min(line.quantity, Number(sold.out) - Number(sold.back));
      if (quantity <= 0) continue;
      const unitMicros = Math.round((Number(sold.cost) * scale) / Number(sold.out));
      const cost = Math.round((quantity * unitMicros) / scale);
      const { rows: lot } = await tx.query<{ id: string }>(
        `insert into ledger_lots (variant_id, received_on, quantity, left_quantity, unit_cost_micros, source_key)
         values ($1, $2, $3, $3, $4, $5) returning id`,
        [sold.variant_id, date, quantity, unitMicros, `${sourceKey}:line:${line.lineId}`],
      );
      moves.push({
        variantId: Number(sold.variant_id),
        lotId: lot[0]!.id,
        date,
        quantity,
        cost,
        orderId: order.id,
        lineId: line.lineId,
      });
      total += cost;
    }
    await this.saveMoves(tx, moves, reason);
    if (!total) return undefined;
    const what =
      reason === 'return'
        ? `Returned to stock from order ${order.name}`
        : `Back in stock: order ${order.name} cancelled`;
    return this.costEntry(sourceKey, date, what, order.id, total, currency);
  }

  /** Adds units sold short (negative: covered) to each variant's count, in variant order (no deadlocks). */
  private async addShort(tx: pg.PoolClient, changes: [number, number][]): Promise<void> {
    const totals = new Map<number, number>();
    for (const [variantId, units] of changes) totals.set(variantId, (totals.get(variantId) ?? 0) + units);
    const variants = [...totals.keys()].filter((id) => totals.get(id)).sort((a, b) => a - b);
    if (!variants.length) return;
    // Covered units lower a count that exists; units sold short may start one (a proposed row is
    // checked before its conflict is, so a negative one cannot go through the upsert).
    const sold = variants.filter((id) => totals.get(id)! > 0);
    const covered = variants.filter((id) => totals.get(id)! < 0);
    if (sold.length)
      await tx.query(
        `insert into ledger_stock_short (variant_id, open)
         select v.variant_id, v.units from unnest($1::bigint[], $2::int[]) as v(variant_id, units)
         on conflict (variant_id) do update set open = ledger_stock_short.open + excluded.open`,
        [sold, sold.map((id) => totals.get(id)!)],
      );
    if (covered.length)
      await tx.query(
        `update ledger_stock_short s set open = s.open + v.units
         from unnest($1::bigint[], $2::int[]) as v(variant_id, units) where s.variant_id = v.variant_id`,
        [covered, covered.map((id) => totals.get(id)!)],
      );
  }

  /** The restocked lines of a refund. */
  static restocked(refund: Refund): { lineId: number; quantity: number }[] {
    return refund.lines
      .filter((line) => RESTOCKED.has(line.restockType) && line.quantity > 0)
      .map((line) => ({ lineId: line.lineId, quantity: line.quantity }));
  }

  private costEntry(
    sourceKey: string,
    date: string,
    description: string,
    orderId: number,
    cost: number,
    currency: string,
  ): EntryDraft {
    return {
      date,
      description,
      sourceType: 'stock',
      sourceId: String(orderId),
      sourceKey,
      currency,
      postings: [
        { account: ACCOUNTS.inventory, amount: cost },
        { account: ACCOUNTS.cogs, amount: -cost },
      ],
    };
  }

  private async saveMoves(
    tx: pg.PoolClient,
    moves: {
      variantId: number;
      lotId: string | null;
      date: string;
      quantity: number;
      cost: number;
      orderId: number;
      lineId: number;
    }[],
    reason: 'sale' | 'return' | 'cancel',
  ): Promise<void> {
    if (!moves.length) return;
    await tx.query(
      `insert into ledger_stock_moves (variant_id, lot_id, moved_on, quantity, cost_minor, reason, order_id, order_line_id)
       select v.variant_id, v.lot_id, v.moved_on, v.quantity, v.cost, $8, v.order_id, v.line_id
       from unnest($1::bigint[], $2::bigint[], $3::date[], $4::int[], $5::bigint[], $6::bigint[], $7::bigint[])
         as v(variant_id, lot_id, moved_on, quantity, cost, order_id, line_id)`,
      [
        moves.map((move) => move.variantId),
        moves.map((move) => move.lotId),
        moves.map((move) => move.date),
        moves.map((move) => (reason === 'sale' ? move.quantity : Math.abs(move.quantity))),
        moves.map((move) => (reason === 'sale' ? -move.cost : move.cost)),
        moves.map((move) => move.orderId),
        moves.map((move) => move.lineId),
        reason,
      ],
    );
  }

  /** Quantity and value on the books per variant at the end of a day (lots received, less moves out). */
  async valuation(pool: pg.Pool, at: string, currency: string) {
    const scale = 10 ** (6 - currencyExponent(currency));
    // Lots received by then, less what sales took from them; plus what was sold with no stock on the
    // books (negative, at the cost it was booked at).
    const { rows } = await pool.query<{
      variant_id: string;
      quantity: string;
      value_micros: string;
      expiring: string;
    }>(
      `with taken as (
         select lot_id, sum(quantity) as moved from ledger_stock_moves
         where moved_on <= $1::date and reason in ('sale', 'cover', 'write_off', 'count') and lot_id is not null group by lot_id
       ), per_lot as (
         select l.variant_id, l.quantity + coalesce(t.moved, 0) as quantity,
           (l.quantity + coalesce(t.moved, 0)) * l.unit_cost_micros as value_micros,
           case when l.expires_on is not null and l.expires_on <= $1::date + 30 then l.quantity + coalesce(t.moved, 0) else 0 end as expiring
         from ledger_lots l left join taken t on t.lot_id = l.id where l.received_on <= $1::date
         union all
         select variant_id, quantity, cost_minor * $2::bigint, 0 from ledger_stock_moves
         where lot_id is null and reason in ('sale', 'cover') and moved_on <= $1::date
       )
       select variant_id, sum(quantity) as quantity, sum(value_micros) as value_micros, sum(expiring) as expiring
       from per_lot group by variant_id order by variant_id`,
      [at, scale],
    );
    const lines = rows.map((row) => ({
      variantId: Number(row.variant_id),
      quantity: Number(row.quantity),
      value: Math.round(Number(row.value_micros) / scale),
      expiringWithin30Days: Number(row.expiring),
    }));
    return {
      at,
      currency,
      costing: this.costing,
      lines,
      total: lines.reduce((sum, line) => sum + line.value, 0),
    };
  }
}
