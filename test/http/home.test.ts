// The home page an owner opens in the morning: today's and yesterday's sales against the same day
// last week, 30 days of sales on labelled axes, this month's profit, the cash, what waits for them,
// the alerts taken together, and what happened since they last looked; the system's health only
// when something is wrong.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { rememberShop, sampleOrder, storeOrders, testShopEnv } from '../support/shop.ts';

let server: TestServer;
let owner: LoggedIn;

const NOW = new Date('2026-12-15T12:00:00Z');
const gbp = (minor: number) => ({ shop: minor, presentment: minor });

before(async () => {
  server = await startTestServer({ clock: () => NOW, env: testShopEnv });
  await rememberShop(server.db.pool);
  let id = 5_550_000_000_100;
  const order = (at: string, total: number, extra: Parameters<typeof sampleOrder>[0] = {}) => {
    id += 1;
    return {
      order: sampleOrder({
        id,
        name: `#${id % 10_000}`,
        createdAt: at,
        updatedAt: at,
        processedAt: at,
        total: gbp(total),
        ...extra,
      }),
    };
  };
  await storeOrders(
    server.db.pool,
    order('2026-12-15T09:00:00Z', 3000), // today
    order('2026-12-15T10:30:00Z', 2000),
    order('2026-12-15T11:00:00Z', 9900, { cancelledAt: '2026-12-15T11:05:00Z' }), // cancelled: left out
    order('2026-12-15T11:10:00Z', 7700, { test: true }), // a test order: left out
    order('2026-12-14T23:30:00Z', 4000), // yesterday in London
    order('2026-12-08T15:00:00Z', 2500), // the same day last week
    order('2026-12-07T15:00:00Z', 8000), // yesterday's same day last week
  );
  owner = await loginAs(server, 'owner');
});
after(() => server?.close());

const home = (who = owner) => server.app.inject({ method: 'GET', url: '/', headers: { cookie: who.cookie } });

/** The text of one card, tags taken out. */
function card(body: string, name: string): string {
  const match = body.match(
    new RegExp(`<section class="card[^"]*" data-card="${name}">([\\s\\S]*?)</section>`),
  );
  assert.ok(match, `the home page has the ${name} card`);
  return match[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

test('sales today and yesterday, with orders, average order and the change against last week', async () => {
  const page = await home();
  assert.equal(page.statusCode, 200);
  const sales = card(page.body, 'sales');
  // Today: £30 + £20 in 2 orders, against £25 a week before; yesterday £40 against £80.
  assert.match(sales, /Sales £50\.00 \+100% £40\.00 −50%/);
  assert.match(sales, /Orders 2 \+100% 1 ±0%/);
  assert.match(sales, /Average order £25\.00 ±0% £40\.00 −50%/);
  assert.match(page.body, /href="\/orders\?from=2026-12-14&amp;to=2026-12-15"/);
});

test('30 days of sales on a chart with its axes labelled and each day named with its value', async () => {
  const page = await home();
  const chart = page.body.match(/<svg[^>]*data-testid="sales-chart"[\s\S]*?<\/svg>/)?.[0];
  assert.ok(chart);
  assert.equal((chart.match(/<rect /g) ?? []).length, 30);
  assert.match(chart, /<title>15 Dec 2026: £50\.00<\/title>/);
  assert.match(chart, /<title>16 Nov 2026: £0\.00<\/title>/);
  assert.match(chart, /class="tick"[^>]*>16 Nov</);
  assert.match(chart, /class="tick"[^>]*>15 Dec</);
  assert.match(chart, /class="tick"[^>]*>£80\.00</, 'the value axis goes up to the best day');
  assert.match(chart, /class="tick"[^>]*>£0\.00</);
});

test('money cards, what waits, alerts taken together, and what happened since the last look', async () => {
  const notifications = server.face('notifications');
  for (const sku of ['ARG-OIL-100', 'NH-PADDLE', 'SB-VOL-MS-250'])
    await notifications.send({
      kind: 'ledger.stock_negative',
      severity: 'warning',
      title: `Sold more of ${sku} than the books hold`,
      body: '…',
    });
  const someone = await loginAs(server, 'staff'); // who has not opened the home page yet
  const first = await home(someone);
  assert.match(
    card(first.body, 'profit'),
    /Profit this month so far £-?[\d,]+\.\d\d .*1 Dec 2026 to 15 Dec 2026/,
  );
  assert.match(card(first.body, 'cash'), /£[\d,]+\.\d\d in the bank/);
  assert.match(card(first.body, 'approvals'), /Waiting for your approval \(0\) Nothing to decide/);
  assert.match(
    card(first.body, 'alerts'),
    /Sold more of SB-VOL-MS-250 than the books hold, and 2 more like it/,
  );
  assert.match(card(first.body, 'since'), /Since yesterday 4 orders came in/);
  assert.doesNotMatch(first.body, /Database|Jobs running/, 'the system’s health is on Operations');

  const second = await home(someone);
  assert.match(card(second.body, 'since'), /Since you last looked \(15 Dec 2026, 12:00\) Nothing new/);
  const ops = await server.app.inject({ method: 'GET', url: '/ops', headers: { cookie: someone.cookie } });
  assert.match(ops.body, /Database[\s\S]*connected/);
});

test('the orders list says how many orders the filter finds and what they come to, with quick ranges', async () => {
  const page = await server.app.inject({
    method: 'GET',
    url: '/orders?from=2026-12-15&to=2026-12-15',
    headers: { cookie: owner.cookie },
  });
  const line = page.body.match(/<p data-testid="order-totals">([\s\S]*?)<\/p>/)?.[1]?.replace(/<[^>]+>/g, '');
  // Everything placed today is listed: two paid, one cancelled, one test order.
  assert.equal(line, '4 orders, £226.00 from 15 Dec 2026 to 15 Dec 2026');
  assert.match(
    page.body,
    /<a href="\/orders\?from=2026-12-15&amp;to=2026-12-15" class="current" aria-current="true">Today<\/a>/,
  );
  assert.match(page.body, /<a href="\/orders\?from=2026-12-14&amp;to=2026-12-14">Yesterday<\/a>/);
});

test('while everything is paused, the home page says so beside what waits', async () => {
  const approvals = server.face('approvals');
  await approvals.setPaused(true, { actor: 'test', label: 'test' });
  try {
    const page = await home();
    assert.match(card(page.body, 'approvals'), /Paused: nothing is published or sent until you resume/);
  } finally {
    await approvals.setPaused(false, { actor: 'test', label: 'test' });
  }
  assert.doesNotMatch(card((await home()).body, 'approvals'), /Paused/);
});
