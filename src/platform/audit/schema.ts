import { bigint, boolean, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const opsAuditLog = pgTable('ops_audit_log', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull(),
  actor: text('actor').notNull(),
  actorLabel: text('actor_label').notNull(),
  ip: text('ip'),
  action: text('action').notNull(),
  target: text('target'),
  outcome: text('outcome').notNull(),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
  seal: text('seal'),
  keyId: text('key_id'),
});

export const opsAuditHead = pgTable('ops_audit_head', {
  id: boolean('id').primaryKey().default(true),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
  sealedFrom: bigint('sealed_from', { mode: 'number' }),
  keyId: text('key_id'),
});
