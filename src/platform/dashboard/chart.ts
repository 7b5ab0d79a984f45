// A bar chart an owner can read: bars over labelled axes (values on the left, dates along the
// bottom), a zero line when values go below it, and each bar's date and value on hover or tap.
import { html, type Html } from './html.ts';

export interface Bar {
  /** What the bar is: a day, a week ('2026-12-07'). */
  label: string;
  value: number;
}

export interface BarChartOptions {
  /** What the chart shows, for screen readers and the test: 'Sales per day, last 30 days'. */
  title: string;
  bars: Bar[];
  /** A value as the owner reads it: money with its currency. */
  format: (value: number) => string;
  /** A bar's label on the bottom axis, shorter than the label itself: '7 Dec'. */
  tick: (label: string) => string;
  /** A bar's label in full, where the bar says its value: '7 Dec 2026'. */
  name: (label: string) => string;
  testId?: string;
}

const WIDTH = 360;
const HEIGHT = 180;
const LEFT = 64; // room for the value labels
const BOTTOM = 20; // room for the date labels
const TOP = 8;

export function barChart({ title, bars, format, tick, name, testId }: BarChartOptions): Html {
  const values = bars.map((bar) => bar.value);
  const top = Math.max(0, ...values);
  const bottom = Math.min(0, ...values);
  const span = top - bottom || 1;
  const plot = HEIGHT - BOTTOM - TOP;
  const y = (value: number) => TOP + ((top - value) / span) * plot;
  const step = (WIDTH - LEFT) / Math.max(bars.length, 1);
  const ticks = [...new Set([0, Math.floor((bars.length - 1) / 2), bars.length - 1])].filter(
    (index) => index >= 0,
  );
  const levels = [...new Set([top, bottom, 0])];
  const n = (value: number) => String(Math.round(value * 10) / 10);
  return html`<svg class="chart" viewBox="0 0 ${n(WIDTH)} ${n(HEIGHT)}" role="img" aria-label="${title}"${testId ? html` data-testid="${testId}"` : ''}>
    <title>${title}</title>
    ${levels.map(
      (
        level,
      ) => html`<line class="grid" x1="${n(LEFT)}" x2="${n(WIDTH)}" y1="${n(y(level))}" y2="${n(y(level))}"></line>
        <text class="tick" x="${n(LEFT - 4)}" y="${n(y(level) + 4)}" text-anchor="end">${format(level)}</text>`,
    )}
    <line class="axis" x1="${n(LEFT)}" x2="${n(LEFT)}" y1="${n(TOP)}" y2="${n(HEIGHT - BOTTOM)}"></line>
    ${bars.map((bar, index) => {
      const from = y(Math.max(bar.value, 0));
      const to = y(Math.min(bar.value, 0));
      return html`<rect class="${bar.value < 0 ? 'bar-bad' : 'bar-good'}" x="${n(LEFT + index * step + 1)}" width="${n(Math.max(step - 2, 1))}" y="${n(from)}" height="${n(Math.max(to - from, 0.5))}"><title>${name(bar.label)}: ${format(bar.value)}</title></rect>`;
    })}
    ${ticks.map((index) => {
      // The first and last labels stay inside the chart: they start or end at their bar.
      const anchor = index === 0 ? 'start' : index === bars.length - 1 ? 'end' : 'middle';
      const x =
        anchor === 'start'
          ? LEFT + index * step
          : anchor === 'end'
            ? LEFT + (index + 1) * step
            : LEFT + index * step + step / 2;
      return html`<text class="tick" x="${n(x)}" y="${n(HEIGHT - 4)}" text-anchor="${anchor}">${tick(bars[index]!.label)}</text>`;
    })}
  </svg>`;
}

const shortFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** '2026-12-07' as '7 Dec', the bottom axis's way of naming a day. */
export function shortDay(day: string): string {
  return shortFormat.format(new Date(`${day}T12:00:00Z`));
}
