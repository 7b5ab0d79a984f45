// The Shopify simulator behaves like the Admin API and webhooks shopkeep talks to: auth, paging,
// search, cost and throttling, bulk exports, money that adds up, one model behind the REST and
// GraphQL views, and signed webhooks whose id survives a re-send.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShopifySimulator } from '../../src/sim/shopify/index.ts';
import { SIMULATED_NOW, simulatedClock } from '../support/clock.ts';
import { generateShop } from '../../src/sim/shopify/data.ts';
import {
  BALANCE_TRANSACTIONS_QUERY,
  BULK_RUN_MUTATION,
  BULK_STATUS_QUERY,
  CUSTOMERS_QUERY,
  ORDER_QUERY,
  ORDER_VERSIONS_QUERY,
  PAYOUTS_QUERY,
  PRODUCT_QUERY,
  PRODUCT_VERSIONS_QUERY,
  WEBHOOK_CREATE_MUTATION,
  WEBHOOK_DELETE_MUTATION,
  bulkOrdersQuery,
} from '../../src/modules/shop/queries.ts';

// Answers off the wire, checked field by field: typing them would only add casts.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TOKEN = 'shpat_unit_test_token';
const SECRET = 'shpss_unit_test_secret';
let sim: ShopifySimulator;

before(async () => {
  sim = await ShopifySimulator.start({
    now: simulatedClock(),
    adminToken: TOKEN,
    apiSecret: SECRET,
    seed: 7,
    historyDays: 90,
    ordersPerDay: 12,
    // A roomy bucket: these tests read a lot; throttling has its own simulator below.
    bucket: { maximumAvailable: 1_000_000, restoreRate: 100_000 },
    webhookRetryDelaysMs: [20, 40],
  });
});

after(async () => {
  await sim?.stop();
});

const endpoint = (s: ShopifySimulator, version = '2026-10') =>
  `${s.baseUrl}/admin/api/${version}/graphql.json`;

