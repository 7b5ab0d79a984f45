import type { VoiceProfile } from './qa/voice.ts';
import type { Finding } from './qa/checks.ts';
import type { CriterionScore } from './qa/rubric.ts';
import {
  bigint,
  bigserial,
  boolean,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

export const aiUsage = pgTable('ai_usage', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  feature: text('feature').notNull(),
  prompt: text('prompt'),
  provider: text('provider').notNull(),
  model: text('model').notNull(),
  inputTokens: integer('input_tokens').notNull().default(0),
  outputTokens: integer('output_tokens').notNull().default(0),
  costMicros: bigint('cost_micros', { mode: 'number' }).notNull().default(0),
  latencyMs: integer('latency_ms').notNull(),
  outcome: text('outcome').$type<'ok' | 'failed' | 'invalid-output'>().notNull(),
});

export const aiQaReviews = pgTable('ai_qa_reviews', {
  id: uuid('id').primaryKey().defaultRandom(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  channel: text('channel').notNull(),
  text: text('text').notNull(),
  productIds: text('product_ids').array().notNull().default([]),
  attempt: integer('attempt').notNull(),
  score: integer('score').notNull(),
  decision: text('decision').$type<'auto_approve' | 'owner_approval' | 'regenerate'>().notNull(),
  lowConfidence: boolean('low_confidence').notNull(),
  findings: jsonb('findings').$type<Finding[]>().notNull(),
  criteria: jsonb('criteria').$type<CriterionScore[]>().notNull(),
  reviewer: text('reviewer').notNull(),
});

export const aiVoice = pgTable('ai_voice', {
  id: boolean('id').primaryKey().default(true),
  profile: jsonb('profile').$type<VoiceProfile>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: text('updated_by').notNull(),
});
