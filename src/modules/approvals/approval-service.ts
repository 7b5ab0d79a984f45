// The rules of an approval request's life: pending → approved | edited | rejected | expired. A
// decision is taken once: a second press (another phone, an old card) learns what happened instead.
// Every change writes its event in the same transaction and is audited with who decided.
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import { orm } from '../../platform/db/orm.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import { emit } from '../../platform/events/outbox.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import { ApprovalStore } from './approval-store.ts';
import type { ApprovalStatus } from './schema.ts';
import type {
  Approval,
  Approvals,
  Decider,
  Decision,
  DecisionAction,
  NewApproval,
  PauseState,
} from './face.ts';

export interface ApprovalServiceOptions {
  db: pg.Pool;
  audit: Faces['audit'];
  /** The clock requests expire by (tests move it). */
  now?: () => number;
}

const STATUS_BY_ACTION: Record<DecisionAction, ApprovalStatus> = {
  approve: 'approved',
  edit: 'edited',
  reject: 'rejected',
  regenerate: 'rejected',
};

export class ApprovalService implements Approvals {
  private readonly pool: pg.Pool;
  private readonly audit: Faces['audit'];
  private readonly now: () => number;
  private readonly store: ApprovalStore;

  constructor({ db, audit, now = Date.now }: ApprovalServiceOptions) {
    this.pool = db;
    this.audit = audit;
    this.now = now;
    this.store = new ApprovalStore(orm(db));
  }

  async request(input: NewApproval): Promise<Approval> {
    return transaction(this.pool, async (client) => {
      const row = await new ApprovalStore(orm(client)).insert({
        kind: input.kind,
        channel: input.channel,
        title: input.title.slice(0, 200),
        text: input.text,
        productIds: input.productIds ?? [],
        qaReviewId: input.qaReviewId ?? null,
        score: input.score ?? null,
        lowConfidence: input.lowConfidence ?? false,
        review: input.review ?? null,
        expiresAt: new Date(this.now() + (input.expiresInHours ?? 24) * 3_600_000),
        onExpiry: input.onExpiry ?? 'skip',
      });
      await emit(client, 'approval.requested', { approvalId: row.id, kind: row.kind, channel: row.channel });
      return row;
    });
  }

  async list(status?: ApprovalStatus, limit = 100): Promise<Approval[]> {
    return this.store.list(status, limit);
  }

  async byReviews(reviewIds: string[]): Promise<Map<string, Approval>> {
    const rows = await this.store.byReviews(reviewIds);
    return new Map(rows.map((row) => [row.qaReviewId!, row]));
  }

  async get(id: string): Promise<Approval> {
    const row = await this.store.find(id);
    if (!row) throw notFound('no approval request with that id');
    return row;
  }

  async decide(id: string, decision: Decision, by: Decider): Promise<Approval> {
    if (decision.action === 'edit' && !decision.text?.trim()) throw invalid('an edit needs the new text');
    if (decision.action === 'regenerate' && !decision.reason?.trim())
      throw invalid('say what to change, so the rewrite can use it');
    return transaction(this.pool, async (client) => {
      const store = new ApprovalStore(orm(client));
      const reason = decision.reason?.trim();
      const row = await store.decideIfOpen(id, {
        status: STATUS_BY_ACTION[decision.action],
        decidedAt: new Date(this.now()),
        decidedBy: by.label,
        finalText:
          decision.action === 'edit' ? decision.text!.trim() : decision.action === 'approve' ? 'draft' : null,
        note: decision.action === 'regenerate' ? `regenerate: ${reason}` : (reason ?? null),
      });
      if (!row) throw alreadyDecided(await store.find(id));
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
          reason: reason!,
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
      const expired = await new ApprovalStore(orm(client)).expire(new Date(this.now()));
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

  async paused(): Promise<PauseState> {
    const row = await this.store.pause();
    return row
      ? { paused: row.paused, changedAt: row.changedAt, changedBy: row.changedBy }
      : { paused: false };
  }

  /** Publishing and sending check this before every outside effect. */
  async setPaused(paused: boolean, by: Decider): Promise<void> {
    await transaction(this.pool, async (client) => {
      await new ApprovalStore(orm(client)).setPause(paused, by.label, new Date(this.now()));
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
}

/** Why a decision was not taken: the request is gone, past its time, or decided already (by whom, when). */
function alreadyDecided(row: Approval | undefined): AppError {
  if (!row) return notFound('no approval request with that id');
  if (row.status === 'pending')
    return new AppError('conflict', `this request expired at ${row.expiresAt.toISOString()}`);
  const when = row.decidedAt?.toISOString() ?? 'earlier';
  return new AppError('conflict', `already ${row.status} by ${row.decidedBy ?? 'someone'} at ${when}`);
}
