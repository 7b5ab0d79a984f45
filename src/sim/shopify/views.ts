// The GraphQL view of the model: field resolvers for orders and everything hanging off them, the
// catalogue, stock, customers and Shopify Payments. Money leaves the model here, as MoneyBag and
// MoneyV2 objects whose amounts are Decimal strings; ids leave as gids.
import { GraphQLError } from 'graphql';
import { offsetMinutes } from './clock.ts';
import { byId, paginate, Page, type Ordering, type PageArgs } from './connection.ts';
import type { Args, Context, Resolvers } from './context.ts';
import {
  balanceNet,
  financialStatus,
  fulfilmentStatus,
  gid,
  lineName,
  net,
  orderTaxLines,
  orderTotals,
  payoutNet,
  refundTotal,
  refundedQuantity,
  TAXES_INCLUDED,
  totalReceived,
  totalRefunded,
  unfulfilledQuantity,
  type Address,
  type BalanceTransaction,
  type Customer,
  type Dispute,
  type InventoryItem,
  type InventoryLevel,
  type LineItem,
  type Location,
  type Order,
  type Payout,
  type Product,
  type Refund,
  type RefundLine,
  type RefundShipping,
  type RefundAdjustment,
  type ShippingLine,
  type Shop,
  type TaxRule,
  type Transaction,
  type Variant,
  type Visit,
} from './model.ts';
import { decimal, each, fixed, isZero, ZERO, type Pair } from './money.ts';
import { inventoryQuantity } from './stock.ts';

export interface MoneyV2 {
  amount: string;
  currencyCode: string;
}

export const money = (minor: number, currencyCode: string): MoneyV2 => ({
  amount: decimal(minor),
  currencyCode,
});

export const bag = (order: Order, amount: Pair): { shopMoney: MoneyV2; presentmentMoney: MoneyV2 } => ({
  shopMoney: money(amount.shop, 'GBP'),
  presentmentMoney: money(amount.presentment, order.currency),
});

const taxLine = (order: Order, rule: TaxRule, amount: Pair) => ({
  title: rule.title,
  rate: rule.rate,
  ratePercentage: Math.round(rule.rate * 10000) / 100,
  priceSet: bag(order, amount),
  channelLiable: false,
});

/** A MailingAddress: the address's own fields, with the derived ones worked out only when asked for. */
class MailingAddressView {
  constructor(
    private readonly address: Address,
    readonly id: string,
  ) {}
  get firstName() {
    return this.address.firstName;
  }
  get lastName() {
    return this.address.lastName;
  }
  get name() {
    return `${this.address.firstName} ${this.address.lastName}`;
  }
  get company() {
    return this.address.company;
  }
  get address1() {
    return this.address.address1;
  }
  get address2() {
    return null;
  }
  get city() {
    return this.address.city;
  }
  get province() {
    return this.address.province;
  }
  get provinceCode() {
    return this.address.provinceCode;
  }
  get zip() {
    return this.address.zip;
  }
  get country() {
    return this.address.country;
  }
  get countryCode() {
    return this.address.countryCode;
  }
  get countryCodeV2() {
    return this.address.countryCode;
  }
  get phone() {
    return this.address.phone;
  }
  get formatted() {
    const a = this.address;
    return [a.company, a.address1, `${a.city} ${a.zip}`, a.country].filter((part): part is string =>
      Boolean(part),
    );
  }
}

export const mailingAddress = (address: Address, id: string) => new MailingAddressView(address, id);

/** Which slice of a connection to return: a page, everything (inside a bulk export), or a bulk window. */
export function connect<T>(
  context: Context,
  items: readonly T[],
  args: Args,
  ordering: Ordering<T>,
): Page<T> {
  const bulk = context.bulk;
  if (!bulk) return paginate(items, args as PageArgs, ordering);
  if (!bulk.outer) return new Page(items as T[], ordering, false, false);
  const all = (bulk.items ??= args.reverse === true ? [...items].reverse() : items) as readonly T[];
  bulk.total = all.length;
  return new Page(all.slice(bulk.offset, bulk.offset + bulk.limit), ordering, false, false);
}

