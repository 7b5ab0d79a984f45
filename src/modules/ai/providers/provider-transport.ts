// The integration transport as every model provider uses it: one attempt per call, because the AI
// service retries whole answers (each attempt is recorded in the usage table) and keeps one circuit
// breaker per provider counting answers, not exchanges; the timeout of SHOPKEEP_AI_TIMEOUT_SECONDS;
// failures said as "<provider>: <status> <what the API said>", with keys removed.
import { Transport } from '../../../platform/integrations/transport.ts';
import type { ProviderName } from './types.ts';

export interface ProviderTransportOptions {
  provider: ProviderName;
  baseUrl: string;
  /** The authentication headers; their values are scrubbed from every message. */
  headers: Record<string, string>;
  timeoutMs: number;
  /** Pulls a readable message out of the provider's error body. */
  errorMessage: (body: unknown) => string | undefined;
  /** A refused key the status does not show (Gemini answers one with 400). */
  refusedKey?: (body: unknown) => boolean;
  /** Some providers put the retry delay in the body (Gemini's RetryInfo). */
  retryAfterFromBody?: (body: unknown) => number | undefined;
}

export function providerTransport(options: ProviderTransportOptions): Transport {
  return new Transport({
    integration: options.provider,
    label: options.provider,
    baseUrl: options.baseUrl,
    headers: options.headers,
    timeoutMs: options.timeoutMs,
    deadlineMs: options.timeoutMs,
    retry: { attempts: 1 },
    breaker: false,
    explain: ({ status, body }) => ({
      kind: options.refusedKey?.(body) ? 'auth' : undefined,
      message: `${options.provider}: ${status} ${options.errorMessage(body) ?? `HTTP ${status}`}`.slice(
        0,
        300,
      ),
    }),
    retryAfterFromBody: options.retryAfterFromBody,
  });
}
