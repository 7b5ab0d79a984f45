// The catalog from the shop's stored products: the active ones, each at its lowest variant price,
// available when any variant can be sold.
import type pg from 'pg';
import { AVAILABLE_SQL } from './apply.ts';
import type { Catalog, CatalogProduct } from './catalog.ts';

export class ShopCatalog implements Catalog {
  constructor(private readonly pool: pg.Pool) {}

  async all(): Promise<CatalogProduct[]> {
    return this.query(null);
  }

  async products(ids: string[]): Promise<CatalogProduct[]> {
    return ids.length ? this.query(ids) : [];
  }

  private async query(ids: string[] | null): Promise<CatalogProduct[]> {
    const { rows } = await this.pool.query<{
      id: string;
      title: string;
      price: string;
      currency: string;
      available: boolean;
      image_url: string | null;
      stock: string | null;
      created_at: Date;
      tags: string[];
      handle: string;
    }>(
      `select p.id::text as id, p.title, min(v.price_minor) as price, p.image_url,
         coalesce((select cursor::jsonb->>'currency' from shop_sync_cursors where resource = 'shop.info'), 'GBP') as currency,
         bool_or(coalesce(${AVAILABLE_SQL}, 1) > 0) as available,
         sum(${AVAILABLE_SQL}) as stock, p.created_at, p.tags, p.handle
       from shop_products p join shop_variants v on v.product_id = p.id
       where p.deleted_at is null and p.status = 'active' and ($1::text[] is null or p.id::text = any($1))
       group by p.id, p.title, p.image_url, p.created_at, p.tags, p.handle order by p.title`,
      [ids],
    );
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      priceMinor: Number(row.price),
      currency: row.currency,
      available: row.available,
      imageUrl: row.image_url,
      stock: row.stock === null ? null : Number(row.stock),
      createdAt: row.created_at.toISOString(),
      tags: row.tags,
      handle: row.handle,
    }));
  }
}
