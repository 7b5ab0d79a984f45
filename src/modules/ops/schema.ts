import { pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';

export const opsHomeLooks = pgTable('ops_home_looks', {
  userId: uuid('user_id').primaryKey(),
  lookedAt: timestamp('looked_at', { withTimezone: true }).notNull(),
});
