// Sends an approval card to every allowed chat when a request is made, and turns every card into the
// outcome once it is decided (in Telegram, the dashboard or the API) or expires. Runs as event
// subscriptions, so a failed send is retried and a card is sent once per chat.
import { and, eq } from 'drizzle-orm';
import type { Api } from 'grammy';
import type pg from 'pg';
import { orm, type Orm } from '../../../platform/db/orm.ts';
import type { Subscription } from '../../../platform/events/outbox.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { QaService } from '../../ai/qa/qa-service.ts';
import type { ApprovalService } from '../approval-service.ts';
import { approvalsTelegramCards } from '../schema.ts';
import { cardKeyboard, cardText, outcomeText } from './cards.ts';

export class TelegramNotifier {
  private readonly db: Orm;

  constructor(
    pool: pg.Pool,
    private readonly api: Api,
    private readonly chatIds: number[],
    private readonly approvals: ApprovalService,
    private readonly qa: QaService,
    private readonly logger: Logger,
  ) {
    this.db = orm(pool);
  }

  subscriptions(): Subscription[] {
    return [
      {
        name: 'approvals.telegram-card',
        types: ['approval.requested'],
        handle: async (event) => this.sendCard(String(event.payload.approvalId)),
      },
      {
        name: 'approvals.telegram-outcome',
        types: ['approval.decided', 'approval.expired'],
        handle: async (event) => this.showOutcome(String(event.payload.approvalId)),
      },
    ];
  }

  async sendCard(approvalId: string, onlyChat?: number): Promise<void> {
    const approval = await this.approvals.get(approvalId);
    if (approval.status !== 'pending') return;
    const review = approval.qaReviewId ? await this.qa.summary(approval.qaReviewId) : undefined;
    for (const chatId of onlyChat ? [onlyChat] : this.chatIds) {
      const [existing] = await this.db
        .select()
        .from(approvalsTelegramCards)
        .where(
          and(eq(approvalsTelegramCards.approvalId, approvalId), eq(approvalsTelegramCards.chatId, chatId)),
        );
      if (existing && !onlyChat) continue; // sent before this retry
      const message = await this.api.sendMessage(chatId, cardText(approval, review), {
        reply_markup: cardKeyboard(approvalId),
      });
      await this.db
        .insert(approvalsTelegramCards)
        .values({ approvalId, chatId, messageId: message.message_id })
        .onConflictDoUpdate({
          target: [approvalsTelegramCards.approvalId, approvalsTelegramCards.chatId],
          set: { messageId: message.message_id },
        });
    }
  }

  async showOutcome(approvalId: string): Promise<void> {
    const approval = await this.approvals.get(approvalId);
    const cards = await this.db
      .select()
      .from(approvalsTelegramCards)
      .where(eq(approvalsTelegramCards.approvalId, approvalId));
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
