// What other modules read of the shop: the books read the stored orders, refunds, payouts and stock
// (by id, when the shop's events tell them something happened) and the shop's currency and time zone;
// the Telegram commands list the latest orders; the sandbox registers the webhooks the simulated
// shop delivers. Everything else (the connection, the webhook intake and applier, import and
// reconciliation) stays inside the shop module.
import type { ShopInfo } from './connection.ts';
import type { BalanceTransaction, Order, Payout, Refund, Transaction } from './model.ts';
import type { NextPayout } from './sales-days.ts';

export type { NextPayout, ShopInfo };

export interface OrderFilter {
  /** YYYY-MM-DD, in the shop's time zone, inclusive. */
  from?: string;
  to?: string;
  /** A financial status, or 'cancelled'. */
  status?: string;
  customerId?: number;
  /** The order's name or email contains it. */
  search?: string;
  limit: number;
  /** Opaque: `nextCursor` of the previous page. */
  cursor?: string;
}

/** An order as lists show it. */
export interface OrderRow {
  id: number;
  name: string;
  createdAt: string;
  financialStatus: string | null;
  fulfillmentStatus: string | null;
  cancelledAt: string | null;
  currency: string;
  /** In minor units of `currency`. */
  totalMinor: number;
  customerId: number | null;
  email: string | null;
  /** Where the customer came from (the last visit's UTM source, else the first's). */
  utmSource: string | null;
}

export interface OrderPage {
  orders: OrderRow[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** How many orders a filter finds and what they come to, per currency. */
export interface OrderTotals {
  orders: number;
  totals: { currency: string; totalMinor: number }[];
}

/** Orders a campaign brought, by the visit's UTM tags (the last visit's when it carries them, else the first's). */
export interface CampaignSales {
  source: string | null;
  campaign: string | null;
  content: string | null;
  currency: string;
  orders: number;
  /** Minor units of `currency`. */
  totalMinor: number;
}

/** A payout with the balance transactions it pays out. */
export interface PayoutRecord {
  payout: Payout;
  balanceTransactions: BalanceTransaction[];
}

/** A variant's stock as Shopify counts it. */
export interface StockCount {
  variantId: number;
  /** The product's title, and the variant's unless it is the only one. */
  name: string;
  sku: string | null;
  /** Units available across locations; null when Shopify does not count it. */
  available: number | null;
  /** Minor units of the shop's currency. */
  unitCost: number | null;
}

/** What a variant sold in a period and what refunds gave back, without tax, in minor units. */
export interface VariantSales {
  variantId: number;
  name: string | null;
  sku: string | null;
  units: number;
  /** Price before discounts, tax included where prices include it. */
  gross: number;
  discounts: number;
  /** The tax inside `gross` when prices include tax. */
  includedTax: number;
  refundedUnits: number;
  refunded: number;
}

/** The webhook topics registered, already there, and ours at an old address removed. */
export interface WebhookRegistration {
  created: string[];
  kept: string[];
  removed: string[];
}

export interface ShopReader {
  /** The shop's name, domain, currency and time zone as last seen (Shopify is asked the first time). */
  info(): Promise<ShopInfo>;
  /** What orders since `since` that came through `medium` (utm_medium, such as social) brought. */
  campaignSales(medium: string, since: Date): Promise<CampaignSales[]>;
  /** Orders newest first, by day in the shop's time zone, status, customer or text; a page at a time. */
  listOrders(filter: OrderFilter): Promise<OrderPage>;
  /** Stored orders by id; an id not stored yet is not in the map. */
  orders(ids: number[]): Promise<Map<number, Order>>;
  /** Payments, captures, refunds and voids by id. */
  transactions(ids: number[]): Promise<Map<number, Transaction>>;
  /** Every transaction of these orders (a payout in another currency settles some of them). */
  orderTransactions(orderIds: number[]): Promise<Transaction[]>;
  /** Refunds with the transactions that gave the money back. */
  refunds(ids: number[]): Promise<Map<number, Refund>>;
  payouts(ids: number[]): Promise<Map<number, PayoutRecord>>;
  /** The payout on its way (in transit or scheduled), soonest first; none when there is none. */
  nextPayout(): Promise<NextPayout | undefined>;
  /** Shopify's unit cost of each variant that has one, in minor units. */
  unitCosts(variantIds: number[]): Promise<Map<number, number>>;
  /** Every variant's stock and unit cost. */
  stockCounts(): Promise<StockCount[]>;
  /**
   * What each variant sold in orders processed from `from` to `to` (days in `timezone`), and what
   * refunds in those days gave back. Test orders, gift cards and orders cancelled unpaid do not count.
   */
  productSales(from: string, to: string, timezone: string): Promise<VariantSales[]>;
  /** Registers every topic shopkeep needs at `${publicUrl}/webhooks/shopify` and removes ours at old addresses. */
  syncWebhooks(publicUrl: string): Promise<WebhookRegistration>;
}
