// The social module's tables (migrations/0001_social.sql), for the schema test and typed reads.
import { boolean, date, integer, jsonb, numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true });

export const socialSlots = pgTable('social_slots', {
  id: uuid('id').primaryKey().defaultRandom(),
  channel: text('channel').notNull(),
  format: text('format').notNull(),
  weekdays: integer('weekdays').array().notNull(),
  localTime: text('local_time').notNull(),
  audience: text('audience').notNull().default('shoppers'),
  active: boolean('active').notNull().default(true),
});

export const socialPosts = pgTable('social_posts', {
  id: uuid('id').primaryKey().defaultRandom(),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
  channel: text('channel').notNull(),
  format: text('format').notNull(),
  status: text('status').notNull(),
  caption: text('caption').notNull().default(''),
  sourceImageUrls: text('source_image_urls').array().notNull().default([]),
  productIds: text('product_ids').array().notNull().default([]),
  theme: text('theme').notNull().default('product'),
  audience: text('audience').notNull().default('shoppers'),
  publishAt: at('publish_at').notNull(),
  slotKey: text('slot_key').unique(),
  facts: jsonb('facts').notNull().default({}),
  approvalId: uuid('approval_id'),
  qaReviewId: uuid('qa_review_id'),
  abTestId: uuid('ab_test_id'),
  variant: text('variant'),
  recurringDays: integer('recurring_days'),
  platformPostId: text('platform_post_id'),
  permalink: text('permalink'),
  publishedAt: at('published_at'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: at('next_attempt_at'),
  error: text('error'),
  createdBy: text('created_by').notNull().default('planner'),
});

export const socialAttempts = pgTable('social_attempts', {
  id: uuid('id').primaryKey().defaultRandom(),
  postId: uuid('post_id')
    .notNull()
    .references(() => socialPosts.id),
  startedAt: at('started_at').notNull().defaultNow(),
  sendingAt: at('sending_at'),
  remoteId: text('remote_id'),
  finishedAt: at('finished_at'),
  outcome: text('outcome'),
  detail: text('detail'),
});

export const socialMedia = pgTable('social_media', {
  id: uuid('id').primaryKey().defaultRandom(),
  postId: uuid('post_id')
    .notNull()
    .references(() => socialPosts.id),
  position: integer('position').notNull(),
  sourceUrl: text('source_url').notNull(),
  crop: text('crop').notNull(),
  fileName: text('file_name').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  bytes: integer('bytes').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const socialInsights = pgTable('social_insights', {
  postId: uuid('post_id')
    .primaryKey()
    .references(() => socialPosts.id),
  collectedAt: at('collected_at').notNull(),
  metrics: jsonb('metrics').notNull(),
  final: boolean('final').notNull().default(false),
});

export const socialFollowers = pgTable('social_followers', {
  channel: text('channel').notNull(),
  day: date('day').notNull(),
  followers: integer('followers').notNull(),
});

export const socialTokens = pgTable('social_tokens', {
  channel: text('channel').primaryKey(),
  expiresAt: at('expires_at'),
  checkedAt: at('checked_at').notNull(),
  warnedAt: at('warned_at'),
});

export const socialAbTests = pgTable('social_ab_tests', {
  id: uuid('id').primaryKey().defaultRandom(),
  createdAt: at('created_at').notNull().defaultNow(),
  channel: text('channel').notNull(),
  productId: text('product_id').notNull(),
  kind: text('kind').notNull(),
  status: text('status').notNull().default('running'),
  winner: text('winner'),
  confidence: numeric('confidence', { precision: 20, scale: 10 }),
  decidedAt: at('decided_at'),
  lesson: text('lesson'),
});
