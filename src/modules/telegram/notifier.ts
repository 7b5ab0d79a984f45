// Delivers what the notification interface tells the owner (summaries, alerts, to-dos) to every
// allowed chat, once each. Runs as an event subscription, so a failed send is retried, and a retry
// reaches only the chats it missed.
import type { Api } from 'grammy';
import { describeError } from '../../platform/errors.ts';
import { subscription, type Subscription } from '../../platform/events/outbox.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { Logger } from '../../platform/logger.ts';

export interface TelegramNotifierOptions {
  api: Api;
  /** Every chat that may use the bot gets the notices. */
  chatIds: number[];
  notifications: Faces['notifications'];
  logger: Logger;
}

export class TelegramNotifier {
  private readonly api: Api;
  private readonly chatIds: number[];
  private readonly notifications: Faces['notifications'];
  private readonly logger: Logger;

  constructor({ api, chatIds, notifications, logger }: TelegramNotifierOptions) {
    this.api = api;
    this.chatIds = chatIds;
    this.notifications = notifications;
    this.logger = logger;
  }

  subscriptions(): Subscription[] {
    return [
      subscription({
        name: 'approvals.telegram-notice',
        types: ['notification.created'],
        handle: async (event) => this.sendNotice(event.payload.noticeId),
      }),
    ];
  }

  /** A notice from the notification interface, as a message to every allowed chat (once each). */
  async sendNotice(noticeId: number): Promise<void> {
    const notice = await this.notifications.get(noticeId);
    const mark = { critical: '🚨 ', warning: '⚠️ ', info: '' }[notice.severity];
    const text = `${mark}${notice.title}\n\n${notice.body}`;
    // Every chat is tried; one that fails does not keep the others from it. A chat Telegram refuses
    // for good (the bot blocked, the chat gone) is logged and not tried again; other failures are.
    const failed: string[] = [];
    for (const chatId of this.chatIds) {
      await this.notifications
        .deliverOnce(noticeId, 'telegram', String(chatId), async () => {
          try {
            // Telegram takes 4,096 characters; the whole notice stays in the dashboard inbox.
            await this.api.sendMessage(chatId, text.length > 4000 ? `${text.slice(0, 3990)}…` : text);
          } catch (error) {
            const code = (error as { error_code?: number }).error_code;
            if (code !== 400 && code !== 403) throw error;
            this.logger.warn(
              { chatId, noticeId, err: describeError(error) },
              'telegram refused a notice for good',
            );
          }
        })
        .catch((error: Error) => failed.push(`chat ${chatId}: ${error.message}`));
    }
    if (failed.length) throw new Error(`the notice did not reach every chat (${failed.join('; ')})`);
  }
}
