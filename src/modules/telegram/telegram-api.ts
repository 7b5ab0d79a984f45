// The Bot API client (grammY) pointed at TELEGRAM_API_ROOT, with its HTTP through the integrations
// transport: a 429's retry_after is waited out once (the job that sent then retries with backoff), a
// failure that may pass is tried again (a message is sent twice only when Telegram cannot have taken
// it), and the token, which the Bot API carries in every URL, never appears in a message or a log
// line. Telegram's own error answers still reach grammY, which turns them into GrammyErrors.
import { Api, type ApiClientOptions } from 'grammy';
import type { TelegramConfig } from './settings.ts';
import { Transport } from '../../platform/integrations/transport.ts';

type BotConfig = TelegramConfig & { token: string };

/** Telegram's API root with the bot's token; the voice-note download uses it too. */
export function telegramTransport(config: BotConfig): Transport {
  return new Transport({
    integration: 'telegram',
    label: 'Telegram',
    baseUrl: config.apiRoot,
    secrets: [config.token],
    // Long polling holds getUpdates open for 30 s.
    timeoutMs: 60_000,
    deadlineMs: 3 * 60_000,
    retry: { attempts: 2, baseDelayMs: 1000, maxDelayMs: 60_000 },
    retryAfterFromBody: (body) => {
      const seconds = (body as { parameters?: { retry_after?: unknown } } | undefined)?.parameters
        ?.retry_after;
      return typeof seconds === 'number' ? seconds * 1000 : undefined;
    },
  });
}

/** What grammY's client is given: the API root and a fetch that goes through the transport. */
export function telegramClient(config: BotConfig): ApiClientOptions {
  const transport = telegramTransport(config);
  return {
    apiRoot: config.apiRoot,
    fetch: async (url: string, init: GrammyRequest) => {
      if (init.body !== undefined && typeof init.body !== 'string')
        throw new Error('telegram: files are sent by their link; uploading one is not supported');
      const method = url.slice(url.lastIndexOf('/') + 1);
      return transport.response({
        method: 'POST',
        url,
        headers: { 'content-type': init.headers?.['content-type'] ?? 'application/json' },
        body: init.body,
        // Reading (getUpdates, getMe, getFile) may be repeated; sending may not.
        idempotent: /^get[A-Z]/.test(method),
        signal: init.signal && nativeSignal(init.signal),
        passFailures: true,
      });
    },
  };
}

export function telegramApi(config: BotConfig): Api {
  return new Api(config.token, telegramClient(config));
}

/** What grammY passes to fetch (its JSON payloads). */
interface GrammyRequest {
  headers?: Record<string, string>;
  body?: unknown;
  signal?: EventSignal;
}

/** grammY's abort signal comes from a polyfill, which AbortSignal.any does not take. */
interface EventSignal {
  aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
}

function nativeSignal(signal: EventSignal): AbortSignal {
  const controller = new AbortController();
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
  return controller.signal;
}
