// Products with their variants' prices, unit costs and stock, as the API and the Stock page show
// them (lowest stock first when asked), and each variant's low-stock threshold.
import type pg from 'pg';
import { notFound } from '../../platform/errors.ts';
import { AVAILABLE_SQL } from './apply.ts';

export interface ProductRow {
  id: number;
  title: string;
  status: string;
  imageUrl: string | null;
  variants: {
    id: number;
    title: string;
    sku: string | null;
    /** Minor units of the shop's currency. */
    priceMinor: number;
    unitCostMinor: number | null;
    /** Units available across locations; null when Shopify does not count it. */
    available: number | null;
    threshold: number;
    low: boolean;
  }[];
}

export class ProductList {
  constructor(private readonly options: { pool: pg.Pool; lowStockDefault: number }) {}

  async list(options: { lowFirst?: boolean; search?: string } = {}): Promise<ProductRow[]> {
    const { rows } = await this.options.pool.query<{
      product_id: string;
      product: string;
      status: string;
      image_url: string | null;
      variant_id: string | null;
      variant: string | null;
      sku: string | null;
      price_minor: string | null;
      unit_cost_minor: string | null;
      available: number | null;
      threshold: number;
    }>(
      `select p.id as product_id, p.title as product, p.status, p.image_url, v.id as variant_id, v.title as variant, v.sku,
         v.price_minor, v.unit_cost_minor, ${AVAILABLE_SQL}::int as available,
         coalesce(v.low_stock_threshold, $1)::int as threshold
       from shop_products p left join shop_variants v on v.product_id = p.id
       where p.deleted_at is null and ($2::text is null or p.title ilike '%' || $2 || '%' or v.sku ilike '%' || $2 || '%')
       order by p.title, v.title`,
      [this.options.lowStockDefault, options.search ?? null],
    );
    const products = new Map<number, ProductRow>();
    for (const row of rows) {
      const id = Number(row.product_id);
      let product = products.get(id);
      if (!product) {
        product = { id, title: row.product, status: row.status, imageUrl: row.image_url, variants: [] };
        products.set(id, product);
      }
      if (row.variant_id === null) continue;
      product.variants.push({
        id: Number(row.variant_id),
        title: row.variant ?? '',
        sku: row.sku,
        priceMinor: Number(row.price_minor),
        unitCostMinor: row.unit_cost_minor === null ? null : Number(row.unit_cost_minor),
        available: row.available,
        threshold: row.threshold,
        low: row.available !== null && row.available <= row.threshold,
      });
    }
    const list = [...products.values()];
    if (!options.lowFirst) return list;
    const lowest = (product: ProductRow) =>
      Math.min(
        ...product.variants.map((v) => (v.available === null ? Infinity : v.available - v.threshold)),
        Infinity,
      );
    return list.sort((a, b) => lowest(a) - lowest(b) || a.title.localeCompare(b.title));
  }

  /** Null: the shop's default. */
  async setLowStockThreshold(variantId: number, threshold: number | null): Promise<void> {
    const { rowCount } = await this.options.pool.query(
      'update shop_variants set low_stock_threshold = $2 where id = $1',
      [variantId, threshold],
    );
    if (!rowCount) throw notFound(`no variant ${variantId}`);
  }
}
