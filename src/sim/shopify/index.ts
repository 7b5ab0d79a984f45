// A local Shopify for tests and the sandbox: the Admin GraphQL API (version 2026-10) over a generated
// hair-and-beauty shop ("Sandbox Beauty": a year of orders, refunds, payouts, chargebacks), with cost
// based throttling, bulk exports, webhook subscriptions and signed webhook deliveries. Its driver
// lets a test or the sandbox make the shop trade: place an order, refund it, ship it, dispute it.
//
// Reads for tests come in the REST shape (`restOrder`) or as small summaries (`counts`,
// `subscriptions`, whose ids are gids and topics the GraphQL enum names).
import type { Server } from 'node:http';
import { FailureQueue, close, listen, type SimRequest, type SimResponse } from '../http-sim.ts';
import { handleAdminApi, type AdminApi } from './api.ts';
import { BulkFiles, BulkOperations } from './bulk.ts';
import { isoLocal } from './clock.ts';
import type { BulkOperationRecord, Context } from './context.ts';
import { Bucket } from './cost.ts';
import { generateShop } from './data.ts';
import { LiveShop, type Notice } from './live.ts';
import { financialStatus, gid, type Utm } from './model.ts';
import { restOrder } from './rest.ts';
import { wire } from './resolvers.ts';
import { adminSchema } from './schema.ts';
import type { Store } from './store.ts';
import { Postman, restTopic, type Delivery, type DeliveryAttempt } from './webhooks.ts';

export type { Delivery, DeliveryAttempt };

export interface ShopifySimOptions {
  /** The shop's myshopify domain (a bare name gets ".myshopify.com"). */
  shop?: string;
  adminToken: string;
  apiSecret: string;
  seed?: number;
  historyDays?: number;
  ordersPerDay?: number;
  orderCount?: number;
  /** The shop's clock; default real time. A change always moves the changed object's updated_at. */
  now?: () => Date;
  /**
   * The moment the generated history runs up to (ms); default the clock's now. The same seed and
   * moment give the same shop, so a restarted simulator keeps the history it had.
   */
  historyUntil?: number;
  bucket?: { maximumAvailable: number; restoreRate: number };
  /** Points a single query may cost; default 1000, where Shopify draws the line. */
  maxQueryCost?: number;
  /** Waits before each retry of a webhook that was not acknowledged with a 2xx. */
  webhookRetryDelaysMs?: number[];
  /**
   * Where the products' photos are served instead of Shopify's CDN (the sandbox serves them at a
   * stable address of its own, photos.ts makes them); Shopify's CDN addresses when not given.
   */
  photosUrl?: string;
}

interface Parts {
  store: Store;
  live: LiveShop;
  postman: Postman;
  files: BulkFiles;
  operations: BulkOperations;
  api: AdminApi;
}

