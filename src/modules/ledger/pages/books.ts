// The books in the dashboard: profit and loss for a period beside the one before it, the balance
// sheet at its end, sales tax owed by jurisdiction, what waits for review, receipts and expenses,
// closed periods, exchange rates, exports. Its forms post to forms.ts.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html, type Html } from '../../../platform/dashboard/html.ts';
import { csrfField, page } from '../../../platform/dashboard/layout.ts';
import { postButton, sendPage, table } from '../../../platform/dashboard/components.ts';
import { formatMoney } from '../../../platform/money.ts';
import { previousPeriod, type AccountLine } from '../reports.ts';
import { downloadLinks } from '../documents.ts';
import { accountLink } from './account.ts';
import { pagePeriod, periodFields } from './period.ts';
import { noticeField } from '../../../platform/dashboard/form-body.ts';

/** The fields of an expense (the Add an expense form, and a receipt booked from review), with values filled in. */
function expenseFields(
  accounts: { code: string; name: string; type: string }[],
  values: {
    date?: string;
    supplier?: string;
    amount?: string;
    tax?: string;
    reference?: string;
    /** The kind of expense the receipt suggests; none: the owner chooses, nothing is assumed. */
    account?: string | null;
  },
): Html {
  return html`<label>Paid on <input type="date" name="date" value="${values.date ?? ''}" required /></label>
    <label>Supplier <input name="supplier" maxlength="200" value="${values.supplier ?? ''}" required /></label>
    <label>What for <input name="description" maxlength="500" /></label>
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
    <label>Invoice or receipt number <input name="reference" maxlength="100" value="${values.reference ?? ''}" /></label>`;
}

