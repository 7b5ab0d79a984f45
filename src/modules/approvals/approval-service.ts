// Approval requests and their life cycle: pending → approved | edited | rejected | expired. A
// decision is taken once: a second press (another phone, an old card) learns what happened instead.
// Every change writes its event in the same transaction and is audited with who decided.
import { and, asc, desc, eq, lte, sql } from 'drizzle-orm';
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import { orm, type Orm } from '../../platform/db/orm.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import { emit } from '../../platform/events/outbox.ts';
import type { AuditLog } from '../../platform/audit/audit-log.ts';
import { approvalsPause, approvalsRequests, type ApprovalStatus } from './schema.ts';

export type Approval = typeof approvalsRequests.$inferSelect;

export interface NewApproval {
  kind: string;
  channel: string;
  title: string;
  text: string;
  productIds?: string[];
  qaReviewId?: string;
  score?: number;
  lowConfidence?: boolean;
  expiresInHours?: number;
  onExpiry?: 'skip' | 'evergreen';
}

export type DecisionAction = 'approve' | 'edit' | 'reject' | 'regenerate';

export interface Decision {
  action: DecisionAction;
  text?: string | undefined; // the new text, for edit
  reason?: string | undefined; // for reject and regenerate
}

const STATUS_BY_ACTION: Record<DecisionAction, ApprovalStatus> = {
  approve: 'approved',
  edit: 'edited',
  reject: 'rejected',
  regenerate: 'rejected',
};

export class ApprovalService {
  private readonly db: Orm;

  constructor(
    private readonly pool: pg.Pool,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {
    this.db = orm(pool);
  }

  async request(input: NewApproval): Promise<Approval> {
    return transaction(this.pool, async (client) => {
      const [row] = await orm(client)
        .insert(approvalsRequests)
        .values({
          kind: input.kind,
          channel: input.channel,
          title: input.title.slice(0, 200),
          text: input.text,
          productIds: input.productIds ?? [],
          qaReviewId: input.qaReviewId ?? null,
          score: input.score ?? null,
          lowConfidence: input.lowConfidence ?? false,
          expiresAt: new Date(this.now() + (input.expiresInHours ?? 24) * 3_600_000),
          onExpiry: input.onExpiry ?? 'skip',
        })
        .returning();
      await emit(client, 'approval.requested', {
        approvalId: row!.id,
        kind: row!.kind,
        channel: row!.channel,
      });
      return row!;
    });
  }

  async list(status?: ApprovalStatus, limit = 100): Promise<Approval[]> {
    return this.db
      .select()
      .from(approvalsRequests)
      .where(status ? eq(approvalsRequests.status, status) : undefined)
      .orderBy(status === 'pending' ? asc(approvalsRequests.createdAt) : desc(approvalsRequests.createdAt))
      .limit(limit);
  }

  async get(id: string): Promise<Approval> {
    const [row] = await this.db.select().from(approvalsRequests).where(eq(approvalsRequests.id, id));
    if (!row) throw notFound('no approval request with that id');
    return row;
  }

  /** Takes a decision once. A decision on a request that was already decided or expired says what happened. */
  async decide(
    id: string,
    decision: Decision,
    by: { actor: string; label: string; ip?: string },
  ): Promise<Approval> {
    if (decision.action === 'edit' && !decision.text?.trim()) throw invalid('an edit needs the new text');
    if (decision.action === 'regenerate' && !decision.reason?.trim())
      throw invalid('say what to change, so the rewrite can use it');
    return transaction(this.pool, async (client) => {
      const tx = orm(client);
      const now = new Date(this.now());
      const [row] = await tx
        .update(approvalsRequests)
        .set({
          status: STATUS_BY_ACTION[decision.action],
          decidedAt: now,
          decidedBy: by.label,
          finalText:
            decision.action === 'edit'
              ? decision.text!.trim()
              : decision.action === 'approve'
                ? sql`${approvalsRequests.text}`
                : null,
          note:
            decision.action === 'regenerate'
              ? `regenerate: ${decision.reason!.trim()}`
              : (decision.reason?.trim() ?? null),
        })
        .where(
          and(
            eq(approvalsRequests.id, id),
            eq(approvalsRequests.status, 'pending'),
            sql`${approvalsRequests.expiresAt} > ${now}`,
          ),
        )
        .returning();
      if (!row) throw await this.alreadyDecided(tx, id);
      await emit(client, 'approval.decided', {
        approvalId: id,
        status: row.status,
        action: decision.action,
        kind: row.kind,
        channel: row.channel,
      });
      if (decision.action === 'regenerate') {
        await emit(client, 'approval.regenerate_requested', {
          approvalId: id,
          kind: row.kind,
          channel: row.channel,
          productIds: row.productIds,
          reason: decision.reason!.trim(),
        });
      }
      await this.audit.record(
        {
          actor: by.actor,
          actorLabel: by.label,
          ip: by.ip,
          action: `approval.${decision.action}`,
          target: `approval:${id}`,
          outcome: 'ok',
          details: { title: row.title },
        },
        client,
      );
      return row;
    });
  }

  /** Pending requests past their time: skipped, or replaced by a safe evergreen item (the module that owns the kind decides). */
  async expireDue(): Promise<number> {
    return transaction(this.pool, async (client) => {
      const expired = await orm(client)
        .update(approvalsRequests)
        .set({ status: 'expired', decidedAt: new Date(this.now()), decidedBy: 'expiry' })
        .where(
          and(
            eq(approvalsRequests.status, 'pending'),
            lte(approvalsRequests.expiresAt, new Date(this.now())),
          ),
        )
        .returning();
      for (const row of expired) {
        await emit(client, 'approval.expired', {
          approvalId: row.id,
          kind: row.kind,
          channel: row.channel,
          onExpiry: row.onExpiry,
        });
      }
      return expired.length;
    });
  }

  // ---- pause everything ------------------------------------------------------------------------

  async paused(): Promise<{ paused: boolean; changedAt?: Date; changedBy?: string }> {
    const [row] = await this.db.select().from(approvalsPause);
    return row
      ? { paused: row.paused, changedAt: row.changedAt, changedBy: row.changedBy }
      : { paused: false };
  }

  /** Publishing and sending check this before every outside effect. */
  async setPaused(paused: boolean, by: { actor: string; label: string; ip?: string }): Promise<void> {
    await transaction(this.pool, async (client) => {
      await orm(client)
        .insert(approvalsPause)
        .values({ id: true, paused, changedBy: by.label, changedAt: new Date(this.now()) })
        .onConflictDoUpdate({
          target: approvalsPause.id,
          set: { paused, changedBy: by.label, changedAt: new Date(this.now()) },
        });
      await emit(client, paused ? 'operations.paused' : 'operations.resumed', { by: by.label });
      await this.audit.record(
        {
          actor: by.actor,
          actorLabel: by.label,
          ip: by.ip,
          action: paused ? 'operations.pause' : 'operations.resume',
          outcome: 'ok',
        },
        client,
      );
    });
  }

  private async alreadyDecided(tx: Orm, id: string): Promise<AppError> {
    const [row] = await tx.select().from(approvalsRequests).where(eq(approvalsRequests.id, id));
    if (!row) return notFound('no approval request with that id');
    if (row.status === 'pending')
      return new AppError('conflict', `this request expired at ${row.expiresAt.toISOString()}`);
    const when = row.decidedAt?.toISOString() ?? 'earlier';
    return new AppError('conflict', `already ${row.status} by ${row.decidedBy ?? 'someone'} at ${when}`);
  }
}