export class ShopifySimulator {
  readonly failures: FailureQueue;
  private stream: NodeJS.Timeout | null = null;
  private streaming = false;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    readonly shopDomain: string,
    readonly adminToken: string,
    readonly apiSecret: string,
    private readonly parts: Parts,
  ) {
    this.failures = parts.api.failures;
  }

  static async start(options: ShopifySimOptions): Promise<ShopifySimulator> {
    const clock = () => (options.now ?? (() => new Date()))().getTime();
    const shopDomain = !options.shop
      ? 'sandbox-beauty.myshopify.com'
      : options.shop.includes('.')
        ? options.shop
        : `${options.shop}.myshopify.com`;
    const generated = generateShop({
      seed: options.seed ?? 1,
      shopDomain,
      now: options.historyUntil ?? clock(),
      historyDays: options.historyDays ?? 365,
      ordersPerDay: options.ordersPerDay ?? 15,
      ...(options.orderCount !== undefined ? { orderCount: options.orderCount } : {}),
    });
    const store = generated.store;
    // What changed live after the history, in a run before this one, is not known here: new ids start
    // past any that run could have given out.
    store.resumeAt(clock());
    const schema = adminSchema();
    wire(schema);
    const files = await BulkFiles.start();
    const postman = new Postman(shopDomain, options.apiSecret, options.webhookRetryDelaysMs);
    const holder: { simulator?: ShopifySimulator; operations?: BulkOperations } = {};
    const context = (): Context => ({ store, now: clock, bulk: null, operations: holder.operations! });
    holder.operations = new BulkOperations(
      schema,
      store,
      files,
      context,
      (operation) => void holder.simulator?.bulkFinished(operation),
    );
    const bucket = options.bucket ?? { maximumAvailable: 2000, restoreRate: 100 };
    const api: AdminApi = {
      schema,
      adminToken: options.adminToken,
      failures: new FailureQueue(),
      bucket: new Bucket(bucket.maximumAvailable, bucket.restoreRate),
      maxQueryCost: options.maxQueryCost ?? 1000,
      context,
    };
    // The server exists before the simulator that handles its requests.
    const { server, baseUrl } = await listen((request) => holder.simulator!.handle(request));
    if (options.photosUrl)
      for (const product of store.products)
        if (product.imageUrl)
          product.imageUrl = product.imageUrl.replace('https://cdn.shopify.com/s/files', options.photosUrl);
    holder.simulator = new ShopifySimulator(
      server,
      baseUrl,
      shopDomain,
      options.adminToken,
      options.apiSecret,
      {
        store,
        live: new LiveShop(store, generated.crowd, generated.live, clock),
        postman,
        files,
        operations: holder.operations,
        api,
      },
    );
    return holder.simulator;
  }

  async stop(): Promise<void> {
    this.stopLiveStream();
    this.parts.postman.stop();
    await this.parts.operations.stop();
    await close(this.server);
    await this.parts.files.stop();
  }

  private handle(request: SimRequest): Promise<SimResponse> {
    return handleAdminApi(this.parts.api, request);
  }

  /** Links the shop's posts carry now: live customers now and then arrive by one of them. */
  promote(links: () => Utm[]): void {
    this.parts.store.promoted = links;
  }

  // ---- reads for tests ------------------------------------------------------------------------------

  orderIds(): number[] {
    return this.parts.store.orders.map((order) => order.id);
  }

  /** An order as Shopify's REST API (and its webhooks) show it. */
  restOrder(id: number): Record<string, unknown> {
    const order = this.parts.store.ordersById.get(id);
    if (!order) throw new Error(`no order ${id} in the simulated shop`);
    return restOrder(this.parts.store, order);
  }

  counts(): {
    orders: number;
    products: number;
    customers: number;
    payouts: number;
    balanceTransactions: number;
    disputes: number;
  } {
    const store = this.parts.store;
    return {
      orders: store.orders.length,
      products: store.products.filter((p) => p.deletedAt === null).length,
      customers: store.customers.length,
      payouts: store.payouts.length,
      balanceTransactions: store.balanceTransactions.length,
      disputes: store.disputes.length,
    };
  }

  /** Subscriptions as the GraphQL API lists them: gid, topic enum (ORDERS_CREATE), uri. */
  subscriptions(): { id: string; topic: string; uri: string }[] {
    return this.parts.store.webhookSubscriptions.map((w) => ({
      id: gid('WebhookSubscription', w.id),
      topic: w.topic,
      uri: w.uri,
    }));
  }

  /** Every delivery attempt so far (including retries), oldest first. */
  deliveryLog(): DeliveryAttempt[] {
    return [...this.parts.postman.attempts];
  }

  // ---- the driver: the shop trading -------------------------------------------------------------

  async placeOrder(options: { deliver?: boolean } = {}): Promise<Delivery[]> {
    return this.dispatch(this.parts.live.placeOrder(), options.deliver);
  }

  async refundOrder(
    id: number,
    options: { restock?: boolean; partial?: boolean; deliver?: boolean } = {},
  ): Promise<Delivery[]> {
    return this.dispatch(this.parts.live.refundOrder(id, options), options.deliver);
  }

  async cancelOrder(id: number, options: { deliver?: boolean } = {}): Promise<Delivery[]> {
    return this.dispatch(this.parts.live.cancelOrder(id), options.deliver);
  }

  async fulfilOrder(id: number, options: { deliver?: boolean } = {}): Promise<Delivery[]> {
    return this.dispatch(this.parts.live.fulfilOrder(id), options.deliver);
  }

  async updateProduct(id: number, options: { deliver?: boolean } = {}): Promise<Delivery[]> {
    return this.dispatch(this.parts.live.updateProduct(id), options.deliver);
  }

  async setInventory(
    inventoryItemId: number,
    locationId: number,
    available: number,
    options: { deliver?: boolean } = {},
  ): Promise<Delivery[]> {
    return this.dispatch(
      this.parts.live.setInventory(inventoryItemId, locationId, available),
      options.deliver,
    );
  }

  async openDispute(orderId: number, options: { deliver?: boolean } = {}): Promise<Delivery[]> {
    return this.dispatch(this.parts.live.openDispute(orderId), options.deliver);
  }

  /** A signed delivery of the resource's current state for a topic (e.g. "orders/updated"), not sent. */
  delivery(topic: string, resourceId: number): Delivery {
    return this.parts.postman.build(
      topic,
      this.parts.live.payload(topic, resourceId),
      this.parts.live.newEvent(),
    );
  }

  /**
   * One attempt to a uri (default: the first subscription for the delivery's topic); resolves to the
   * receiver's status, 0 when unreachable. `tamper` breaks or drops the signature.
   */
  async send(
    delivery: Delivery,
    options: { uri?: string; tamper?: 'wrong-signature' | 'no-signature' } = {},
  ): Promise<number> {
    const uri =
      options.uri ??
      this.parts.store.webhookSubscriptions.find((w) => restTopic(w.topic) === delivery.topic)?.uri;
    if (!uri) throw new Error(`nothing is subscribed to ${delivery.topic}`);
    return this.parts.postman.send(delivery, uri, options.tamper);
  }

  /** Places an order every interval and now and then ships or refunds a recent one. */
  startLiveStream(everyMs: number): void {
    this.stopLiveStream();
    this.stream = setInterval(() => void this.tick(), everyMs);
    this.stream.unref();
  }

  stopLiveStream(): void {
    if (this.stream) clearInterval(this.stream);
    this.stream = null;
  }

  private async tick(): Promise<void> {
    if (this.streaming) return;
    this.streaming = true;
    try {
      await this.placeOrder();
      const orders = this.parts.store.orders.slice(-60);
      const waiting = orders.find((o) => o.fulfilment === null && o.cancelledAt === null);
      if (waiting && Math.random() < 0.3) await this.fulfilOrder(waiting.id);
      const paid = orders.filter((o) => financialStatus(o) === 'PAID' && !o.test);
      if (paid.length > 0 && Math.random() < 0.08)
        await this.refundOrder(paid[Math.floor(Math.random() * paid.length)]!.id, {
          partial: Math.random() < 0.5,
        });
    } catch {
      // A stream that finds nothing to do this time tries again at the next tick.
    } finally {
      this.streaming = false;
    }
  }

  /**
   * Signs each notice and, unless told not to, sends it to every subscription for its topic (each
   * subscription gets its own webhook id), retrying non-2xx answers; all deliveries go at once.
   */
  private async dispatch(notices: Notice[], deliver = true): Promise<Delivery[]> {
    const postman = this.parts.postman;
    const event = this.parts.live.newEvent();
    const made: Delivery[] = [];
    const sending: Promise<number>[] = [];
    for (const notice of notices) {
      const built = postman.build(notice.topic, notice.payload, event);
      const targets = deliver
        ? this.parts.store.webhookSubscriptions.filter((w) => restTopic(w.topic) === notice.topic)
        : [];
      if (targets.length === 0) {
        made.push(built);
        continue;
      }
      targets.forEach((target, index) => {
        const delivery = index === 0 ? built : postman.build(notice.topic, notice.payload, event);
        made.push(delivery);
        sending.push(postman.deliver(delivery, target.uri));
      });
    }
    await Promise.all(sending);
    return made;
  }

  private async bulkFinished(operation: BulkOperationRecord): Promise<void> {
    const store = this.parts.store;
    const time = (ms: number | null) => (ms === null ? null : isoLocal(ms, store.shop.timeZone));
    await this.dispatch([
      {
        topic: 'bulk_operations/finish',
        payload: {
          admin_graphql_api_id: gid('BulkOperation', operation.id),
          completed_at: time(operation.completedAt),
          created_at: time(operation.createdAt),
          error_code: operation.errorCode?.toLowerCase() ?? null,
          status: operation.status.toLowerCase(),
          type: 'query',
        },
      },
    ]);
  }
}
