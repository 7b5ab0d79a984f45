// What the shop's pages share: the notice shown before Shopify is connected, and times in the shop's zone.
import { html } from '../../platform/dashboard/html.ts';
import { formatTime } from '../../platform/dashboard/layout.ts';

export const notConnected = html`<p class="notice">Shopify is not connected yet. ${html`<a href="/shop">Connect it</a>`} to see orders and stock.</p>`;

/** An ISO instant (or none) as the dashboard shows times, in `zone`. */
export const time = (value: string | null | undefined, zone: string) =>
  formatTime(value ? new Date(value) : null, zone);
