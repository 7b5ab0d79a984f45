// Sends an approval card to every allowed chat when a request is made, and turns every card into the
// outcome once it is decided (in Telegram, the dashboard or the API) or expires. Runs as event
// subscriptions, so a failed send is retried and a card is sent once per chat.
import { and, eq } from 'drizzle-orm';
import type { Api } from 'grammy';
import type pg from 'pg';
import { describeError } from '../../platform/errors.ts';
import { orm, type Orm } from '../../platform/db/orm.ts';
import { subscription, type Subscription } from '../../platform/events/outbox.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { Logger } from '../../platform/logger.ts';
import { telegramCards } from './schema.ts';
import { cardKeyboard, cardText, outcomeText, photoCaption } from './cards.ts';

export interface ApprovalCardsOptions {
  db: pg.Pool;
  api: Api;
  /** Every chat that may use the bot gets every card. */
  chatIds: number[];
  approvals: Pick<Faces['approvals'], 'get'>;
  /** The review's scores, shown on the card. */
  qa: Faces['qa'];
  /** The product's photo, sent before the card. */
  catalog: Faces['catalog'];
  logger: Logger;
}

export class ApprovalCards {
  private readonly db: Orm;
  private readonly api: Api;
  private readonly chatIds: number[];
  private readonly approvals: ApprovalCardsOptions['approvals'];
  private readonly qa: Faces['qa'];
  private readonly catalog: Faces['catalog'];
  private readonly logger: Logger;

  constructor({ db, api, chatIds, approvals, qa, catalog, logger }: ApprovalCardsOptions) {
    this.db = orm(db);
    this.api = api;
    this.chatIds = chatIds;
    this.approvals = approvals;
    this.qa = qa;
    this.catalog = catalog;
    this.logger = logger;
  }

  subscriptions(): Subscription[] {
    return [
      subscription({
        name: 'approvals.telegram-card',
        types: ['approval.requested'],
        handle: async (event) => this.send(event.payload.approvalId),
      }),
      subscription({
        name: 'approvals.telegram-outcome',
        types: ['approval.decided', 'approval.expired'],
        handle: async (event) => this.showOutcome(event.payload.approvalId),
      }),
    ];
  }

  /** The card of a pending request, to every chat that has not had it, or again to `onlyChat`. */
  async send(approvalId: string, onlyChat?: number): Promise<void> {
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

  /** Every card of the request shows what became of it, without buttons. */
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
