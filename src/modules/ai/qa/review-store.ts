// The QA gate's decisions in ai_qa_reviews, each with its breakdown; what went out lately on a
// channel, for the near-duplicate check.
import { and, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type pg from 'pg';
import { orm, type Orm } from '../../../platform/db/orm.ts';
import { aiQaReviews } from '../schema.ts';
import type { Finding } from './checks.ts';
import type { Decision } from './gate.ts';
import type { CriterionScore } from './rubric.ts';

export interface StoredReview {
  channel: string;
  text: string;
  productIds: string[];
  attempt: number;
  score: number;
  decision: Decision;
  lowConfidence: boolean;
  findings: Finding[];
  criteria: CriterionScore[];
  /** 'provider:model' of the rubric. */
  reviewer: string;
}

export class ReviewStore {
  private readonly db: Orm;

  constructor(pool: pg.Pool) {
    this.db = orm(pool);
  }

  /** Stores a decision; returns its id. */
  async add(review: StoredReview): Promise<string> {
    const [row] = await this.db.insert(aiQaReviews).values(review).returning({ id: aiQaReviews.id });
    return row!.id;
  }

  async find(id: string): Promise<Pick<StoredReview, 'criteria' | 'findings'> | undefined> {
    const [row] = await this.db
      .select({ criteria: aiQaReviews.criteria, findings: aiQaReviews.findings })
      .from(aiQaReviews)
      .where(eq(aiQaReviews.id, id));
    return row;
  }

  /** Drafts the gate approved by itself on the channel since `since`, newest first. */
  async approvedSince(channel: string, since: Date, limit: number): Promise<{ text: string; at: Date }[]> {
    return this.db
      .select({ text: aiQaReviews.text, at: aiQaReviews.at })
      .from(aiQaReviews)
      .where(
        and(
          eq(aiQaReviews.channel, channel),
          eq(aiQaReviews.decision, 'auto_approve'),
          gt(aiQaReviews.at, since),
        ),
      )
      .orderBy(desc(aiQaReviews.at))
      .limit(limit);
  }

  /** How many drafts the gate approved itself, and how many it sent to the owner, since a moment. */
  async decidedSince(since: Date): Promise<{ autoApproved: number; toOwner: number }> {
    const [row] = await this.db
      .select({
        autoApproved: sql<number>`count(*) filter (where ${aiQaReviews.decision} = 'auto_approve')::int`,
        toOwner: sql<number>`count(*) filter (where ${aiQaReviews.decision} = 'owner_approval')::int`,
      })
      .from(aiQaReviews)
      .where(gt(aiQaReviews.at, since));
    return { autoApproved: row?.autoApproved ?? 0, toOwner: row?.toOwner ?? 0 };
  }

  /** Reviews newest first, a page at a time (`before`: the last review's time on the page before). */
  async history(limit: number, before?: Date): Promise<(StoredReview & { id: string; at: Date })[]> {
    return this.db
      .select()
      .from(aiQaReviews)
      .where(before ? lt(aiQaReviews.at, before) : undefined)
      .orderBy(desc(aiQaReviews.at))
      .limit(limit);
  }
}
