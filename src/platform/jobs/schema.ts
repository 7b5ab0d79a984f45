import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const jobsDeadLetters = pgTable('jobs_dead_letters', {
  id: uuid('id').primaryKey().defaultRandom(),
  queue: text('queue').notNull(),
  jobId: text('job_id').notNull(),
  data: jsonb('data').$type<object>().notNull(),
  error: text('error').notNull(),
  attempts: integer('attempts').notNull(),
  failedAt: timestamp('failed_at', { withTimezone: true }).notNull().defaultNow(),
  resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  resolution: text('resolution').$type<'retried' | 'dismissed'>(),
});
