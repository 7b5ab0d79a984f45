// The sandbox shop's catalog until the Shopify simulator brings the full one: a few hair and beauty
// products with prices in integer pence, one of them out of stock.
import type { CatalogProduct } from '../modules/shop/index.ts';

export const SANDBOX_PRODUCTS: CatalogProduct[] = [
  { id: '8800000000001', title: 'Argan Repair Oil', priceMinor: 1899, currency: 'GBP', available: true },
  {
    id: '8800000000002',
    title: 'Silk Protein Shampoo',
    priceMinor: 1299,
    currency: 'GBP',
    available: true,
  },
  { id: '8800000000003', title: 'Curl Defining Cream', priceMinor: 1450, currency: 'GBP', available: true },
  { id: '8800000000004', title: 'Bond Builder Mask', priceMinor: 2450, currency: 'GBP', available: false },
  { id: '8800000000005', title: 'Heat Shield Spray', priceMinor: 999, currency: 'GBP', available: true },
  { id: '8800000000006', title: 'Scalp Care Serum', priceMinor: 2200, currency: 'GBP', available: true },
  {
    id: '8800000000007',
    title: 'Purple Toning Conditioner',
    priceMinor: 1350,
    currency: 'GBP',
    available: true,
  },
  { id: '8800000000008', title: 'Salon Colour Kit', priceMinor: 4999, currency: 'GBP', available: true },
];