async function call(
  s: ShopifySimulator,
  query: string,
  variables: Record<string, unknown> = {},
  token: string | null = TOKEN,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(endpoint(s), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'x-shopify-access-token': token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

async function data(query: string, variables: Record<string, unknown> = {}): Promise<Json> {
  const { status, body } = await call(sim, query, variables);
  assert.equal(status, 200);
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data as Json;
}

/** "29.99" / "30.0" / "-4.5" → pence, without floating point. */
function pence(amount: string): number {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const value = Number(whole) * 100 + Number(`${fraction}00`.slice(0, 2));
  return negative ? -value : value;
}

const bagOf = (set: Json) => ({
  shop: pence(set.shopMoney.amount),
  presentment: pence(set.presentmentMoney.amount),
});
const restBag = (set: Json) => ({
  shop: pence(set.shop_money.amount),
  presentment: pence(set.presentment_money.amount),
});

test('the Admin API refuses a call without the access token, or with the wrong one', async () => {
  for (const token of [null, 'shpat_wrong']) {
    const { status, body } = await call(sim, '{ shop { name } }', {}, token);
    assert.equal(status, 401);
    assert.deepEqual(body, {
      errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    });
  }
  const other = await fetch(endpoint(sim, '2023-01'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
    body: JSON.stringify({ query: '{ shop { name } }' }),
  });
  assert.equal(other.status, 404);
});

test('products page by cursor, each exactly once, and each reads back with the real shapes', async () => {
  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const page: Json = (await data(PRODUCT_VERSIONS_QUERY, { first: 7, after })).products;
    pages += 1;
    for (const product of page.nodes) {
      assert.match(product.legacyResourceId, /^\d+$/);
      assert.match(product.updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      seen.push(product.legacyResourceId);
    }
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  assert.ok(pages > 5);
  assert.equal(new Set(seen).size, seen.length, 'no product twice');
  assert.equal(seen.length, sim.counts().products);
  let variants = 0;
  for (const id of seen) {
    const product = (await data(PRODUCT_QUERY, { id: `gid://shopify/Product/${id}` })).product as Json;
    assert.equal(product.id, `gid://shopify/Product/${id}`);
    assert.ok(['ACTIVE', 'DRAFT', 'ARCHIVED'].includes(product.status));
    assert.ok(Array.isArray(product.tags));
    assert.equal(product.variants.pageInfo.hasNextPage, false);
    for (const variant of product.variants.nodes) {
      variants += 1;
      assert.match(variant.price, /^\d+\.\d\d$/);
      assert.match(variant.inventoryItem.id, /^gid:\/\/shopify\/InventoryItem\/\d+$/);
      if (variant.inventoryItem.unitCost) {
        assert.match(variant.inventoryItem.unitCost.amount, /^\d+\.\d{1,2}$/);
        assert.equal(variant.inventoryItem.unitCost.currencyCode, 'GBP');
      } else assert.equal(variant.inventoryItem.tracked, false, 'only gift cards have no cost');
    }
  }
  assert.ok(variants > seen.length);
});

test('`updated_at:>=` finds exactly the orders changed since a time, in updated order', async () => {
  const updated = sim.orderIds().map((id) => Date.parse(sim.restOrder(id).updated_at as string));
  const since = [...updated].sort((a, b) => a - b)[Math.floor(updated.length * 0.7)]!;
  const iso = new Date(since).toISOString();
  const versions = async (query: string): Promise<Json[]> => {
    const found: Json[] = [];
    let after: string | null = null;
    do {
      const page: Json = (await data(ORDER_VERSIONS_QUERY, { first: 100, query, after })).orders;
      found.push(...page.nodes);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    return found;
  };
  const found = await versions(`updated_at:>='${iso}'`);
  assert.equal(found.length, updated.filter((at) => at >= since).length);
  assert.ok(found.length > 100, 'more than one page');
  const times = found.map((order) => Date.parse(order.updatedAt));
  assert.ok(times.every((at) => at >= since));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
  );
  // Strictly after, combined with AND as shopkeep's reconciliation asks.
  const until = new Date(Date.now() + 60_000).toISOString();
  const strictly = await versions(`updated_at:>'${iso}' AND updated_at:<='${until}'`);
  assert.equal(strictly.length, updated.filter((at) => at > since).length);
  // An unquoted date means midnight in London.
  const customers = (await data(CUSTOMERS_QUERY, { first: 50, query: `updated_at:>=${iso.slice(0, 10)}` }))
    .customers;
  assert.ok(customers.nodes.length > 0);
  assert.ok(customers.nodes.every((c: Json) => Date.parse(c.updatedAt) >= since - 86_400_000));
});

test('every answer carries its cost, and a page size over 250 is refused', async () => {
  const { body } = await call(sim, '{ shop { name } }');
  assert.equal(body.extensions.cost.requestedQueryCost, 1);
  assert.equal(body.extensions.cost.actualQueryCost, 1);
  assert.deepEqual(Object.keys(body.extensions.cost.throttleStatus).sort(), [
    'currentlyAvailable',
    'maximumAvailable',
    'restoreRate',
  ]);
  const tooMany = await call(sim, '{ products(first: 251) { nodes { id } } }');
  assert.equal(tooMany.status, 200);
  assert.match(tooMany.body.errors[0].message, /250/);
  const unsized = await call(sim, '{ products { nodes { id } } }');
  assert.equal(unsized.body.errors[0].message, 'you must provide one of first or last');
});

test("an unknown field is a validation error in Shopify's shape, with HTTP 200", async () => {
  const { status, body } = await call(sim, '{ shop { name nickname } }');
  assert.equal(status, 200);
  assert.equal(body.errors[0].message, "Field 'nickname' doesn't exist on type 'Shop'");
  assert.equal(body.errors[0].extensions.code, 'undefinedField');
  assert.deepEqual(body.errors[0].locations, [{ line: 1, column: 15 }]);
});

test('a drained bucket answers THROTTLED, a query over 1000 points is refused, and injected failures look like a bad day at Shopify', async () => {
  const small = await ShopifySimulator.start({
    now: simulatedClock(),
    adminToken: TOKEN,
    apiSecret: SECRET,
    historyDays: 5,
    bucket: { maximumAvailable: 50, restoreRate: 1 },
  });
  try {
    let throttled: Json | undefined;
    for (let i = 0; i < 10 && !throttled; i += 1) {
      const { status, body } = await call(small, CUSTOMERS_QUERY, { first: 10 });
      assert.equal(status, 200);
      if (body.errors) throttled = body;
    }
    assert.ok(throttled, 'the bucket ran dry');
    assert.deepEqual(throttled.errors, [
      {
        message: 'Throttled',
        extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
      },
    ]);
    const cost = throttled.extensions.cost;
    assert.equal(cost.requestedQueryCost, 22);
    assert.equal(cost.actualQueryCost, null);
    assert.equal(cost.throttleStatus.maximumAvailable, 50);
    assert.equal(cost.throttleStatus.restoreRate, 1);
    assert.ok(cost.throttleStatus.currentlyAvailable < cost.requestedQueryCost);

    // 50 orders with 50 lines each, priced in both currencies, is more than one query may ask for.
    const expensive = await call(
      small,
      '{ orders(first: 50) { nodes { id lineItems(first: 50) { nodes { id originalUnitPriceSet { shopMoney { amount } presentmentMoney { amount } } } } } } }',
    );
    assert.equal(expensive.status, 200);
    const [error] = expensive.body.errors;
    assert.equal(error.extensions.code, 'MAX_COST_EXCEEDED');
    assert.equal(error.extensions.maxCost, 1000);
    assert.ok(error.extensions.cost > 1000);
    assert.match(error.message, /^Query cost is \d+, which exceeds the single query max cost limit \(1000\)/);
    assert.equal(expensive.body.data, undefined);

    small.failures.add('server-error');
    const broken = await fetch(endpoint(small), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
      body: JSON.stringify({ query: '{ shop { name } }' }),
    });
    assert.equal(broken.status, 502);
    assert.match(broken.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await broken.text(), /502 Bad Gateway/);

    small.failures.add('malformed');
    const garbled = await fetch(endpoint(small), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
      body: JSON.stringify({ query: '{ shop { name } }' }),
    });
    await assert.rejects(garbled.json());

    small.failures.add('hang');
    await assert.rejects(
      fetch(endpoint(small), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
        body: JSON.stringify({ query: '{ shop { name } }' }),
        signal: AbortSignal.timeout(200),
      }),
    );
  } finally {
    await small.stop();
  }
});

