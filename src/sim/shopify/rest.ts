// The REST view of the model: webhook bodies are REST resources in snake_case even for apps that use
// GraphQL. Unsuffixed money fields are the shop's currency written with two decimals ("29.00"), the
// `*_set` fields carry both currencies, timestamps carry the shop's UTC offset, and ids are numbers.
// Transactions are the exception, as in Shopify: `amount` and `currency` are what the customer paid.
// Every value comes from the same model the GraphQL view reads.
import { isoLocal } from './clock.ts';
import {
  financialStatus,
  fulfilmentStatus,
  gid,
  lineName,
  orderTaxLines,
  orderTotals,
  refundedQuantity,
  TAXES_INCLUDED,
  unfulfilledQuantity,
  type Address,
  type Customer,
  type Dispute,
  type InventoryLevel,
  type LineItem,
  type Order,
  type Product,
  type Refund,
  type ShippingLine,
  type Shop,
  type Transaction,
} from './model.ts';
import { fixed, isZero, negate, ZERO, type Pair } from './money.ts';
import type { Store } from './store.ts';
import { inventoryQuantity } from './stock.ts';
import { gatewayNames, levelGid, trackingUrl } from './views.ts';

type Json = Record<string, unknown>;

const time = (store: Store, ms: number | null): string | null =>
  ms === null ? null : isoLocal(ms, store.shop.timeZone);

const moneySet = (order: Order, amount: Pair): Json => ({
  shop_money: { amount: fixed(amount.shop), currency_code: 'GBP' },
  presentment_money: { amount: fixed(amount.presentment), currency_code: order.currency },
});

const address = (a: Address | null): Json | null =>
  a && {
    first_name: a.firstName,
    address1: a.address1,
    phone: a.phone,
    city: a.city,
    zip: a.zip,
    province: a.province,
    country: a.country,
    last_name: a.lastName,
    address2: null,
    company: a.company,
    latitude: null,
    longitude: null,
    name: `${a.firstName} ${a.lastName}`,
    country_code: a.countryCode,
    province_code: a.provinceCode,
  };

const taxLine = (order: Order, title: string, rate: number, amount: Pair): Json => ({
  channel_liable: false,
  price: fixed(amount.shop),
  price_set: moneySet(order, amount),
  rate,
  title,
});

function lineItem(line: LineItem): Json {
  const order = line.order;
  const current = line.quantity - refundedQuantity(line);
  return {
    id: line.id,
    admin_graphql_api_id: gid('LineItem', line.id),
    attributed_staffs: [],
    current_quantity: current,
    fulfillable_quantity: unfulfilledQuantity(line),
    fulfillment_service: 'manual',
    fulfillment_status: line.fulfilled > 0 ? (unfulfilledQuantity(line) > 0 ? 'partial' : 'fulfilled') : null,
    gift_card: line.giftCard,
    grams: line.grams,
    name: lineName(line),
    price: fixed(line.unit.shop),
    price_set: moneySet(order, line.unit),
    product_exists: line.variant.product.deletedAt === null,
    product_id: line.variant.product.id,
    properties: [],
    quantity: line.quantity,
    requires_shipping: line.requiresShipping,
    sku: line.sku,
    taxable: line.taxable,
    title: line.title,
    // Shopify leaves a line's total_discount empty for discount codes: the allocations carry them.
    total_discount: fixed(0),
    total_discount_set: moneySet(order, ZERO),
    variant_id: line.variant.id,
    variant_inventory_management: line.variant.inventoryItem.tracked ? 'shopify' : null,
    variant_title: line.variantTitle,
    vendor: line.vendor,
    tax_lines:
      order.taxRule && line.taxable
        ? [taxLine(order, order.taxRule.title, order.taxRule.rate, line.tax)]
        : [],
    duties: [],
    discount_allocations:
      line.discount.shop === 0
        ? []
        : [
            {
              amount: fixed(line.discount.shop),
              amount_set: moneySet(order, line.discount),
              discount_application_index: 0,
            },
          ],
  };
}

function shippingLine(line: ShippingLine): Json {
  const order = line.order;
  return {
    id: line.id,
    carrier_identifier: null,
    code: line.code,
    discounted_price: fixed(line.price.shop),
    discounted_price_set: moneySet(order, line.price),
    is_removed: false,
    phone: null,
    price: fixed(line.price.shop),
    price_set: moneySet(order, line.price),
    requested_fulfillment_service_id: null,
    source: 'shopify',
    title: line.title,
    tax_lines: order.taxRule ? [taxLine(order, order.taxRule.title, order.taxRule.rate, line.tax)] : [],
    discount_allocations: [],
  };
}

