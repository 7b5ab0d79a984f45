// Webhook bodies (the REST resources, snake_case) → the shop model. Shopify sends money both as a
// plain decimal in the shop's currency and as `*_set` {shop_money, presentment_money}; the set wins.
import type {
  Amount,
  Customer,
  Dispute,
  InventoryLevel,
  Order,
  Product,
  Refund,
  RefundMoney,
  TaxLine,
  Transaction,
} from './model.ts';
import { visitFromLandingPage } from './model.ts';
import { Reader } from './read.ts';

interface Currencies {
  shop: string;
  presentment: string;
}

function amount(resource: Reader, key: string, currencies: Currencies): Amount {
  const set = resource.optionalObject(`${key}_set`);
  if (set) {
    const shop = set.object('shop_money');
    const presentment = set.optionalObject('presentment_money') ?? shop;
    return {
      shop: shop.money('amount', shop.optionalString('currency_code') ?? currencies.shop),
      presentment: presentment.money(
        'amount',
        presentment.optionalString('currency_code') ?? currencies.presentment,
      ),
    };
  }
  const plain = resource.money(key, currencies.shop);
  // Without the set only the shop's money is known; the customer's equals it in a one-currency order.
  return { shop: plain, presentment: plain };
}

function optionalAmount(resource: Reader, key: string, currencies: Currencies): Amount {
  return resource.has(`${key}_set`) || resource.has(key)
    ? amount(resource, key, currencies)
    : { shop: 0, presentment: 0 };
}

/**
 * A line's discount is what its discount allocations add up to: Shopify fills them for every kind of
 * discount and leaves total_discount empty for ordinary discount codes. Without allocations (an old
 * payload), total_discount.
 */
function lineDiscount(line: Reader, currencies: Currencies): Amount {
  if (!line.has('discount_allocations')) return optionalAmount(line, 'total_discount', currencies);
  const total = { shop: 0, presentment: 0 };
  for (const allocation of line.list('discount_allocations')) {
    const part = amount(allocation, 'amount', currencies);
    total.shop += part.shop;
    total.presentment += part.presentment;
  }
  return total;
}

const negate = (value: Amount): Amount => ({ shop: -value.shop, presentment: -value.presentment });

function taxLines(resource: Reader, currencies: Currencies): TaxLine[] {
  return resource.list('tax_lines').map((line) => ({
    title: line.optionalString('title') ?? 'Tax',
    rate: String(line.value.rate ?? '0'),
    amount: amount(line, 'price', currencies),
  }));
}

export function orderFromWebhook(body: unknown): Order {
  const order = Reader.of(body, 'order');
  const shop = order.string('currency');
  const currencies = { shop, presentment: order.optionalString('presentment_currency') ?? shop };
  const address = order.optionalObject('shipping_address');
  return {
    id: order.id('id'),
    name: order.string('name'),
    createdAt: order.time('created_at'),
    updatedAt: order.time('updated_at'),
    processedAt: order.optionalTime('processed_at'),
    cancelledAt: order.optionalTime('cancelled_at'),
    cancelReason: order.optionalString('cancel_reason'),
    closedAt: order.optionalTime('closed_at'),
    test: order.boolean('test'),
    currency: shop,
    presentmentCurrency: currencies.presentment,
    taxesIncluded: order.boolean('taxes_included'),
    financialStatus: order.optionalString('financial_status')?.toLowerCase() ?? null,
    // REST says null for nothing shipped yet; the API says UNFULFILLED.
    fulfillmentStatus: order.optionalString('fulfillment_status')?.toLowerCase() ?? 'unfulfilled',
    email: order.optionalString('email') || null,
    customerId: order.optionalObject('customer')?.optionalId('id') ?? null,
    tags: order.strings('tags'),
    gateways: order.strings('payment_gateway_names'),
    discountCodes: order.list('discount_codes').map((code) => code.string('code')),
    sourceName: order.optionalString('source_name'),
    shippingCountry: address?.optionalString('country_code') ?? null,
    shippingProvince: address?.optionalString('province_code') ?? null,
    subtotal: amount(order, 'subtotal_price', currencies),
    total: amount(order, 'total_price', currencies),
    tax: optionalAmount(order, 'total_tax', currencies),
    shipping: optionalAmount(order, 'total_shipping_price', currencies),
    discounts: optionalAmount(order, 'total_discounts', currencies),
    duties: optionalAmount(order, 'original_total_duties', currencies),
    companyId: order.optionalObject('company')?.optionalId('id') ?? null,
    taxLines: taxLines(order, currencies),
    lines: order.list('line_items').map((line) => ({
      id: line.id('id'),
      variantId: line.optionalId('variant_id'),
      productId: line.optionalId('product_id'),
      sku: line.optionalString('sku') || null,
      name: line.optionalString('name') ?? line.optionalString('title') ?? '',
      quantity: line.integer('quantity'),
      unitPrice: amount(line, 'price', currencies),
      discount: lineDiscount(line, currencies),
      taxLines: taxLines(line, currencies),
      giftCard: line.boolean('gift_card'),
    })),
    shippingLines: order.list('shipping_lines').map((line) => ({
      id: line.id('id'),
      title: line.optionalString('title') ?? 'Shipping',
      price: amount(line, 'price', currencies),
      discountedPrice:
        line.has('discounted_price_set') || line.has('discounted_price')
          ? amount(line, 'discounted_price', currencies)
          : amount(line, 'price', currencies),
      taxLines: taxLines(line, currencies),
    })),
    firstVisit: visitFromLandingPage(
      order.optionalString('landing_site'),
      order.optionalString('referring_site'),
    ),
    lastVisit: null,
  };
}

