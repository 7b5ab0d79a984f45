// Deliveries with a bad signature, counted per client address: after too many in a window the address
// is refused at once, before its body (up to 5 MB) is read. Only refusals of bodies claimed for this
// shop count (a delivery for another shop is refused before its body, for free), so Shopify's own
// addresses, which send this shop's deliveries correctly signed, are never held back by them: someone
// who points another shop's webhooks here makes Shopify send them with that shop's domain.
import { isIPv6 } from 'node:net';

export interface BadSignatureLimits {
  /** Bad signatures an address may send in a window before it is refused. */
  max: number;
  windowMs: number;
}

export const BAD_SIGNATURE_LIMITS: BadSignatureLimits = { max: 10, windowMs: 60_000 };

/** Addresses remembered at most; beyond it the oldest windows are forgotten first. */
const REMEMBERED = 10_000;

export class BadSignatureLimit {
  /** Address → its window: when it began and how many bad signatures came in it. */
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly limits: BadSignatureLimits = BAD_SIGNATURE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the address may send again, or 0 when it is not refused. */
  refusedFor(address: string): number {
    const window = this.current(clientKey(address));
    if (!window || window.count < this.limits.max) return 0;
    return Math.max(1, Math.ceil((window.startedAt + this.limits.windowMs - this.now()) / 1000));
  }

  badSignature(address: string): void {
    const key = clientKey(address);
    const window = this.current(key);
    if (window) {
      window.count += 1;
      return;
    }
    if (this.windows.size >= REMEMBERED) this.forgetOldest();
    this.windows.set(key, { startedAt: this.now(), count: 1 });
  }

  private current(key: string) {
    const window = this.windows.get(key);
    if (window && window.startedAt + this.limits.windowMs <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private forgetOldest(): void {
    // Insertion order is the order windows began: the first tenth are the oldest.
    let drop = Math.ceil(REMEMBERED / 10);
    for (const key of this.windows.keys()) {
      if (drop-- <= 0) break;
      this.windows.delete(key);
    }
  }
}

/**
 * An IPv4 address as it is; an IPv6 one by its /64, which one customer line usually holds whole (so
 * moving to the next address in it does not start a fresh count).
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
