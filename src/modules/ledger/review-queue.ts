// What waits for review: what the posting rules would not guess at, read back, dismissed by a person,
// or tried again when it may settle by itself. Items are raised and resolved by posting (posting.ts),
// in the transaction that books.
import type pg from 'pg';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { orm, type Orm } from '../../platform/db/orm.ts';
import { notFound } from '../../platform/errors.ts';
import { ledgerReview } from './schema.ts';

export type ReviewStatus = 'open' | 'resolved' | 'dismissed';

export interface ReviewItem {
  id: number;
  sourceKey: string;
  kind: string;
  reason: string;
  detail: Record<string, unknown>;
  retriable: boolean;
  status: ReviewStatus;
  createdAt: string;
}

const LIMIT = 500;

export class ReviewQueue {
  private readonly db: Orm;

  constructor(options: { db: pg.Pool }) {
    this.db = orm(options.db);
  }

  /** The latest 500 items in a status, newest first. */
  async list(status: ReviewStatus = 'open'): Promise<ReviewItem[]> {
    const rows = await this.db
      .select()
      .from(ledgerReview)
      .where(eq(ledgerReview.status, status))
      .orderBy(desc(ledgerReview.createdAt), desc(ledgerReview.id))
      .limit(LIMIT);
    return rows.map(({ resolvedAt: _, createdAt, ...item }) => ({
      ...item,
      createdAt: createdAt.toISOString(),
    }));
  }

  /** Nothing is booked for it; only an open item can be dismissed. */
  async dismiss(id: number): Promise<void> {
    const dismissed = await this.db
      .update(ledgerReview)
      .set({ status: 'dismissed', resolvedAt: sql`now()` })
      .where(and(eq(ledgerReview.id, id), eq(ledgerReview.status, 'open')))
      .returning({ id: ledgerReview.id });
    if (!dismissed.length) throw notFound(`no open review item ${id}`);
  }

  /** What the open items that may settle by themselves are about (payment:…, payout:…), oldest first. */
  async retriable(): Promise<string[]> {
    const rows = await this.db
      .select({ sourceKey: ledgerReview.sourceKey })
      .from(ledgerReview)
      .where(and(eq(ledgerReview.status, 'open'), eq(ledgerReview.retriable, true)))
      .orderBy(asc(ledgerReview.id))
      .limit(LIMIT);
    return rows.map((row) => row.sourceKey);
  }
}