/** Runs BULK_ORDERS_QUERY the way shopkeep does and returns the JSONL lines. */
async function bulkExport(query = bulkOrdersQuery()): Promise<Json[]> {
  const run = (await data(BULK_RUN_MUTATION, { query })).bulkOperationRunQuery;
  assert.deepEqual(run.userErrors, []);
  assert.equal(run.bulkOperation.status, 'CREATED');
  // Only one bulk query runs at a time (a new one sits queued for a moment, so this is not a race).
  const second = (await data(BULK_RUN_MUTATION, { query })).bulkOperationRunQuery;
  assert.equal(second.bulkOperation, null);
  assert.match(second.userErrors[0].message, /already in progress/);
  assert.equal(second.userErrors[0].message.includes(run.bulkOperation.id), true);
  let status: Json;
  for (;;) {
    status = (await data(BULK_STATUS_QUERY, { id: run.bulkOperation.id })).node;
    if (status.status === 'COMPLETED' || status.status === 'FAILED') break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(status.status, 'COMPLETED');
  assert.equal(status.errorCode, null);
  if (status.objectCount === '0') return [];
  const text = await (await fetch(status.url)).text();
  const lines = text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Json);
  assert.equal(String(lines.length), status.objectCount);
  return lines;
}

interface Rebuilt {
  order: Json;
  lineItems: Json[];
  shippingLines: Json[];
  refundLineItems: Map<string, Json[]>;
  refundTransactions: Map<string, Json[]>;
}

let exported: Map<string, Rebuilt> | undefined;

/** Puts the JSONL back together: every child under the parent named by __parentId, seen before it. */
async function exportedOrders(): Promise<Map<string, Rebuilt>> {
  if (exported) return exported;
  const orders = new Map<string, Rebuilt>();
  const refunds = new Map<string, Rebuilt>();
  for (const line of await bulkExport()) {
    if (!line.__parentId) {
      assert.match(line.id, /^gid:\/\/shopify\/Order\/\d+$/);
      const rebuilt: Rebuilt = {
        order: line,
        lineItems: [],
        shippingLines: [],
        refundLineItems: new Map(),
        refundTransactions: new Map(),
      };
      orders.set(line.id, rebuilt);
      for (const refund of line.refunds) {
        assert.equal(refund.refundLineItems, undefined, 'connections are not inline');
        refunds.set(refund.id, rebuilt);
      }
      continue;
    }
    const parent = line.__parentId as string;
    const order = orders.get(parent);
    const refundOwner = refunds.get(parent);
    assert.ok(order || refundOwner, `parent ${parent} written before its child`);
    if (order && line.id.startsWith('gid://shopify/LineItem/')) order.lineItems.push(line);
    else if (order && line.id.startsWith('gid://shopify/ShippingLine/')) order.shippingLines.push(line);
    else if (refundOwner && line.lineItem) {
      refundOwner.refundLineItems.set(parent, [...(refundOwner.refundLineItems.get(parent) ?? []), line]);
    } else if (refundOwner && line.id?.startsWith('gid://shopify/OrderTransaction/')) {
      refundOwner.refundTransactions.set(parent, [
        ...(refundOwner.refundTransactions.get(parent) ?? []),
        line,
      ]);
    } else assert.fail(`unexpected line ${JSON.stringify(line)}`);
  }
  exported = orders;
  return orders;
}

