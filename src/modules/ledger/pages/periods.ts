// Closed periods: what is sealed (nothing dated in it goes in again), and closing the books up to a
// day (owners only).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html } from '../../../platform/dashboard/html.ts';
import { csrfField, formatDay, page } from '../../../platform/dashboard/layout.ts';
import { noticeLine, sendPage, table } from '../../../platform/dashboard/components.ts';
import { noticeField } from '../../../platform/dashboard/form-body.ts';
import { booksNav } from './nav.ts';

export function periodsPage(app: FastifyInstance, { ledger }: LedgerParts, _context: HttpContext): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/periods',
      { config: { access: 'read' }, schema: { hide: true, querystring: Type.Object(noticeField) } },
      async (request, reply) => {
        const periods = await ledger.periods();
        const owner = request.principal?.user.role === 'owner';
        return sendPage(
          reply,
          page(
            { title: 'Closed periods', principal: request.principal, current: '/books' },
            html`${booksNav('/books/periods')}
            ${noticeLine(request.query)}
            <p class="muted">A closed period is sealed: nothing dated in it goes into the books again; late news lands on the first open day.</p>
            ${table(
              ['From', 'To', 'Entries', 'Closed by', 'Seal'],
              periods.map((period) => [
                formatDay(period.startsOn),
                formatDay(period.endsOn),
                String(period.entries),
                period.closedBy,
                html`<code>${period.hash.slice(0, 12)}…</code>`,
              ]),
              'No period is closed yet.',
            )}
            ${
              owner
                ? html`<form method="post" action="/books/close" class="stack">
                    ${csrfField(request.principal)}
                    <label>Close the books up to <input type="date" name="endsOn" required /></label>
                    <button>Close period</button>
                  </form>
                  <form method="post" action="/books/year-end" class="stack">
                    ${csrfField(request.principal)}
                    <label>Close the financial year ending <input type="date" name="endsOn" required /></label>
                    <button class="secondary">Close the year</button>
                    <span class="muted small">Its profit moves to earnings of earlier years; the books close up to that day.</span>
                  </form>`
                : html`<p class="muted">An owner closes periods.</p>`
            }`,
          ),
        );
      },
    );
}
