import { boolean, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export type ApprovalStatus = 'pending' | 'approved' | 'edited' | 'rejected' | 'expired';

/** The reviewer's word on a draft: each criterion's score, and what must be fixed. */
export interface ReviewNote {
  criteria: { name: string; score: number }[];
  mustFix: string[];
}

export const approvalsRequests = pgTable('approvals_requests', {
  id: uuid('id').primaryKey().defaultRandom(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  kind: text('kind').notNull(),
  channel: text('channel').notNull(),
  title: text('title').notNull(),
  text: text('text').notNull(),
  productIds: text('product_ids').array().notNull().default([]),
  qaReviewId: uuid('qa_review_id'),
  score: integer('score'),
  lowConfidence: boolean('low_confidence').notNull().default(false),
  status: text('status').$type<ApprovalStatus>().notNull().default('pending'),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  onExpiry: text('on_expiry').$type<'skip' | 'evergreen'>().notNull().default('skip'),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  decidedBy: text('decided_by'),
  finalText: text('final_text'),
  note: text('note'),
  review: jsonb('review').$type<ReviewNote>(),
});

export const approvalsPause = pgTable('approvals_pause', {
  id: boolean('id').primaryKey().default(true),
  paused: boolean('paused').notNull(),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
  changedBy: text('changed_by').notNull(),
});
