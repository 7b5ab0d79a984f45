// The webhook path (REST, snake_case) and the API path (GraphQL, camelCase, here through a bulk
// export) map every order of the simulated shop to the same model, money to the minor unit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShopifySimulator } from '../../src/sim/shopify/index.ts';
import { simulatedClock } from '../support/clock.ts';
import { ShopifyClient } from '../../src/modules/shop/client.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { bulkOrdersQuery } from '../../src/modules/shop/queries.ts';
import { orderFromApi, type OrderFromApi } from '../../src/modules/shop/from-api.ts';
import { orderFromWebhook, refundFromWebhook } from '../../src/modules/shop/from-webhook.ts';
import { Reader } from '../../src/modules/shop/read.ts';
import { refundRule } from '../../src/modules/ledger/rules.ts';
import type { Order, Refund } from '../../src/modules/shop/index.ts';

let sim: ShopifySimulator;
const fromApi = new Map<number, OrderFromApi>();

before(async () => {
  sim = await ShopifySimulator.start({
    now: simulatedClock(),
    adminToken: 'shpat_map_0123456789',
    apiSecret: 'shpss_map_0123456789',
    historyDays: 120,
    ordersPerDay: 8,
    seed: 3,
  });
  const client = new ShopifyClient(
    { shop: sim.shopDomain, adminToken: sim.adminToken, baseUrl: sim.baseUrl },
    { logger: createLogger('silent'), bulkPollMs: 50 },
  );
  const url = await client.waitForBulk(await client.startBulk(bulkOrdersQuery()));
  const fields: Record<string, string> = {
    LineItem: 'lineItems',
    ShippingLine: 'shippingLines',
    RefundLineItem: 'refundLineItems',
    OrderTransaction: 'transactions',
  };
  for await (const object of client.bulkObjects(url, (gid) => fields[gid.split('/')[3]!])) {
    const mapped = orderFromApi(object);
    fromApi.set(mapped.order.id, mapped);
  }
});
after(() => sim.stop());

test('the bulk export brings every order once', () => {
  assert.equal(fromApi.size, sim.counts().orders);
  assert.deepEqual([...fromApi.keys()].sort(), [...sim.orderIds()].sort());
});

test('every order maps to the same model from its webhook body and from the API', () => {
  let foreign = 0;
  let refunded = 0;
  let shippingBack = 0;
  let adjusted = 0;
  for (const [id, api] of fromApi) {
    const body = sim.restOrder(id);
    const webhook = orderFromWebhook(body);
    // Only the API knows the last visit; the first visit's UTM source agrees where the webhook has one.
    assert.deepEqual(
      { ...webhook, firstVisit: null, lastVisit: null },
      { ...api.order, firstVisit: null, lastVisit: null },
      `order ${id}`,
    );
    if (webhook.firstVisit?.source)
      assert.equal(webhook.firstVisit.source, api.order.firstVisit?.source, `order ${id} first visit`);
    if (webhook.presentmentCurrency !== webhook.currency) foreign += 1;
    const refunds = Reader.of(body)
      .list('refunds')
      .map((refund) => refundFromWebhook({ order_id: id, ...refund.value }, webhook.currency));
    assert.equal(refunds.length, api.refunds.length, `order ${id} refunds`);
    for (const refund of refunds) {
      const other = api.refunds.find((r) => r.id === refund.id)!;
      assert.ok(other, `refund ${refund.id}`);
      assert.deepEqual(
        refund.lines.map((l) => [l.lineId, l.quantity, l.restockType, l.subtotal.shop, l.tax.shop]),
        other.lines.map((l) => [l.lineId, l.quantity, l.restockType, l.subtotal.shop, l.tax.shop]),
        `refund ${refund.id} lines`,
      );
      assert.deepEqual(
        refund.transactions.map((t) => [t.id, t.kind, t.amount.presentment]),
        other.transactions.map((t) => [t.id, t.kind, t.amount.presentment]),
        `refund ${refund.id} transactions`,
      );
      // A bulk export reads no refunded shipping (five connections at most): the books still agree.
      // (A webhook's foreign refund has no shop amount until reconciliation fills it from the API.)
      // Where shipping and a restocking fee are in one refund, bulk sees only their sum, whose VAT
      // rounds once rather than twice: a penny apart at most, never more.
      const ruled = (r: Refund, o: Order) => {
        const result = refundRule(r, o, 'Europe/London');
        assert.ok('entry' in result, `refund ${r.id}: ${JSON.stringify(result)}`);
        return Object.fromEntries(
          result.entry.postings.map((p) => [`${p.account} ${p.jurisdiction ?? ''}`, p.amount]),
        );
      };
      const fromBulk = ruled(other, api.order);
      const fromWebhook = ruled({ ...refund, transactions: other.transactions }, webhook);
      if (refund.shipping.length && refund.adjustments.length) {
        assert.deepEqual(
          Object.keys(fromBulk).sort(),
          Object.keys(fromWebhook).sort(),
          `refund ${refund.id}`,
        );
        for (const [account, amount] of Object.entries(fromWebhook))
          assert.ok(Math.abs(fromBulk[account]! - amount) <= 1, `refund ${refund.id} ${account}`);
      } else assert.deepEqual(fromBulk, fromWebhook, `refund ${refund.id} in the books`);
      if (refund.shipping.length) shippingBack += 1;
      if (refund.adjustments.length) adjusted += 1;
      refunded += 1;
    }
  }
  assert.ok(foreign > 0, 'some orders are in a foreign currency');
  assert.ok(refunded > 0, 'some orders have refunds');
  assert.ok(shippingBack > 0, 'some refunds give shipping back');
  assert.ok(adjusted > 0, 'some refunds keep a restocking fee or give goodwill');
});

test('money adds up in the model: lines, shipping, tax and duties make the total, in the shop’s money', () => {
  let duties = 0;
  for (const { order } of fromApi.values()) {
    const lines = order.lines.reduce(
      (sum, line) => sum + line.unitPrice.shop * line.quantity - line.discount.shop,
      0,
    );
    const shipping = order.shippingLines.reduce((sum, line) => sum + line.discountedPrice.shop, 0);
    const tax = order.taxesIncluded ? 0 : order.tax.shop;
    assert.equal(lines + shipping + tax + order.duties.shop, order.total.shop, `order ${order.name}`);
    if (order.duties.shop) duties += 1;
  }
  assert.ok(duties > 0, 'some parcels to the US went duties paid');
});
