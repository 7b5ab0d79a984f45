// The daily digest of the audit log's head: what the owner keeps on the phone to compare later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../src/platform/audit/audit-log.ts';
import { sendAuditDigest } from '../../src/platform/audit/audit-digest.ts';
import { Notifications } from '../../src/platform/notify/notifications.ts';
import { createTestDatabase } from '../support/database.ts';

test('the digest names the head and how to check it later, once a day, and warns when the log was changed', async () => {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sk-digest-'));
  try {
    const key = randomBytes(32);
    const audit = new AuditLog({ pool: db.pool, sealing: { masterKeys: () => [key], dataDir } });
    const notifications = new Notifications({ pool: db.pool });
    for (const action of ['user.add', 'token.create', 'secret.set'])
      await audit.record({ actor: 'cli', actorLabel: 'cli', action, outcome: 'ok' });
    const { rows } = await db.pool.query('select hash from ops_audit_head');
    const head = rows[0].hash as string;

    const morning = new Date('2026-03-02T06:40:00Z');
    await sendAuditDigest(audit, notifications, 'Europe/London', morning);
    await sendAuditDigest(audit, notifications, 'Europe/London', new Date('2026-03-02T18:00:00Z'));
    const [digest, ...others] = await notifications.list();
    assert.equal(others.length, 0, 'one digest per day, however often the job runs');
    assert.equal(digest!.severity, 'info');
    assert.equal(digest!.title, 'Audit log intact: entry 3');
    assert.ok(digest!.body.includes(`Hash: ${head}`), digest!.body);
    assert.ok(digest!.body.includes('shopkeep audit verify --entry 3'), digest!.body);

    await db.pool.query(`update ops_audit_log set actor_label = 'someone else' where seq = 2`);
    const next = await sendAuditDigest(
      audit,
      notifications,
      'Europe/London',
      new Date('2026-03-03T06:40:00Z'),
    );
    assert.equal(next.severity, 'warning');
    assert.equal(next.title, 'Audit log: 1 problem(s) found');
    assert.match(next.body, /entry 2: was changed after it was written/);
    assert.equal((await notifications.list()).length, 2);
  } finally {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
