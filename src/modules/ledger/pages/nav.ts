// The books' pages, one for each job an owner does on a phone: the tabs at the top of each.
import { html, type Html } from '../../../platform/dashboard/html.ts';

const TABS = [
  ['/books', 'Reports'],
  ['/books/vat', 'VAT'],
  ['/books/cash', 'Cash'],
  ['/books/margins', 'Margins'],
  ['/books/stock', 'Stock'],
  ['/books/expenses', 'Expenses and receipts'],
  ['/books/journals', 'Journals'],
  ['/books/bank', 'Bank'],
  ['/books/owed', 'Owed to you'],
  ['/books/review', 'Review'],
  ['/books/periods', 'Periods'],
  ['/books/settings', 'Settings'],
] as const;

export type BooksTab = (typeof TABS)[number][0];

/** The tabs, this page's marked; the period goes along to the pages that show one. */
export function booksNav(current: BooksTab, period?: { from: string; to: string }): Html {
  const withPeriod = new Set(['/books', '/books/vat', '/books/cash', '/books/margins']);
  return html`<nav class="tabs" aria-label="The books">
    ${TABS.map(([href, label]) => {
      const target = period && withPeriod.has(href) ? `${href}?${new URLSearchParams(period)}` : href;
      return html`<a href="${target}"${href === current ? html` class="current" aria-current="page"` : ''}>${label}</a>`;
    })}
  </nav>`;
}
