// VAT in the dashboard: for a period, one row per tax the shop owes (the UK's nations together),
// with totals, the VAT to reclaim on purchases, and what is owed net.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html } from '../../../platform/dashboard/html.ts';
import { formatDay, page } from '../../../platform/dashboard/layout.ts';
import { sendPage, table } from '../../../platform/dashboard/components.ts';
import { periodPicker } from '../../../platform/dashboard/periods.ts';
import { formatMoney } from '../../../platform/money.ts';
import { downloadLinks } from '../documents.ts';
import { taxesOwed } from '../taxes.ts';
import { pagePeriod, periodFields } from './period.ts';
import { booksNav } from './nav.ts';

export function vatPage(app: FastifyInstance, { ledger, now }: LedgerParts, { config }: HttpContext): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/vat',
      { config: { access: 'read' }, schema: { hide: true, querystring: Type.Object(periodFields) } },
      async (request, reply) => {
        const { from, to, today } = pagePeriod(request.query, config.timezone, now);
        const tax = await ledger.reports.salesTax(from, to);
        const money = (minor: number) => formatMoney(minor, tax.currency);
        const lines = taxesOwed(tax.lines);
        const sum = (key: 'collected' | 'refunded' | 'owed') =>
          lines.reduce((all, line) => all + line[key], 0);
        const strong = (text: string) => html`<strong>${text}</strong>`;
        return sendPage(
          reply,
          page(
            { title: 'VAT', principal: request.principal, current: '/books' },
            html`${booksNav('/books/vat', { from, to })} ${periodPicker({ action: '/books/vat', from, to, today })}
            <section>
              <h2>On sales, ${formatDay(from)} to ${formatDay(to)} ${downloadLinks('sales-tax', from, to)}</h2>
              ${table(
                ['Tax', 'Collected', 'Refunded', 'Owed'],
                lines.length
                  ? [
                      ...lines.map((line) => [
                        line.jurisdiction,
                        money(line.collected),
                        money(line.refunded),
                        money(line.owed),
                      ]),
                      [
                        strong('Total'),
                        strong(money(sum('collected'))),
                        strong(money(sum('refunded'))),
                        strong(money(sum('owed'))),
                      ],
                    ]
                  : [],
                'No sales tax in this period.',
              )}
            </section>
            <section>
              <h2>On purchases</h2>
              ${table(
                ['', 'Amount'],
                [
                  ['VAT to reclaim on expenses', money(tax.reclaimable)],
                  [strong('Owed, net'), strong(money(sum('owed') - tax.reclaimable))],
                ],
                '',
              )}
              <p class="muted small">The cash projection (Cash) pays each quarter's VAT on its due day.</p>
            </section>`,
          ),
        );
      },
    );
}
