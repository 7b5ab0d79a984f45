// Retries for calls to external services: exponential backoff with jitter, or exactly the delay the
// service asked for (Retry-After, or a delay in its error body), never past the caller's deadline.
import { IntegrationError } from './integration-error.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included; 1 means no retry. */
  attempts: number;
  baseDelayMs: number;
  /** The longest wait between two attempts, whether from backoff or from the service. */
  maxDelayMs: number;
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Injectable so tests of the rules do not sleep. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** No wait may end after this instant: the last failure is thrown instead. */
  deadlineAt?: number;
  onRetry?: (error: IntegrationError, attempt: number, delayMs: number) => void;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The wait before attempt `failures + 1`. The service's own delay wins when it gave one (waiting less
 * only earns another refusal); otherwise the delay doubles each time, spread by ±25% so that many
 * clients that failed together do not come back together.
 */
export function retryDelay(
  policy: RetryPolicy,
  failures: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, Math.max(0, retryAfterMs));
  const backoff = policy.baseDelayMs * 2 ** (failures - 1);
  return Math.min(policy.maxDelayMs, Math.round(backoff * (0.75 + random() / 2)));
}

/** Retry-After as seconds ("120") or as an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value?.trim()) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  // Every HTTP date format starts with the day's name; Date.parse alone takes "-5" as a year.
  const date = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Runs `work` until it succeeds, fails with an error that is not retryable, or the attempts or the
 * deadline run out; then the last error is thrown as it was.
 */
export async function retrying<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, now = Date.now } = options;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!(error instanceof IntegrationError)) throw error;
      error.attempts = attempt;
      if (!error.retryable || attempt >= policy.attempts) throw error;
      const delay = retryDelay(policy, attempt, error.retryAfterMs, options.random);
      if (options.deadlineAt !== undefined && now() + delay >= options.deadlineAt) throw error;
      options.onRetry?.(error, attempt, delay);
      await wait(delay);
    }
  }
}