test('a bulk export of bulkOrdersQuery() rebuilds every order with its lines, shipping, refunds and transactions', async () => {
  const orders = await exportedOrders();
  assert.equal(orders.size, sim.counts().orders);
  let refunded = 0;
  for (const [id, rebuilt] of orders) {
    const rest = sim.restOrder(Number(id.split('/').pop())) as Json;
    assert.deepEqual(
      rebuilt.lineItems.map((line) => line.id),
      rest.line_items.map((line: Json) => `gid://shopify/LineItem/${line.id}`),
    );
    assert.deepEqual(
      rebuilt.shippingLines.map((line) => line.id),
      rest.shipping_lines.map((line: Json) => `gid://shopify/ShippingLine/${line.id}`),
    );
    assert.equal(rebuilt.order.refunds.length, rest.refunds.length);
    for (const [index, refund] of rebuilt.order.refunds.entries()) {
      const restRefund = rest.refunds[index];
      refunded += 1;
      assert.equal(refund.id, `gid://shopify/Refund/${restRefund.id}`);
      assert.deepEqual(
        (rebuilt.refundLineItems.get(refund.id) ?? []).map((r) => [r.lineItem.id, r.quantity, r.restockType]),
        restRefund.refund_line_items.map((r: Json) => [
          `gid://shopify/LineItem/${r.line_item_id}`,
          r.quantity,
          r.restock_type.toUpperCase(),
        ]),
      );
      assert.deepEqual(
        (rebuilt.refundTransactions.get(refund.id) ?? []).map((t) => t.id),
        restRefund.transactions.map((t: Json) => `gid://shopify/OrderTransaction/${t.id}`),
      );
    }
  }
  assert.ok(refunded > 10, `${refunded} refunds exported`);

  // A search narrows the export to the orders it matches.
  const since = [...orders.values()].map((o) => Date.parse(o.order.updatedAt)).sort((a, b) => a - b)[
    orders.size - 20
  ]!;
  const recent = await bulkExport(bulkOrdersQuery(`updated_at:>='${new Date(since).toISOString()}'`));
  const roots = recent.filter((line) => !line.__parentId);
  assert.ok(roots.length >= 20);
  assert.ok(roots.every((line) => Date.parse(line.updatedAt) >= since));
});

test('the bulk export and a paged ORDER_QUERY give the same order, field for field', async () => {
  const orders = [...(await exportedOrders()).values()];
  const sample = [
    ...orders.filter((o) => o.order.refunds.length > 0).slice(0, 8),
    ...orders.filter((o) => o.order.presentmentCurrencyCode !== 'GBP').slice(0, 4),
    ...orders.slice(0, 4),
  ];
  const strip = ({ __parentId, ...rest }: Json) => rest;
  for (const { order, lineItems, shippingLines, refundLineItems, refundTransactions } of sample) {
    const paged = (await data(ORDER_QUERY, { id: order.id })).order as Json;
    const { lineItems: pagedLines, shippingLines: pagedShipping, refunds, ...fields } = paged;
    // A bulk query holds five connections at most: refunded shipping and adjustments are read by the
    // paged query alone.
    assert.deepEqual(
      {
        ...fields,
        refunds: refunds.map(
          ({
            refundLineItems: _l,
            transactions: _t,
            refundShippingLines: _s,
            orderAdjustments: _a,
            ...r
          }: Json) => r,
        ),
      },
      order,
    );
    assert.deepEqual(pagedLines.nodes, lineItems.map(strip));
    assert.deepEqual(pagedShipping.nodes, shippingLines.map(strip));
    for (const refund of refunds) {
      assert.deepEqual(refund.refundLineItems.nodes, (refundLineItems.get(refund.id) ?? []).map(strip));
      assert.deepEqual(refund.transactions.nodes, (refundTransactions.get(refund.id) ?? []).map(strip));
    }
  }
});

