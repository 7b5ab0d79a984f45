import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from '../db/orm.ts';

export const vaultSecrets = pgTable('vault_secrets', {
  name: text('name').primaryKey(),
  keyId: text('key_id').notNull(),
  iv: bytea('iv').notNull(),
  ciphertext: bytea('ciphertext').notNull(),
  authTag: bytea('auth_tag').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
