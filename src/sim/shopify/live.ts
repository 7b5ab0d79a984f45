// The shop while it trades: a change now (an order, a refund, a cancellation, a parcel, a price, a
// stock count, a chargeback) mutates the model, records what Shopify Payments books for it, and
// names the webhooks Shopify would send, in the order it sends them. Each change moves the changed
// object's updated_at (see `later`).
import { randomUUID } from 'node:crypto';
import { checkout } from './checkout.ts';
import type { Crowd } from './crowd.ts';
import { cancel, fulfil, openDispute, refund, type Touched } from './lifecycle.ts';
import { financialStatus, later, type Order, type Transaction } from './model.ts';
import { disputeEntry, paymentEntry, record } from './payments.ts';
import type { Random } from './random.ts';
import {
  restCustomer,
  restDispute,
  restInventoryLevel,
  restOrder,
  restProduct,
  restProductDeleted,
  restRefund,
  restShop,
  restTransaction,
} from './rest.ts';
import type { Store } from './store.ts';

/** A webhook Shopify would send: its topic and REST body. */
export interface Notice {
  topic: string;
  payload: unknown;
}

export class LiveShop {
  constructor(
    readonly store: Store,
    private readonly crowd: Crowd,
    private readonly rng: Random,
    private readonly clock: () => number,
  ) {}

  newEvent(): string {
    return randomUUID();
  }

  private stamp(): number {
    return this.store.stamp(this.clock());
  }

  private order(id: number): Order {
    const order = this.store.ordersById.get(id);
    if (!order) throw new Error(`no order ${id} in the simulated shop`);
    return order;
  }

  /** Stock moved: the variant and its product change with it, as their inventory quantity does. */
  private stockNotices(touched: Touched, at: number): Notice[] {
    for (const level of touched) {
      const variant = level.item.variant;
      // Many orders in one second touch one product: like Shopify, it keeps that second.
      level.item.updatedAt = Math.max(level.item.updatedAt, at);
      variant.updatedAt = Math.max(variant.updatedAt, at);
      variant.product.updatedAt = Math.max(variant.product.updatedAt, at);
    }
    if (touched.size > 0) this.store.changed();
    return [...touched].map((level) => ({
      topic: 'inventory_levels/update',
      payload: restInventoryLevel(this.store, level),
    }));
  }

  private bank(transactions: Transaction[]): void {
    for (const transaction of transactions) record(this.store, paymentEntry(transaction));
  }

  private transactionNotices(transactions: Transaction[]): Notice[] {
    return transactions.map((t) => ({
      topic: 'order_transactions/create',
      payload: restTransaction(this.store, t),
    }));
  }

  private customerNotice(order: Order, created: boolean): Notice[] {
    if (!order.customer) return [];
    return [
      {
        topic: created ? 'customers/create' : 'customers/update',
        payload: restCustomer(this.store, order.customer),
      },
    ];
  }

  placeOrder(): Notice[] {
    const at = this.stamp();
    const touched: Touched = new Set();
    let placed = null;
    for (let attempt = 0; !placed && attempt < 10; attempt += 1)
      placed = checkout(this.store, this.crowd, this.rng, at, { touched });
    if (!placed) throw new Error('the simulated shop has nothing in stock to sell');
    const { order, newCustomer } = placed;
    this.bank(order.transactions);
    const notices: Notice[] = [{ topic: 'orders/create', payload: restOrder(this.store, order) }];
    if (financialStatus(order) === 'PAID')
      notices.push({ topic: 'orders/paid', payload: restOrder(this.store, order) });
    if (order.fulfilment) notices.push({ topic: 'orders/fulfilled', payload: restOrder(this.store, order) });
    notices.push(...this.transactionNotices(order.transactions));
    notices.push(...this.stockNotices(touched, at));
    notices.push(...this.customerNotice(order, newCustomer));
    return notices;
  }

  refundOrder(id: number, options: { restock?: boolean; partial?: boolean }): Notice[] {
    const order = this.order(id);
    const at = later(order.updatedAt, this.stamp());
    const touched: Touched = new Set();
    const given = refund(
      this.store,
      this.rng,
      order,
      at,
      { restock: options.restock ?? true, partial: options.partial ?? false },
      touched,
    );
    if (!given) throw new Error(`order #${order.number} has nothing left to refund`);
    this.bank(given.transactions);
    return [
      { topic: 'refunds/create', payload: restRefund(this.store, given) },
      { topic: 'orders/updated', payload: restOrder(this.store, order) },
      ...this.transactionNotices(given.transactions),
      ...this.stockNotices(touched, at),
      ...this.customerNotice(order, false),
    ];
  }

