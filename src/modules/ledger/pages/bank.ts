// Bank reconciliation in the dashboard: upload a statement (CSV, OFX or CAMT.053 from the bank's
// website), then each line no entry explains yet, with the entries it may be (Match), a form to book it
// (bank charges, interest, a card payment) or Set aside; and what the books hold that no statement
// has shown yet (a payout on its way).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import multipart from '@fastify/multipart';
import type { LedgerParts } from '../index.ts';
import { html } from '../../../platform/dashboard/html.ts';
import { csrfField, formatDay, page } from '../../../platform/dashboard/layout.ts';
import { formAction, noticeLine, sendPage, table } from '../../../platform/dashboard/components.ts';
import { formBody, noticeField, optionalField } from '../../../platform/dashboard/form-body.ts';
import { actorOf } from '../../../platform/accounts/roles.ts';
import { AppError } from '../../../platform/errors.ts';
import { formatMoney, toMinor } from '../../../platform/money.ts';
import { booksNav } from './nav.ts';
import { IdParams } from '../../../platform/http/schemas.ts';

export function bankPages(app: FastifyInstance, { ledger }: LedgerParts): void {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();

  pages.get(
    '/bank',
    { config: { access: 'read' }, schema: { hide: true, querystring: Type.Object(noticeField) } },
    async (request, reply) => {
      const [state, accounts] = await Promise.all([ledger.bank.unreconciled(), ledger.accounts()]);
      const money = (minor: number) => formatMoney(minor, state.currency);
      const csrf = csrfField(request.principal);
      const bookable = accounts.filter((account) => account.code !== state.account);
      return sendPage(
        reply,
        page(
          { title: 'Bank', principal: request.principal, current: '/books' },
          html`${booksNav('/books/bank')} ${noticeLine(request.query)}
            <section>
              <h2>Import a statement</h2>
              <form method="post" action="/books/bank/statements" enctype="multipart/form-data" class="stack">
                ${csrf}
                <label
                  >The statement from your bank's website: CSV, OFX (Quicken/Money) or CAMT.053 (XML)
                  <input type="file" name="statement" accept=".csv,.ofx,.qfx,.xml,text/csv,application/xml" required
                /></label>
                <button>Import and match</button>
              </form>
              <p class="muted">
                ${String(state.matched)} line(s) matched so far; ${String(state.openLines.length)} to look at.
              </p>
            </section>
            <section>
              <h2>Lines nothing explains yet</h2>
              ${table(
                ['Day', 'Bank says', 'Amount', 'What it may be'],
                state.openLines.map((line) => [
                  formatDay(line.day),
                  html`${line.description}${line.reference ? html` <span class="muted">${line.reference}</span>` : ''}`,
                  money(line.amount),
                  html`${line.suggestions.map(
                    (suggestion) =>
                      html`<form method="post" action="/books/bank/lines/${String(line.id)}/match">
                          ${csrf}<input type="hidden" name="entryId" value="${String(suggestion.entryId)}" />
                          <button class="secondary">Match: ${suggestion.description}, ${formatDay(suggestion.day)}</button>
                        </form>`,
                  )}
                    <details>
                      <summary>Book it</summary>
                      <form method="post" action="/books/bank/lines/${String(line.id)}/book" class="stack">
                        ${csrf}
                        <label
                          >To
                          <select name="account" required>
                            <option value="">Choose the account…</option>
                            ${bookable.map((account) => html`<option value="${account.code}">${account.name}</option>`)}
                          </select></label
                        >
                        ${
                          line.amount < 0
                            ? html`<label>VAT in it <input name="vat" inputmode="decimal" placeholder="0.00" /></label>`
                            : ''
                        }
                        <button>Book</button>
                      </form>
                    </details>
                    <form method="post" action="/books/bank/lines/${String(line.id)}/ignore">
                      ${csrf}<button class="secondary">Set aside</button>
                    </form>`,
                ]),
                'Every line is reconciled.',
              )}
            </section>
            <section>
              <h2>In the books, on no statement yet</h2>
              ${table(
                ['Day', 'Entry', 'Amount'],
                state.notOnStatement.map((movement) => [
                  formatDay(movement.day),
                  movement.description,
                  money(movement.amount),
                ]),
                'Nothing waiting: the statements show everything the books hold since the first one.',
              )}
            </section>`,
        ),
      );
    },
  );

  pages.register(async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: 10 * 1024 * 1024, files: 1, fields: 5 },
    });
    scope.post<{ Body: { statement?: unknown } }>(
      '/bank/statements',
      { config: { access: 'write' }, schema: { hide: true } },
      async (request, reply) => {
        if (!request.isMultipart())
          throw new AppError('invalid_request', 'send the statement as a form upload (multipart/form-data)');
        const file = request.body?.statement;
        return formAction(reply, '/books/bank', async () => {
          if (!Buffer.isBuffer(file) || !file.length)
            throw new AppError('invalid_request', 'choose the statement file');
          const result = await ledger.bank.importStatement(file.toString('utf8'), {
            name: 'uploaded statement',
            by: actorOf(request.principal).actorLabel,
          });
          return `${result.lines} line(s) imported${result.alreadyImported ? ` (${result.alreadyImported} were already in)` : ''}; ${result.matched} matched; ${result.open} to look at.`;
        });
      },
    );
  });

  pages.post(
    '/bank/lines/:id/match',
    {
      config: { access: 'write' },
      schema: {
        hide: true,
        params: IdParams,
        body: formBody({ entryId: Type.String({ pattern: '^[0-9]{1,16}$' }) }),
      },
    },
    async (request, reply) =>
      formAction(reply, '/books/bank', async () => {
        await ledger.bank.accept(
          Number(request.params.id),
          Number(request.body.entryId),
          actorOf(request.principal).actorLabel,
        );
        return 'Matched.';
      }),
  );

  pages.post(
    '/bank/lines/:id/book',
    {
      config: { access: 'write' },
      schema: {
        hide: true,
        params: IdParams,
        body: formBody({ account: Type.String({ maxLength: 200 }), vat: optionalField(20) }),
      },
    },
    async (request, reply) =>
      formAction(reply, '/books/bank', async () => {
        const currency = await ledger.currency();
        let vat: number | undefined;
        if (request.body.vat?.trim()) {
          try {
            vat = toMinor(request.body.vat, currency);
          } catch {
            throw new AppError('invalid_request', `the VAT "${request.body.vat}" is not an amount like 2.00`);
          }
        }
        if (!request.body.account) throw new AppError('invalid_request', 'choose the account to book it to');
        await ledger.bank.book(
          Number(request.params.id),
          { account: request.body.account, vat },
          actorOf(request.principal).actorLabel,
        );
        return 'Booked and matched.';
      }),
  );

  pages.post(
    '/bank/lines/:id/ignore',
    { config: { access: 'write' }, schema: { hide: true, params: IdParams } },
    async (request, reply) =>
      formAction(reply, '/books/bank', async () => {
        await ledger.bank.ignore(Number(request.params.id), actorOf(request.principal).actorLabel);
        return 'Set aside.';
      }),
  );
}
