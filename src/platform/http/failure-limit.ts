// Failed proofs of who is sending (a webhook's bad signature, a wrong secret token), counted per
// client: after too many in a window the client is refused at once, before its body is read, so a
// stranger gets a few bodies a minute read and checked, not hundreds. A client is its IPv4 address or
// its IPv6 /64 (client-key.ts), so walking through the addresses of one line does not reset the count.
// Kept in memory: a restart forgets the counts, which costs an attacker one more window at most.
import { clientKey } from '../net/client-key.ts';

export interface FailureLimits {
  /** Failures a client may have in a window before it is refused. */
  max: number;
  windowMs: number;
}

/** Clients remembered at most; beyond it the oldest windows are forgotten first. */
const REMEMBERED = 10_000;

export class FailureLimit {
  /** Client → its window: when it began and how many failures came in it. */
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly limits: FailureLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the address may send again, or 0 when it is not refused. */
  refusedFor(address: string): number {
    const window = this.current(clientKey(address));
    if (!window || window.count < this.limits.max) return 0;
    return Math.max(1, Math.ceil((window.startedAt + this.limits.windowMs - this.now()) / 1000));
  }

  failed(address: string): void {
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