const firstOf = <T>(items: readonly T[], args: Args): T[] =>
  typeof args.first === 'number' ? items.slice(0, args.first) : [...items];

const GATEWAY_NAMES: Record<string, string> = {
  shopify_payments: 'Shopify Payments',
  paypal: 'PayPal Express Checkout',
  gift_card: 'Gift card',
  bogus: 'Bogus',
};

export const gatewayNames = (order: Order): string[] => [
  ...new Set(order.transactions.map((t) => t.gateway)),
];

const shop: Resolvers<Shop> = {
  contactEmail: (s) => s.email,
  myshopifyDomain: (s) => s.domain,
  url: (s) => `https://${s.domain}`,
  primaryDomain: (s) => ({
    id: gid('Domain', s.id),
    host: s.domain,
    url: `https://${s.domain}`,
    sslEnabled: true,
  }),
  currencyCode: (s) => s.currency,
  enabledPresentmentCurrencies: () => ['GBP', 'EUR', 'USD'],
  ianaTimezone: (s) => s.timeZone,
  timezoneAbbreviation: (s, _a, c) => (offsetMinutes(c.now(), s.timeZone) === 60 ? 'BST' : 'GMT'),
  timezoneOffset: (s, _a, c) => (offsetMinutes(c.now(), s.timeZone) === 60 ? '+0100' : '+0000'),
  timezoneOffsetMinutes: (s, _a, c) => offsetMinutes(c.now(), s.timeZone),
  taxShipping: () => true,
  weightUnit: () => 'KILOGRAMS',
  billingAddress: (s) => mailingAddress(s.address, gid('ShopAddress', s.id)),
  plan: () => ({ partnerDevelopment: false, shopifyPlus: false, publicDisplayName: 'Grow' }),
};

const order: Resolvers<Order> = {
  name: (o) => `#${o.number}`,
  confirmationNumber: (o) => o.token.slice(0, 9).toUpperCase(),
  closed: (o) => o.closedAt !== null,
  currencyCode: () => 'GBP',
  presentmentCurrencyCode: (o) => o.currency,
  taxesIncluded: () => TAXES_INCLUDED,
  displayFinancialStatus: (o) => financialStatus(o),
  displayFulfillmentStatus: (o) => fulfilmentStatus(o),
  fullyPaid: (o) => totalReceived(o).shop >= orderTotals(o).total.shop,
  phone: () => null,
  paymentGatewayNames: (o) => gatewayNames(o),
  discountCode: (o) => o.discount?.code ?? null,
  discountCodes: (o) => (o.discount ? [o.discount.code] : []),
  shippingAddress: (o) =>
    o.shippingAddress
      ? mailingAddress(o.shippingAddress, gid('MailingAddress', `${o.id}?model_name=Address`))
      : null,
  billingAddress: (o) =>
    o.billingAddress
      ? mailingAddress(o.billingAddress, gid('MailingAddress', `${o.id}?model_name=Address&type=billing`))
      : null,
  subtotalPriceSet: (o) => bag(o, orderTotals(o).subtotal),
  totalPriceSet: (o) => bag(o, orderTotals(o).total),
  originalTotalDutiesSet: (o) => (isZero(o.duties) ? null : bag(o, o.duties)),
  totalTaxSet: (o) => bag(o, orderTotals(o).tax),
  totalShippingPriceSet: (o) => bag(o, orderTotals(o).shipping),
  totalDiscountsSet: (o) => bag(o, orderTotals(o).discounts),
  totalRefundedSet: (o) => bag(o, totalRefunded(o)),
  totalReceivedSet: (o) => bag(o, totalReceived(o)),
  totalWeight: (o) => o.lines.reduce((sum, line) => sum + line.grams * line.quantity, 0),
  taxLines: (o) => orderTaxLines(o).map((t) => taxLine(o, t, t.amount)),
  customerJourneySummary: (o, _args, context) => {
    if (o.sourceName !== 'web') return null;
    const first = o.firstVisit;
    const host = context.store.shop.domain;
    return {
      ready: true,
      customerOrderIndex: null,
      daysToConversion: first ? Math.floor((o.createdAt - first.occurredAt) / 86_400_000) : null,
      firstVisit: first ? visit(host, first) : null,
      lastVisit: o.lastVisit ? visit(host, o.lastVisit) : null,
    };
  },
  lineItems: (o, args, context) => connect(context, o.lines, args, byId()),
  shippingLines: (o, args, context) => connect(context, o.shipping, args, byId()),
  transactions: (o, args) => firstOf(o.transactions, args),
  refunds: (o, args) => firstOf(o.refunds, args),
  fulfillments: (o, args) => firstOf(o.fulfilment ? [o] : [], args),
  disputes: (o) =>
    o.disputes.map((d) => ({
      id: gid('ShopifyPaymentsDispute', d.id),
      initiatedAs: d.kind,
      status: d.status,
    })),
  statusPageUrl: (o, _args, context) =>
    `https://${context.store.shop.domain}/${context.store.shop.id}/orders/${o.token}/authenticate?key=${o.token.slice(0, 16)}`,
};

