import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { AuditLog } from '../../src/platform/audit/audit-log.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let audit: AuditLog;
const dataDirs: string[] = [];

/** The log as shopkeep runs it: sealed with a master key, anchored in a data directory. */
function sealedLog(pool: pg.Pool): AuditLog {
  const masterKey = randomBytes(32);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sk-audit-'));
  dataDirs.push(dataDir);
  return new AuditLog({ pool, sealing: { masterKeys: () => [masterKey], dataDir } });
}

before(async () => {
  db = await createTestDatabase();
  audit = sealedLog(db.pool);
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      audit.record({
        actor: 'user:1',
        actorLabel: 'owner@shop.example',
        ip: '192.0.2.1',
        action: 'POST /api/v1/things',
        target: `thing ${i}`,
        outcome: 'ok',
        details: { n: i, z: 'x', a: [1, 2] },
      }),
    ),
  );
});
after(async () => {
  await db.drop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

test('concurrent writers build one unbroken chain', async () => {
  const result = await audit.verify();
  assert.equal(result.checked, 20);
  assert.deepEqual(result.problems, []);
  assert.equal(result.ok, true);
});

test('an edited entry is reported', async () => {
  await db.pool.query(`update ops_audit_log set target = 'something else' where seq = 7`);
  const result = await audit.verify();
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.problems.map((p) => p.seq),
    [7],
  );
  assert.match(result.problems[0]!.problem, /changed/);
  await db.pool.query(`update ops_audit_log set target = 'thing 6' where seq = 7`).catch(() => undefined);
});

test('a removed entry in the middle and a truncated tail are reported', async () => {
  const fresh = await createTestDatabase();
  try {
    const log = sealedLog(fresh.pool);
    for (let i = 0; i < 5; i += 1)
      await log.record({ actor: 'cli', actorLabel: 'cli', action: 'user.add', outcome: 'ok' });
    await fresh.pool.query('delete from ops_audit_log where seq = 3');
    const middle = await log.verify();
    assert.equal(middle.ok, false);
    assert.ok(middle.problems.some((p) => /missing/.test(p.problem)));

    await fresh.pool.query('delete from ops_audit_log where seq >= 3');
    const tail = await log.verify();
    assert.equal(tail.ok, false);
    assert.ok(
      tail.problems.some((p) => /removed/.test(p.problem)),
      JSON.stringify(tail.problems),
    );
  } finally {
    await fresh.drop();
  }
});

test('text that the database stores differently (a lone surrogate) does not break the chain', async () => {
  const fresh = await createTestDatabase();
  try {
    const log = sealedLog(fresh.pool);
    await log.record({
      actor: 'anonymous',
      actorLabel: '\ud800@x.example',
      action: 'auth.login',
      target: 'bad \udc00 text',
      outcome: 'denied',
      details: { note: '\ud83d' },
    });
    const result = await log.verify();
    assert.deepEqual(result.problems, []);
  } finally {
    await fresh.drop();
  }
});
