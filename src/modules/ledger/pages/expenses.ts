// Expenses and receipts in the dashboard: a receipt photo or PDF invoice to read and book, the
// receipts and what became of each (one waiting for review is corrected and booked here), an
// expense by hand, and a spreadsheet of them. Its forms post to forms.ts.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html, type Html } from '../../../platform/dashboard/html.ts';
import { csrfField, formatTime, page } from '../../../platform/dashboard/layout.ts';
import { noticeLine, sendPage, table } from '../../../platform/dashboard/components.ts';
import { noticeField, optionalField } from '../../../platform/dashboard/form-body.ts';
import { dayIn } from '../../../platform/dates.ts';
import { formatMoney, toMinor } from '../../../platform/money.ts';
import { booksNav } from './nav.ts';

/** The fields of an expense (the Add an expense form, and a receipt booked from review), with values filled in. */
function expenseFields(
  accounts: { code: string; name: string; type: string }[],
  values: {
    date?: string;
    supplier?: string;
    amount?: string;
    tax?: string;
    reference?: string;
    description?: string;
    /** The kind of expense the receipt suggests; none: the owner chooses, nothing is assumed. */
    account?: string | null;
  },
): Html {
  return html`<label>Paid on <input type="date" name="date" value="${values.date ?? ''}" required /></label>
    <label>Supplier <input name="supplier" maxlength="200" value="${values.supplier ?? ''}" required /></label>
    <label>What for <input name="description" maxlength="500" value="${values.description ?? ''}" /></label>
    <label
      >Amount paid (VAT included)
      <input name="amount" inputmode="decimal" pattern="[0-9]+([.][0-9]{1,2})?" placeholder="12.50" value="${values.amount ?? ''}" required
    /></label>
    <label
      >VAT in it
      <input name="tax" inputmode="decimal" pattern="[0-9]+([.][0-9]{1,2})?" placeholder="2.08" value="${values.tax ?? ''}"
    /></label>
    <label
      >Kind
      <select name="account" required>
        <option value="">Choose the kind of expense…</option>
        ${accounts
          .filter((account) => account.type === 'expense')
          .map(
            (account) =>
              html`<option value="${account.code}"${account.code === values.account ? html` selected` : ''}>${account.name}</option>`,
          )}
      </select></label
    >
    <label
      >Paid from
      <select name="paidFrom">
        ${accounts
          .filter((account) => account.type === 'asset' || account.type === 'liability')
          .filter(
            (account) =>
              !account.code.startsWith('Assets:Clearing') && !account.code.startsWith('Assets:Shopify'),
          )
          .map((account) => html`<option value="${account.code}">${account.name}</option>`)}
      </select></label
    >
    <label>Invoice or receipt number <input name="reference" maxlength="100" value="${values.reference ?? ''}" /></label>
    <label
      ><input type="checkbox" name="reverseCharge" value="yes" /> A service billed from abroad with no UK VAT on it (Meta or
      Google ads, an app): the VAT is accounted for by the reverse charge</label
    >`;
}

export function expensesPage(
  app: FastifyInstance,
  { ledger, now }: LedgerParts,
  { config }: HttpContext,
): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/expenses',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        // What was typed into Add an expense comes back with a problem, to correct.
        querystring: Type.Object({
          ...noticeField,
          date: optionalField(10),
          supplier: optionalField(500),
          description: optionalField(500),
          amount: optionalField(20),
          tax: optionalField(20),
          account: optionalField(500),
          reference: optionalField(100),
        }),
      },
    },
    async (request, reply) => {
      const today = dayIn(now(), config.timezone);
      const typed = request.query;
      const [accounts, receipts, currency] = await Promise.all([
        ledger.accounts(),
        ledger.receipts?.list() ?? [],
        ledger.currency(),
      ]);
      // What a receipt printed, as money: the receipt's figure in the books' currency.
      const printed = (amount: string | null | undefined) => {
        if (!amount) return '—';
        try {
          return formatMoney(toMinor(amount, currency), currency);
        } catch {
          return amount;
        }
      };
      return sendPage(
        reply,
        page(
          { title: 'Expenses and receipts', principal: request.principal, current: '/books' },
          html`${booksNav('/books/expenses')}
            ${noticeLine(request.query)}
            <section>
              <h2>Receipts</h2>
              <form method="post" action="/books/receipts" enctype="multipart/form-data" class="stack">
                ${csrfField(request.principal)}
                <label
                  >Photo of a receipt, or a PDF invoice (it is read, checked, then booked as an expense or put up for review)
                  <input type="file" name="receipt" accept="image/png,image/jpeg,image/webp,application/pdf" capture="environment" required
                /></label>
                <button>Upload</button>
              </form>
              ${table(
                ['Uploaded', 'Supplier', 'Total', 'What became of it'],
                receipts.map((receipt) => [
                  formatTime(new Date(receipt.uploadedAt), config.timezone),
                  receipt.fields?.supplier ?? '—',
                  printed(receipt.fields?.total),
                  receipt.status === 'booked'
                    ? html`<span class="ok">booked (entry ${String(receipt.entryId)})</span>`
                    : receipt.status === 'review'
                      ? html`<span class="bad">for review: ${receipt.problem ?? ''}</span>
                          <details>
                            <summary>Correct and book it</summary>
                            <form method="post" action="/books/receipts/${String(receipt.id)}/book" class="stack">
                              ${csrfField(request.principal)}
                              ${expenseFields(accounts, {
                                date: receipt.fields?.date ?? today,
                                supplier: receipt.fields?.supplier ?? '',
                                amount: receipt.fields?.total ?? '',
                                tax: receipt.fields?.tax ?? '',
                                reference: receipt.fields?.invoice ?? '',
                                account: receipt.suggestedKind,
                              })}
                              <button>Book this receipt</button>
                            </form>
                          </details>`
                      : receipt.status,
                ]),
                'No receipts uploaded yet.',
              )}
            </section>
            <section>
              <h2>Add an expense</h2>
              <form method="post" action="/books/expenses" class="stack">
                ${csrfField(request.principal)}
                ${expenseFields(accounts, {
                  date: typed.date ?? today,
                  supplier: typed.supplier,
                  description: typed.description,
                  amount: typed.amount,
                  tax: typed.tax,
                  account: typed.account,
                  reference: typed.reference,
                })}
                <button>Book the expense</button>
              </form>
              <form method="post" action="/books/expenses/import" class="stack">
                ${csrfField(request.principal)}
                <label
                  >Or paste a spreadsheet saved as CSV (columns: date, supplier, description, amount, tax, account,
                  paid_from, reference; up to 60 KB here, any size with <code>shopkeep ledger import-expenses</code>)
                  <textarea name="csv" rows="5" required></textarea></label
                >
                <button class="secondary">Import expenses</button>
              </form>
            </section>`,
        ),
      );
    },
  );
}
