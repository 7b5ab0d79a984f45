// The books' reports: profit and loss for a period beside the one before it, with a chart, and the
// balance sheet at its end; a line when something waits for review; the exports. The other jobs
// (VAT, cash, margins, stock, expenses and receipts, review, periods, settings) have pages of their
// own, under the same tabs.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html, type Html } from '../../../platform/dashboard/html.ts';
import { formatDay, page, plural } from '../../../platform/dashboard/layout.ts';
import { noticeLine, sendPage, table } from '../../../platform/dashboard/components.ts';
import { periodPicker } from '../../../platform/dashboard/periods.ts';
import { noticeField } from '../../../platform/dashboard/form-body.ts';
import { formatMoney } from '../../../platform/money.ts';
import { previousPeriod, type AccountLine } from '../reports.ts';
import { downloadLinks } from '../documents.ts';
import { accountLink } from './account.ts';
import { pagePeriod, periodFields } from './period.ts';
import { booksNav } from './nav.ts';

export function booksPage(app: FastifyInstance, { ledger, now }: LedgerParts, { config }: HttpContext): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '',
    {
      config: { access: 'read' },
      schema: { hide: true, querystring: Type.Object({ ...periodFields, ...noticeField }) },
    },
    async (request, reply) => {
      const { from, to, today } = pagePeriod(request.query, config.timezone, now);
      const before = previousPeriod(from, to);
      const [pnl, sheet, review, gifts] = await Promise.all([
        ledger.reports.profitAndLoss(from, to, before),
        ledger.reports.balanceSheet(to),
        ledger.review('open'),
        ledger.giftCards(from, to),
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
      const bar = (label: string, value: number, max: number, kind: 'good' | 'bad'): Html =>
        html`<div class="bar-row">
          <span>${label}</span><meter class="${kind}" min="0" max="${String(max)}" value="${String(Math.abs(value))}"></meter
          ><strong>${money(value)}</strong>
        </div>`;
      const max = Math.max(pnl.revenue, pnl.expenses, Math.abs(pnl.net), 1);
      const exportLink = (format: string, label: string) =>
        html`<a class="button secondary" href="${`/api/v1/ledger/export?${new URLSearchParams({ format, from, to })}`}">${label}</a>`;
      const span = `${formatDay(from)} to ${formatDay(to)}`;
      return sendPage(
        reply,
        page(
          { title: 'Books', principal: request.principal, current: '/books' },
          html`${booksNav('/books', { from, to })}
            ${noticeLine(request.query)}
            ${review.length ? html`<p class="notice bad"><a href="/books/review">${plural(review.length, 'item')} wait for review</a>: the books kept them out until you settle them.</p>` : ''}
            ${periodPicker({ action: '/books', from, to, today })}
            <section>
              <h2>Profit and loss, ${span} ${downloadLinks('pnl', from, to)}</h2>
              <div class="bars" data-testid="pnl-chart">
                ${bar('Revenue', pnl.revenue, max, 'good')} ${bar('Expenses', pnl.expenses, max, 'bad')}
                ${bar('Net', pnl.net, max, pnl.net >= 0 ? 'good' : 'bad')}
              </div>
              ${table(
                [
                  'Account',
                  `${formatDay(from)} – ${formatDay(to)}`,
                  `${formatDay(before.from)} – ${formatDay(before.to)}`,
                ],
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
              <h2>Balance sheet at ${formatDay(to)} ${downloadLinks('balance-sheet', from, to)}</h2>
              ${table(
                ['', 'Amount'],
                [
                  ...sheetRows(sheet.assets),
                  [html`<strong>Assets</strong>`, money(sheet.totalAssets)],
                  ...sheetRows(sheet.liabilities),
                  [html`<strong>Liabilities</strong>`, money(sheet.totalLiabilities)],
                  ...sheetRows(sheet.equity),
                  ...(sheet.retainedEarnings
                    ? [['Earnings of earlier years', money(sheet.retainedEarnings)]]
                    : []),
                  ['Earnings this year', money(sheet.earnings)],
                  [html`<strong>Equity</strong>`, money(sheet.totalEquity)],
                ],
                'Nothing booked yet.',
              )}
            </section>
            ${
              gifts.opening || gifts.issued || gifts.outstanding
                ? html`<section>
                    <h2>Gift cards</h2>
                    ${table(
                      ['', 'Amount'],
                      [
                        ['Unspent at the start', money(gifts.opening)],
                        ['Sold', money(gifts.issued)],
                        ['Spent', money(-gifts.redeemed)],
                        ['Refunded to the buyer', money(-gifts.refunded)],
                        ['Refunds put back on a card', money(gifts.putBack)],
                        ...(gifts.other ? [['By hand (journals)', money(gifts.other)]] : []),
                        [
                          html`<strong>Unspent at the end</strong>`,
                          html`<strong>${money(gifts.outstanding)}</strong>`,
                        ],
                      ],
                      '',
                    )}
                  </section>`
                : ''
            }
            <section>
              <h2>Export</h2>
              <p>${exportLink('hledger', 'hledger journal')} ${exportLink('csv', 'CSV')} ${exportLink('xero', 'Xero journals')} ${exportLink('quickbooks', 'QuickBooks journals')}</p>
              <p>Trial balance ${downloadLinks('trial-balance', from, to)}</p>
              <p>Management pack (profit and loss, balance sheet, cash, VAT, owed to you) ${downloadLinks('management-pack', from, to)}</p>
            </section>`,
        ),
      );
    },
  );
}
