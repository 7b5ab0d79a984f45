// JSON over HTTP for the provider clients: a timeout, and failures sorted into retryable (429, 5xx,
// network) and final (4xx), with the server's Retry-After honoured. Secrets never enter messages.
import { ProviderError, type ProviderName } from './types.ts';

export interface PostOptions {
  provider: ProviderName;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal;
  /** Pulls a readable message out of the provider's error body. */
  errorMessage: (body: unknown) => string | undefined;
  /** Some providers put the retry delay in the body (Gemini's RetryInfo). */
  retryAfterFromBody?: (body: unknown) => number | undefined;
}

export async function postJson<T>(options: PostOptions): Promise<T> {
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError'
        ? 'timed out'
        : 'could not be reached';
    throw new ProviderError(options.provider, `the API ${reason} (${new URL(options.url).host})`, true);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok) {
    if (body === undefined)
      throw new ProviderError(
        options.provider,
        'answered with a body that is not JSON',
        true,
        response.status,
      );
    return body as T;
  }
  const retryable = response.status === 429 || response.status === 408 || response.status >= 500;
  // Providers quote the key back in some errors ("Incorrect API key provided: sk-…abcd"): never pass it on.
  const message = withoutKeys(options.errorMessage(body) ?? `HTTP ${response.status}`);
  const retryAfterMs =
    retryAfterHeader(response.headers.get('retry-after')) ?? options.retryAfterFromBody?.(body);
  throw new ProviderError(
    options.provider,
    `${response.status} ${message}`.slice(0, 300),
    retryable,
    response.status,
    retryAfterMs,
  );
}

function retryAfterHeader(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Anything that looks like an API key (sk-…, AIza…, long token-like runs) becomes "[key]". */
export function withoutKeys(text: string): string {
  return text
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9*_-]{4,}/g, '[key]')
    .replace(/\bAIza[0-9A-Za-z_-]{10,}/g, '[key]')
    .replace(/\b[A-Za-z0-9_-]{32,}\b/g, '[key]');
}