test('money adds up on every order, in pounds and in the currency the customer paid', async () => {
  const orders = await exportedOrders();
  const sides = ['shop', 'presentment'] as const;
  let foreign = 0;
  for (const { order, lineItems, shippingLines, refundTransactions } of orders.values()) {
    if (order.presentmentCurrencyCode !== 'GBP') foreign += 1;
    for (const side of sides) {
      const gross = lineItems.reduce((sum, l) => sum + bagOf(l.originalUnitPriceSet)[side] * l.quantity, 0);
      // Every discount is in the allocations (a line's totalDiscountSet stays empty for codes).
      const discounts = lineItems.reduce(
        (sum, l) =>
          sum +
          l.discountAllocations.reduce((all: number, a: Json) => all + bagOf(a.allocatedAmountSet)[side], 0),
        0,
      );
      const shipping = shippingLines.reduce((sum, s) => sum + bagOf(s.discountedPriceSet)[side], 0);
      const taxes = [...lineItems, ...shippingLines]
        .flatMap((x) => x.taxLines)
        .reduce((sum, t) => sum + bagOf(t.priceSet)[side], 0);
      const tax = order.taxesIncluded ? 0 : taxes;
      const label = `${order.name} (${side})`;
      const duties = order.originalTotalDutiesSet ? bagOf(order.originalTotalDutiesSet)[side] : 0;
      assert.equal(gross - discounts + shipping + tax + duties, bagOf(order.totalPriceSet)[side], label);
      assert.equal(gross - discounts, bagOf(order.subtotalPriceSet)[side], label);
      assert.equal(discounts, bagOf(order.totalDiscountsSet)[side], label);
      assert.equal(shipping, bagOf(order.totalShippingPriceSet)[side], label);
      assert.equal(taxes, bagOf(order.totalTaxSet)[side], label);
      assert.equal(
        order.taxLines.reduce((sum: number, t: Json) => sum + bagOf(t.priceSet)[side], 0),
        taxes,
        label,
      );
      const refunds = order.transactions
        .filter((t: Json) => t.kind === 'REFUND' && t.status === 'SUCCESS')
        .reduce((sum: number, t: Json) => sum + bagOf(t.amountSet)[side], 0);
      assert.equal(refunds, bagOf(order.totalRefundedSet)[side], label);
      for (const refund of order.refunds) {
        const moved = (refundTransactions.get(refund.id) ?? []).reduce(
          (sum, t) => sum + bagOf(t.amountSet)[side],
          0,
        );
        assert.equal(moved, bagOf(refund.totalRefundedSet)[side], label);
      }
    }
    if (order.currencyCode !== order.presentmentCurrencyCode)
      assert.notEqual(order.totalPriceSet.shopMoney.amount, order.totalPriceSet.presentmentMoney.amount);
  }
  const share = foreign / orders.size;
  assert.ok(share > 0.03 && share < 0.15, `${(share * 100).toFixed(1)}% paid in another currency`);
});