export function transactionFromWebhook(
  body: unknown,
  shopCurrency: string,
  path = 'transaction',
): Transaction {
  const transaction = Reader.of(body, path);
  const currency = transaction.optionalString('currency') ?? shopCurrency;
  const set = transaction.optionalObject('amount_set');
  let shop: number | null;
  let presentment: number;
  if (set) {
    const shopMoney = set.object('shop_money');
    const presentmentMoney = set.optionalObject('presentment_money') ?? shopMoney;
    shop = shopMoney.money('amount', shopMoney.optionalString('currency_code') ?? shopCurrency);
    presentment = presentmentMoney.money(
      'amount',
      presentmentMoney.optionalString('currency_code') ?? currency,
    );
  } else {
    presentment = transaction.money('amount', currency);
    shop = currency === shopCurrency ? presentment : null;
  }
  return {
    id: transaction.id('id'),
    orderId: transaction.id('order_id'),
    kind: transaction.string('kind').toLowerCase(),
    status: (transaction.optionalString('status') ?? 'success').toLowerCase(),
    gateway: transaction.optionalString('gateway') ?? 'unknown',
    processedAt: transaction.optionalTime('processed_at') ?? transaction.time('created_at'),
    parentId: transaction.optionalId('parent_id'),
    test: transaction.boolean('test'),
    currency,
    amount: { shop, presentment },
    fee: null,
  };
}

export function refundFromWebhook(body: unknown, shopCurrency: string): Refund {
  const refund = Reader.of(body, 'refund');
  const orderId = refund.id('order_id');
  const currencies = { shop: shopCurrency, presentment: shopCurrency };
  return {
    id: refund.id('id'),
    orderId,
    createdAt: refund.time('created_at'),
    note: refund.optionalString('note'),
    lines: refund.list('refund_line_items').map((line) => ({
      lineId: line.id('line_item_id'),
      quantity: line.integer('quantity'),
      restockType: (line.optionalString('restock_type') ?? 'no_restock').toLowerCase(),
      subtotal: optionalAmount(line, 'subtotal', currencies),
      tax: optionalAmount(line, 'total_tax', currencies),
    })),
    ...refundMoney(refund, currencies),
    transactions: refund
      .list('transactions')
      .map((transaction, index) =>
        transactionFromWebhook(
          { order_id: orderId, ...transaction.value },
          shopCurrency,
          `refund.transactions[${index}]`,
        ),
      ),
  };
}

/**
 * Shipping given back, the adjustments, and duties. Shipping is `refund_shipping_lines` since API
 * 2024-10 (its tax in `tax_amount_set`, else in the matching shipping_refund adjustment), and an order
 * adjustment of kind shipping_refund before (negative, tax included): either is read, never both.
 */