  cancelOrder(id: number): Notice[] {
    const order = this.order(id);
    const at = later(order.updatedAt, this.stamp());
    const touched: Touched = new Set();
    const cancelled = cancel(this.store, this.rng, order, at, 'CUSTOMER', touched);
    if (!cancelled) throw new Error(`order #${order.number} is already cancelled or has shipped`);
    const transactions = [...cancelled.voided, ...(cancelled.refund?.transactions ?? [])];
    this.bank(transactions);
    return [
      { topic: 'orders/cancelled', payload: restOrder(this.store, order) },
      { topic: 'orders/updated', payload: restOrder(this.store, order) },
      ...(cancelled.refund
        ? [{ topic: 'refunds/create', payload: restRefund(this.store, cancelled.refund) }]
        : []),
      ...this.transactionNotices(transactions),
      ...this.stockNotices(touched, at),
      ...this.customerNotice(order, false),
    ];
  }

  fulfilOrder(id: number): Notice[] {
    const order = this.order(id);
    const at = later(order.updatedAt, this.stamp());
    const touched: Touched = new Set();
    if (!fulfil(this.store, order, at, touched))
      throw new Error(`order #${order.number} has nothing left to ship`);
    // Shipping moves committed stock, not available stock: no inventory_levels/update.
    for (const level of touched) level.updatedAt = at;
    return [
      { topic: 'orders/fulfilled', payload: restOrder(this.store, order) },
      { topic: 'orders/updated', payload: restOrder(this.store, order) },
    ];
  }

  /** A price review: one variant's price moves a little, or the bestseller tag comes or goes. */
  updateProduct(id: number): Notice[] {
    const product = this.store.productsById.get(id);
    if (!product || product.deletedAt !== null) throw new Error(`no product ${id} in the simulated shop`);
    const at = later(product.updatedAt, this.stamp());
    if (this.rng.chance(0.6)) {
      const variant = this.rng.pick(product.variants);
      const step = this.rng.pick([-100, -50, 50, 100, 150]);
      variant.price = Math.max(100, variant.price + step);
      variant.updatedAt = at;
    } else {
      product.tags = product.tags.includes('bestseller')
        ? product.tags.filter((t) => t !== 'bestseller')
        : [...product.tags, 'bestseller'];
    }
    product.updatedAt = at;
    this.store.rangeVersion += 1;
    this.store.changed();
    return [{ topic: 'products/update', payload: restProduct(this.store, product) }];
  }

  setInventory(inventoryItemId: number, locationId: number, available: number): Notice[] {
    const item = this.store.inventoryItemsById.get(inventoryItemId);
    const level = item?.levels.find((l) => l.location.id === locationId);
    if (!level) throw new Error(`inventory item ${inventoryItemId} is not stocked at location ${locationId}`);
    const at = later(level.updatedAt, this.stamp());
    level.available = available;
    level.updatedAt = at;
    return this.stockNotices(new Set([level]), at);
  }

  openDispute(orderId: number): Notice[] {
    const order = this.order(orderId);
    const at = later(order.updatedAt, this.stamp());
    const dispute = openDispute(this.store, this.rng, order, at);
    if (!dispute) throw new Error(`order #${order.number} has no open Shopify Payments charge to dispute`);
    record(this.store, disputeEntry(dispute, at, false));
    return [{ topic: 'disputes/create', payload: restDispute(this.store, dispute) }];
  }

  /** The current state of a resource as a topic's body. */
  payload(topic: string, id: number): unknown {
    const store = this.store;
    const missing = (): never => {
      throw new Error(`no resource ${id} for ${topic}`);
    };
    const [resource] = topic.split('/');
    switch (resource) {
      case 'orders':
        return restOrder(store, store.ordersById.get(id) ?? missing());
      case 'refunds':
        return restRefund(store, store.refundsById.get(id) ?? missing());
      case 'order_transactions':
        return restTransaction(store, store.findTransaction(id) ?? missing());
      case 'disputes':
        return restDispute(store, store.disputesById.get(id) ?? missing());
      case 'products': {
        const product = store.productsById.get(id) ?? missing();
        return topic === 'products/delete' ? restProductDeleted(product) : restProduct(store, product);
      }
      case 'inventory_levels': {
        // A level's own id, or an inventory item's id for its warehouse level.
        const level =
          store.inventoryLevelsById.get(id) ?? store.inventoryItemsById.get(id)?.levels[0] ?? missing();
        return restInventoryLevel(store, level);
      }
      case 'customers':
        return restCustomer(store, store.customersById.get(id) ?? missing());
      case 'app':
        return restShop(store, store.shop);
      default:
        throw new Error(`the simulator does not send ${topic} webhooks`);
    }
  }
}
