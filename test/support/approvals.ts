// Approval requests for tests: the service as the module builds it (with a clock a test can move),
// and a pending request with the fields a test does not care about filled in.
import type pg from 'pg';
import { AuditLog } from '../../src/platform/audit/audit-log.ts';
import { ApprovalService } from '../../src/modules/approvals/approval-service.ts';
import type { Approval, Approvals, NewApproval } from '../../src/modules/approvals/index.ts';

/** Who decides in the tests. */
export const owner = { actor: 'user:1', label: 'owner@salon.example', ip: '192.0.2.1' };

export function approvalService(db: pg.Pool, now?: () => number): ApprovalService {
  return new ApprovalService({ db, audit: new AuditLog({ pool: db }), now });
}

let drafts = 0;

/** A post waiting for the owner; each one a different title and text. */
export function pendingPost(
  approvals: Pick<Approvals, 'request'>,
  overrides: Partial<NewApproval> = {},
): Promise<Approval> {
  drafts += 1;
  return approvals.request({
    kind: 'social.post',
    channel: 'instagram',
    title: `instagram: draft ${drafts}`,
    text: `Draft number ${drafts}`,
    ...overrides,
  });
}

/** A request as the service returns it, without a database (for what only reads one). */
export function sampleApproval(overrides: Partial<Approval> = {}): Approval {
  return {
    id: '3f1c9a52-6a0e-4c47-9a38-2f4d1c0b7e11',
    createdAt: new Date('2026-11-26T10:00:00Z'),
    kind: 'social.post',
    channel: 'instagram',
    title: 'instagram: Argan Repair Oil',
    text: 'Meet Argan Repair Oil: glossy, healthy-looking hair made simple ✨ Just £18.99.',
    productIds: ['8800000000001'],
    qaReviewId: null,
    score: 78,
    lowConfidence: false,
    status: 'pending',
    expiresAt: new Date('2026-11-27T10:00:00Z'),
    onExpiry: 'skip',
    decidedAt: null,
    decidedBy: null,
    finalText: null,
    note: null,
    review: null,
    ...overrides,
  };
}
