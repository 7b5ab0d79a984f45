// The shop's part of the home page: today's and yesterday's sales, orders and average order against
// the same day last week; the last 30 days as a chart; and the orders and refunds since the owner
// last looked.
import type { HomeContribution, HomeLook } from '../../platform/kit/module.ts';
import { html, type Html } from '../../platform/dashboard/html.ts';
import { barChart, shortDay } from '../../platform/dashboard/chart.ts';
import { addDays } from '../../platform/dates.ts';
import { formatMoney } from '../../platform/money.ts';
import { formatDay, plural } from '../../platform/dashboard/layout.ts';
import type { ShopService } from './shop-service.ts';
import type { SalesDay } from './sales-days.ts';

const CHART_DAYS = 30;

export function shopHome(shop: ShopService): HomeContribution {
  return {
    cards: [
      { id: 'sales', position: 10, render: async (look) => salesCard(look, await figures(shop, look)) },
      {
        id: 'sales-chart',
        position: 15,
        render: async (look) => salesChart(look, await figures(shop, look)),
      },
    ],
    activity: async (since) => {
      const { orders, refunds } = await shop.salesDays.since(since);
      return [
        ...(orders ? [{ text: `${plural(orders, 'order')} came in`, href: '/orders' }] : []),
        ...(refunds
          ? [{ text: `${plural(refunds, 'refund')} made`, href: '/orders?status=partially_refunded' }]
          : []),
      ];
    },
  };
}

interface SalesFigures {
  /** Undefined while no shop is connected. */
  currency: string | undefined;
  /** The chart's days, the last of them today; the sales card reads its last eight. */
  days: SalesDay[];
}

/** Both sales cards read one query, once per page: the same look gets the same figures. */
const read = new WeakMap<HomeLook, Promise<SalesFigures>>();

function figures(shop: ShopService, look: HomeLook): Promise<SalesFigures> {
  let figuresOfLook = read.get(look);
  if (!figuresOfLook) {
    figuresOfLook = (async () => {
      const connected = await shop.connection.get().catch(() => undefined);
      if (!connected) return { currency: undefined, days: [] };
      const [info, days] = await Promise.all([
        shop.info(),
        shop.salesDays.days(addDays(look.today, -(CHART_DAYS - 1)), look.today),
      ]);
      return { currency: info.currency, days };
    })();
    read.set(look, figuresOfLook);
  }
  return figuresOfLook;
}

const notConnected = html`<section class="card" data-card="sales">
  <h2>Sales</h2>
  <p>Connect your Shopify shop to see its sales here. <a href="/shop">Connect</a></p>
</section>`;

function salesCard({ today }: HomeLook, { currency: shopCurrency, days }: SalesFigures): Html {
  if (!shopCurrency) return notConnected;
  const at = (day: string) => days.find((each) => each.day === day)!;
  const money = (minor: number) => formatMoney(minor, shopCurrency);
  const yesterday = addDays(today, -1);
  const column = (day: string) => ({ now: at(day), then: at(addDays(day, -7)) });
  const columns = [column(today), column(yesterday)];
  const row = (label: string, value: (day: SalesDay) => number, show: (value: number) => string) =>
    html`<tr><th scope="row">${label}</th>${columns.map(
      ({ now, then }) => html`<td>${show(value(now))}<br />${change(value(now), value(then))}</td>`,
    )}</tr>`;
  const average = (day: SalesDay) => (day.orders ? Math.round(day.salesMinor / day.orders) : 0);
  return html`<section class="card wide" data-card="sales">
    <h2><a href="${`/orders?from=${yesterday}&to=${today}`}">Sales</a></h2>
    <div class="scroll"><table class="figures">
      <thead><tr><th></th><th scope="col">Today</th><th scope="col">Yesterday</th></tr></thead>
      <tbody>
        ${row('Sales', (day) => day.salesMinor, money)}
        ${row('Orders', (day) => day.orders, String)}
        ${row('Average order', average, money)}
      </tbody>
    </table></div>
    <p class="muted small">Order totals with tax and shipping, cancelled and test orders left out; the change is against the same day last week.</p>
  </section>`;
}

function salesChart({ today }: HomeLook, { currency: shopCurrency, days }: SalesFigures): Html | undefined {
  if (!shopCurrency) return undefined;
  const from = addDays(today, -(CHART_DAYS - 1));
  return html`<section class="card wide" data-card="sales-chart">
    <h2><a href="${`/orders?from=${from}&to=${today}`}">Sales, the last ${String(CHART_DAYS)} days</a></h2>
    ${barChart({
      title: `Sales per day from ${shortDay(from)} to ${shortDay(today)}`,
      bars: days.map((day) => ({ label: day.day, value: day.salesMinor })),
      format: (minor) => formatMoney(minor, shopCurrency),
      tick: shortDay,
      name: formatDay,
      testId: 'sales-chart',
    })}
  </section>`;
}

/** '+12%' or '−5%' against the same day last week; nothing to compare with says so. */
function change(now: number, then: number): Html {
  if (then === 0) return now === 0 ? html`` : html`<span class="muted small">new</span>`;
  const percent = Math.round(((now - then) / then) * 100);
  const kind = percent > 0 ? 'ok' : percent < 0 ? 'bad' : 'muted';
  return html`<span class="${kind} small" title="against the same day last week">${percent > 0 ? '+' : percent < 0 ? '−' : '±'}${String(Math.abs(percent))}%</span>`;
}
