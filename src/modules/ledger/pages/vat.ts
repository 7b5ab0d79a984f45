// VAT in the dashboard: for a period, one row per tax the shop owes (the UK's nations together),
// with totals, the VAT to reclaim on purchases, and what is owed net.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html, type Html } from '../../../platform/dashboard/html.ts';
import { csrfField, formatDay, page } from '../../../platform/dashboard/layout.ts';
import { sendPage, table } from '../../../platform/dashboard/components.ts';
import { periodPicker } from '../../../platform/dashboard/periods.ts';
import { formatMoney } from '../../../platform/money.ts';
import { downloadLinks } from '../documents.ts';
import { taxesOwed } from '../taxes.ts';
import type { VatBoxes, VatReturn } from '../vat-return.ts';
import { pagePeriod, periodFields } from './period.ts';
import { booksNav } from './nav.ts';

const BOXES: [keyof VatBoxes, string][] = [
  ['box1', 'Box 1: VAT due on sales'],
  ['box2', 'Box 2: VAT due on goods from the EU (Northern Ireland)'],
  ['box3', 'Box 3: total VAT due'],
  ['box4', 'Box 4: VAT reclaimed on purchases'],
  ['box5', 'Box 5: net VAT to pay or reclaim'],
  ['box6', 'Box 6: sales before VAT (whole pounds)'],
  ['box7', 'Box 7: purchases before VAT (whole pounds)'],
  ['box8', 'Box 8: goods to the EU (whole pounds)'],
  ['box9', 'Box 9: goods from the EU (whole pounds)'],
];

/** The UK return's nine boxes for the period, filed or not; the owner files it from here. */
/** How the return reaches HMRC: through Making Tax Digital when set up and connected, else by hand. */
interface Sending {
  /** HMRC's Making Tax Digital is set up (HMRC_CLIENT_ID …); connected once the owner granted access. */
  hmrc: { connected: boolean } | undefined;
}

function returnSection(vat: VatReturn, owner: boolean, csrf: Html, sending: Sending): Html {
  const money = (minor: number) => formatMoney(minor, vat.currency);
  return html`<section>
    <h2>VAT return (UK), ${formatDay(vat.from)} to ${formatDay(vat.to)}</h2>
    ${table(
      ['Box', 'Amount'],
      BOXES.map(([box, label]) => [label, money(vat[box])]),
      '',
    )}
    <p>
      ${
        vat.toPay >= 0
          ? html`<strong>To pay HMRC: ${money(vat.toPay)}</strong>`
          : html`<strong>HMRC repays: ${money(-vat.toPay)}</strong>`
      }
      ${vat.scheme === 'flat-rate' ? html`<span class="muted">(Flat Rate Scheme)</span>` : ''}
    </p>
    ${
      vat.filed
        ? html`<p class="ok">
          Filed ${formatDay(vat.filed.at.slice(0, 10))} by ${vat.filed.by}${vat.filed.receipt ? `, HMRC receipt ${vat.filed.receipt}` : ''}:
          these figures no longer change.
        </p>`
        : owner && sending.hmrc
          ? sending.hmrc.connected
            ? html`<form method="post" action="/books/vat-return/submit" class="stack" data-hmrc>
              ${csrf}<input type="hidden" name="from" value="${vat.from}" /><input type="hidden" name="to" value="${vat.to}" />
              ${['jsUserAgent', 'deviceId', 'screens', 'windowSize', 'timezone'].map(
                (name) => html`<input type="hidden" name="${name}" value="" />`,
              )}
              <button>Send this return to HMRC</button>
              <span class="muted small">By sending it you declare it true and complete. It is then filed here too.</span>
            </form>`
            : html`<p><a class="button" href="/books/hmrc/connect">Connect to HMRC</a> to send returns from here.</p>`
          : owner
            ? html`<form method="post" action="/books/vat-return" class="stack">
            ${csrf}<input type="hidden" name="from" value="${vat.from}" /><input type="hidden" name="to" value="${vat.to}" />
            <button>Mark this return as filed</button>
            <span class="muted small">Its figures are then kept as they are. Pay it with a journal (Journals).</span>
          </form>`
            : ''
    }
  </section>`;
}

export function vatPage(
  app: FastifyInstance,
  { ledger, now, hmrc }: LedgerParts,
  { config }: HttpContext,
): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/vat',
      { config: { access: 'read' }, schema: { hide: true, querystring: Type.Object(periodFields) } },
      async (request, reply) => {
        const { from, to, today } = pagePeriod(request.query, config.timezone, now);
        const [tax, vatReturn] = await Promise.all([
          ledger.reports.salesTax(from, to),
          ledger.vatReturns.forPeriod(from, to),
        ]);
        const owner = request.principal?.user.role === 'owner';
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
            </section>
            ${returnSection(vatReturn, owner, csrfField(request.principal), {
              hmrc: hmrc ? { connected: await hmrc.connected() } : undefined,
            })}`,
          ),
        );
      },
    );
}
