// Cash in the dashboard: where the period's cash came from and went (the cash-flow statement), and
// where it is heading over the next 90 days, week by week, as a chart and a list.
import { booksNav } from './nav.ts';
import { periodPicker } from '../../../platform/dashboard/periods.ts';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html, type Html } from '../../../platform/dashboard/html.ts';
import { formatDay, page } from '../../../platform/dashboard/layout.ts';
import { barChart, shortDay } from '../../../platform/dashboard/chart.ts';
import { sendPage, table } from '../../../platform/dashboard/components.ts';
import { formatMoney } from '../../../platform/money.ts';
import type { CashProjection } from '../projection.ts';
import type { CashFlowSection } from '../reports.ts';
import { downloadLinks } from '../documents.ts';
import { pagePeriod, periodFields } from './period.ts';

/** The projected cash at the end of each week, over labelled axes. */
function projectionChart(projection: CashProjection): Html {
  return barChart({
    title: `Cash at the end of each of the next ${projection.weeks.length} weeks`,
    bars: projection.weeks.map((week) => ({ label: week.starts, value: week.closing })),
    format: (minor) => formatMoney(minor, projection.currency),
    tick: shortDay,
    name: (day) => `The week from ${formatDay(day)}`,
    testId: 'projection-chart',
  });
}

export function cashPages(app: FastifyInstance, { ledger, now }: LedgerParts, { config }: HttpContext): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/cash',
      { config: { access: 'read' }, schema: { hide: true, querystring: Type.Object(periodFields) } },
      async (request, reply) => {
        const { from, to, today } = pagePeriod(request.query, config.timezone, now);
        const [flow, projection] = await Promise.all([
          ledger.reports.cashFlow(from, to),
          ledger.cashProjection(),
        ]);
        const money = (minor: number) => formatMoney(minor, flow.currency);
        const section = (title: string, part: CashFlowSection): Html =>
          html`<h3>${title}</h3>
          ${table(
            ['', ''],
            [
              ...part.lines.map((line) => [line.name, money(line.amount)]),
              [html`<strong>Total</strong>`, html`<strong>${money(part.total)}</strong>`],
            ],
            'Nothing.',
          )}`;
        const shortfall = projection.lowest.balance < 0;
        return sendPage(
          reply,
          page(
            { title: 'Cash', principal: request.principal, current: '/books' },
            html`${booksNav('/books/cash', { from, to })}
            <section>
              <h2>The next ${String(projection.days)} days</h2>
              <p>
                Cash now ${money(projection.openingCash)}; in ${String(projection.days)} days about
                <strong>${money(projection.closingCash)}</strong>.
                ${
                  shortfall
                    ? html`<strong class="bad" data-testid="shortfall"
                      >Cash may run out: ${money(projection.lowest.balance)} on ${formatDay(projection.lowest.date)}.</strong
                    >`
                    : html`Lowest point ${money(projection.lowest.balance)} on ${formatDay(projection.lowest.date)}.`
                }
              </p>
              ${projectionChart(projection)}
              <p class="muted">
                From what the books know: money Shopify and PayPal hold that is on its way, payouts at the pace
                of the last 90 days, expenses paid in three of the last four months, and reorders when a
                product has two weeks of stock left.
              </p>
              ${table(
                ['Date', 'What', 'Amount'],
                projection.items
                  .filter((item) => item.kind !== 'takings')
                  .slice(0, 40)
                  .map((item) => [formatDay(item.date), item.description, money(item.amount)]),
                'Nothing expected beyond the usual payouts.',
              )}
            </section>
            <section>
              <h2>Cash flow, ${formatDay(from)} to ${formatDay(to)} ${downloadLinks('cash-flow', from, to)}</h2>
              ${periodPicker({ action: '/books/cash', from, to, today })}
              <p>Cash at the start ${money(flow.openingCash)}; at the end <strong>${money(flow.closingCash)}</strong>.</p>
              ${section('From running the shop', flow.operating)} ${section('Equipment', flow.investing)}
              ${section('Owner and loans', flow.financing)}
              <p>Change in cash: <strong data-testid="cash-change">${money(flow.netChange)}</strong></p>
            </section>`,
          ),
        );
      },
    );
}
