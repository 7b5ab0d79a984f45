// Everything the simulated shop holds, with the indexes the API needs and the id sequences that
// give every new object a realistic Shopify id: large, increasing, with gaps (other shops share the
// tables), and far below 2^53 so a JavaScript number keeps it exact.
import type {
  Utm,
  BalanceTransaction,
  Customer,
  Dispute,
  InventoryItem,
  InventoryLevel,
  Location,
  Order,
  Payout,
  Product,
  Refund,
  Shop,
  Transaction,
  Variant,
  WebhookSubscription,
} from './model.ts';
import { Random } from './random.ts';
import { SECOND } from './clock.ts';

/** Where each table's ids start, and the typical gap between two of this shop's ids. */
const SEQUENCES = {
  Shop: [61_234_567_890, 1],
  Location: [71_234_567_890, 24_117],
  Product: [8_012_345_678_901, 31_337_017],
  ProductVariant: [44_123_456_789_012, 1_117_351],
  InventoryItem: [46_234_567_890_123, 1_093_713],
  InventoryLevel: [112_345_678_901, 73_117],
  MediaImage: [31_234_567_890_123, 2_113_117],
  Customer: [7_123_456_789_012, 9_311_713],
  MailingAddress: [9_012_345_678_901, 8_131_713],
  Order: [5_912_345_678_901, 6_271_731],
  LineItem: [14_123_456_789_012, 3_117_133],
  ShippingLine: [4_912_345_678_901, 4_177_311],
  OrderTransaction: [7_012_345_678_901, 5_311_713],
  Refund: [912_345_678_901, 2_113_171],
  RefundLineItem: [562_345_678_901, 1_713_117],
  RefundShippingLine: [41_234_567_890, 1_117_311],
  OrderAdjustment: [428_506_120_363, 1_311_117],
  Fulfillment: [5_312_345_678_901, 4_311_171],
  CustomerVisit: [1_212_345_678_901, 3_113_171],
  ShopifyPaymentsDispute: [12_345_678_901, 131_171],
  ShopifyPaymentsBalanceTransaction: [2_345_678_901, 17_311],
  ShopifyPaymentsPayout: [123_456_789, 97_131],
  WebhookSubscription: [1_234_567_890_123, 1_311_713],
  BulkOperation: [3_456_789_012_345, 2_171_311],
} as const;

export type IdKind = keyof typeof SEQUENCES;

export class Store {
  shop!: Shop;
  /**
   * Links the shop's own posts carry right now (the sandbox reads them off the simulated platforms):
   * live customers now and then arrive by one. Empty while the history is generated.
   */
  promoted: () => Utm[] = () => [];
  readonly locations: Location[] = [];
  readonly products: Product[] = [];
  readonly variants: Variant[] = [];
  readonly customers: Customer[] = [];
  readonly orders: Order[] = [];
  readonly disputes: Dispute[] = [];
  readonly balanceTransactions: BalanceTransaction[] = [];
  readonly payouts: Payout[] = [];
  readonly webhookSubscriptions: WebhookSubscription[] = [];

  readonly productsById = new Map<number, Product>();
  readonly variantsById = new Map<number, Variant>();
  readonly inventoryItemsById = new Map<number, InventoryItem>();
  readonly inventoryLevelsById = new Map<number, InventoryLevel>();
  readonly locationsById = new Map<number, Location>();
  readonly customersById = new Map<number, Customer>();
  readonly ordersById = new Map<number, Order>();
  readonly refundsById = new Map<number, Refund>();
  readonly disputesById = new Map<number, Dispute>();

  /** Bumped by every change, so cached sort orders know when they are stale. */
  version = 0;
  /** Bumped when the range changes (a launch, a price, a status), for the checkout's shelf cache. */
  rangeVersion = 0;
  nextOrderNumber = 1001;
  private readonly next = new Map<IdKind, number>();
  private readonly gaps: Random;
  private historyEnd = 0;

  constructor(seed: number) {
    this.gaps = new Random(seed).fork('ids');
    for (const [kind, [start]] of Object.entries(SEQUENCES))
      this.next.set(kind as IdKind, start + this.gaps.int(0, 999_999));
  }

  id(kind: IdKind): number {
    const current = this.next.get(kind)!;
    const gap = SEQUENCES[kind][1];
    this.next.set(kind, current + 1 + this.gaps.int(0, gap));
    return current;
  }

  /** The time of a live change: the clock's second, never before the generated history ends. */
  stamp(clock: number): number {
    return Math.max(Math.floor(clock / SECOND) * SECOND, this.historyEnd);
  }

  /**
   * Live changes resume at `clock`: every id sequence (and the order numbers) moves past what a
   * simulator running since the history ended could have given out, at most one new object a second
   * of each kind (an order every ten seconds), so a restart never gives an old id to a new object.
   */
  resumeAt(clock: number): void {
    const seconds = Math.max(0, Math.floor((clock - this.historyEnd) / SECOND));
    if (!seconds) return;
    for (const [kind, [, gap]] of Object.entries(SEQUENCES))
      this.next.set(kind as IdKind, this.next.get(kind as IdKind)! + seconds * (gap + 1));
    this.nextOrderNumber += Math.ceil(seconds / 10);
  }

  /** Records when the generated history ends. */
  settle(until: number): void {
    this.historyEnd = Math.floor(until / SECOND) * SECOND;
  }

  changed(): void {
    this.version += 1;
  }

  addProduct(product: Product): void {
    this.products.push(product);
    this.productsById.set(product.id, product);
    for (const variant of product.variants) {
      this.variants.push(variant);
      this.variantsById.set(variant.id, variant);
      this.inventoryItemsById.set(variant.inventoryItem.id, variant.inventoryItem);
      for (const level of variant.inventoryItem.levels) this.inventoryLevelsById.set(level.id, level);
    }
  }

  addCustomer(customer: Customer): void {
    this.customers.push(customer);
    this.customersById.set(customer.id, customer);
  }

  addOrder(order: Order): void {
    this.orders.push(order);
    this.ordersById.set(order.id, order);
  }

  addTransaction(transaction: Transaction): void {
    transaction.order.transactions.push(transaction);
  }

  /** Transactions are looked up rarely (one webhook at a time), so they are found rather than indexed. */
  findTransaction(id: number): Transaction | undefined {
    for (let i = this.orders.length - 1; i >= 0; i -= 1) {
      const found = this.orders[i]!.transactions.find((t) => t.id === id);
      if (found) return found;
    }
    return undefined;
  }

  addRefund(refund: Refund): void {
    refund.order.refunds.push(refund);
    this.refundsById.set(refund.id, refund);
    for (const transaction of refund.transactions) this.addTransaction(transaction);
  }

  addDispute(dispute: Dispute): void {
    this.disputes.push(dispute);
    dispute.order.disputes.push(dispute);
    this.disputesById.set(dispute.id, dispute);
  }
}
