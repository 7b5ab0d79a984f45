import { bigint, bigserial, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const notifyInbox = pgTable('notify_inbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  kind: text('kind').notNull(),
  severity: text('severity').$type<'info' | 'warning' | 'critical'>().notNull(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  dedupeKey: text('dedupe_key').unique(),
  readAt: timestamp('read_at', { withTimezone: true }),
});

export const notifyDeliveries = pgTable(
  'notify_deliveries',
  {
    noticeId: bigint('notice_id', { mode: 'number' }).notNull(),
    channel: text('channel').notNull(),
    target: text('target').notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.noticeId, table.channel, table.target] })],
);
