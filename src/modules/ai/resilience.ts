// Retries with backoff and a circuit breaker per provider: a provider that keeps failing is skipped
// for a while instead of making every request wait for its timeouts.
import { ProviderError } from './providers/types.ts';

export interface RetryPolicy {
  attempts: number; // in all, the first included
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8000 };

export async function withRetries<T>(
  work: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      const retryable = error instanceof ProviderError && error.retryable;
      if (!retryable || attempt >= policy.attempts) throw error;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      // The server's own Retry-After wins when it asks for longer, up to the cap.
      const wait = Math.min(policy.maxDelayMs, Math.max(backoff, (error as ProviderError).retryAfterMs ?? 0));
      await sleep(wait * (0.8 + Math.random() * 0.4));
    }
  }
}

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  constructor(
    private readonly threshold = 5,
    private readonly coolDownMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** False while the circuit is open; after the cool-down one trial call is let through. */
  allows(): boolean {
    return this.now() >= this.openUntil;
  }

  get open(): boolean {
    return !this.allows();
  }

  succeeded(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  failed(): void {
    this.failures += 1;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.coolDownMs;
  }
}
