import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/platform/errors.ts';
import { AuditLog } from '../../src/platform/audit/audit-log.ts';
import type { ApprovalService } from '../../src/modules/approvals/approval-service.ts';
import type { PostWriter } from '../../src/modules/ai/writer.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { postWriter } from '../support/ai.ts';
import { approvalService, owner, pendingPost } from '../support/approvals.ts';

let db: TestDatabase;
let approvals: ApprovalService;
let writer: PostWriter;

before(async () => {
  db = await createTestDatabase();
  approvals = approvalService(db.pool);
  writer = postWriter(db.pool, approvals);
});
after(() => db.drop());

const events = async (type: string) =>
  (await db.pool.query('select payload from events_outbox where type = $1 order by id', [type])).rows.map(
    (r) => r.payload,
  );

test('a good draft is approved by the gate; the same post again is rewritten, then goes to the owner', async () => {
  const first = await writer.draft({ channel: 'instagram', productId: '8800000000001' });
  assert.equal(first.outcome, 'approved', JSON.stringify(first.review));
  assert.equal(first.provider, 'offline');
  const approved = (await events('post.approved')).filter((p) => p.qaReviewId === first.review.id);
  assert.deepEqual(approved, [
    {
      channel: 'instagram',
      text: first.text,
      productIds: ['8800000000001'],
      qaReviewId: first.review.id,
      approvedBy: 'qa-gate',
    },
  ]);

  const again = await writer.draft({ channel: 'instagram', productId: '8800000000001' });
  assert.equal(again.outcome, 'awaiting_owner');
  assert.equal(again.attempts, 3, 'rewritten until the last attempt');
  assert.ok(again.review.hardFails.some((f) => f.check === 'duplicate'));
  const pending = (await approvals.list('pending')).find((one) => one.id === again.approvalId);
  assert.equal(pending?.lowConfidence, true);
  assert.equal(pending?.qaReviewId, again.review.id);
  assert.equal(
    (await events('approval.requested')).filter((p) => p.approvalId === again.approvalId).length,
    1,
  );
});

test('an out-of-stock product never goes out by itself', async () => {
  const result = await writer.draft({ channel: 'instagram', productId: '8800000000004' });
  assert.equal(result.outcome, 'awaiting_owner');
  assert.ok(result.review.hardFails.some((f) => f.check === 'stock'));
  await assert.rejects(
    writer.draft({ channel: 'instagram', productId: '8800000000010' }),
    /no product 8800000000010/,
  );
});

test('a decision is taken once; a second press learns what happened', async () => {
  const request = await pendingPost(approvals, { channel: 'facebook', text: 'Draft one' });
  const approved = await approvals.decide(request.id, { action: 'approve' }, owner);
  assert.equal(approved.status, 'approved');
  assert.equal(approved.finalText, 'Draft one');
  await assert.rejects(
    approvals.decide(request.id, { action: 'reject' }, { ...owner, label: 'staff@salon.example' }),
    (e: unknown) =>
      e instanceof AppError &&
      e.kind === 'conflict' &&
      /already approved by owner@salon.example/.test(e.message),
  );
  const audit = (await new AuditLog({ pool: db.pool }).recent(100))
    .filter((entry) => entry.target === `approval:${request.id}`)
    .map(({ action, actorLabel, ip }) => ({ action, actorLabel, ip }));
  assert.deepEqual(audit, [
    { action: 'approval.approve', actorLabel: 'owner@salon.example', ip: '192.0.2.1' },
  ]);
  const decided = (await events('approval.decided')).filter((p) => p.approvalId === request.id);
  assert.deepEqual(decided, [
    {
      approvalId: request.id,
      status: 'approved',
      action: 'approve',
      kind: 'social.post',
      channel: 'facebook',
    },
  ]);
});

test('edit needs the text, regenerate needs a reason and asks for a rewrite', async () => {
  const request = await pendingPost(approvals, { productIds: ['8800000000006'] });
  await assert.rejects(approvals.decide(request.id, { action: 'edit' }, owner), /needs the new text/);
  await assert.rejects(approvals.decide(request.id, { action: 'regenerate' }, owner), /say what to change/);
  const rejected = await approvals.decide(
    request.id,
    { action: 'regenerate', reason: 'mention the winter offer' },
    owner,
  );
  assert.equal(rejected.status, 'rejected');
  assert.equal(rejected.note, 'regenerate: mention the winter offer');
  const [asked] = (await events('approval.regenerate_requested')).filter((p) => p.approvalId === request.id);
  assert.equal(asked.reason, 'mention the winter offer');
  assert.deepEqual(asked.productIds, ['8800000000006']);

  const other = await pendingPost(approvals);
  const edited = await approvals.decide(other.id, { action: 'edit', text: 'Better text' }, owner);
  assert.deepEqual([edited.status, edited.finalText], ['edited', 'Better text']);
  await assert.rejects(
    approvals.decide('00000000-0000-0000-0000-000000000000', { action: 'approve' }, owner),
    /no approval request with that id/,
  );
});

test('requests expire by their policy; a press on an expired card is told so', async () => {
  // A clock of this test's own, moved past the request's time.
  let clock = Date.parse('2026-11-26T10:00:00Z');
  const expiring = approvalService(db.pool, () => clock);
  const request = await pendingPost(expiring, { expiresInHours: 1, onExpiry: 'evergreen' });
  const later = await pendingPost(expiring, { expiresInHours: 3 });
  clock += 2 * 3_600_000;
  await assert.rejects(
    expiring.decide(request.id, { action: 'approve' }, owner),
    /this request expired at 2026-11-26T11:00:00.000Z/,
  );
  assert.ok((await expiring.expireDue()) >= 1);
  assert.equal((await expiring.get(request.id)).status, 'expired');
  assert.equal((await expiring.get(later.id)).status, 'pending', 'one with time left stays');
  assert.ok(
    (await events('approval.expired')).some((p) => p.approvalId === request.id && p.onExpiry === 'evergreen'),
  );
});

test('pause and resume are recorded and announced', async () => {
  const manager = { ...owner, label: 'manager@salon.example' };
  await approvals.setPaused(true, manager);
  assert.deepEqual(
    [(await approvals.paused()).paused, (await approvals.paused()).changedBy],
    [true, 'manager@salon.example'],
  );
  await approvals.setPaused(false, manager);
  assert.equal((await approvals.paused()).paused, false);
  const by = (type: string) => events(type).then((all) => all.filter((p) => p.by === manager.label));
  assert.equal((await by('operations.paused')).length, 1);
  assert.equal((await by('operations.resumed')).length, 1);
});