/** The REST view writes the landing page as a path; GraphQL writes the whole URL. */
function visit(host: string, v: Visit) {
  return {
    id: gid('CustomerVisit', v.id),
    landingPage: `https://${host}${v.landingPath}`,
    referrerUrl: v.referrer,
    source: v.source,
    sourceDescription: null,
    occurredAt: v.occurredAt,
    utmParameters: v.utm,
  };
}

/** An order viewed as its (single) fulfilment. */
const fulfillment: Resolvers<Order> = {
  id: (o) => gid('Fulfillment', o.fulfilment!.id),
  legacyResourceId: (o) => o.fulfilment!.id,
  name: (o) => `#${o.number}-F1`,
  status: () => 'SUCCESS',
  createdAt: (o) => o.fulfilment!.createdAt,
  updatedAt: (o) => o.fulfilment!.createdAt,
  location: (o) => o.fulfilment!.location,
  trackingInfo: (o) =>
    o.fulfilment!.trackingNumber
      ? [
          {
            company: o.fulfilment!.trackingCompany,
            number: o.fulfilment!.trackingNumber,
            url: trackingUrl(o),
          },
        ]
      : [],
};

export const trackingUrl = (o: Order): string | null =>
  o.fulfilment?.trackingNumber
    ? o.fulfilment.trackingCompany === 'DPD UK'
      ? `https://track.dpd.co.uk/parcels/${o.fulfilment.trackingNumber}`
      : `https://www.royalmail.com/track-your-item#/tracking-results/${o.fulfilment.trackingNumber}`
    : null;

const lineItem: Resolvers<LineItem> = {
  name: (l) => lineName(l),
  currentQuantity: (l) => l.quantity - refundedQuantity(l),
  unfulfilledQuantity: (l) => unfulfilledQuantity(l),
  refundableQuantity: (l) => (l.giftCard ? 0 : l.quantity - refundedQuantity(l)),
  isGiftCard: (l) => l.giftCard,
  variant: (l) => (l.variant.product.deletedAt === null ? l.variant : null),
  product: (l) => (l.variant.product.deletedAt === null ? l.variant.product : null),
  originalUnitPriceSet: (l) => bag(l.order, l.unit),
  originalTotalSet: (l) =>
    bag(
      l.order,
      each(l.unit, (u) => u * l.quantity),
    ),
  discountedTotalSet: (l) => bag(l.order, net(l)),
  // Empty for discount codes, as Shopify leaves it: the allocations carry every discount.
  totalDiscountSet: (l) => bag(l.order, ZERO),
  discountAllocations: (l) =>
    l.discount.shop === 0 ? [] : [{ allocatedAmountSet: bag(l.order, l.discount) }],
  taxLines: (l) => (l.order.taxRule && l.taxable ? [taxLine(l.order, l.order.taxRule, l.tax)] : []),
};