export function restTransaction(store: Store, t: Transaction): Json {
  return {
    id: t.id,
    admin_graphql_api_id: gid('OrderTransaction', t.id),
    amount: fixed(t.amount.presentment),
    authorization: t.authorizationCode,
    created_at: time(store, t.processedAt),
    currency: t.order.currency,
    device_id: null,
    error_code: t.errorCode?.toLowerCase() ?? null,
    gateway: t.gateway,
    kind: t.kind.toLowerCase(),
    location_id: t.order.sourceName === 'pos' ? t.order.location.id : null,
    message: t.status === 'SUCCESS' ? 'Transaction approved' : 'Your card was declined.',
    order_id: t.order.id,
    parent_id: t.parent?.id ?? null,
    payment_id: `#${t.order.number}.${t.order.transactions.indexOf(t) + 1}`,
    processed_at: time(store, t.processedAt),
    receipt: {},
    source_name: t.order.sourceName,
    status: t.status.toLowerCase(),
    test: t.test,
    user_id: null,
  };
}

export function restRefund(store: Store, refund: Refund): Json {
  const order = refund.order;
  return {
    id: refund.id,
    admin_graphql_api_id: gid('Refund', refund.id),
    created_at: time(store, refund.createdAt),
    note: refund.note,
    order_id: order.id,
    processed_at: time(store, refund.createdAt),
    restock: refund.restock,
    total_duties_set: moneySet(order, { shop: 0, presentment: 0 }),
    user_id: null,
    // Shipping given back as REST has reported it since 2024-10 (refund_shipping_lines, the price only),
    // with the shipping_refund order adjustment Shopify still sends beside it (negative, VAT included,
    // the VAT inside as tax_amount); then the difference between the refund worked out and the one made.
    refund_shipping_lines: refund.shipping.map((s) => ({
      id: s.id,
      shipping_line_id: s.line.id,
      subtotal_amount_set: moneySet(order, s.amount),
    })),
    order_adjustments: [
      ...refund.shipping.map((s) => ({
        id: s.id,
        order_id: order.id,
        refund_id: refund.id,
        amount: fixed(-s.amount.shop),
        tax_amount: fixed(-s.tax.shop),
        kind: 'shipping_refund',
        reason: 'Shipping refund',
        amount_set: moneySet(order, negate(s.amount)),
        tax_amount_set: moneySet(order, negate(s.tax)),
      })),
      ...refund.adjustments.map((a) => ({
        id: a.id,
        order_id: order.id,
        refund_id: refund.id,
        amount: fixed(a.amount.shop),
        tax_amount: fixed(a.tax.shop),
        kind: 'refund_discrepancy',
        reason:
          a.reason === 'RESTOCK' ? 'Restocking fee' : a.reason === 'DAMAGE' ? 'Damage' : 'Refund discrepancy',
        amount_set: moneySet(order, a.amount),
        tax_amount_set: moneySet(order, a.tax),
      })),
    ],
    transactions: refund.transactions.map((t) => restTransaction(store, t)),
    refund_line_items: refund.lines.map((r) => ({
      id: r.id,
      line_item_id: r.line.id,
      location_id: r.location?.id ?? null,
      quantity: r.quantity,
      restock_type: r.restockType.toLowerCase(),
      subtotal: fixed(r.subtotal.shop),
      subtotal_set: moneySet(order, r.subtotal),
      total_tax: fixed(r.tax.shop),
      total_tax_set: moneySet(order, r.tax),
      line_item: lineItem(r.line),
    })),
    duties: [],
  };
}

export function restCustomer(store: Store, c: Customer): Json {
  return {
    id: c.id,
    email: c.email,
    created_at: time(store, c.createdAt),
    updated_at: time(store, c.updatedAt),
    first_name: c.firstName,
    last_name: c.lastName,
    orders_count: c.ordersCount,
    state: c.ordersCount > 1 ? 'enabled' : 'disabled',
    total_spent: fixed(c.amountSpent),
    last_order_id: c.lastOrder?.id ?? null,
    note: c.note,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    tags: c.tags.join(', '),
    last_order_name: c.lastOrder ? `#${c.lastOrder.number}` : null,
    currency: 'GBP',
    phone: c.phone,
    email_marketing_consent: {
      state: c.acceptsMarketing ? 'subscribed' : 'not_subscribed',
      opt_in_level: 'single_opt_in',
      consent_updated_at: c.acceptsMarketing ? time(store, c.createdAt) : null,
    },
    sms_marketing_consent: null,
    tax_exemptions: [],
    admin_graphql_api_id: gid('Customer', c.id),
    default_address: { id: c.addressId, customer_id: c.id, ...address(c.address), default: true },
  };
}

