// What each product earned in a period: its sales after discounts (without tax), less what refunds
// gave back, less what the units cost (returned units back at their cost), less its share of the
// payment fees (split by sales, largest remainder, so the shares add up to the fees exactly).
import type pg from 'pg';
import type { ShopReader } from '../shop/index.ts';
import { ACCOUNTS } from './chart.ts';
import { split } from './rules.ts';

export interface ProductMargin {
  variantId: number;
  name: string;
  sku: string | null;
  units: number;
  returnedUnits: number;
  sales: number; // after discounts, without tax
  discounts: number;
  refunds: number;
  cost: number; // cost of the units sold less the units returned to stock
  fees: number;
  margin: number;
  marginPercent: number | null; // of sales less refunds, one decimal; null without sales
}

export interface MarginReport {
  from: string;
  to: string;
  currency: string;
  lines: ProductMargin[];
  totals: Omit<ProductMargin, 'variantId' | 'name' | 'sku' | 'marginPercent'> & {
    marginPercent: number | null;
  };
}

export class ProductMargins {
  private readonly db: pg.Pool;
  private readonly shop: Pick<ShopReader, 'productSales' | 'stockCounts'>;
  private readonly basics: () => Promise<{ currency: string; timezone: string }>;

  constructor(options: {
    db: pg.Pool;
    /** What each product sold and what it is called. */
    shop: Pick<ShopReader, 'productSales' | 'stockCounts'>;
    basics: () => Promise<{ currency: string; timezone: string }>;
  }) {
    this.db = options.db;
    this.shop = options.shop;
    this.basics = options.basics;
  }

  async report(from: string, to: string): Promise<MarginReport> {
    const { currency, timezone } = await this.basics();
    const [sales, costs, fees, names] = await Promise.all([
      this.shop.productSales(from, to, timezone),
      this.db.query<{ variant_id: string; cost: string }>(
        `select variant_id, -sum(cost_minor) as cost from ledger_stock_moves
         where moved_on between $1::date and $2::date group by variant_id`,
        [from, to],
      ),
      this.db.query<{ total: string }>(
        `select coalesce(sum(total), 0) as total from ledger_day_totals
         where account_code = $3 and currency = $4 and day between $1::date and $2::date`,
        [from, to, ACCOUNTS.fees, currency],
      ),
      this.shop.stockCounts(),
    ]);
    const costOf = new Map(costs.rows.map((row) => [Number(row.variant_id), Number(row.cost)]));
    const named = new Map(names.map((row) => [row.variantId, row]));
    const variants = [...new Set([...sales.map((row) => row.variantId), ...costOf.keys()])];
    const byVariant = new Map(sales.map((row) => [row.variantId, row]));
    const netSales = variants.map((id) => {
      const row = byVariant.get(id);
      return row ? row.gross - row.discounts - row.includedTax - row.refunded : 0;
    });
    const totalFees = Number(fees.rows[0]!.total);
    const positive = netSales.map((amount) => Math.max(amount, 0));
    const shares = totalFees && positive.some(Boolean) ? split(totalFees, positive) : variants.map(() => 0);
    const lines = variants.map((id, index): ProductMargin => {
      const row = byVariant.get(id);
      const sold = row ? row.gross - row.discounts - row.includedTax : 0;
      const refunds = row?.refunded ?? 0;
      const cost = costOf.get(id) ?? 0;
      const fee = shares[index]!;
      const margin = sold - refunds - cost - fee;
      return {
        variantId: id,
        name: named.get(id)?.name ?? row?.name ?? `Variant ${id}`,
        sku: named.get(id)?.sku ?? row?.sku ?? null,
        units: row?.units ?? 0,
        returnedUnits: row?.refundedUnits ?? 0,
        sales: sold,
        discounts: row?.discounts ?? 0,
        refunds,
        cost,
        fees: fee,
        margin,
        marginPercent: percent(margin, sold - refunds),
      };
    });
    lines.sort((a, b) => b.margin - a.margin || a.name.localeCompare(b.name));
    const sum = (
      key: 'units' | 'returnedUnits' | 'sales' | 'discounts' | 'refunds' | 'cost' | 'fees' | 'margin',
    ) => lines.reduce((total, line) => total + line[key], 0);
    const totals = {
      units: sum('units'),
      returnedUnits: sum('returnedUnits'),
      sales: sum('sales'),
      discounts: sum('discounts'),
      refunds: sum('refunds'),
      cost: sum('cost'),
      fees: sum('fees'),
      margin: sum('margin'),
      marginPercent: percent(sum('margin'), sum('sales') - sum('refunds')),
    };
    return { from, to, currency, lines, totals };
  }
}

/** A share to one decimal, computed in integers (no float rounding of money). */
function percent(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part * 1000) / whole) / 10;
}
