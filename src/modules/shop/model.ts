// The shop's data as shopkeep keeps it: one model whether it arrived as a webhook (REST-shaped,
// snake_case) or from the GraphQL API (camelCase). Ids are Shopify's numeric ids; money is integer
// minor units, in the shop's currency (what the books use) and in the customer's (what they paid).
export interface Amount {
  shop: number;
  presentment: number;
}

export interface TaxLine {
  title: string;
  rate: string; // a decimal rate such as "0.2": a rate, not money
  amount: Amount;
}

export interface OrderLine {
  id: number;
  variantId: number | null;
  productId: number | null;
  sku: string | null;
  name: string;
  quantity: number;
  unitPrice: Amount;
  /** The whole line's discount: the sum of its discount allocations (every kind of discount). */
  discount: Amount;
  taxLines: TaxLine[];
  giftCard: boolean;
}

export interface ShippingLine {
  id: number;
  title: string;
  price: Amount;
  discountedPrice: Amount;
  taxLines: TaxLine[];
}

/** UTM parameters and where a visit landed; null fields were not in the link. */
export interface Visit {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  content: string | null;
  term: string | null;
  landingPage: string | null;
  referrer: string | null;
}

export interface Order {
  id: number;
  name: string; // "#1001"
  createdAt: string;
  updatedAt: string;
  processedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  closedAt: string | null;
  test: boolean;
  currency: string;
  presentmentCurrency: string;
  taxesIncluded: boolean;
  financialStatus: string | null; // lowercase: 'paid', 'partially_refunded', ...
  fulfillmentStatus: string | null; // lowercase: 'unfulfilled', 'partial', 'fulfilled', 'restocked', ...
  email: string | null;
  customerId: number | null;
  tags: string[];
  gateways: string[];
  discountCodes: string[];
  sourceName: string | null;
  shippingCountry: string | null;
  shippingProvince: string | null;
  subtotal: Amount;
  total: Amount;
  tax: Amount;
  shipping: Amount;
  discounts: Amount;
  /** Import duties the customer paid at checkout: owed to the carrier or customs, never income. */
  duties: Amount;
  /** A B2B order placed for a company (a salon buying wholesale): REST `company`. */
  companyId: number | null;
  taxLines: TaxLine[];
  lines: OrderLine[];
  shippingLines: ShippingLine[];
  /** The first visit is known from both paths; the last only from the API (webhooks do not carry it). */
  firstVisit: Visit | null;
  lastVisit: Visit | null;
}

export interface Transaction {
  id: number;
  orderId: number;
  kind: string; // lowercase: 'sale', 'capture', 'refund', ...
  status: string; // lowercase: 'success', 'failure', ...
  gateway: string;
  processedAt: string;
  parentId: number | null;
  test: boolean;
  currency: string; // the currency of `amount.presentment`
  /** Shop money is unknown when a foreign-currency transaction arrives by webhook; reconciliation fills it. */
  amount: { shop: number | null; presentment: number };
  fee: number | null; // shop money, Shopify Payments only
}

export interface RefundLine {
  lineId: number;
  quantity: number;
  restockType: string; // lowercase: 'return', 'cancel', 'no_restock', 'legacy_restock'
  subtotal: Amount;
  tax: Amount;
}

/** Shipping given back: its price as charged (VAT included when the shop's prices include it) and its tax. */
export interface RefundShipping {
  subtotal: Amount;
  tax: Amount;
}

/**
 * The difference between the refund Shopify worked out and the one made (a restocking fee kept, a
 * goodwill amount with no lines), with the tax Shopify put on it when it says. The sign is Shopify's;
 * the books take the difference from the money that actually went back.
 */
export interface RefundAdjustment {
  reason: string;
  amount: Amount;
  tax: Amount;
}

/** What a refund gives back besides its lines (stored together). */
export type RefundMoney = Pick<Refund, 'shipping' | 'adjustments' | 'duties'>;

export interface Refund {
  id: number;
  orderId: number;
  createdAt: string;
  note: string | null;
  lines: RefundLine[];
  shipping: RefundShipping[];
  adjustments: RefundAdjustment[];
  /** Duties given back (they go back to the customer from what is owed to customs). */
  duties: Amount;
  transactions: Transaction[];
}

export interface Variant {
  id: number;
  productId: number;
  title: string;
  sku: string | null;
  price: number; // minor units, shop currency
  compareAtPrice: number | null;
  inventoryItemId: number | null;
  inventoryQuantity: number | null;
  unitCost: number | null; // minor units; the API knows it, webhooks do not
}

export interface Product {
  id: number;
  title: string;
  handle: string;
  status: string; // 'active', 'draft', 'archived'
  vendor: string | null;
  productType: string | null;
  tags: string[];
  imageUrl: string | null;
  createdAt: string;
  updatedAt: string;
  variants: Variant[];
}

export interface InventoryLevel {
  inventoryItemId: number;
  locationId: number;
  available: number;
  updatedAt: string;
}

export interface Customer {
  id: number;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface BalanceTransaction {
  id: number;
  type: string; // lowercase: 'charge', 'refund', 'adjustment', 'dispute', 'reserved_funds', ...
  test: boolean;
  transactionDate: string;
  currency: string;
  amount: number;
  fee: number;
  net: number;
  sourceType: string | null;
  sourceId: number | null;
  orderId: number | null;
  payoutId: number | null;
  payoutStatus: string | null;
}

export interface Payout {
  id: number;
  status: string; // lowercase: 'scheduled', 'in_transit', 'paid', 'failed', 'canceled'
  issuedAt: string;
  currency: string;
  net: number;
  summary: Record<string, number>; // chargesGross, chargesFee, ... in minor units
}

export interface Dispute {
  id: number;
  orderId: number | null;
  status: string; // lowercase: 'needs_response', 'under_review', 'won', 'lost', ...
  reason: string | null;
  currency: string;
  amount: number;
  initiatedAt: string;
  evidenceDueBy: string | null;
  finalizedOn: string | null;
}

/** "gid://shopify/Order/123" or 123 or "123" → 123. */
export function numericId(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : String(value ?? '');
  const match = /(\d+)(?:\?.*)?$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a Shopify id`);
  const id = Number(match[1]);
  if (!Number.isSafeInteger(id)) throw new Error(`Shopify id ${match[1]} is too large`);
  return id;
}

const UTM = ['source', 'medium', 'campaign', 'content', 'term'] as const;

/** A visit from a landing page URL (webhooks carry only the first visit's landing site). */
export function visitFromLandingPage(landingPage: string | null, referrer: string | null): Visit | null {
  if (!landingPage) return null;
  let query: URLSearchParams;
  try {
    query = new URL(landingPage, 'https://shop.invalid').searchParams;
  } catch {
    return null;
  }
  const visit: Visit = {
    source: null,
    medium: null,
    campaign: null,
    content: null,
    term: null,
    landingPage,
    referrer,
  };
  for (const key of UTM) visit[key] = query.get(`utm_${key}`)?.toLowerCase() ?? null;
  return visit;
}