const shippingLine: Resolvers<ShippingLine> = {
  source: () => 'shopify',
  carrierIdentifier: () => null,
  isRemoved: () => false,
  originalPriceSet: (s) => bag(s.order, s.price),
  discountedPriceSet: (s) => bag(s.order, s.price),
  taxLines: (s) => (s.order.taxRule ? [taxLine(s.order, s.order.taxRule, s.tax)] : []),
};

const transaction: Resolvers<Transaction> = {
  formattedGateway: (t) => GATEWAY_NAMES[t.gateway] ?? t.gateway,
  createdAt: (t) => t.processedAt,
  amountSet: (t) => bag(t.order, t.amount),
  parentTransaction: (t) => t.parent,
  fees: (t) =>
    t.fee === 0
      ? []
      : [
          {
            id: gid('TransactionFee', t.id),
            amount: money(t.fee, 'GBP'),
            flatFee: money(t.flatFee, 'GBP'),
            flatFeeName: null,
            rate: String(t.feeRate),
            rateName: t.feeRate > 0.02 ? 'International cards' : 'UK cards',
            taxAmount: money(0, 'GBP'),
            type: 'payment_processing',
          },
        ],
  paymentId: (t) => `#${t.order.number}.${t.order.transactions.indexOf(t) + 1}`,
};

const refund: Resolvers<Refund> = {
  updatedAt: (r) => r.createdAt,
  totalRefundedSet: (r) => bag(r.order, refundTotal(r)),
  refundLineItems: (r, args, context) => connect(context, r.lines, args, byId()),
  refundShippingLines: (r, args, context) => connect(context, r.shipping, args, byId()),
  orderAdjustments: (r, args, context) => connect(context, r.adjustments, args, byId()),
  duties: () => [],
  transactions: (r, args, context) => connect(context, r.transactions, args, byId()),
};

const refundLineItem: Resolvers<RefundLine> = {
  lineItem: (r) => r.line,
  restocked: (r) => r.restockType === 'RETURN' || r.restockType === 'CANCEL',
  priceSet: (r) => bag(r.line.order, r.line.unit),
  subtotalSet: (r) => bag(r.line.order, r.subtotal),
  totalTaxSet: (r) => bag(r.line.order, r.tax),
};

const refundShippingLine: Resolvers<RefundShipping> = {
  shippingLine: (r) => r.line,
  subtotalAmountSet: (r) => bag(r.line.order, r.amount),
  taxAmountSet: (r) => bag(r.line.order, r.tax),
};

const orderAdjustment: Resolvers<RefundAdjustment> = {
  amountSet: (a) => bag(a.order, a.amount),
  taxAmountSet: (a) => bag(a.order, a.tax),
};

const customer: Resolvers<Customer> = {
  displayName: (c) => `${c.firstName} ${c.lastName}`,
  state: (c) => (c.ordersCount > 1 ? 'ENABLED' : 'DISABLED'),
  verifiedEmail: () => true,
  taxExempt: () => false,
  numberOfOrders: (c) => c.ordersCount,
  amountSpent: (c) => money(c.amountSpent, 'GBP'),
  defaultAddress: (c) =>
    mailingAddress(c.address, gid('MailingAddress', `${c.addressId}?model_name=CustomerAddress`)),
  orders: (c, args, context) =>
    connect(
      context,
      context.store.orders.filter((o) => o.customer === c),
      args,
      byId(),
    ),
};

