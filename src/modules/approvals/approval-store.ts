// The approval requests and the pause switch in their tables. Run on the pool to read, or on the
// transaction the service writes its events and audit entry in.
import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Orm } from '../../platform/db/orm.ts';
import { approvalsPause, approvalsRequests, type ApprovalStatus } from './schema.ts';
import type { Approval } from './face.ts';

export type NewApprovalRow = typeof approvalsRequests.$inferInsert;

/** What a decision writes on the request. */
export interface DecisionRow {
  status: ApprovalStatus;
  decidedAt: Date;
  decidedBy: string;
  /** 'draft' keeps the request's own text as the text that goes out. */
  finalText: string | 'draft' | null;
  note: string | null;
}

export class ApprovalStore {
  constructor(private readonly db: Orm) {}

  async insert(values: NewApprovalRow): Promise<Approval> {
    const [row] = await this.db.insert(approvalsRequests).values(values).returning();
    return row!;
  }

  async list(status: ApprovalStatus | undefined, limit: number): Promise<Approval[]> {
    return this.db
      .select()
      .from(approvalsRequests)
      .where(status ? eq(approvalsRequests.status, status) : undefined)
      .orderBy(status === 'pending' ? asc(approvalsRequests.createdAt) : desc(approvalsRequests.createdAt))
      .limit(limit);
  }

  async byReviews(reviewIds: string[]): Promise<Approval[]> {
    if (!reviewIds.length) return [];
    return this.db.select().from(approvalsRequests).where(inArray(approvalsRequests.qaReviewId, reviewIds));
  }

  async find(id: string): Promise<Approval | undefined> {
    const [row] = await this.db.select().from(approvalsRequests).where(eq(approvalsRequests.id, id));
    return row;
  }

  /** Writes the decision if the request is still pending and not past its time; undefined otherwise. */
  async decideIfOpen(id: string, decision: DecisionRow): Promise<Approval | undefined> {
    const { finalText, ...rest } = decision;
    const [row] = await this.db
      .update(approvalsRequests)
      .set({ ...rest, finalText: finalText === 'draft' ? sql`${approvalsRequests.text}` : finalText })
      .where(
        and(
          eq(approvalsRequests.id, id),
          eq(approvalsRequests.status, 'pending'),
          sql`${approvalsRequests.expiresAt} > ${decision.decidedAt}`,
        ),
      )
      .returning();
    return row;
  }

  /** Marks every pending request past its time expired, and returns them. */
  async expire(now: Date): Promise<Approval[]> {
    return this.db
      .update(approvalsRequests)
      .set({ status: 'expired', decidedAt: now, decidedBy: 'expiry' })
      .where(and(eq(approvalsRequests.status, 'pending'), lte(approvalsRequests.expiresAt, now)))
      .returning();
  }

  async pause(): Promise<typeof approvalsPause.$inferSelect | undefined> {
    const [row] = await this.db.select().from(approvalsPause);
    return row;
  }

  async setPause(paused: boolean, changedBy: string, changedAt: Date): Promise<void> {
    await this.db
      .insert(approvalsPause)
      .values({ id: true, paused, changedBy, changedAt })
      .onConflictDoUpdate({ target: approvalsPause.id, set: { paused, changedBy, changedAt } });
  }
}
