// The one internal model of the simulated shop. The GraphQL resolvers and the REST (webhook) renderers
// both read these objects, so the two views of an order cannot disagree: every total is derived here
// from stored parts, once.
import { add, ZERO, type CurrencyCode, type Pair } from './money.ts';

export interface Address {
  firstName: string;
  lastName: string;
  company: string | null;
  address1: string;
  city: string;
  zip: string;
  province: string | null;
  provinceCode: string | null;
  country: string;
  countryCode: string;
  phone: string | null;
}

export interface Shop {
  id: number;
  name: string;
  domain: string;
  email: string;
  ownerName: string;
  currency: CurrencyCode;
  timeZone: string;
  taxesIncluded: boolean;
  address: Address;
  createdAt: number;
  updatedAt: number;
}

export interface Location {
  id: number;
  name: string;
  address: Address;
  isActive: boolean;
  fulfilsOnlineOrders: boolean;
  createdAt: number;
  updatedAt: number;
}

export type ProductStatus = 'ACTIVE' | 'DRAFT' | 'ARCHIVED';

export interface Product {
  id: number;
  title: string;
  handle: string;
  vendor: string;
  productType: string;
  description: string;
  tags: string[];
  status: ProductStatus;
  /** "Size", "Shade", "Colour"; "Title" when the product has only its default variant. */
  optionName: string;
  giftCard: boolean;
  imageId: number | null;
  imageUrl: string | null;
  variants: Variant[];
  createdAt: number;
  updatedAt: number;
  publishedAt: number | null;
  deletedAt: number | null;
}

