// What the QA gate needs to know about products. The shop module provides the real catalog; until it
// exists, the sandbox catalog stands in (and a server with neither knows no products).
export interface CatalogProduct {
  id: string;
  title: string;
  priceMinor: number; // integer minor units
  currency: string; // ISO 4217
  available: boolean; // sellable now (in stock or continue-selling)
  imageUrl?: string | null; // the product's main photo, for previews
}

export interface Catalog {
  products(ids: string[]): Promise<CatalogProduct[]>;
  all(): Promise<CatalogProduct[]>;
}

export class StaticCatalog implements Catalog {
  constructor(private readonly items: CatalogProduct[]) {}

  async products(ids: string[]): Promise<CatalogProduct[]> {
    return this.items.filter((item) => ids.includes(item.id));
  }

  async all(): Promise<CatalogProduct[]> {
    return this.items;
  }
}
