// The root of the Admin API: lookups by gid, the searchable and sortable connections (orders,
// products, customers), Shopify Payments, webhook subscriptions and bulk operations, and the wiring
// of every resolver and scalar onto the schema built from the SDL.
import {
  GraphQLError,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLUnionType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { isoDate, isoUtc } from './clock.ts';
import { byId, type Ordering } from './connection.ts';
import type { Args, BulkOperationRecord, Context, Resolvers } from './context.ts';
import {
  financialStatus,
  fulfilmentStatus,
  gid,
  orderTotals,
  type Customer,
  type Order,
  type Product,
  type WebhookSubscription,
} from './model.ts';
import { pendingBalance } from './payments.ts';
import { compileSearch, type SearchSpec } from './search.ts';
import type { Store } from './store.ts';
import { connect, gatewayNames, GID_TYPES, money, typeResolvers } from './views.ts';
import { subscribe, unsubscribe, updateSubscription } from './webhooks.ts';
import { API_VERSION } from './version.ts';

// ---- finding things by gid ---------------------------------------------------------------------

/** Node and Media are interfaces: remember which concrete type an object was returned as. */
const kinds = new WeakMap<object, string>();

const as = <T extends object>(value: T | undefined | null, kind: string): T | null => {
  if (!value) return null;
  kinds.set(value, kind);
  return value;
};

function parseGid(value: unknown): { kind: string; id: number } {
  const match = typeof value === 'string' ? /^gid:\/\/shopify\/(\w+)\/(\d+)(?:\?.*)?$/.exec(value) : null;
  if (!match)
    throw new GraphQLError(`Invalid global id '${String(value)}'`, {
      extensions: { code: 'argumentLiteralsIncompatible' },
    });
  return { kind: match[1]!, id: Number(match[2]) };
}

function lookup(context: Context, value: unknown): object | null {
  const { kind, id } = parseGid(value);
  const store = context.store;
  const found: Record<string, () => object | undefined> = {
    Order: () => store.ordersById.get(id),
    Customer: () => store.customersById.get(id),
    Product: () => live(store.productsById.get(id)),
    ProductVariant: () => store.variantsById.get(id),
    InventoryItem: () => store.inventoryItemsById.get(id),
    InventoryLevel: () => store.inventoryLevelsById.get(id),
    Location: () => store.locationsById.get(id),
    Refund: () => store.refundsById.get(id),
    OrderTransaction: () => store.findTransaction(id),
    ShopifyPaymentsDispute: () => store.disputesById.get(id),
    ShopifyPaymentsPayout: () => store.payouts.find((p) => p.id === id),
    ShopifyPaymentsBalanceTransaction: () => store.balanceTransactions.find((b) => b.id === id),
    WebhookSubscription: () => store.webhookSubscriptions.find((w) => w.id === id),
    BulkOperation: () => context.operations.find(id),
  };
  return as(found[kind]?.(), kind);
}

const live = (product: Product | undefined): Product | undefined =>
  product?.deletedAt === null ? product : undefined;

const lookupAs = (kind: string) => (_root: unknown, args: Args, context: Context) => {
  const found = lookup(context, args.id);
  return found && kinds.get(found) === kind ? found : null;
};

// ---- sorting and searching the big lists ---------------------------------------------------------

const sortCache = new WeakMap<Store, { version: number; lists: Map<string, unknown[]> }>();

/** A list sorted by (value, id), rebuilt only after the shop changes. */
function sorted<T>(store: Store, name: string, items: () => T[], ordering: Ordering<T>): T[] {
  let cache = sortCache.get(store);
  if (!cache || cache.version !== store.version) {
    cache = { version: store.version, lists: new Map() };
    sortCache.set(store, cache);
  }
  let list = cache.lists.get(name) as T[] | undefined;
  if (!list) {
    const keyed = items().map((item) => [ordering.value(item), ordering.id(item), item] as const);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    list = keyed.map((entry) => entry[2]);
    cache.lists.set(name, list);
  }
  return list;
}

const ordering = <T extends { id: number }>(value: (item: T) => number | string): Ordering<T> => ({
  id: (item) => item.id,
  value,
});

const customerName = (c: Customer | null): string => (c ? `${c.firstName} ${c.lastName}` : '');

const ORDER_SORTS: Record<string, Ordering<Order>> = {
  ID: byId(),
  RELEVANCE: byId(),
  CREATED_AT: ordering((o) => o.createdAt),
  PROCESSED_AT: ordering((o) => o.processedAt),
  UPDATED_AT: ordering((o) => o.updatedAt),
  ORDER_NUMBER: ordering((o) => o.number),
  TOTAL_PRICE: ordering((o) => orderTotals(o).total.shop),
  CUSTOMER_NAME: ordering((o) => customerName(o.customer)),
  FINANCIAL_STATUS: ordering((o) => financialStatus(o)),
  FULFILLMENT_STATUS: ordering((o) => fulfilmentStatus(o)),
};

const PRODUCT_SORTS: Record<string, Ordering<Product>> = {
  ID: byId(),
  RELEVANCE: byId(),
  CREATED_AT: ordering((p) => p.createdAt),
  UPDATED_AT: ordering((p) => p.updatedAt),
  PUBLISHED_AT: ordering((p) => p.publishedAt ?? 0),
  TITLE: ordering((p) => p.title),
  PRODUCT_TYPE: ordering((p) => p.productType),
  VENDOR: ordering((p) => p.vendor),
  INVENTORY_TOTAL: ordering((p) =>
    p.variants.reduce((n, v) => n + v.inventoryItem.levels.reduce((m, l) => m + l.available, 0), 0),
  ),
};

const CUSTOMER_SORTS: Record<string, Ordering<Customer>> = {
  ID: byId(),
  RELEVANCE: byId(),
  CREATED_AT: ordering((c) => c.createdAt),
  UPDATED_AT: ordering((c) => c.updatedAt),
  NAME: ordering((c) => customerName(c)),
  LOCATION: ordering((c) => c.address.city),
};

const FULFILMENT_WORDS: Record<string, string[]> = {
  FULFILLED: ['fulfilled', 'shipped'],
  PARTIALLY_FULFILLED: ['partial'],
  UNFULFILLED: ['unfulfilled', 'unshipped'],
  RESTOCKED: ['restocked'],
};

const ORDER_SEARCH: SearchSpec<Order> = {
  fields: {
    updated_at: { kind: 'time', get: (o) => o.updatedAt },
    created_at: { kind: 'time', get: (o) => o.createdAt },
    processed_at: { kind: 'time', get: (o) => o.processedAt },
    id: { kind: 'number', get: (o) => o.id },
    name: { kind: 'text', get: (o) => [`#${o.number}`, String(o.number)] },
    email: { kind: 'text', get: (o) => o.email },
    customer_id: { kind: 'number', get: (o) => o.customer?.id ?? null },
    financial_status: { kind: 'text', get: (o) => financialStatus(o).toLowerCase() },
    fulfillment_status: { kind: 'text', get: (o) => FULFILMENT_WORDS[fulfilmentStatus(o)] ?? [] },
    status: {
      kind: 'text',
      get: (o) => (o.cancelledAt !== null ? 'cancelled' : o.closedAt !== null ? 'closed' : 'open'),
    },
    tag: { kind: 'text', get: (o) => o.tags },
    test: { kind: 'text', get: (o) => String(o.test) },
    gateway: { kind: 'text', get: (o) => gatewayNames(o) },
    sku: { kind: 'text', get: (o) => o.lines.map((l) => l.sku) },
    source_name: { kind: 'text', get: (o) => o.sourceName },
    discount_code: { kind: 'text', get: (o) => o.discount?.code ?? null },
  },
  text: (o) => `#${o.number} ${o.email ?? ''} ${customerName(o.customer)}`,
};

const PRODUCT_SEARCH: SearchSpec<Product> = {
  fields: {
    updated_at: { kind: 'time', get: (p) => p.updatedAt },
    created_at: { kind: 'time', get: (p) => p.createdAt },
    published_at: { kind: 'time', get: (p) => p.publishedAt },
    id: { kind: 'number', get: (p) => p.id },
    title: { kind: 'text', get: (p) => p.title },
    handle: { kind: 'text', get: (p) => p.handle },
    product_type: { kind: 'text', get: (p) => p.productType },
    vendor: { kind: 'text', get: (p) => p.vendor },
    status: { kind: 'text', get: (p) => p.status.toLowerCase() },
    tag: { kind: 'text', get: (p) => p.tags },
    sku: { kind: 'text', get: (p) => p.variants.map((v) => v.sku) },
    gift_card: { kind: 'text', get: (p) => String(p.giftCard) },
  },
  text: (p) => `${p.title} ${p.vendor} ${p.productType} ${p.tags.join(' ')}`,
};

const CUSTOMER_SEARCH: SearchSpec<Customer> = {
  fields: {
    updated_at: { kind: 'time', get: (c) => c.updatedAt },
    created_at: { kind: 'time', get: (c) => c.createdAt },
    id: { kind: 'number', get: (c) => c.id },
    email: { kind: 'text', get: (c) => c.email },
    first_name: { kind: 'text', get: (c) => c.firstName },
    last_name: { kind: 'text', get: (c) => c.lastName },
    tag: { kind: 'text', get: (c) => c.tags },
    country: { kind: 'text', get: (c) => [c.address.country, c.address.countryCode] },
    orders_count: { kind: 'number', get: (c) => c.ordersCount },
  },
  text: (c) => `${customerName(c)} ${c.email} ${c.address.company ?? ''}`,
};

function searchable<T extends { id: number }>(
  context: Context,
  name: string,
  all: () => T[],
  sorts: Record<string, Ordering<T>>,
  spec: SearchSpec<T>,
  args: Args,
): { items: T[]; ordering: Ordering<T> } {
  const sortKey = String(args.sortKey ?? 'ID');
  const order = sorts[sortKey] ?? byId<T>();
  const list = sorted(context.store, `${name}:${sortKey}`, all, order);
  const query = typeof args.query === 'string' ? args.query : null;
  const items = query ? list.filter(compileSearch(query, spec, context.store.shop.timeZone)) : list;
  return { items, ordering: order };
}

const allOrders = (context: Context) => () => context.store.orders;
const allProducts = (context: Context) => () => context.store.products.filter((p) => p.deletedAt === null);
const allCustomers = (context: Context) => () => context.store.customers;

const count = (n: number, args: Args) => {
  const limit = typeof args.limit === 'number' ? args.limit : 10_000;
  return { count: Math.min(n, limit), precision: n > limit ? 'AT_LEAST' : 'EXACT' };
};

// ---- the root types -----------------------------------------------------------------------------

const queryRoot: Resolvers<unknown> = {
  shop: (_r, _a, context) => context.store.shop,
  node: (_r, args, context) => lookup(context, args.id),
  nodes: (_r, args, context) => (args.ids as unknown[]).map((id) => lookup(context, id)),
  order: lookupAs('Order'),
  product: lookupAs('Product'),
  productVariant: lookupAs('ProductVariant'),
  customer: lookupAs('Customer'),
  inventoryItem: lookupAs('InventoryItem'),
  inventoryLevel: lookupAs('InventoryLevel'),
  webhookSubscription: lookupAs('WebhookSubscription'),
  bulkOperation: lookupAs('BulkOperation'),
  location: (root, args, context) =>
    args.id == null ? context.store.locations[0] : lookupAs('Location')(root, args, context),
  orders: (_r, args, context) => {
    const { items, ordering: order } = searchable(
      context,
      'orders',
      allOrders(context),
      ORDER_SORTS,
      ORDER_SEARCH,
      args,
    );
    return connect(context, items, args, order);
  },
  products: (_r, args, context) => {
    const { items, ordering: order } = searchable(
      context,
      'products',
      allProducts(context),
      PRODUCT_SORTS,
      PRODUCT_SEARCH,
      args,
    );
    return connect(context, items, args, order);
  },
  customers: (_r, args, context) => {
    const { items, ordering: order } = searchable(
      context,
      'customers',
      allCustomers(context),
      CUSTOMER_SORTS,
      CUSTOMER_SEARCH,
      args,
    );
    return connect(context, items, args, order);
  },
  ordersCount: (_r, args, context) =>
    count(
      searchable(context, 'orders', allOrders(context), ORDER_SORTS, ORDER_SEARCH, args).items.length,
      args,
    ),
  productsCount: (_r, args, context) =>
    count(
      searchable(context, 'products', allProducts(context), PRODUCT_SORTS, PRODUCT_SEARCH, args).items.length,
      args,
    ),
  customersCount: (_r, args, context) =>
    count(
      searchable(context, 'customers', allCustomers(context), CUSTOMER_SORTS, CUSTOMER_SEARCH, args).items
        .length,
      args,
    ),
  locations: (_r, args, context) =>
    connect(
      context,
      [...context.store.locations].sort((a, b) => (a.name < b.name ? -1 : 1)),
      args,
      ordering((l) => l.name),
    ),
  shopifyPaymentsAccount: (_r, _a, context) => context.store,
  webhookSubscriptions: (_r, args, context) => {
    const topics = Array.isArray(args.topics) ? (args.topics as string[]) : null;
    const items = context.store.webhookSubscriptions.filter(
      (w) =>
        (!topics || topics.includes(w.topic)) &&
        (args.uri == null || w.uri === args.uri) &&
        (args.format == null || w.format === args.format),
    );
    return connect(context, items, args, byId());
  },
  currentBulkOperation: (_r, _a, context) => context.operations.current() ?? null,
};

const paymentsAccount: Resolvers<Store> = {
  id: (store) => gid('ShopifyPaymentsAccount', store.shop.id),
  activated: () => true,
  country: () => 'GB',
  defaultCurrency: () => 'GBP',
  balance: (store) => [money(pendingBalance(store), 'GBP')],
  balanceTransactions: (store, args, context) => connect(context, store.balanceTransactions, args, byId()),
  payouts: (store, args, context) =>
    connect(context, args.transactionType === 'WITHDRAWAL' ? [] : store.payouts, args, byId()),
  disputes: (store, args, context) => connect(context, store.disputes, args, byId()),
};

const mutation: Resolvers<unknown> = {
  bulkOperationRunQuery: (_r, args, context) => {
    const { operation, userErrors } = context.operations.run(String(args.query));
    return { bulkOperation: operation, userErrors };
  },
  bulkOperationCancel: (_r, args, context) => {
    const { id } = parseGid(args.id);
    const { operation, userErrors } = context.operations.cancel(id);
    return { bulkOperation: operation, userErrors };
  },
  webhookSubscriptionCreate: (_r, args, context) =>
    subscribe(
      context.store,
      String(args.topic),
      args.webhookSubscription as Record<string, unknown>,
      context.store.stamp(context.now()),
    ),
  webhookSubscriptionUpdate: (_r, args, context) =>
    updateSubscription(
      context.store,
      parseGid(args.id).id,
      args.webhookSubscription as Record<string, unknown>,
      context.store.stamp(context.now()),
    ),
  webhookSubscriptionDelete: (_r, args, context) => unsubscribe(context.store, parseGid(args.id).id),
};

const webhookSubscription: Resolvers<WebhookSubscription> = {
  callbackUrl: (w) => w.uri,
  endpoint: (w) => ({ callbackUrl: w.uri }),
  apiVersion: () => ({ handle: API_VERSION, displayName: API_VERSION, supported: true }),
  includeFields: () => [],
  metafieldNamespaces: () => [],
  filter: () => null,
};

const bulkOperation: Resolvers<BulkOperationRecord> = {
  type: () => 'QUERY',
};

// ---- wiring -------------------------------------------------------------------------------------

function serializer(scalar: GraphQLScalarType, write: (value: number) => string): void {
  scalar.serialize = (value: unknown) => (typeof value === 'number' ? write(value) : value);
}

/** Puts the resolvers, gid ids, interface type resolution and scalar formats onto the built schema. */
export function wire(schema: GraphQLSchema): void {
  const all: Record<string, Resolvers<never>> = {
    ...typeResolvers,
    QueryRoot: queryRoot,
    Mutation: mutation,
    ShopifyPaymentsAccount: paymentsAccount,
    WebhookSubscription: webhookSubscription,
    BulkOperation: bulkOperation,
  } as Record<string, Resolvers<never>>;
  for (const [typeName, kind] of Object.entries(GID_TYPES)) {
    const type = schema.getType(typeName);
    const legacy = type instanceof GraphQLObjectType && 'legacyResourceId' in type.getFields();
    all[typeName] = {
      id: (source: { id: number }) => gid(kind, source.id),
      ...(legacy ? { legacyResourceId: (source: { id: number }) => source.id } : {}),
      ...all[typeName],
    } as Resolvers<never>;
  }
  for (const [typeName, fields] of Object.entries(all)) {
    const type = schema.getType(typeName);
    if (!(type instanceof GraphQLObjectType)) throw new Error(`resolvers for unknown type ${typeName}`);
    const definitions = type.getFields();
    for (const [fieldName, resolve] of Object.entries(fields)) {
      const field = definitions[fieldName];
      if (!field) throw new Error(`resolver for unknown field ${typeName}.${fieldName}`);
      field.resolve = resolve as GraphQLFieldResolver<unknown, Context>;
    }
  }
  const node = schema.getType('Node');
  if (node instanceof GraphQLInterfaceType) node.resolveType = (value: object) => kinds.get(value);
  const media = schema.getType('Media');
  if (media instanceof GraphQLInterfaceType) media.resolveType = () => 'MediaImage';
  const endpoint = schema.getType('WebhookSubscriptionEndpoint');
  if (endpoint instanceof GraphQLUnionType) endpoint.resolveType = () => 'WebhookHttpEndpoint';
  for (const [name, write] of [
    ['DateTime', isoUtc],
    ['Date', isoDate],
    ['UnsignedInt64', String],
    ['BigInt', String],
  ] as const) {
    const scalar = schema.getType(name);
    if (scalar instanceof GraphQLScalarType) serializer(scalar, write);
  }
}