export interface Variant {
  id: number;
  product: Product;
  title: string;
  sku: string;
  /** Pence, VAT included. */
  price: number;
  compareAtPrice: number | null;
  grams: number;
  position: number;
  inventoryItem: InventoryItem;
  /** How often it sells, relative to the rest of the range. */
  popularity: number;
  /** Bought by salons rather than by the public. */
  salonSize: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface InventoryItem {
  id: number;
  variant: Variant;
  tracked: boolean;
  unitCost: number | null;
  levels: InventoryLevel[];
  createdAt: number;
  updatedAt: number;
}

export interface InventoryLevel {
  id: number;
  item: InventoryItem;
  location: Location;
  available: number;
  /** Sold but not yet shipped: on hand = available + committed. */
  committed: number;
  createdAt: number;
  updatedAt: number;
}

export interface Customer {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  tags: string[];
  address: Address;
  addressId: number;
  acceptsMarketing: boolean;
  note: string | null;
  ordersCount: number;
  /** Pence, net of refunds. */
  amountSpent: number;
  lastOrder: Order | null;
  /** Set when the customer first appears (their first checkout, or before the history began). */
  createdAt: number;
  updatedAt: number;
}

export interface TaxRule {
  readonly title: string;
  readonly rate: number;
}

export interface Utm {
  source: string;
  medium: string;
  campaign: string;
  content: string;
  term: string | null;
}

export interface Visit {
  id: number;
  occurredAt: number;
  /** Path and query on the online store, e.g. "/products/argan-oil?utm_source=instagram&…". */
  landingPath: string;
  referrer: string | null;
  source: string;
  utm: Utm | null;
}

export interface Discount {
  code: string;
  kind: 'percentage' | 'fixed_amount';
  /** Percent for a percentage code, pence for a fixed amount. */
  value: number;
}

export interface LineItem {
  id: number;
  order: Order;
  variant: Variant;
  /** As it was at checkout: renaming a product later does not rename past orders. */
  title: string;
  variantTitle: string | null;
  sku: string;
  vendor: string;
  quantity: number;
  unit: Pair;
  /** The whole line's share of the order's discount. */
  discount: Pair;
  /** The VAT inside the line's discounted price. */
  tax: Pair;
  giftCard: boolean;
  requiresShipping: boolean;
  taxable: boolean;
  grams: number;
  fulfilled: number;
}

export interface ShippingLine {
  id: number;
  order: Order;
  title: string;
  code: string;
  price: Pair;
  tax: Pair;
}

export type TransactionKind = 'AUTHORIZATION' | 'CAPTURE' | 'SALE' | 'VOID' | 'REFUND';
export type TransactionStatus = 'SUCCESS' | 'FAILURE' | 'PENDING' | 'ERROR';

export interface Transaction {
  id: number;
  order: Order;
  kind: TransactionKind;
  status: TransactionStatus;
  gateway: string;
  amount: Pair;
  /** Shopify Payments' processing fee in the shop's currency; zero for every other gateway. */
  fee: number;
  feeRate: number;
  flatFee: number;
  processedAt: number;
  parent: Transaction | null;
  errorCode: string | null;
  refund: Refund | null;
  authorizationCode: string | null;
  test: boolean;
}

export type RestockType = 'RETURN' | 'CANCEL' | 'NO_RESTOCK' | 'LEGACY_RESTOCK';

export interface RefundLine {
  id: number;
  line: LineItem;
  quantity: number;
  restockType: RestockType;
  /** The refunded units' discounted price (VAT included, as the shop's prices are). */
  subtotal: Pair;
  tax: Pair;
  location: Location | null;
}

export interface RefundShipping {
  id: number;
  line: ShippingLine;
  amount: Pair;
  tax: Pair;
}

/**
 * The refund made differs from the one Shopify worked out: a restocking fee kept (negative), a goodwill
 * amount given with no lines (positive), with the VAT inside it.
 */
export interface RefundAdjustment {
  id: number;
  order: Order;
  reason: 'RESTOCK' | 'CUSTOMER' | 'DAMAGE' | 'REFUND_DISCREPANCY';
  amount: Pair;
  tax: Pair;
}

export interface Refund {
  id: number;
  order: Order;
  note: string | null;
  restock: boolean;
  lines: RefundLine[];
  shipping: RefundShipping[];
  adjustments: RefundAdjustment[];
  transactions: Transaction[];
  createdAt: number;
}

export interface Fulfilment {
  id: number;
  location: Location;
  trackingCompany: string | null;
  trackingNumber: string | null;
  createdAt: number;
}

export type CancelReason = 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF';

export interface Order {
  id: number;
  number: number;
  token: string;
  sourceName: 'web' | 'pos';
  location: Location;
  customer: Customer | null;
  email: string | null;
  shippingAddress: Address | null;
  billingAddress: Address | null;
  currency: CurrencyCode;
  /** Presentment units per shop unit (1 for an order paid in pounds). */
  exchangeRate: number;
  taxRule: TaxRule | null;
  /** Import duties the customer paid at checkout, owed to the carrier; zero for most orders. */
  duties: Pair;
  discount: Discount | null;
  lines: LineItem[];
  shipping: ShippingLine[];
  transactions: Transaction[];
  refunds: Refund[];
  disputes: Dispute[];
  fulfilment: Fulfilment | null;
  firstVisit: Visit | null;
  lastVisit: Visit | null;
  tags: string[];
  note: string | null;
  test: boolean;
  cancelledAt: number | null;
  cancelReason: CancelReason | null;
  closedAt: number | null;
  createdAt: number;
  processedAt: number;
  updatedAt: number;
}

export type DisputeStatus =
  'NEEDS_RESPONSE' | 'UNDER_REVIEW' | 'CHARGE_REFUNDED' | 'ACCEPTED' | 'WON' | 'LOST';

export interface Dispute {
  id: number;
  order: Order;
  charge: Transaction;
  /** Pence in the shop's (and the payments account's) currency. */
  amount: number;
  kind: 'CHARGEBACK' | 'INQUIRY';
  reason: string;
  networkReasonCode: string;
  status: DisputeStatus;
  initiatedAt: number;
  evidenceDueBy: number;
  evidenceSentOn: number | null;
  finalizedOn: number | null;
  updatedAt: number;
}

export type BalanceType = 'CHARGE' | 'REFUND' | 'DISPUTE' | 'ADJUSTMENT' | 'RESERVED_FUNDS';

export interface BalanceTransaction {
  id: number;
  type: BalanceType;
  sourceType: 'CHARGE' | 'REFUND' | 'DISPUTE' | 'ADJUSTMENT' | null;
  sourceId: number | null;
  orderTransaction: Transaction | null;
  order: Order | null;
  /** Pence; negative when money leaves the balance. net = amount − fee. */
  amount: number;
  fee: number;
  date: number;
  payout: Payout | null;
  adjustmentReason: string | null;
}

export type PayoutStatus = 'SCHEDULED' | 'IN_TRANSIT' | 'PAID' | 'FAILED' | 'CANCELED';

export interface Payout {
  id: number;
  issuedAt: number;
  status: PayoutStatus;
  transactions: BalanceTransaction[];
}

export interface WebhookSubscription {
  id: number;
  /** The GraphQL enum name, e.g. ORDERS_CREATE. */
  topic: string;
  uri: string;
  format: 'JSON' | 'XML';
  createdAt: number;
  updatedAt: number;
}

export const gid = (type: string, id: number | string): string => `gid://shopify/${type}/${id}`;

/**
 * When a live change to an object happens: now, or a second after its last change if the clock has
 * not moved on (timestamps are whole seconds). So every change moves updated_at, even under a frozen
 * test clock, while objects nobody touched twice keep the clock's time.
 */
export const later = (previous: number, now: number): number => Math.max(now, previous + 1000);

export const lineName = (line: LineItem): string =>
  line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title;

export const net = (line: LineItem): Pair => ({
  shop: line.unit.shop * line.quantity - line.discount.shop,
  presentment: line.unit.presentment * line.quantity - line.discount.presentment,
});

/** Prices include VAT in every market the shop sells to; US orders carry no tax at all. */
export const TAXES_INCLUDED = true;

export interface OrderTotals {
  lineItems: Pair;
  discounts: Pair;
  subtotal: Pair;
  shipping: Pair;
  tax: Pair;
  /** Import duties collected at checkout (a parcel to the US sent duties paid). */
  duties: Pair;
  total: Pair;
}

/** Every order total, as sums of the stored parts. */
export function orderTotals(order: Order): OrderTotals {
  let lineItems = ZERO;
  let discounts = ZERO;
  let tax = ZERO;
  for (const line of order.lines) {
    lineItems = add(lineItems, {
      shop: line.unit.shop * line.quantity,
      presentment: line.unit.presentment * line.quantity,
    });
    discounts = add(discounts, line.discount);
    tax = add(tax, line.tax);
  }
  let shipping = ZERO;
  for (const line of order.shipping) {
    shipping = add(shipping, line.price);
    tax = add(tax, line.tax);
  }
  const subtotal = {
    shop: lineItems.shop - discounts.shop,
    presentment: lineItems.presentment - discounts.presentment,
  };
  // The shop's prices include VAT, so tax is inside the subtotal and shipping, not on top of them.
  const total = add(subtotal, shipping, TAXES_INCLUDED ? ZERO : tax, order.duties);
  return { lineItems, discounts, subtotal, shipping, tax, duties: order.duties, total };
}

export interface TaxSummary {
  title: string;
  rate: number;
  amount: Pair;
}

/** The order's tax lines: every line's and every shipping line's VAT, one entry per rate. */
export function orderTaxLines(order: Order): TaxSummary[] {
  if (!order.taxRule) return [];
  let amount = ZERO;
  for (const line of order.lines) amount = add(amount, line.tax);
  for (const line of order.shipping) amount = add(amount, line.tax);
  return [{ title: order.taxRule.title, rate: order.taxRule.rate, amount }];
}

const succeeded = (order: Order, ...kinds: TransactionKind[]): Transaction[] =>
  order.transactions.filter((t) => t.status === 'SUCCESS' && kinds.includes(t.kind));

export const sumAmounts = (transactions: Transaction[]): Pair => add(...transactions.map((t) => t.amount));

/** What the refund actually moved: its successful transactions, not its line items. */
export const refundTotal = (refund: Refund): Pair =>
  sumAmounts(refund.transactions.filter((t) => t.status === 'SUCCESS'));

export const totalRefunded = (order: Order): Pair => sumAmounts(succeeded(order, 'REFUND'));

export const totalReceived = (order: Order): Pair => sumAmounts(succeeded(order, 'SALE', 'CAPTURE'));

export type FinancialStatus =
  'PENDING' | 'AUTHORIZED' | 'PARTIALLY_PAID' | 'PAID' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED';

export function financialStatus(order: Order): FinancialStatus {
  const received = totalReceived(order).shop;
  if (received === 0) {
    if (succeeded(order, 'VOID').length > 0) return 'VOIDED';
    return succeeded(order, 'AUTHORIZATION').length > 0 ? 'AUTHORIZED' : 'PENDING';
  }
  const refunded = totalRefunded(order).shop;
  if (refunded >= received) return 'REFUNDED';
  if (refunded > 0) return 'PARTIALLY_REFUNDED';
  return received < orderTotals(order).total.shop ? 'PARTIALLY_PAID' : 'PAID';
}

export const refundedQuantity = (line: LineItem): number => {
  let quantity = 0;
  for (const refund of line.order.refunds)
    for (const refunded of refund.lines) if (refunded.line === line) quantity += refunded.quantity;
  return quantity;
};

/** Units still to ship: bought, not shipped, not refunded before shipping. */
export function unfulfilledQuantity(line: LineItem): number {
  let removed = 0;
  for (const refund of line.order.refunds)
    for (const refunded of refund.lines)
      if (refunded.line === line && refunded.restockType !== 'RETURN') removed += refunded.quantity;
  return Math.max(0, line.quantity - line.fulfilled - removed);
}

export type FulfilmentStatus = 'FULFILLED' | 'PARTIALLY_FULFILLED' | 'UNFULFILLED' | 'RESTOCKED';

export function fulfilmentStatus(order: Order): FulfilmentStatus {
  const shipped = order.lines.reduce((n, line) => n + line.fulfilled, 0);
  const waiting = order.lines.reduce((n, line) => n + unfulfilledQuantity(line), 0);
  if (shipped > 0) return waiting > 0 ? 'PARTIALLY_FULFILLED' : 'FULFILLED';
  const restocked = order.refunds.some((r) => r.lines.some((l) => l.restockType === 'CANCEL'));
  return waiting === 0 && restocked ? 'RESTOCKED' : 'UNFULFILLED';
}

export const balanceNet = (entry: BalanceTransaction): number => entry.amount - entry.fee;

export const payoutNet = (payout: Payout): number =>
  payout.transactions.reduce((sum, entry) => sum + balanceNet(entry), 0);
