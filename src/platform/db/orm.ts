// Drizzle over node-postgres: typed queries against each module's schema. The SQL migrations are the
// source of truth for the database; each module's schema.ts mirrors them (a test checks they agree).
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { customType } from 'drizzle-orm/pg-core';
import type pg from 'pg';

export type Orm = NodePgDatabase;

/** Typed queries on the pool, or on a client inside a transaction. */
export function orm(client: pg.Pool | pg.PoolClient): Orm {
  return drizzle({ client });
}

export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});
