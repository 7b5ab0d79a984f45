import { bigint, pgTable, primaryKey, uuid } from 'drizzle-orm/pg-core';

/** Which Telegram message shows which approval request, so every card can show the outcome. */
export const telegramCards = pgTable(
  'telegram_cards',
  {
    approvalId: uuid('approval_id').notNull(),
    chatId: bigint('chat_id', { mode: 'number' }).notNull(),
    messageId: bigint('message_id', { mode: 'number' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.approvalId, table.chatId] })],
);
