// A server whose clock is wrong refuses every Shopify delivery as triggered outside the window (a
// Raspberry Pi has no clock of its own: without the network's time it starts from when it was last
// shut down), and only a metric would say so. The owner is told, once a day at most, to check the
// clock, with how far off the deliveries were. Telling never holds up the intake: it is started, not
// waited for, and a failure is logged and tried again with a later refusal.
import { describeError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Notice } from '../../platform/notify/index.ts';

/** Telling the owner failed: not tried again before this, so a broken inbox is not asked per delivery. */
const TELL_AGAIN_MS = 60_000;

export interface StaleDeliveriesOptions {
  /** The Notifications service's send: the dedupe key (by day) keeps it to one notice a day. */
  tellOwner: (notice: Notice) => Promise<unknown>;
  logger: Logger;
  now?: () => number;
}

export class StaleDeliveries {
  /** The day (this server's, UTC) the owner was told, or is being told. */
  private toldOn: string | undefined;
  private tellAfter = 0;
  private readonly now: () => number;

  constructor(private readonly options: StaleDeliveriesOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * A delivery triggered at `triggeredAt` was refused as outside the window. The returned promise
   * settles when the owner was told (or telling failed, which it logs); it never rejects, and the
   * intake does not wait for it.
   */
  refused(topic: string, triggeredAt: number): Promise<void> {
    const now = this.now();
    const day = new Date(now).toISOString().slice(0, 10);
    if (this.toldOn === day || now < this.tellAfter) return Promise.resolve();
    this.toldOn = day;
    return this.options.tellOwner(notice(topic, triggeredAt, now, day)).then(
      () => undefined,
      (error: unknown) => {
        this.toldOn = undefined;
        this.tellAfter = now + TELL_AGAIN_MS;
        this.options.logger.error(
          { err: describeError(error) },
          'could not tell the owner that Shopify webhooks are refused as stale; trying again with a later one',
        );
      },
    );
  }
}

function notice(topic: string, triggeredAt: number, now: number, day: string): Notice {
  const offset = triggeredAt - now;
  const off = `${howLong(Math.abs(offset))} ${offset > 0 ? 'ahead of' : 'behind'}`;
  return {
    kind: 'shop.webhooks-stale',
    severity: 'warning',
    title: 'Shopify webhooks are refused: check this server’s clock',
    body: [
      `Shopify deliveries are refused because the time Shopify says it sent them (X-Shopify-Triggered-At) is ${off} this server’s clock: the ${topic} delivery triggered at ${new Date(triggeredAt).toISOString()} arrived when this server’s clock said ${new Date(now).toISOString()}.`,
      'If the clock is wrong, nothing from Shopify is taken in until it is right. A Raspberry Pi has no clock of its own and takes the time from the network: check it with `timedatectl` (it should say “System clock synchronized: yes”), and `sudo timedatectl set-ntp true` turns synchronisation on. Shopify retries a refused delivery for about 4 hours, and reconciliation brings every change in once the clock is right.',
      'If the clock is right, these were old deliveries sent again, and refusing them was right.',
    ].join('\n\n'),
    dedupeKey: `shop.webhooks-stale:${day}`,
  };
}

/** "3 days 4 hours", "5 hours 12 minutes", "47 minutes": the two largest units. */
function howLong(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const units: [number, string][] = [
    [Math.floor(minutes / 1440), 'day'],
    [Math.floor(minutes / 60) % 24, 'hour'],
    [minutes % 60, 'minute'],
  ];
  const first = units.findIndex(([count]) => count > 0);
  if (first < 0) return 'less than a minute';
  return units
    .slice(first, first + 2)
    .filter(([count]) => count > 0)
    .map(([count, unit]) => `${count} ${unit}${count === 1 ? '' : 's'}`)
    .join(' ');
}
