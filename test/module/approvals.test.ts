import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { aiSettings } from '../../src/modules/ai/settings.ts';
import { SettingsReader } from '../../src/platform/kit/settings.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { Metrics } from '../../src/platform/http/metrics.ts';
import { AppError } from '../../src/platform/errors.ts';
import { AuditLog } from '../../src/platform/audit/audit-log.ts';
import { AiService } from '../../src/modules/ai/ai-service.ts';
import { OfflineProvider } from '../../src/modules/ai/providers/offline.ts';
import { QaService } from '../../src/modules/ai/qa/qa-service.ts';
import { StaticCatalog } from '../../src/modules/shop/index.ts';
import { PostWriter } from '../../src/modules/ai/writer.ts';
import { ApprovalService } from '../../src/modules/approvals/approval-service.ts';
import { SANDBOX_PRODUCTS } from '../../src/sim/catalog.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let clock = Date.parse('2026-11-26T10:00:00Z');
let approvals: ApprovalService;
let writer: PostWriter;
const owner = { actor: 'user:1', label: 'owner@salon.example', ip: '192.0.2.1' };

before(async () => {
  db = await createTestDatabase();
  const ai = new AiService(
    db.pool,
    aiSettings(new SettingsReader({ SHOPKEEP_AI_PROVIDER: 'offline' })).ai,
    createLogger('silent'),
    new Metrics(),
    [new OfflineProvider()],
  );
  const catalog = new StaticCatalog(SANDBOX_PRODUCTS);
  const qa = new QaService(db.pool, ai, catalog, {
    autoApproveAbove: 85,
    regenerateBelow: 70,
    maxAttempts: 3,
  });
  approvals = new ApprovalService(db.pool, new AuditLog(db.pool), () => clock);
  writer = new PostWriter(db.pool, ai, qa, catalog, approvals, 3);
});
after(() => db.drop());

const events = async (type: string) =>
  (await db.pool.query('select payload from events_outbox where type = $1 order by id', [type])).rows.map(
    (r) => r.payload,
  );

test('a good draft is approved by the gate; the same post again is rewritten, then goes to the owner', async () => {
  const first = await writer.draft({ channel: 'instagram', productId: 'prod-argan-oil' });
  assert.equal(first.outcome, 'approved', JSON.stringify(first.review));
  assert.equal(first.provider, 'offline');
  assert.equal((await events('post.approved')).length, 1);

  const again = await writer.draft({ channel: 'instagram', productId: 'prod-argan-oil' });
  assert.equal(again.outcome, 'awaiting_owner');
  assert.equal(again.attempts, 3, 'rewritten until the last attempt');
  assert.ok(again.review.hardFails.some((f) => f.check === 'duplicate'));
  const [pending] = await approvals.list('pending');
  assert.equal(pending!.id, again.approvalId);
  assert.equal(pending!.lowConfidence, true);
  assert.equal((await events('approval.requested')).length, 1);
});

test('an out-of-stock product never goes out by itself', async () => {
  const result = await writer.draft({ channel: 'instagram', productId: 'prod-bond-mask' });
  assert.equal(result.outcome, 'awaiting_owner');
  assert.ok(result.review.hardFails.some((f) => f.check === 'stock'));
  await assert.rejects(
    writer.draft({ channel: 'instagram', productId: 'prod-nope' }),
    /no product prod-nope/,
  );
});

test('a decision is taken once; a second press learns what happened', async () => {
  const request = await approvals.request({
    kind: 'social.post',
    channel: 'facebook',
    title: 'facebook: test',
    text: 'Draft one',
  });
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
  const audit = await db.pool.query(`select action, actor_label from ops_audit_log where target = $1`, [
    `approval:${request.id}`,
  ]);
  assert.deepEqual(audit.rows, [{ action: 'approval.approve', actor_label: 'owner@salon.example' }]);
});

test('edit needs the text, regenerate needs a reason and asks for a rewrite', async () => {
  const request = await approvals.request({
    kind: 'social.post',
    channel: 'instagram',
    title: 'instagram: serum',
    text: 'Draft',
    productIds: ['prod-scalp-serum'],
  });
  await assert.rejects(approvals.decide(request.id, { action: 'edit' }, owner), /needs the new text/);
  await assert.rejects(approvals.decide(request.id, { action: 'regenerate' }, owner), /say what to change/);
  const rejected = await approvals.decide(
    request.id,
    { action: 'regenerate', reason: 'mention the winter offer' },
    owner,
  );
  assert.equal(rejected.status, 'rejected');
  const [asked] = (await events('approval.regenerate_requested')).filter((p) => p.approvalId === request.id);
  assert.equal(asked.reason, 'mention the winter offer');
  assert.deepEqual(asked.productIds, ['prod-scalp-serum']);

  const other = await approvals.request({
    kind: 'social.post',
    channel: 'instagram',
    title: 't',
    text: 'Draft',
  });
  const edited = await approvals.decide(other.id, { action: 'edit', text: 'Better text' }, owner);
  assert.deepEqual([edited.status, edited.finalText], ['edited', 'Better text']);
});

test('requests expire by their policy; a press on an expired card is told so', async () => {
  const request = await approvals.request({
    kind: 'social.post',
    channel: 'instagram',
    title: 't',
    text: 'Draft',
    expiresInHours: 1,
    onExpiry: 'evergreen',
  });
  clock += 2 * 3_600_000;
  await assert.rejects(approvals.decide(request.id, { action: 'approve' }, owner), /expired/);
  assert.ok((await approvals.expireDue()) >= 1);
  assert.equal((await approvals.get(request.id)).status, 'expired');
  assert.ok(
    (await events('approval.expired')).some((p) => p.approvalId === request.id && p.onExpiry === 'evergreen'),
  );
});

test('pause and resume are recorded and announced', async () => {
  assert.equal((await approvals.paused()).paused, false);
  await approvals.setPaused(true, owner);
  assert.deepEqual(
    [(await approvals.paused()).paused, (await approvals.paused()).changedBy],
    [true, 'owner@salon.example'],
  );
  await approvals.setPaused(false, owner);
  assert.equal((await approvals.paused()).paused, false);
  assert.equal((await events('operations.paused')).length, 1);
  assert.equal((await events('operations.resumed')).length, 1);
});
