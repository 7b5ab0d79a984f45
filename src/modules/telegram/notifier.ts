// Sends an approval card to every allowed chat when a request is made, and turns every card into the
// outcome once it is decided (in Telegram, the dashboard or the API) or expires; and delivers what the
// notification interface tells the owner (summaries, alerts) to every allowed chat. Runs as event
// subscriptions, so a failed send is retried and a card or notice is sent once per chat.
import { describeError } from '../../platform/errors.ts';
import { and, eq } from 'drizzle-orm';
import type { Api } from 'grammy';
import type pg from 'pg';
import { orm, type Orm } from '../../platform/db/orm.ts';
import { subscription, type Subscription } from '../../platform/events/outbox.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Notifications } from '../../platform/notify/notifications.ts';
import type { QaService } from '../ai/qa/qa-service.ts';
import type { ApprovalService } from '../approvals/approval-service.ts';
import { telegramCards } from './schema.ts';
import { cardKeyboard, cardText, outcomeText, photoCaption } from './cards.ts';
import type { Catalog } from '../shop/index.ts';

export class TelegramNotifier {
  private readonly db: Orm;

  constructor(
    pool: pg.Pool,
    private readonly api: Api,
    private readonly chatIds: number[],
    private readonly approvals: ApprovalService,
    private readonly qa: QaService,
    private readonly catalog: Catalog,
    private readonly notifications: Notifications,
    private readonly logger: Logger,
  ) {
    this.db = orm(pool);
  }

  subscriptions(): Subscription[] {
    return [
      subscription({
        name: 'approvals.telegram-card',
        types: ['approval.requested'],
        handle: async (event) => this.sendCard(event.payload.approvalId),
      }),
      subscription({
        name: 'approvals.telegram-outcome',
        types: ['approval.decided', 'approval.expired'],
        handle: async (event) => this.showOutcome(event.payload.approvalId),
      }),
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
    const text = `${notice.severity === 'warning' ? '⚠️ ' : ''}${notice.title}\n\n${notice.body}`;
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

  async sendCard(approvalId: string, onlyChat?: number): Promise<void> {
    const approval = await this.approvals.get(approvalId);
    if (approval.status !== 'pending') return;
    const review = approval.qaReviewId ? await this.qa.summary(approval.qaReviewId) : undefined;
    const [product] = await this.catalog.products(approval.productIds.slice(0, 1));
    for (const chatId of onlyChat ? [onlyChat] : this.chatIds) {
      const [existing] = await this.db
        .select()
        .from(telegramCards)
        .where(and(eq(telegramCards.approvalId, approvalId), eq(telegramCards.chatId, chatId)));
      if (existing && !onlyChat) continue; // sent before this retry
      // The product's photo first, as the post would show it; then the card with its buttons.
      // A photo Telegram cannot fetch never holds the card back.
      if (product?.imageUrl)
        await this.api
          .sendPhoto(chatId, product.imageUrl, { caption: photoCaption(approval, product) })
          .catch((error: Error) =>
            this.logger.warn(
              { approvalId, err: describeError(error) },
              'telegram: the product photo was not sent',
            ),
          );
      const message = await this.api.sendMessage(chatId, cardText(approval, review), {
        reply_markup: cardKeyboard(approvalId),
      });
      await this.db
        .insert(telegramCards)
        .values({ approvalId, chatId, messageId: message.message_id })
        .onConflictDoUpdate({
          target: [telegramCards.approvalId, telegramCards.chatId],
          set: { messageId: message.message_id },
        });
    }
  }

  async showOutcome(approvalId: string): Promise<void> {
    const approval = await this.approvals.get(approvalId);
    const cards = await this.db.select().from(telegramCards).where(eq(telegramCards.approvalId, approvalId));
    for (const card of cards) {
      try {
        await this.api.editMessageText(card.chatId, card.messageId, outcomeText(approval), {
          reply_markup: { inline_keyboard: [] },
        });
      } catch (error) {
        // "message is not modified" means the card already shows it: nothing to do.
        if (!/not modified/.test((error as Error).message)) throw error;
        this.logger.debug({ approvalId }, 'telegram card already up to date');
      }
    }
  }
}