function refundMoney(refund: Reader, currencies: Currencies): RefundMoney {
  const adjustments = refund.list('order_adjustments').map((adjustment) => ({
    kind: (adjustment.optionalString('kind') ?? adjustment.optionalString('reason') ?? 'refund_discrepancy')
      .toLowerCase()
      .replace(/ /g, '_'),
    reason: adjustment.optionalString('reason') ?? adjustment.optionalString('kind') ?? 'Refund discrepancy',
    amount: optionalAmount(adjustment, 'amount', currencies),
    tax: optionalAmount(adjustment, 'tax_amount', currencies),
  }));
  const shippingAdjustments = adjustments.filter((adjustment) => adjustment.kind === 'shipping_refund');
  const lines = refund.list('refund_shipping_lines');
  const shipping = lines.length
    ? lines.map((line, index) => ({
        subtotal: optionalAmount(line, 'subtotal_amount', currencies),
        tax:
          line.has('tax_amount_set') || line.has('tax_amount')
            ? optionalAmount(line, 'tax_amount', currencies)
            : negate(shippingAdjustments[index]?.tax ?? { shop: 0, presentment: 0 }),
      }))
    : shippingAdjustments.map((adjustment) => ({
        subtotal: negate(adjustment.amount),
        tax: negate(adjustment.tax),
      }));
  let duties = { shop: 0, presentment: 0 };
  if (refund.has('total_duties_set')) duties = optionalAmount(refund, 'total_duties', currencies);
  return {
    shipping,
    adjustments: adjustments
      .filter((adjustment) => adjustment.kind !== 'shipping_refund')
      .map(({ reason, amount, tax }) => ({ reason, amount, tax })),
    duties,
  };
}

/** Webhook variant prices are decimals in the shop's currency, which the body does not name. */
export function productFromWebhook(body: unknown, shopCurrency: string): Product {
  const product = Reader.of(body, 'product');
  const id = product.id('id');
  return {
    id,
    title: product.string('title'),
    handle: product.optionalString('handle') ?? '',
    status: (product.optionalString('status') ?? 'active').toLowerCase(),
    vendor: product.optionalString('vendor'),
    productType: product.optionalString('product_type'),
    tags: product.strings('tags'),
    imageUrl: product.optionalObject('image')?.optionalString('src') ?? null,
    createdAt: product.time('created_at'),
    updatedAt: product.time('updated_at'),
    variants: product.list('variants').map((variant) => ({
      id: variant.id('id'),
      productId: id,
      title: variant.optionalString('title') ?? '',
      sku: variant.optionalString('sku') || null,
      price: variant.money('price', shopCurrency),
      compareAtPrice: variant.has('compare_at_price')
        ? variant.money('compare_at_price', shopCurrency)
        : null,
      inventoryItemId: variant.optionalId('inventory_item_id'),
      inventoryQuantity: variant.optionalInteger('inventory_quantity'),
      unitCost: null,
    })),
  };
}

export function inventoryLevelFromWebhook(body: unknown): InventoryLevel {
  const level = Reader.of(body, 'inventory_level');
  return {
    inventoryItemId: level.id('inventory_item_id'),
    locationId: level.id('location_id'),
    available: level.optionalInteger('available') ?? 0,
    updatedAt: level.time('updated_at'),
  };
}

export function customerFromWebhook(body: unknown): Customer {
  const customer = Reader.of(body, 'customer');
  return {
    id: customer.id('id'),
    email: customer.optionalString('email'),
    firstName: customer.optionalString('first_name'),
    lastName: customer.optionalString('last_name'),
    phone: customer.optionalString('phone'),
    tags: customer.strings('tags'),
    createdAt: customer.time('created_at'),
    updatedAt: customer.time('updated_at'),
  };
}

export function disputeFromWebhook(body: unknown): Dispute {
  const dispute = Reader.of(body, 'dispute');
  const currency = dispute.string('currency');
  return {
    id: dispute.id('id'),
    orderId: dispute.optionalId('order_id'),
    status: dispute.string('status').toLowerCase(),
    reason: dispute.optionalString('reason'),
    currency,
    amount: dispute.money('amount', currency),
    initiatedAt: dispute.time('initiated_at'),
    evidenceDueBy: dispute.optionalTime('evidence_due_by'),
    finalizedOn: dispute.optionalTime('finalized_on'),
  };
}