export function restOrder(store: Store, order: Order): Json {
  const totals = orderTotals(order);
  const status = financialStatus(order);
  const fulfilment = fulfilmentStatus(order);
  const first = order.firstVisit;
  return {
    id: order.id,
    admin_graphql_api_id: gid('Order', order.id),
    app_id: order.sourceName === 'pos' ? 129785 : 580111,
    browser_ip: null,
    buyer_accepts_marketing: order.customer?.acceptsMarketing ?? false,
    cancel_reason: order.cancelReason?.toLowerCase() ?? null,
    cancelled_at: time(store, order.cancelledAt),
    cart_token: null,
    checkout_id: null,
    checkout_token: null,
    client_details: null,
    closed_at: time(store, order.closedAt),
    confirmation_number: order.token.slice(0, 9).toUpperCase(),
    confirmed: true,
    contact_email: order.email,
    created_at: time(store, order.createdAt),
    currency: 'GBP',
    customer_locale: 'en-GB',
    discount_codes: order.discount
      ? [{ code: order.discount.code, amount: fixed(totals.discounts.shop), type: order.discount.kind }]
      : [],
    email: order.email ?? '',
    estimated_taxes: false,
    financial_status: status.toLowerCase(),
    fulfillment_status:
      fulfilment === 'FULFILLED'
        ? 'fulfilled'
        : fulfilment === 'PARTIALLY_FULFILLED'
          ? 'partial'
          : fulfilment === 'RESTOCKED'
            ? 'restocked'
            : null,
    landing_site: first?.landingPath ?? null,
    landing_site_ref: null,
    location_id: order.sourceName === 'pos' ? order.location.id : null,
    name: `#${order.number}`,
    note: order.note,
    note_attributes: [],
    number: order.number - 1000,
    order_number: order.number,
    order_status_url: `https://${store.shop.domain}/${store.shop.id}/orders/${order.token}/authenticate?key=${order.token.slice(0, 16)}`,
    payment_gateway_names: gatewayNames(order),
    phone: null,
    presentment_currency: order.currency,
    processed_at: time(store, order.processedAt),
    referring_site: first?.referrer ?? '',
    source_identifier: null,
    source_name: order.sourceName,
    subtotal_price: fixed(totals.subtotal.shop),
    subtotal_price_set: moneySet(order, totals.subtotal),
    tags: order.tags.join(', '),
    tax_exempt: false,
    tax_lines: orderTaxLines(order).map((t) => taxLine(order, t.title, t.rate, t.amount)),
    taxes_included: TAXES_INCLUDED,
    test: order.test,
    token: order.token,
    total_discounts: fixed(totals.discounts.shop),
    total_discounts_set: moneySet(order, totals.discounts),
    total_line_items_price: fixed(totals.lineItems.shop),
    total_line_items_price_set: moneySet(order, totals.lineItems),
    total_outstanding: '0.00',
    total_price: fixed(totals.total.shop),
    total_price_set: moneySet(order, totals.total),
    total_shipping_price_set: moneySet(order, totals.shipping),
    total_tax: fixed(totals.tax.shop),
    total_tax_set: moneySet(order, totals.tax),
    total_tip_received: '0.00',
    ...(isZero(order.duties)
      ? {}
      : {
          original_total_duties_set: moneySet(order, order.duties),
          current_total_duties_set: moneySet(order, order.duties),
        }),
    total_weight: order.lines.reduce((sum, line) => sum + line.grams * line.quantity, 0),
    updated_at: time(store, order.updatedAt),
    user_id: null,
    billing_address: address(order.billingAddress),
    customer: order.customer ? restCustomer(store, order.customer) : null,
    discount_applications: order.discount
      ? [
          {
            target_type: 'line_item',
            type: 'discount_code',
            value:
              order.discount.kind === 'percentage'
                ? `${order.discount.value}.0`
                : fixed(order.discount.value),
            value_type: order.discount.kind,
            allocation_method: 'across',
            target_selection: 'all',
            code: order.discount.code,
          },
        ]
      : [],
    fulfillments: order.fulfilment
      ? [
          {
            id: order.fulfilment.id,
            admin_graphql_api_id: gid('Fulfillment', order.fulfilment.id),
            created_at: time(store, order.fulfilment.createdAt),
            location_id: order.fulfilment.location.id,
            name: `#${order.number}.1`,
            order_id: order.id,
            service: 'manual',
            shipment_status: null,
            status: 'success',
            tracking_company: order.fulfilment.trackingCompany,
            tracking_number: order.fulfilment.trackingNumber,
            tracking_numbers: order.fulfilment.trackingNumber ? [order.fulfilment.trackingNumber] : [],
            tracking_url: trackingUrl(order),
            tracking_urls: order.fulfilment.trackingNumber ? [trackingUrl(order)] : [],
            updated_at: time(store, order.fulfilment.createdAt),
            line_items: order.lines.filter((line) => line.fulfilled > 0).map(lineItem),
          },
        ]
      : [],
    line_items: order.lines.map(lineItem),
    payment_terms: null,
    refunds: order.refunds.map((r) => restRefund(store, r)),
    shipping_address: address(order.shippingAddress),
    shipping_lines: order.shipping.map(shippingLine),
  };
}