test('each payout pays out exactly the nets of its balance transactions', async () => {
  const payouts: Json[] = [];
  let after: string | null = null;
  do {
    const page: Json = (await data(PAYOUTS_QUERY, { first: 50, after })).shopifyPaymentsAccount.payouts;
    payouts.push(...page.nodes);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  const nets = new Map<string, number>();
  const types = new Set<string>();
  after = null;
  do {
    const page: Json = (await data(BALANCE_TRANSACTIONS_QUERY, { first: 50, after })).shopifyPaymentsAccount
      .balanceTransactions;
    for (const entry of page.nodes) {
      types.add(entry.type);
      assert.equal(pence(entry.net.amount), pence(entry.amount.amount) - pence(entry.fee.amount));
      if (entry.associatedPayout.id)
        nets.set(
          entry.associatedPayout.id,
          (nets.get(entry.associatedPayout.id) ?? 0) + pence(entry.net.amount),
        );
    }
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  assert.equal(payouts.length, sim.counts().payouts);
  assert.ok(payouts.length > 10);
  for (const payout of payouts) {
    assert.equal(nets.get(payout.id), pence(payout.net.amount), `payout ${payout.id}`);
    const summary = payout.summary as Json;
    const gross = ['chargesGross', 'refundsFeeGross', 'adjustmentsGross', 'reservedFundsGross'].reduce(
      (s, k) => s + pence(summary[k].amount),
      0,
    );
    const fees = ['chargesFee', 'refundsFee', 'adjustmentsFee', 'reservedFundsFee'].reduce(
      (s, k) => s + pence(summary[k].amount),
      0,
    );
    assert.equal(gross - fees, pence(payout.net.amount));
  }
  // Newest first: the next one scheduled, the last one maybe still on its way, the rest paid.
  assert.equal(payouts[0]!.status, 'SCHEDULED');
  assert.ok(['IN_TRANSIT', 'PAID'].includes(payouts[1]!.status));
  assert.ok(
    payouts.slice(2).every((p) => p.status === 'PAID'),
    'older payouts are paid',
  );
  for (const type of ['CHARGE', 'REFUND', 'DISPUTE', 'ADJUSTMENT', 'RESERVED_FUNDS'])
    assert.ok(types.has(type), type);
});

test('the REST view and the GraphQL view of the same order agree', async () => {
  const orders = await exportedOrders();
  const instant = (value: string) => Date.parse(value);
  for (const { order, lineItems } of orders.values()) {
    const rest = sim.restOrder(Number(order.legacyResourceId)) as Json;
    assert.equal(String(rest.id), order.legacyResourceId);
    assert.equal(rest.admin_graphql_api_id, order.id);
    assert.equal(rest.name, order.name);
    assert.match(rest.created_at, /[+-]\d\d:\d\d$/);
    assert.equal(instant(rest.created_at), instant(order.createdAt));
    assert.equal(instant(rest.updated_at), instant(order.updatedAt));
    assert.equal(instant(rest.processed_at), instant(order.processedAt));
    assert.equal(
      rest.cancelled_at && instant(rest.cancelled_at),
      order.cancelledAt && instant(order.cancelledAt),
    );
    assert.equal(rest.presentment_currency, order.presentmentCurrencyCode);
    assert.equal(rest.financial_status, order.displayFinancialStatus.toLowerCase());
    assert.deepEqual(restBag(rest.total_price_set), bagOf(order.totalPriceSet));
    assert.deepEqual(restBag(rest.subtotal_price_set), bagOf(order.subtotalPriceSet));
    assert.deepEqual(restBag(rest.total_tax_set), bagOf(order.totalTaxSet));
    assert.deepEqual(restBag(rest.total_discounts_set), bagOf(order.totalDiscountsSet));
    assert.deepEqual(restBag(rest.total_shipping_price_set), bagOf(order.totalShippingPriceSet));
    assert.equal(pence(rest.total_price), bagOf(order.totalPriceSet).shop);
    assert.deepEqual(rest.payment_gateway_names, order.paymentGatewayNames);
    assert.deepEqual(
      rest.discount_codes.map((d: Json) => d.code),
      order.discountCodes,
    );
    assert.equal(rest.customer?.id ?? null, order.customer ? Number(order.customer.legacyResourceId) : null);
    rest.line_items.forEach((line: Json, i: number) => {
      const other = lineItems[i]!;
      assert.equal(line.quantity, other.quantity);
      assert.equal(line.sku, other.sku);
      assert.equal(line.variant_id, Number(other.variant.legacyResourceId));
      assert.deepEqual(restBag(line.price_set), bagOf(other.originalUnitPriceSet));
      assert.deepEqual(
        line.discount_allocations.map((a: Json) => restBag(a.amount_set)),
        other.discountAllocations.map((a: Json) => bagOf(a.allocatedAmountSet)),
      );
    });
    const withUtm = order.customerJourneySummary?.firstVisit?.utmParameters;
    if (withUtm) assert.ok(rest.landing_site.includes(`utm_source=${withUtm.source}`));
  }
});

test('UTM parameters arrive lowercase on a good share of web orders, and some orders have no journey', async () => {
  const orders = [...(await exportedOrders()).values()].map((r) => r.order);
  const tagged = orders.filter((o) => o.customerJourneySummary?.firstVisit?.utmParameters);
  const untracked = orders.filter((o) => !o.customerJourneySummary?.firstVisit);
  assert.ok(tagged.length > orders.length * 0.2, `${tagged.length} of ${orders.length} with UTM`);
  assert.ok(untracked.length > orders.length * 0.1);
  for (const order of tagged) {
    const utm = order.customerJourneySummary.firstVisit.utmParameters;
    assert.ok(['instagram', 'facebook', 'tiktok', 'linkedin', 'email'].includes(utm.source), utm.source);
    assert.ok(['social', 'email'].includes(utm.medium));
  }
});

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function receiver(
  answer: (received: Received, index: number) => number,
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks) };
      received.push(entry);
      response.writeHead(answer(entry, received.length - 1)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, received };
}

