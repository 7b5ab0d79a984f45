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
import type { ApprovalCards } from './approval-cards.ts';
import type { OwnerBot } from './bot.ts';
import { todayCommand } from './today.ts';

export interface TelegramParts {
  settings: TelegramConfig;
  publicUrl: string;
  logger: Logger;
  /** Present with a bot token, as are the cards. */
  notifier: TelegramNotifier | undefined;
  cards: ApprovalCards | undefined;
  faces: Pick<Faces, 'approvals' | 'ai' | 'notifications'>;
  today: TelegramCommand;
  readiness: () => Promise<Readiness>;
  commands: () => TelegramCommand[];
  /** Made when the server registers its routes; started and stopped with it. */
  bot: OwnerBot | undefined;
}

const definition = defineModule<TelegramConfig, TelegramParts>({
  name: 'telegram',
  migrations: { dir: sourcePath('modules/telegram/migrations') },
  tables,
  settings: telegramSettings,
  needs: ['approvals', 'qa', 'catalog', 'notifications', 'ai', 'shop', 'ledger'],
  async build({ db, config, settings, logger, use, readiness, contributions, now }) {
    const faces = { approvals: use('approvals'), ai: use('ai'), notifications: use('notifications') };
    const today = todayCommand({
      shop: use('shop'),
      ledger: use('ledger'),
      approvals: faces.approvals,
      timezone: config.timezone,
      now,
    });
    const parts = {
      settings,
      publicUrl: config.publicUrl,
      logger,
      faces,
      today,
      readiness,
      commands: () => contributions.telegramCommands(),
      bot: undefined,
    };
    const { token } = settings;
    if (!token) return { ...parts, notifier: undefined, cards: undefined };
    const api = (await import('./telegram-api.ts')).telegramApi({ ...settings, token });
    const chatIds = settings.allowedChatIds;
    const { TelegramNotifier } = await import('./notifier.ts');
    const { ApprovalCards } = await import('./approval-cards.ts');
    return {
      ...parts,
      notifier: new TelegramNotifier({ api, chatIds, notifications: faces.notifications, logger }),
      cards: new ApprovalCards({
        db,
        api,
        chatIds,
        approvals: faces.approvals,
        qa: use('qa'),
        catalog: use('catalog'),
        logger,
      }),
    };
  },
  subscriptions: ({ notifier, cards }) => [
    ...(cards?.subscriptions() ?? []),
    ...(notifier?.subscriptions() ?? []),
  ],
  telegram: ({ today }) => [today],
  http: [
    {
      prefix: '/webhooks/telegram',
      async register(app, parts) {
        const { token } = parts.settings;
        if (!token || !parts.cards) return;
        const { OwnerBot } = await import('./bot.ts');
        parts.bot = new OwnerBot({
          settings: { ...parts.settings, token },
          approvals: parts.faces.approvals,
          cards: parts.cards,
          transcribe: (audio, mimeType, fileName) => parts.faces.ai.transcribe(audio, mimeType, fileName),
          notifications: parts.faces.notifications,
          readiness: parts.readiness,
          commands: parts.commands,
          logger: parts.logger,
        });
        parts.bot.webhookRoute()(app);
      },
    },
  ],
  start: async ({ bot, publicUrl }, { http }) => {
    if (http) await bot?.start(`${publicUrl}/webhooks/telegram`);
  },
  stop: async ({ bot }) => bot?.stop(),
});

export default definition;
