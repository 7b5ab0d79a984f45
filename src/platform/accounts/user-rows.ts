// A user row as the accounts tables hold it, and the two ways every part of accounts reads one.
import { sql } from 'drizzle-orm';
import { authUsers } from './schema.ts';
import type { User } from './roles.ts';

export type UserRow = typeof authUsers.$inferSelect;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    twoFactorEnabled: row.totpState === 'on',
    createdAt: row.createdAt,
  };
}

/** Emails are compared without regard to case, as the unique index on lower(email) does. */
export function byEmail(email: string) {
  return sql`lower(${authUsers.email}) = lower(${email.trim()})`;
}
