// The sandbox shop's catalog until the Shopify simulator brings the full one: a few hair and beauty
// products with prices in integer pence, one of them out of stock.
import type { CatalogProduct } from '../modules/shop/index.ts';

export const SANDBOX_PRODUCTS: CatalogProduct[] = [
  { id: 'prod-argan-oil', title: 'Argan Repair Oil', priceMinor: 1899, currency: 'GBP', available: true },
  {
    id: 'prod-silk-shampoo',
    title: 'Silk Protein Shampoo',
    priceMinor: 1299,
    currency: 'GBP',
    available: true,
  },
  { id: 'prod-curl-cream', title: 'Curl Defining Cream', priceMinor: 1450, currency: 'GBP', available: true },
  { id: 'prod-bond-mask', title: 'Bond Builder Mask', priceMinor: 2450, currency: 'GBP', available: false },
  { id: 'prod-heat-spray', title: 'Heat Shield Spray', priceMinor: 999, currency: 'GBP', available: true },
  { id: 'prod-scalp-serum', title: 'Scalp Care Serum', priceMinor: 2200, currency: 'GBP', available: true },
  {
    id: 'prod-purple-toner',
    title: 'Purple Toning Conditioner',
    priceMinor: 1350,
    currency: 'GBP',
    available: true,
  },
  { id: 'prod-salon-kit', title: 'Salon Colour Kit', priceMinor: 4999, currency: 'GBP', available: true },
];
