// What customers owe, in the dashboard: orders not fully paid (a salon's order on terms), by customer,
// aged 0–30, 31–60, 61–90 and over 90 days, each customer's statement a PDF to send.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { LedgerParts } from '../index.ts';
import { html } from '../../../platform/dashboard/html.ts';
import { page } from '../../../platform/dashboard/layout.ts';
import { sendPage, table } from '../../../platform/dashboard/components.ts';
import { dayIn } from '../../../platform/dates.ts';
import { formatMoney } from '../../../platform/money.ts';
import { AGE_BANDS } from '../receivables.ts';
import { booksNav } from './nav.ts';

export function owedPage(app: FastifyInstance, { ledger, now, timezone }: LedgerParts): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get('/owed', { config: { access: 'read' }, schema: { hide: true } }, async (request, reply) => {
      const at = dayIn(now(), timezone);
      const aged = await ledger.receivables.aged(at);
      const money = (minor: number) => formatMoney(minor, aged.currency);
      return sendPage(
        reply,
        page(
          { title: 'Owed to you', principal: request.principal, current: '/books' },
          html`${booksNav('/books/owed')}
            <section>
              <h2>Owed to you today: ${money(aged.total)}</h2>
              <p class="muted">
                Orders booked and not yet paid in full (a salon's order on 30 days' terms), by how long ago they were
                placed. Overdue ones are in the inbox every Monday.
              </p>
              ${table(
                ['Customer', ...AGE_BANDS, 'Total', ''],
                aged.customers.map((customer) => [
                  html`${customer.customer}
                    <div class="muted small">${customer.debts.map((debt) => `${debt.order} (${debt.age} d)`).join(', ')}</div>`,
                  ...customer.bands.map((amount) => money(amount)),
                  money(customer.total),
                  html`<a href="/api/v1/ledger/reports/aged-debts/statement?${new URLSearchParams({ at, customer: customer.customer }).toString()}">Statement (PDF)</a>`,
                ]),
                'Nobody owes you anything: every order is paid.',
              )}
            </section>`,
        ),
      );
    });
}
