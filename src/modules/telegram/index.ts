// Telegram: the owner's chat with shopkeep. Approval cards with buttons, notices from the Inbox, the
// commands every module adds (/today, /pnl, /orders), and voice notes. Loaded only with a bot token:
// grammY stays out of memory otherwise. The bot itself runs in the server only (Telegram allows one
// consumer of a bot's updates); workers deliver cards and notices.
import { defineModule } from '../../platform/kit/module.ts';
import { sourcePath } from '../../platform/paths.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Readiness } from '../../platform/kit/kernel.ts';
import type { TelegramCommand } from '../../platform/kit/module.ts';
import { telegramSettings, type TelegramConfig } from './settings.ts';
import * as tables from './schema.ts';
import type { TelegramNotifier } from './notifier.ts';
import type { OwnerBot } from './bot.ts';
import { todayCommand } from './today.ts';

export interface TelegramParts {
  settings: TelegramConfig;
  publicUrl: string;
  timezone: string;
  logger: Logger;
  /** Present with a bot token. */
  notifier: TelegramNotifier | undefined;
  faces: Pick<Faces, 'approvals' | 'ai' | 'notifications' | 'shop' | 'ledger'>;
  readiness: () => Promise<Readiness>;
  commands: () => TelegramCommand[];
  /** Made when the server registers its routes; started and stopped with it. */
  bot: OwnerBot | undefined;
}

export default defineModule<TelegramConfig, TelegramParts>({
  name: 'telegram',
  migrations: { dir: sourcePath('modules/telegram/migrations') },
  tables,
  settings: telegramSettings,
  needs: ['approvals', 'qa', 'catalog', 'notifications', 'ai', 'shop', 'ledger'],
  async build({ db, config, settings, logger, use, readiness, contributions }) {
    const faces = {
      approvals: use('approvals'),
      ai: use('ai'),
      notifications: use('notifications'),
      shop: use('shop'),
      ledger: use('ledger'),
    };
    const { token } = settings;
    const notifier = token
      ? new (await import('./notifier.ts')).TelegramNotifier(
          db,
          (await import('./telegram-api.ts')).telegramApi({ ...settings, token }),
          settings.allowedChatIds,
          faces.approvals,
          use('qa'),
          use('catalog'),
          faces.notifications,
          logger,
        )
      : undefined;
    return {
      settings,
      publicUrl: config.publicUrl,
      timezone: config.timezone,
      logger,
      notifier,
      faces,
      readiness,
      commands: () => contributions.telegramCommands(),
      bot: undefined,
    };
  },
  subscriptions: ({ notifier }) => notifier?.subscriptions() ?? [],
  telegram: ({ faces, timezone }) => [todayCommand(faces, timezone)],
  http: [
    {
      prefix: '',
      async register(app, parts) {
        const { token } = parts.settings;
        if (!token || !parts.notifier) return;
        const { OwnerBot } = await import('./bot.ts');
        parts.bot = new OwnerBot(
          { ...parts.settings, token },
          {
            approvals: parts.faces.approvals,
            transcribe: (audio, mimeType, fileName) => parts.faces.ai.transcribe(audio, mimeType, fileName),
            notifications: parts.faces.notifications,
            readiness: parts.readiness,
            commands: parts.commands,
          },
          parts.notifier,
          parts.logger,
        );
        parts.bot.webhookRoute()(app);
      },
    },
  ],
  start: async ({ bot, publicUrl }, { http }) => {
    if (http) await bot?.start(`${publicUrl}/webhooks/telegram`);
  },
  stop: async ({ bot }) => bot?.stop(),
});