const product: Resolvers<Product> = {
  description: (p) => p.description.replace(/<[^>]+>/g, ''),
  descriptionHtml: (p) => p.description,
  isGiftCard: (p) => p.giftCard,
  hasOnlyDefaultVariant: (p) => p.variants.length === 1 && p.variants[0]!.title === 'Default Title',
  totalInventory: (p) => p.variants.reduce((sum, v) => sum + inventoryQuantity(v), 0),
  tracksInventory: (p) => !p.giftCard,
  onlineStoreUrl: (p, _args, context) =>
    p.status === 'ACTIVE' ? `https://${context.store.shop.domain}/products/${p.handle}` : null,
  featuredMedia: (p) => {
    if (p.imageId === null || p.imageUrl === null) return null;
    const image = {
      id: gid('ImageSource', p.imageId),
      url: p.imageUrl,
      altText: p.title,
      width: 1200,
      height: 1200,
    };
    return {
      id: gid('MediaImage', p.imageId),
      alt: p.title,
      mediaContentType: 'IMAGE',
      status: 'READY',
      mimeType: 'image/jpeg',
      image,
      preview: { image, status: 'READY' },
    };
  },
  options: (p) => [
    {
      id: gid('ProductOption', p.id),
      name: p.optionName,
      position: 1,
      values: p.variants.map((v) => v.title),
    },
  ],
  variants: (p, args, context) => connect(context, p.variants, args, byId()),
  variantsCount: (p) => ({ count: p.variants.length, precision: 'EXACT' }),
};

const variant: Resolvers<Variant> = {
  displayName: (v) => `${v.product.title} - ${v.title}`,
  barcode: (v) => `50${String(v.id).slice(-11)}`,
  price: (v) => fixed(v.price),
  compareAtPrice: (v) => (v.compareAtPrice === null ? null : fixed(v.compareAtPrice)),
  taxable: (v) => !v.product.giftCard,
  availableForSale: (v) =>
    v.product.status === 'ACTIVE' && (!v.inventoryItem.tracked || inventoryQuantity(v) > 0),
  inventoryQuantity: (v) => inventoryQuantity(v),
  inventoryPolicy: () => 'DENY',
  selectedOptions: (v) => [{ name: v.product.optionName, value: v.title }],
};

const inventoryItem: Resolvers<InventoryItem> = {
  sku: (i) => i.variant.sku,
  requiresShipping: (i) => !i.variant.product.giftCard,
  unitCost: (i) => (i.unitCost === null ? null : money(i.unitCost, 'GBP')),
  inventoryLevel: (i, args) =>
    i.levels.find((l) => gid('Location', l.location.id) === args.locationId) ?? null,
  inventoryLevels: (i, args, context) => connect(context, i.levels, args, byId()),
};

const QUANTITY_NAMES = [
  'available',
  'committed',
  'damaged',
  'incoming',
  'on_hand',
  'quality_control',
  'reserved',
  'safety_stock',
];

export const levelGid = (l: InventoryLevel): string =>
  gid('InventoryLevel', `${l.id}?inventory_item_id=${l.item.id}`);

const inventoryLevel: Resolvers<InventoryLevel> = {
  id: (l) => levelGid(l),
  quantities: (l, args) =>
    (args.names as string[]).map((name) => {
      if (!QUANTITY_NAMES.includes(name))
        throw new GraphQLError(`The quantity name '${name}' is not valid.`, {
          extensions: { code: 'BAD_REQUEST' },
        });
      const quantity =
        name === 'available'
          ? l.available
          : name === 'committed'
            ? l.committed
            : name === 'on_hand'
              ? l.available + l.committed
              : 0;
      return {
        id: gid('InventoryQuantity', `${l.id}?inventory_item_id=${l.item.id}&name=${name}`),
        name,
        quantity,
        updatedAt: l.updatedAt,
      };
    }),
  canDeactivate: () => true,
};

export const levelsAt = (context: Context, location: Location): InventoryLevel[] =>
  context.store.variants.flatMap((v) => v.inventoryItem.levels.filter((l) => l.location === location));

const location: Resolvers<Location> = {
  fulfillsOnlineOrders: (l) => l.fulfilsOnlineOrders,
  hasActiveInventory: () => true,
  shipsInventory: (l) => l.fulfilsOnlineOrders,
  address: (l) => mailingAddress(l.address, ''),
  inventoryLevel: (l, args, context) =>
    levelsAt(context, l).find((level) => gid('InventoryItem', level.item.id) === args.inventoryItemId) ??
    null,
  inventoryLevels: (l, args, context) =>
    connect(
      context,
      levelsAt(context, l).sort((a, b) => a.id - b.id),
      args,
      byId(),
    ),
};

