import { bigint, bigserial, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const aiUsage = pgTable('ai_usage', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  feature: text('feature').notNull(),
  provider: text('provider').notNull(),
  model: text('model').notNull(),
  inputTokens: integer('input_tokens').notNull().default(0),
  outputTokens: integer('output_tokens').notNull().default(0),
  costMicros: bigint('cost_micros', { mode: 'number' }).notNull().default(0),
  latencyMs: integer('latency_ms').notNull(),
  outcome: text('outcome').$type<'ok' | 'failed' | 'invalid-output'>().notNull(),
});
