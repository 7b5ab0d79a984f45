// The owner's Telegram bot: its token, where the Bot API is, which chats may act, and webhook mode.
import { ConfigError } from '../../platform/errors.ts';
import type { SettingsReader } from '../../platform/kit/settings.ts';

export interface TelegramConfig {
  token: string | undefined;
  apiRoot: string;
  /** Only these chats may act; messages from any other are ignored and logged. */
  allowedChatIds: number[];
  /** Set: Telegram posts updates to /webhooks/telegram with this secret, instead of long polling. */
  webhookSecret: string | undefined;
}

export function telegramSettings(read: SettingsReader): TelegramConfig {
  const allowedChatIds = (read.text('TELEGRAM_ALLOWED_CHAT_IDS') ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)
    .map((id) => {
      if (!/^-?\d{1,20}$/.test(id))
        throw new ConfigError('TELEGRAM_ALLOWED_CHAT_IDS', `"${id}" is not a chat id (a whole number)`);
      return Number(id);
    });
  const token = read.text('TELEGRAM_BOT_TOKEN');
  if (token && !/^\d+:[\w-]{20,}$/.test(token)) {
    throw new ConfigError(
      'TELEGRAM_BOT_TOKEN',
      'does not look like a bot token from @BotFather (digits, a colon, then the secret)',
    );
  }
  if (token && allowedChatIds.length === 0) {
    throw new ConfigError(
      'TELEGRAM_ALLOWED_CHAT_IDS',
      'is needed with TELEGRAM_BOT_TOKEN: the chat ids that may use the bot',
    );
  }
  return {
    token,
    apiRoot: (read.url('TELEGRAM_API_ROOT', ['http:', 'https:']) ?? 'https://api.telegram.org').replace(
      /\/$/,
      '',
    ),
    allowedChatIds,
    webhookSecret: webhookSecret(read.text('TELEGRAM_WEBHOOK_SECRET')),
  };
}

function webhookSecret(value: string | undefined): string | undefined {
  // Telegram's rule for secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and -. It is the only thing
  // between the internet and the bot's commands, so it must be long enough not to be guessed.
  if (value !== undefined && !/^[A-Za-z0-9_-]{32,256}$/.test(value)) {
    throw new ConfigError(
      'TELEGRAM_WEBHOOK_SECRET',
      `must be 32 to 256 letters, digits, _ and - (${value.length < 32 ? `this one has ${value.length}` : 'this one has other characters'}); make one with: openssl rand -hex 32`,
    );
  }
  return value;
}
