// The periods an owner picks from on every report and list: quick ranges (today, yesterday, this
// week, this month, last month, this quarter, this year) as links, and two native date inputs.
import { addDays } from '../dates.ts';
import { html, type Html } from './html.ts';

export interface Range {
  label: string;
  from: string;
  to: string;
}

/** The quick ranges as of `today` (weeks start on Monday). */
export function quickRanges(today: string): Range[] {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const weekday = (new Date(`${today}T12:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  const monthStart = `${today.slice(0, 8)}01`;
  const lastMonthEnd = addDays(monthStart, -1);
  const quarterMonth = String(Math.floor((month - 1) / 3) * 3 + 1).padStart(2, '0');
  return [
    { label: 'Today', from: today, to: today },
    { label: 'Yesterday', from: addDays(today, -1), to: addDays(today, -1) },
    { label: 'This week', from: addDays(today, -weekday), to: today },
    { label: 'This month', from: monthStart, to: today },
    { label: 'Last month', from: `${lastMonthEnd.slice(0, 8)}01`, to: lastMonthEnd },
    { label: 'This quarter', from: `${year}-${quarterMonth}-01`, to: today },
    { label: 'This year', from: `${year}-01-01`, to: today },
  ];
}

export interface PeriodPickerOptions {
  /** The page the picker reloads: '/books'. */
  action: string;
  from: string;
  to: string;
  today: string;
  /** Other fields of the page's address to keep (a search, a status). */
  keep?: Record<string, string | undefined>;
}

const keptFields = (keep: Record<string, string | undefined>) =>
  Object.entries(keep).filter((entry): entry is [string, string] => Boolean(entry[1]));

/** The quick ranges as links, the one shown marked (for a page whose own form has the dates). */
export function rangeLinks({ action, from, to, today, keep = {} }: PeriodPickerOptions): Html {
  const kept = keptFields(keep);
  const link = (range: Range) =>
    `${action}?${new URLSearchParams([...kept, ['from', range.from], ['to', range.to]])}`;
  return html`<nav class="ranges" aria-label="Period">
    ${quickRanges(today).map(
      (range) =>
        html`<a href="${link(range)}"${range.from === from && range.to === to ? html` class="current" aria-current="true"` : ''}>${range.label}</a>`,
    )}
  </nav>`;
}

/** Quick ranges as links (the one shown marked) and a from/to form with the browser's date inputs. */
export function periodPicker(options: PeriodPickerOptions): Html {
  const { action, from, to, keep = {} } = options;
  return html`${rangeLinks(options)}
    <form method="get" action="${action}" class="filters period">
      ${keptFields(keep).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
      <label>From <input type="date" name="from" value="${from}" /></label>
      <label>To <input type="date" name="to" value="${to}" /></label>
      <button class="secondary">Show</button>
    </form>`;
}
