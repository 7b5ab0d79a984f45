// Product margins in the dashboard: what each product earned in a period after discounts, refunds,
// its cost and its share of fees, best first, with the margin as a bar.
import { booksNav } from './nav.ts';
import { periodPicker } from '../../../platform/dashboard/periods.ts';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html } from '../../../platform/dashboard/html.ts';
import { formatDay, page } from '../../../platform/dashboard/layout.ts';
import { sendPage, table } from '../../../platform/dashboard/components.ts';
import { formatMoney } from '../../../platform/money.ts';
import { downloadLinks } from '../documents.ts';
import { pagePeriod, periodFields } from './period.ts';

export function marginPages(
  app: FastifyInstance,
  { ledger, now }: LedgerParts,
  { config }: HttpContext,
): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/margins',
      { config: { access: 'read' }, schema: { hide: true, querystring: Type.Object(periodFields) } },
      async (request, reply) => {
        const { from, to, today } = pagePeriod(request.query, config.timezone, now);
        const report = await ledger.productMargins(from, to);
        const money = (minor: number) => formatMoney(minor, report.currency);
        const best = Math.max(1, ...report.lines.map((line) => Math.abs(line.margin)));
        const percent = (value: number | null) => (value === null ? '–' : `${value.toFixed(1)}%`);
        return sendPage(
          reply,
          page(
            { title: 'Product margins', principal: request.principal, current: '/books' },
            html`${booksNav('/books/margins', { from, to })} ${periodPicker({ action: '/books/margins', from, to, today })}
            <section>
              <h2>Margin per product, ${formatDay(from)} to ${formatDay(to)} ${downloadLinks('margins', from, to)}</h2>
              <p>
                ${money(report.totals.margin)} on ${money(report.totals.sales - report.totals.refunds)} of sales
                after refunds (<strong data-testid="margin-total">${percent(report.totals.marginPercent)}</strong>).
              </p>
              <div class="bars" data-testid="margin-chart">
                ${report.lines.slice(0, 10).map(
                  (line) =>
                    html`<div class="bar-row">
                      <span>${line.sku ?? line.name.slice(0, 14)}</span
                      ><meter
                        class="${line.margin >= 0 ? 'good' : 'bad'}"
                        min="0"
                        max="${String(best)}"
                        value="${String(Math.abs(line.margin))}"
                      ></meter
                      ><strong>${money(line.margin)}</strong>
                    </div>`,
                )}
              </div>
              ${table(
                ['Product', 'Units', 'Sales', 'Discounts', 'Refunds', 'Cost', 'Fees', 'Margin', ''],
                report.lines.map((line) => [
                  line.name,
                  line.returnedUnits ? `${line.units} (${line.returnedUnits} back)` : String(line.units),
                  money(line.sales),
                  money(line.discounts),
                  money(line.refunds),
                  money(line.cost),
                  money(line.fees),
                  html`<strong class="${line.margin < 0 ? 'bad' : ''}">${money(line.margin)}</strong>`,
                  percent(line.marginPercent),
                ]),
                'Nothing sold in this period.',
              )}
              <p class="muted">
                Sales are after discounts and without tax; cost is what the units cost on the books (returns back at
                their cost); payment fees are shared out by sales.
                <a href="${`/api/v1/ledger/reports/margins?${new URLSearchParams({ from, to })}`}">As data (JSON)</a>
              </p>
            </section>`,
          ),
        );
      },
    );
}
