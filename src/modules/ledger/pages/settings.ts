// The books' settings: exchange rates for payouts in another currency, and Akaunting, where each
// day's sales and expenses are pushed.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html } from '../../../platform/dashboard/html.ts';
import { csrfField, formatDay, page } from '../../../platform/dashboard/layout.ts';
import { noticeLine, postButton, sendPage, table } from '../../../platform/dashboard/components.ts';
import { noticeField, optionalField } from '../../../platform/dashboard/form-body.ts';
import { dayIn } from '../../../platform/dates.ts';
import { booksNav } from './nav.ts';

export function settingsPage(
  app: FastifyInstance,
  { ledger, now }: LedgerParts,
  { config }: HttpContext,
): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/settings',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        // A rate the books refused comes back as it was typed.
        querystring: Type.Object({
          ...noticeField,
          currency: optionalField(3),
          day: optionalField(10),
          rate: optionalField(24),
        }),
      },
    },
    async (request, reply) => {
      const today = dayIn(now(), config.timezone);
      const typed = request.query;
      const [rates, akaunting, currency] = await Promise.all([
        ledger.fxRates(),
        ledger.akaunting?.status(),
        ledger.currency(),
      ]);
      return sendPage(
        reply,
        page(
          { title: 'Books settings', principal: request.principal, current: '/books' },
          html`${booksNav('/books/settings')}
            ${noticeLine(request.query)}
            <section>
              <h2>Exchange rates</h2>
              <p class="muted">
                For Shopify payouts to a bank account in another currency: the rate from the bank statement,
                as the value of one unit in the books' currency (${currency}). Payouts waiting for a rate are
                booked when it is entered.
              </p>
              ${table(
                ['Currency', 'Day', 'Rate'],
                rates
                  .slice(0, 10)
                  .map((rate) => [
                    rate.currency,
                    formatDay(rate.day),
                    `1 ${rate.currency} = ${rate.rate} ${currency}`,
                  ]),
                'No rates entered.',
              )}
              <form method="post" action="/books/fx-rate" class="stack">
                ${csrfField(request.principal)}
                <label>Currency <input name="currency" maxlength="3" pattern="[A-Za-z]{3}" placeholder="EUR" value="${typed.currency ?? ''}" required /></label>
                <label>Day <input type="date" name="day" value="${typed.day ?? today}" required /></label>
                <label
                  >Rate <input name="rate" inputmode="decimal" pattern="[0-9]+([.][0-9]{1,10})?" placeholder="0.8571" value="${typed.rate ?? ''}" required
                /></label>
                <button>Save the rate</button>
              </form>
            </section>
            <section>
              <h2>Akaunting</h2>
              ${
                akaunting
                  ? html`<p>
                        Each day's sales and expenses are pushed at 06:15;
                        ${akaunting.lastDay ? `last day there: ${formatDay(akaunting.lastDay)}` : 'nothing pushed yet'}.
                      </p>
                      ${postButton(
                        request.principal,
                        '/books/akaunting',
                        'Push the last 7 days to Akaunting now',
                        {
                          secondary: true,
                        },
                      )}`
                  : html`<p class="muted">Not connected: connect it under Settings, or see Configuration (AKAUNTING_URL).</p>`
              }
            </section>`,
        ),
      );
    },
  );
}