export function booksPage(app: FastifyInstance, { ledger, now }: LedgerParts, { config }: HttpContext): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: Type.Object({
          ...periodFields,
          ...noticeField,
        }),
      },
    },
    async (request, reply) => {
      const { from, to, today } = pagePeriod(request.query, config.timezone, now);
      const before = previousPeriod(from, to);
      const [pnl, sheet, tax, review, periods, accounts, receipts, stock, akaunting, rates] =
        await Promise.all([
          ledger.reports.profitAndLoss(from, to, before),
          ledger.reports.balanceSheet(to),
          ledger.reports.salesTax(from, to),
          ledger.review('open'),
          ledger.periods(),
          ledger.accounts(),
          ledger.receipts?.list() ?? [],
          ledger.stock.valuation(to),
          ledger.akaunting?.status(),
          ledger.fxRates(),
        ]);
      const money = (minor: number) => formatMoney(minor, pnl.currency);
      const earlier = new Map(
        [...(pnl.comparison?.income ?? []), ...(pnl.comparison?.costs ?? [])].map((line) => [
          line.account,
          line.amount,
        ]),
      );
      const pnlRows = (lines: AccountLine[]) =>
        lines.map((line) => [
          accountLink(line.account, line.name, from, to),
          money(line.amount),
          money(earlier.get(line.account) ?? 0),
        ]);
      const sheetRows = (lines: AccountLine[]) =>
        lines.map((line) => [accountLink(line.account, line.name, from, to), money(line.amount)]);
      const bar = (label: string, value: number, max: number, kind: string): Html =>
        html`<div class="bar-row">
          <span>${label}</span><meter class="${kind}" min="0" max="${String(max)}" value="${String(Math.abs(value))}"></meter
          ><strong>${money(value)}</strong>
        </div>`;
      const max = Math.max(pnl.revenue, pnl.expenses, Math.abs(pnl.net), 1);
      const owner = request.principal?.user.role === 'owner';
      const exportLink = (format: string, label: string) =>
        html`<a class="button secondary" href="${`/api/v1/ledger/export?${new URLSearchParams({ format, from, to })}`}">${label}</a>`;
      return sendPage(
        reply,
        page(
          { title: 'Books', principal: request.principal, current: '/books' },
          html`${request.query.notice ? html`<p class="notice">${request.query.notice}</p>` : ''}
            <form method="get" action="/books" class="stack filters">
              <label>From <input type="date" name="from" value="${from}" /></label>
              <label>To <input type="date" name="to" value="${to}" /></label>
              <button>Show</button>
            </form>
            <p>
              <a href="${`/books/cash?${new URLSearchParams({ from, to })}`}">Cash flow and the next 90 days</a> ·
              <a href="${`/books/margins?${new URLSearchParams({ from, to })}`}">Product margins</a> ·
              <a href="/books/stock">Stock</a>
            </p>
            <section>
              <h2>Profit and loss, ${from} to ${to} ${downloadLinks('pnl', from, to)}</h2>
              <div class="bars" data-testid="pnl-chart">
                ${bar('Revenue', pnl.revenue, max, 'good')} ${bar('Expenses', pnl.expenses, max, 'bad')}
                ${bar('Net', pnl.net, max, pnl.net >= 0 ? 'good' : 'bad')}
              </div>
              ${table(
                ['Account', `${from} – ${to}`, `${before.from} – ${before.to}`],
                [
                  ...pnlRows(pnl.income),
                  [html`<strong>Revenue</strong>`, money(pnl.revenue), money(pnl.comparison?.revenue ?? 0)],
                  ...pnlRows(pnl.costs),
                  [
                    html`<strong>Expenses</strong>`,
                    money(pnl.expenses),
                    money(pnl.comparison?.expenses ?? 0),
                  ],
                  [
                    html`<strong>Net</strong>`,
                    html`<strong data-testid="pnl-net">${money(pnl.net)}</strong>`,
                    money(pnl.comparison?.net ?? 0),
                  ],
                ],
                'Nothing booked in this period yet.',
              )}
            </section>
            <section>
              <h2>Balance sheet at ${to} ${downloadLinks('balance-sheet', from, to)}</h2>
              ${table(
                ['', 'Amount'],
                [
                  ...sheetRows(sheet.assets),
                  [html`<strong>Assets</strong>`, money(sheet.totalAssets)],
                  ...sheetRows(sheet.liabilities),
                  [html`<strong>Liabilities</strong>`, money(sheet.totalLiabilities)],
                  ...sheetRows(sheet.equity),
                  ['Earnings', money(sheet.earnings)],
                  [html`<strong>Equity</strong>`, money(sheet.totalEquity)],
                ],
                'Nothing booked yet.',
              )}
            </section>
            <section>
              <h2>Sales tax / VAT, ${from} to ${to} ${downloadLinks('sales-tax', from, to)}</h2>
              ${table(
                ['Where', 'Collected', 'Refunded', 'Owed'],
                tax.lines.map((line) => [
                  line.jurisdiction,
                  money(line.collected),
                  money(line.refunded),
                  money(line.owed),
                ]),
                'No sales tax in this period.',
              )}
            </section>
            <section>
              <h2>Waiting for review (${review.length})</h2>
              <p class="muted">What the rules could not book is kept out of the books until it is settled or dismissed.</p>
              ${table(
                ['When', 'What', ''],
                review.map((item) => [
                  item.createdAt.slice(0, 16).replace('T', ' '),
                  item.reason,
                  postButton(request.principal, `/books/review/${item.id}/dismiss`, 'Dismiss', {
                    secondary: true,
                  }),
                ]),
                'Nothing waits for review.',
              )}
            </section>
            <section>
              <h2>Stock at cost, ${to} ${downloadLinks('stock', from, to)}</h2>
              <p>
                ${money(stock.total)} in ${String(stock.lines.length)} variant(s), costed
                ${stock.costing === 'fifo' ? 'first to expire, first in, first out' : 'at the running average'}.
                ${
                  stock.lines.some((line) => line.expiringWithin30Days)
                    ? html`<strong class="bad"
                      >${String(stock.lines.reduce((sum, line) => sum + line.expiringWithin30Days, 0))} unit(s) expire
                      within 30 days.</strong
                    >`
                    : ''
                }
                ${
                  stock.lines.some((line) => line.quantity < 0)
                    ? html`<strong class="bad">Some variants sold more than the books hold: record the goods received.</strong>`
                    : ''
                }
              </p>
              <p><a class="button secondary" href="/books/stock">Stock: per product, goods received, opening stock</a></p>
            </section>
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
                  receipt.uploadedAt.slice(0, 16).replace('T', ' '),
                  receipt.fields?.supplier ?? '—',
                  receipt.fields?.total ?? '—',
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
                ${expenseFields(accounts, { date: today })}
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
            </section>
            <section>
              <h2>Closed periods</h2>
              ${table(
                ['From', 'To', 'Entries', 'Closed by', 'Seal'],
                periods.map((period) => [
                  period.startsOn,
                  period.endsOn,
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
                  </form>`
                  : ''
              }
            </section>
            <section>
              <h2>Exchange rates</h2>
              <p class="muted">
                For Shopify payouts to a bank account in another currency: the rate from the bank statement,
                as the value of one unit in the books' currency. Payouts waiting for a rate are booked when it is
                entered.
              </p>
              ${table(
                ['Currency', 'Day', 'Rate'],
                rates.slice(0, 10).map((rate) => [rate.currency, rate.day, rate.rate]),
                'No rates entered.',
              )}
              <form method="post" action="/books/fx-rate" class="stack">
                ${csrfField(request.principal)}
                <label>Currency <input name="currency" maxlength="3" pattern="[A-Za-z]{3}" placeholder="EUR" required /></label>
                <label>Day <input type="date" name="day" value="${today}" required /></label>
                <label
                  >Rate <input name="rate" inputmode="decimal" pattern="[0-9]+([.][0-9]{1,10})?" placeholder="0.8571" required
                /></label>
                <button>Save the rate</button>
              </form>
            </section>
            <section>
              <h2>Export</h2>
              <p>${exportLink('hledger', 'hledger journal')} ${exportLink('csv', 'CSV')}</p>
              <p>Trial balance ${downloadLinks('trial-balance', from, to)}</p>
              ${
                akaunting
                  ? html`<p>
                      Akaunting: each day's sales and expenses are pushed at 06:15;
                      ${akaunting.lastDay ? `last day there: ${akaunting.lastDay}` : 'nothing pushed yet'}.
                    </p>
                    ${postButton(
                      request.principal,
                      '/books/akaunting',
                      'Push the last 7 days to Akaunting now',
                      {
                        secondary: true,
                      },
                    )}`
                  : html`<p class="muted">Akaunting: not connected (see Configuration: AKAUNTING_URL).</p>`
              }
            </section>`,
        ),
      );
    },
  );
}
