import {
  bigint,
  bigserial,
  boolean,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

export const eventsOutbox = pgTable('events_outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  type: text('type').notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
});

export const eventsWebhookEndpoints = pgTable('events_webhook_endpoints', {
  id: uuid('id').primaryKey().defaultRandom(),
  url: text('url').notNull(),
  eventTypes: text('event_types').array().notNull(),
  secretName: text('secret_name').notNull(),
  active: boolean('active').notNull().default(true),
  allowPrivateTarget: boolean('allow_private_target').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const eventsFeedItems = pgTable(
  'events_feed_items',
  {
    feed: text('feed').notNull(),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => eventsOutbox.id),
  },
  (table) => [primaryKey({ columns: [table.feed, table.eventId] })],
);
