// The catalog others read: what the QA gate and the writer check a draft against, what the Telegram
// cards show. The shop offers its stored products (shop-catalog.ts); the sandbox and tests give a
// fixed list in its place.
export interface CatalogProduct {
  id: string;
  title: string;
  /** In minor units of `currency`. */
  priceMinor: number;
  /** ISO 4217. */
  currency: string;
  /** Sellable now (in stock, or sold while out of stock). */
  available: boolean;
  /** The product's main photo, for previews. */
  imageUrl?: string | null;
  /** Units available across its variants; null when Shopify does not count them. */
  stock?: number | null;
  /** When the product was added to the shop (ISO 8601). */
  createdAt?: string;
  tags?: string[];
  /** Its address on the online store: /products/{handle}. */
  handle?: string;
}

export interface Catalog {
  products(ids: string[]): Promise<CatalogProduct[]>;
  all(): Promise<CatalogProduct[]>;
}

/** A fixed list of products standing in for the shop's (the sandbox, tests). */
export class StaticCatalog implements Catalog {
  constructor(private readonly items: CatalogProduct[]) {}

  async products(ids: string[]): Promise<CatalogProduct[]> {
    return this.items.filter((item) => ids.includes(item.id));
  }

  async all(): Promise<CatalogProduct[]> {
    return this.items;
  }
}