export function restDispute(store: Store, d: Dispute): Json {
  return {
    id: d.id,
    order_id: d.order.id,
    type: d.kind.toLowerCase(),
    amount: fixed(d.amount),
    currency: 'GBP',
    reason: d.reason.toLowerCase(),
    network_reason_code: d.networkReasonCode,
    status: d.status.toLowerCase(),
    evidence_due_by: time(store, d.evidenceDueBy),
    evidence_sent_on: time(store, d.evidenceSentOn),
    finalized_on: time(store, d.finalizedOn),
    initiated_at: time(store, d.initiatedAt),
  };
}

export function restProduct(store: Store, p: Product): Json {
  const optionId = p.id + 1;
  const image = p.imageUrl
    ? {
        id: p.imageId,
        product_id: p.id,
        position: 1,
        src: p.imageUrl,
        alt: p.title,
        width: 1200,
        height: 1200,
        variant_ids: [],
      }
    : null;
  return {
    admin_graphql_api_id: gid('Product', p.id),
    body_html: p.description,
    created_at: time(store, p.createdAt),
    handle: p.handle,
    id: p.id,
    product_type: p.productType,
    published_at: time(store, p.publishedAt),
    template_suffix: null,
    title: p.title,
    updated_at: time(store, p.updatedAt),
    vendor: p.vendor,
    status: p.status.toLowerCase(),
    published_scope: 'global',
    tags: p.tags.join(', '),
    variants: p.variants.map((v) => ({
      admin_graphql_api_id: gid('ProductVariant', v.id),
      barcode: `50${String(v.id).slice(-11)}`,
      compare_at_price: v.compareAtPrice === null ? null : fixed(v.compareAtPrice),
      created_at: time(store, v.createdAt),
      id: v.id,
      inventory_policy: 'deny',
      position: v.position,
      price: fixed(v.price),
      product_id: p.id,
      sku: v.sku,
      taxable: !p.giftCard,
      title: v.title,
      updated_at: time(store, v.updatedAt),
      option1: v.title,
      option2: null,
      option3: null,
      image_id: null,
      inventory_item_id: v.inventoryItem.id,
      inventory_quantity: inventoryQuantity(v),
      old_inventory_quantity: inventoryQuantity(v),
      requires_shipping: !p.giftCard,
      grams: v.grams,
      weight: v.grams / 1000,
      weight_unit: 'kg',
    })),
    options: [
      {
        name: p.optionName,
        id: optionId,
        product_id: p.id,
        position: 1,
        values: p.variants.map((v) => v.title),
      },
    ],
    images: image ? [image] : [],
    image,
  };
}

export function restInventoryLevel(store: Store, level: InventoryLevel): Json {
  return {
    inventory_item_id: level.item.id,
    location_id: level.location.id,
    available: level.available,
    updated_at: time(store, level.updatedAt),
    admin_graphql_api_id: levelGid(level),
  };
}

export function restShop(store: Store, shop: Shop): Json {
  return {
    id: shop.id,
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    province: shop.address.province,
    country: shop.address.countryCode,
    address1: shop.address.address1,
    zip: shop.address.zip,
    city: shop.address.city,
    phone: shop.address.phone,
    created_at: time(store, shop.createdAt),
    updated_at: time(store, shop.updatedAt),
    country_code: shop.address.countryCode,
    country_name: shop.address.country,
    currency: shop.currency,
    customer_email: shop.email,
    timezone: '(GMT+00:00) Europe/London',
    iana_timezone: shop.timeZone,
    shop_owner: shop.ownerName,
    money_format: '£{{amount}}',
    money_with_currency_format: '£{{amount}} GBP',
    weight_unit: 'kg',
    province_code: shop.address.provinceCode,
    taxes_included: shop.taxesIncluded,
    tax_shipping: true,
    plan_display_name: 'Grow',
    plan_name: 'professional',
    myshopify_domain: shop.domain,
    primary_location_id: store.locations[0]?.id ?? null,
    enabled_presentment_currencies: ['GBP', 'EUR', 'USD'],
  };
}

export function restProductDeleted(p: Product): Json {
  return { id: p.id };
}
