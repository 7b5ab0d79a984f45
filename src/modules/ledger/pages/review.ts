// What waits for review: what the rules would not book (a kind of transaction they do not know, a
// receipt that did not add up), kept out of the books until it is settled or dismissed.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html } from '../../../platform/dashboard/html.ts';
import { formatTime, page } from '../../../platform/dashboard/layout.ts';
import { noticeLine, postButton, sendPage, table } from '../../../platform/dashboard/components.ts';
import { noticeField } from '../../../platform/dashboard/form-body.ts';
import { booksNav } from './nav.ts';

export function reviewPage(app: FastifyInstance, { ledger }: LedgerParts, { config }: HttpContext): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/review',
      { config: { access: 'read' }, schema: { hide: true, querystring: Type.Object(noticeField) } },
      async (request, reply) => {
        const review = await ledger.review('open');
        const canWrite = request.principal?.scopes.has('write') ?? false;
        return sendPage(
          reply,
          page(
            { title: 'Waiting for review', principal: request.principal, current: '/books' },
            html`${booksNav('/books/review')}
            ${noticeLine(request.query)}
            <p class="muted">What the rules could not book is kept out of the books until it is settled or dismissed. A receipt is corrected and booked under Expenses and receipts.</p>
            ${table(
              ['When', 'What', ''],
              review.map((item) => [
                formatTime(new Date(item.createdAt), config.timezone),
                item.reason,
                canWrite
                  ? postButton(request.principal, `/books/review/${item.id}/dismiss`, 'Dismiss', {
                      secondary: true,
                    })
                  : '',
              ]),
              'Nothing waits for review.',
            )}`,
          ),
        );
      },
    );
}