const balanceTransaction: Resolvers<BalanceTransaction> = {
  test: () => false,
  transactionDate: (b) => b.date,
  amount: (b) => money(b.amount, 'GBP'),
  fee: (b) => money(b.fee, 'GBP'),
  net: (b) => money(balanceNet(b), 'GBP'),
  sourceOrderTransactionId: (b) => b.orderTransaction?.id ?? null,
  associatedOrder: (b) => (b.order ? { id: gid('Order', b.order.id), name: `#${b.order.number}` } : null),
  associatedPayout: (b) => ({
    id: b.payout ? gid('ShopifyPaymentsPayout', b.payout.id) : null,
    status: b.payout?.status ?? null,
  }),
};

function summary(p: Payout) {
  const gross = (types: string[]) =>
    p.transactions.filter((t) => types.includes(t.type)).reduce((s, t) => s + t.amount, 0);
  const fee = (types: string[]) =>
    p.transactions.filter((t) => types.includes(t.type)).reduce((s, t) => s + t.fee, 0);
  const adjustments = ['ADJUSTMENT', 'DISPUTE'];
  return {
    chargesGross: money(gross(['CHARGE']), 'GBP'),
    chargesFee: money(fee(['CHARGE']), 'GBP'),
    refundsFeeGross: money(gross(['REFUND']), 'GBP'),
    refundsFee: money(fee(['REFUND']), 'GBP'),
    adjustmentsGross: money(gross(adjustments), 'GBP'),
    adjustmentsFee: money(fee(adjustments), 'GBP'),
    reservedFundsGross: money(gross(['RESERVED_FUNDS']), 'GBP'),
    reservedFundsFee: money(fee(['RESERVED_FUNDS']), 'GBP'),
    retriedPayoutsGross: money(0, 'GBP'),
    retriedPayoutsFee: money(0, 'GBP'),
  };
}

const payout: Resolvers<Payout> = {
  net: (p) => money(payoutNet(p), 'GBP'),
  transactionType: () => 'DEPOSIT',
  summary: (p) => summary(p),
};

const dispute: Resolvers<Dispute> = {
  amount: (d) => money(d.amount, 'GBP'),
  reasonDetails: (d) => ({ reason: d.reason, networkReasonCode: d.networkReasonCode }),
  type: (d) => d.kind,
};

export const typeResolvers: Record<string, Resolvers<never>> = {
  Shop: shop,
  Order: order,
  Fulfillment: fulfillment,
  LineItem: lineItem,
  ShippingLine: shippingLine,
  OrderTransaction: transaction,
  Refund: refund,
  RefundLineItem: refundLineItem,
  RefundShippingLine: refundShippingLine,
  OrderAdjustment: orderAdjustment,
  Customer: customer,
  Product: product,
  ProductVariant: variant,
  InventoryItem: inventoryItem,
  InventoryLevel: inventoryLevel,
  Location: location,
  ShopifyPaymentsBalanceTransaction: balanceTransaction,
  ShopifyPaymentsPayout: payout,
  ShopifyPaymentsDispute: dispute,
} as Record<string, Resolvers<never>>;

/** Types whose `id` is the gid of the model object's numeric id. */
export const GID_TYPES: Record<string, string> = {
  Shop: 'Shop',
  Order: 'Order',
  LineItem: 'LineItem',
  ShippingLine: 'ShippingLine',
  OrderTransaction: 'OrderTransaction',
  Refund: 'Refund',
  RefundLineItem: 'RefundLineItem',
  RefundShippingLine: 'RefundShippingLine',
  OrderAdjustment: 'OrderAdjustment',
  Customer: 'Customer',
  Product: 'Product',
  ProductVariant: 'ProductVariant',
  InventoryItem: 'InventoryItem',
  Location: 'Location',
  ShopifyPaymentsBalanceTransaction: 'ShopifyPaymentsBalanceTransaction',
  ShopifyPaymentsPayout: 'ShopifyPaymentsPayout',
  ShopifyPaymentsDispute: 'ShopifyPaymentsDispute',
  WebhookSubscription: 'WebhookSubscription',
  BulkOperation: 'BulkOperation',
};
