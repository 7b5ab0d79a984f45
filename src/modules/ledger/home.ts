// The books' part of the home page: this month's profit so far, and the cash: in the bank, on its
// way from the payment providers, the next payout, and the VAT the shop owes out of it.
import type { HomeContribution, HomeLook } from '../../platform/kit/module.ts';
import { html, type Html } from '../../platform/dashboard/html.ts';
import { formatMoney } from '../../platform/money.ts';
import { formatDay, plural } from '../../platform/dashboard/layout.ts';
import { dayIn } from '../../platform/dates.ts';
import type { LedgerService } from './ledger-service.ts';
import { ACCOUNTS } from './chart.ts';
import type { NextPayout } from '../shop/index.ts';

export function ledgerHome(ledger: LedgerService, timezone: string): HomeContribution {
  return {
    cards: [
      { id: 'profit', position: 20, render: (look) => profitCard(ledger, look) },
      { id: 'cash', position: 25, render: (look) => cashCard(ledger, look, timezone) },
    ],
    activity: async (since) => {
      const { orders, receipts } = await ledger.reports.bookedSince(since);
      return [
        ...(orders ? [{ text: `${plural(orders, 'order')} booked in the books`, href: '/books' }] : []),
        ...(receipts ? [{ text: `${plural(receipts, 'receipt')} booked`, href: '/books/expenses' }] : []),
      ];
    },
  };
}

async function profitCard(ledger: LedgerService, { today }: HomeLook): Promise<Html> {
  const from = `${today.slice(0, 8)}01`;
  const pnl = await ledger.reports.profitAndLoss(from, today);
  const money = (minor: number) => formatMoney(minor, pnl.currency);
  return html`<section class="card" data-card="profit">
    <h2><a href="${`/books?from=${from}&to=${today}`}">Profit this month so far</a></h2>
    <p class="figure ${pnl.net < 0 ? 'bad' : ''}">${money(pnl.net)}</p>
    <p class="muted small">Revenue ${money(pnl.revenue)}, costs ${money(pnl.expenses)} (VAT left out), ${formatDay(from)} to ${formatDay(today)}.</p>
  </section>`;
}

async function cashCard(ledger: LedgerService, { today }: HomeLook, timezone: string): Promise<Html> {
  const [sheet, payout] = await Promise.all([ledger.reports.balanceSheet(today), ledger.nextPayout()]);
  const money = (minor: number) => formatMoney(minor, sheet.currency);
  const held = (code: string) => sheet.assets.find((line) => line.account === code)?.amount ?? 0;
  const owed = (code: string) => sheet.liabilities.find((line) => line.account === code)?.amount ?? 0;
  const onTheWay = sheet.assets
    .filter((line) => line.account.startsWith('Assets:Clearing:') || line.account === ACCOUNTS.receivable)
    .reduce((sum, line) => sum + line.amount, 0);
  const vat = owed(ACCOUNTS.salesTax) - held(ACCOUNTS.vatReclaimable);
  return html`<section class="card" data-card="cash">
    <h2><a href="/books/cash">Cash</a></h2>
    <p class="figure">${money(held(ACCOUNTS.bank))} <span class="muted small">in the bank</span></p>
    <ul class="plain small">
      <li>${money(onTheWay)} on its way from payment providers</li>
      <li>${payout ? nextPayoutLine(payout, timezone) : 'No payout scheduled'}</li>
      ${vat > 0 ? html`<li>${money(vat)} of it is VAT you owe</li>` : ''}
    </ul>
  </section>`;
}

function nextPayoutLine(payout: NextPayout, timezone: string): string {
  const state = payout.status === 'in_transit' ? 'on its way since' : 'scheduled for';
  return `Next payout ${formatMoney(payout.netMinor, payout.currency)}, ${state} ${formatDay(dayIn(payout.date, timezone))}`;
}
