// The Bot API client (grammY) pointed at TELEGRAM_API_ROOT, honouring 429 retry_after once before
// giving up (the job that sent it then retries with backoff).
import { Api } from 'grammy';
import type { TelegramConfig } from './settings.ts';

export function telegramApi(config: TelegramConfig & { token: string }): Api {
  const api = new Api(config.token, { apiRoot: config.apiRoot });
  api.config.use(async (previous, method, payload, signal) => {
    const result = await previous(method, payload, signal);
    const retryAfter = !result.ok && result.error_code === 429 ? result.parameters?.retry_after : undefined;
    if (retryAfter === undefined || retryAfter > 60) return result;
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    return previous(method, payload, signal);
  });
  return api;
}
