// One account's entries in a period, in the dashboard: what the P&L and balance sheet lines add up
// from, each with where it came from (a Shopify order opens the order).
import { booksNav } from './nav.ts';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html } from '../../../platform/dashboard/html.ts';
import { formatDay, page } from '../../../platform/dashboard/layout.ts';
import { sendPage, table } from '../../../platform/dashboard/components.ts';
import { formatMoney } from '../../../platform/money.ts';
import { pagePeriod, periodFields } from './period.ts';
import { periodPicker } from '../../../platform/dashboard/periods.ts';

const LIMIT = 500;
const SOURCES: Record<string, string> = {
  order: 'Shopify order',
  payment: 'Shopify transaction',
  refund: 'Shopify refund',
  payout: 'Shopify payout',
  receipt: 'Receipt',
  manual: 'Entered',
  reversal: 'Reversal',
  stock: 'Stock',
};

/** A link to an account's entries, for the report pages. */
export const accountLink = (code: string, name: string, from: string, to: string) =>
  html`<a href="${`/books/account?${new URLSearchParams({ code, from, to })}`}">${name}</a>`;

export function accountPages(
  app: FastifyInstance,
  { ledger, now }: LedgerParts,
  { config }: HttpContext,
): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/account',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: Type.Object({
          code: Type.Optional(Type.String({ maxLength: 200 })),
          ...periodFields,
        }),
      },
    },
    async (request, reply) => {
      const { from, to, today } = pagePeriod(request.query, config.timezone, now);
      const account = (await ledger.accounts()).find((one) => one.code === request.query.code);
      if (!account)
        return sendPage(
          reply,
          page(
            { title: 'Account', principal: request.principal, current: '/books' },
            html`<p class="notice bad">There is no account "${request.query.code ?? ''}" in the chart.</p>
              <p><a href="/books">← Books</a></p>`,
          ),
          404,
        );
      const ledgerLines = await ledger.reports.generalLedger(account.code, from, to, LIMIT);
      const money = (minor: number) => formatMoney(minor, ledgerLines.currency);
      const orderIds = ledgerLines.postings
        .filter((posting) => posting.source.type === 'order' && posting.source.id)
        .map((posting) => Number(posting.source.id));
      const names = await ledger.orderNames([...new Set(orderIds)]);
      // An order by its name (#6300), opening it; other sources by what they are.
      const source = (type: string, id: string | null) =>
        type === 'order' && id
          ? html`<a href="/orders/${id}">Order ${names.get(Number(id)) ?? id}</a>`
          : (SOURCES[type] ?? type);
      return sendPage(
        reply,
        page(
          { title: account.name, principal: request.principal, current: '/books' },
          html`${booksNav('/books', { from, to })}
            ${periodPicker({ action: '/books/account', from, to, today, keep: { code: account.code } })}
            <section>
              <h2>${account.name}, ${formatDay(from)} to ${formatDay(to)}</h2>
              <p>Balance before ${formatDay(from)}: ${money(ledgerLines.opening)} (debits add, credits take away).</p>
              ${table(
                ['Date', 'What', 'From', 'Debit', 'Credit', 'Balance'],
                ledgerLines.postings.map((posting) => [
                  formatDay(posting.date),
                  posting.description,
                  source(posting.source.type, posting.source.id),
                  posting.amount > 0 ? money(posting.amount) : '',
                  posting.amount < 0 ? money(-posting.amount) : '',
                  money(posting.balance),
                ]),
                'Nothing in this period.',
              )}
              ${
                ledgerLines.postings.length === LIMIT
                  ? html`<p class="muted">The first ${String(LIMIT)} only: choose a shorter period to see the rest.</p>`
                  : ''
              }
            </section>`,
        ),
      );
    },
  );
}
