// One error for every external service shopkeep talks to, with a closed set of kinds that say what
// the owner (or the job that called) should do about it.
export type IntegrationErrorKind =
  /** The credentials were refused (401/403, a bad key): fix them; retrying cannot help. */
  | 'auth'
  /** The service refused this request (another 4xx): the request or a setting is wrong. */
  | 'rejected'
  /** Still rate limited after waiting as the service asked: try later. */
  | 'rate_limited'
  /** Not reachable, too slow, or failing on its side (5xx), or skipped while its circuit is open. */
  | 'unavailable';

export interface IntegrationErrorDetails {
  /** The HTTP status of the last answer, when there was one. */
  status?: number;
  /** How long the service asked to be left alone (Retry-After, or a delay in its error body). */
  retryAfterMs?: number;
  /**
   * Whether the same call may be made again at once with a chance of success. False for auth and
   * rejected, and for a request that may have been carried out although no answer came (a POST that
   * timed out), which only its caller can check before trying again.
   */
  retryable?: boolean;
}

export class IntegrationError extends Error {
  override name = 'IntegrationError';
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;
  /** How many times the call was made before it failed this way (the retry loop counts them). */
  attempts = 1;

  constructor(
    /** The integration's name as in its credentials ('akaunting', 'gemini', 'shopify'). */
    readonly integration: string,
    readonly kind: IntegrationErrorKind,
    message: string,
    details: IntegrationErrorDetails = {},
  ) {
    super(message);
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = details.retryable ?? (kind === 'unavailable' || kind === 'rate_limited');
  }
}