const verifies = (received: Received): boolean => {
  const expected = createHmac('sha256', SECRET).update(received.body).digest();
  const given = Buffer.from(String(received.headers['x-shopify-hmac-sha256'] ?? ''), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
};

test('webhooks are signed with the app secret; a re-sent or retried delivery keeps its webhook id', async () => {
  let failedOnce = false;
  const { server, url, received } = await receiver((entry) => {
    // The first refunds/create is refused, so Shopify's retry can be seen.
    if (entry.headers['x-shopify-topic'] === 'refunds/create' && !failedOnce) {
      failedOnce = true;
      return 500;
    }
    return 200;
  });
  try {
    for (const topic of ['ORDERS_CREATE', 'ORDERS_PAID', 'REFUNDS_CREATE', 'ORDERS_UPDATED']) {
      const created = (await data(WEBHOOK_CREATE_MUTATION, { topic, uri: url })).webhookSubscriptionCreate;
      assert.deepEqual(created.userErrors, []);
    }
    const again = (await data(WEBHOOK_CREATE_MUTATION, { topic: 'ORDERS_CREATE', uri: url }))
      .webhookSubscriptionCreate;
    assert.equal(again.userErrors[0].message, 'Address for this topic has already been taken');
    assert.equal(sim.subscriptions().length, 4);

    const placed = await sim.placeOrder();
    assert.equal(placed[0]!.topic, 'orders/create');
    const created = received.find((r) => r.headers['x-shopify-topic'] === 'orders/create')!;
    assert.ok(created, 'orders/create arrived');
    assert.ok(verifies(created));
    assert.equal(created.headers['x-shopify-shop-domain'], sim.shopDomain);
    assert.equal(created.headers['x-shopify-api-version'], '2026-10');
    assert.match(String(created.headers['x-shopify-webhook-id']), /^[0-9a-f-]{36}$/);
    assert.ok(created.headers['x-shopify-event-id']);
    assert.ok(created.headers['x-shopify-triggered-at']);
    const order = JSON.parse(created.body.toString('utf8')) as Json;
    assert.equal(order.admin_graphql_api_id, `gid://shopify/Order/${order.id}`);
    assert.ok(received.some((r) => r.headers['x-shopify-topic'] === 'orders/paid'));

    const firstId = created.headers['x-shopify-webhook-id'];
    const status = await sim.send(placed[0]!);
    assert.equal(status, 200);
    const resent = received[received.length - 1]!;
    assert.equal(resent.headers['x-shopify-webhook-id'], firstId);
    assert.ok(verifies(resent));

    assert.equal(await sim.send(placed[0]!, { tamper: 'wrong-signature' }), 200);
    assert.ok(!verifies(received[received.length - 1]!));
    await sim.send(placed[0]!, { tamper: 'no-signature' });
    assert.equal(received[received.length - 1]!.headers['x-shopify-hmac-sha256'], undefined);

    await sim.refundOrder(order.id, { partial: true });
    const refundAttempts = received.filter((r) => r.headers['x-shopify-topic'] === 'refunds/create');
    assert.equal(refundAttempts.length, 2, 'refused once, retried once');
    assert.equal(
      refundAttempts[0]!.headers['x-shopify-webhook-id'],
      refundAttempts[1]!.headers['x-shopify-webhook-id'],
    );
    assert.deepEqual(
      sim
        .deliveryLog()
        .filter((a) => a.topic === 'refunds/create')
        .map((a) => a.status),
      [500, 200],
    );

    for (const subscription of sim.subscriptions()) {
      const deleted = (await data(WEBHOOK_DELETE_MUTATION, { id: subscription.id }))
        .webhookSubscriptionDelete;
      assert.equal(deleted.deletedWebhookSubscriptionId, subscription.id);
    }
    assert.equal(sim.subscriptions().length, 0);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('every live change bumps updated_at, and the REST body reflects it', async () => {
  const placed = await sim.placeOrder({ deliver: false });
  const order = JSON.parse(placed.find((d) => d.topic === 'orders/create')!.body) as Json;
  assert.equal(order.financial_status, 'paid');
  const times = [Date.parse(order.updated_at)];
  await sim.fulfilOrder(order.id, { deliver: false }).catch(() => undefined);
  times.push(Date.parse(sim.restOrder(order.id).updated_at as string));
  const refunded = await sim.refundOrder(order.id, { deliver: false });
  const refund = JSON.parse(refunded.find((d) => d.topic === 'refunds/create')!.body) as Json;
  times.push(Date.parse(sim.restOrder(order.id).updated_at as string));
  assert.ok(times[1]! > times[0]! && times[2]! > times[1]!, times.join(' < '));
  assert.equal(sim.restOrder(order.id).financial_status, 'refunded');
  const given = refund.transactions.reduce((sum: number, t: Json) => sum + pence(t.amount), 0);
  assert.equal(given, restBag(order.total_price_set).presentment);
});

test('the driver cancels, disputes, re-prices and re-counts, each with the webhook Shopify sends', async () => {
  // Orders over the counter, and gift cards alone, are handed over at once and cannot be cancelled.
  let order: Json;
  do order = JSON.parse((await sim.placeOrder({ deliver: false }))[0]!.body) as Json;
  while (order.fulfillment_status !== null);
  const cancelled = await sim.cancelOrder(order.id, { deliver: false });
  assert.deepEqual(
    cancelled.slice(0, 2).map((d) => d.topic),
    ['orders/cancelled', 'orders/updated'],
  );
  const after = sim.restOrder(order.id) as Json;
  assert.equal(after.cancel_reason, 'customer');
  assert.ok(after.cancelled_at);
  assert.ok(
    ['refunded', 'partially_refunded', 'voided'].includes(after.financial_status),
    after.financial_status,
  );
  await assert.rejects(sim.cancelOrder(order.id, { deliver: false }), /already cancelled/);

  const card = sim
    .orderIds()
    .map((id) => sim.restOrder(id) as Json)
    .find(
      (o) => o.payment_gateway_names.includes('shopify_payments') && o.financial_status === 'paid' && !o.test,
    )!;
  const before = sim.counts();
  const [disputed] = await sim.openDispute(card.id, { deliver: false });
  assert.equal(disputed!.topic, 'disputes/create');
  const dispute = JSON.parse(disputed!.body) as Json;
  assert.equal(dispute.order_id, card.id);
  assert.equal(dispute.status, 'needs_response');
  assert.equal(sim.counts().disputes, before.disputes + 1);
  assert.equal(
    sim.counts().balanceTransactions,
    before.balanceTransactions + (dispute.type === 'chargeback' ? 1 : 0),
  );

  const product = JSON.parse(sim.delivery('products/update', card.line_items[0].product_id).body) as Json;
  const [updated] = await sim.updateProduct(product.id, { deliver: false });
  const reprised = JSON.parse(updated!.body) as Json;
  assert.equal(updated!.topic, 'products/update');
  assert.ok(Date.parse(reprised.updated_at) > Date.parse(product.updated_at));

  const variant = reprised.variants[0];
  const level = JSON.parse(sim.delivery('inventory_levels/update', variant.inventory_item_id).body) as Json;
  const [counted] = await sim.setInventory(level.inventory_item_id, level.location_id, 7, { deliver: false });
  const recounted = JSON.parse(counted!.body) as Json;
  assert.equal(recounted.available, 7);
  assert.equal(recounted.admin_graphql_api_id, level.admin_graphql_api_id);
  assert.ok(Date.parse(recounted.updated_at) > Date.parse(level.updated_at));
});

test('the live stream keeps placing orders until it is stopped', async () => {
  const start = sim.counts().orders;
  sim.startLiveStream(10);
  try {
    const deadline = Date.now() + 5000;
    while (sim.counts().orders < start + 3 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    sim.stopLiveStream();
  }
  assert.ok(sim.counts().orders >= start + 3);
});

test('the same seed and clock give the same shop', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  const a = generateShop({ seed: 99, shopDomain: 'a.myshopify.com', now, historyDays: 20, ordersPerDay: 8 });
  const b = generateShop({ seed: 99, shopDomain: 'a.myshopify.com', now, historyDays: 20, ordersPerDay: 8 });
  assert.equal(a.store.orders.length, b.store.orders.length);
  assert.deepEqual(
    a.store.orders.map((o) => [o.id, o.createdAt, o.updatedAt, o.lines.length]),
    b.store.orders.map((o) => [o.id, o.createdAt, o.updatedAt, o.lines.length]),
  );
  assert.ok(a.store.orders.every((o) => o.id < 2 ** 53 && o.createdAt <= now && o.updatedAt <= now));
});

test('50,000 orders generate in seconds (time reported, not asserted)', (t) => {
  const started = performance.now();
  const { store } = generateShop({
    seed: 11,
    shopDomain: 'bench.myshopify.com',
    now: SIMULATED_NOW,
    historyDays: 365,
    ordersPerDay: 0,
    orderCount: 50_000,
  });
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(
    `50,000 orders, ${store.customers.length} customers, ${store.balanceTransactions.length} balance transactions in ${seconds.toFixed(2)} s`,
  );
  assert.equal(store.orders.length, 50_000);
});

test('restarted on the same history, the shop is the same shop: same orders, same payments; new orders get new ids and numbers', async () => {
  const historyUntil = SIMULATED_NOW;
  const started = (minutesLater: number) =>
    ShopifySimulator.start({
      now: simulatedClock(historyUntil + minutesLater * 60_000),
      historyUntil,
      adminToken: TOKEN,
      apiSecret: SECRET,
      historyDays: 20,
    });
  const first = await started(1);
  const history = first.orderIds().map((id) => first.restOrder(id));
  const placedBefore = JSON.parse((await first.placeOrder({ deliver: false }))[0]!.body);
  await first.stop();
  const second = await started(30); // restarted half an hour later
  try {
    assert.deepEqual(
      second.orderIds().map((id) => second.restOrder(id)),
      history,
      'the generated year is the same, down to each payment',
    );
    const placedAfter = JSON.parse((await second.placeOrder({ deliver: false }))[0]!.body);
    assert.ok(
      Number(placedAfter.id) > Number(placedBefore.id),
      'a new order never takes an id given out before',
    );
    assert.ok(Number(placedAfter.order_number) > Number(placedBefore.order_number), 'nor an order number');
  } finally {
    await second.stop();
  }
});
