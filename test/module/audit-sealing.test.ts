// The audit log against someone who can write to the database but has neither the master key nor
// the data directory: whatever they rewrite, cut or recompute, `audit verify` says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { AuditLog, canonicalJson } from '../../src/platform/audit/audit-log.ts';
import { transaction } from '../../src/platform/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

interface Shop {
  db: TestDatabase;
  dataDir: string;
  masterKeys: Buffer[];
  /** The audit log as shopkeep runs it: sealed with the master key, anchored in the data dir. */
  log: AuditLog;
  done(): Promise<void>;
}

async function aShop(): Promise<Shop> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sk-audit-'));
  const masterKeys = [randomBytes(32)];
  return {
    db,
    dataDir,
    masterKeys,
    log: new AuditLog({ pool: db.pool, sealing: { masterKeys: () => masterKeys, dataDir } }),
    async done() {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function write(log: AuditLog, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await log.record({
      actor: 'user:1',
      actorLabel: 'owner@salon.example',
      ip: '192.0.2.7',
      action: 'POST /api/v1/expenses',
      target: `expense ${i}`,
      outcome: 'ok',
      details: { amount: 1250 + i },
    });
  }
}

/**
 * What someone with database access and the source code does: change entries, then recompute
 * every link with plain SHA-256 as the first release did, and fix the head. `seals` says what they do
 * with the seals: leave them, remove them, or make new ones with a key of their own.
 */
async function rewrite(
  pool: pg.Pool,
  change: (row: Record<string, unknown>) => void,
  seals: 'leave' | 'remove' | { ownKey: Buffer } = 'leave',
): Promise<void> {
  const { rows } = await pool.query(
    'select seq, at, actor, actor_label, ip, action, target, outcome, details from ops_audit_log order by seq',
  );
  let prev = '0'.repeat(64);
  for (const row of rows) {
    change(row);
    const link = createHash('sha256')
      .update(prev)
      .update(
        canonicalJson([
          Number(row.seq),
          (row.at as Date).toISOString(),
          row.actor,
          row.actor_label,
          row.ip,
          row.action,
          row.target,
          row.outcome,
          row.details,
        ]),
      )
      .digest('hex');
    await pool.query(
      'update ops_audit_log set actor_label = $2, target = $3, details = $4, prev_hash = $5, hash = $6 where seq = $1',
      [row.seq, row.actor_label, row.target, row.details, prev, link],
    );
    if (seals === 'remove') {
      await pool.query('update ops_audit_log set seal = null, key_id = null where seq = $1', [row.seq]);
    } else if (seals !== 'leave') {
      const forged = createHmac('sha256', seals.ownKey).update(`${row.seq}:${link}`).digest('hex');
      await pool.query('update ops_audit_log set seal = $2 where seq = $1', [row.seq, forged]);
    }
    prev = link;
  }
  await pool.query('update ops_audit_head set seq = $1, hash = $2', [rows.length, prev]);
}

const kinds = (result: { problems: { kind?: string }[] }) => result.problems.map((p) => p.kind);

test('a chain recomputed with plain SHA-256 after an edit (the old code, or SQL) is reported', async () => {
  const shop = await aShop();
  try {
    await write(shop.log, 8);
    await rewrite(shop.db.pool, (row) => {
      if (Number(row.seq) === 3) row.target = 'expense 2 (never happened)';
    });
    const result = await shop.log.verify();
    assert.equal(result.ok, false);
    const forged = result.problems.find((p) => p.kind === 'forged');
    assert.ok(forged, JSON.stringify(result.problems));
    // Entries 1 and 2 are untouched; everything from the edit on is reported, as one run.
    assert.deepEqual([forged.seq, forged.through], [3, 8]);
    assert.match(forged.problem, /without the key/);
  } finally {
    await shop.done();
  }
});

test('a recomputed chain with its seals removed is reported: every entry must be sealed', async () => {
  const shop = await aShop();
  try {
    await write(shop.log, 5);
    await rewrite(
      shop.db.pool,
      (row) => {
        if (Number(row.seq) === 4) row.actor_label = 'staff@salon.example';
      },
      'remove',
    );
    const result = await shop.log.verify();
    assert.equal(result.ok, false);
    assert.ok(kinds(result).includes('unsealed'), JSON.stringify(result.problems));
  } finally {
    await shop.done();
  }
});

test('an entry edited and resealed with a key that is not the master key is reported', async () => {
  const shop = await aShop();
  try {
    await write(shop.log, 6);
    // Even knowing exactly how seals are made, the attacker can only guess the key.
    await rewrite(
      shop.db.pool,
      (row) => {
        if (Number(row.seq) === 5) row.details = { amount: 99_999 };
      },
      { ownKey: randomBytes(32) },
    );
    const resealed = await shop.log.verify();
    assert.equal(resealed.ok, false);
    // And the anchor, at entry 6, names a link the rewrite changed.
    assert.deepEqual(kinds(resealed), ['forged', 'anchor-differs']);
    assert.deepEqual([resealed.problems[0]!.seq, resealed.problems[0]!.through], [1, 6]);

    // Claiming another key id only changes what is said, not whether it is found.
    await shop.db.pool.query(`update ops_audit_log set key_id = 'feedfacefeedface'`);
    const otherKey = await shop.log.verify();
    assert.equal(otherKey.ok, false);
    assert.deepEqual(kinds(otherKey), ['unknown-key', 'anchor-differs']);
  } finally {
    await shop.done();
  }
});

test('a tail cut off with the head fixed in the database is reported through audit-head.json', async () => {
  const shop = await aShop();
  try {
    await write(shop.log, 10);
    const { rows } = await shop.db.pool.query('select hash from ops_audit_log where seq = 6');
    await shop.db.pool.query('delete from ops_audit_log where seq > 6');
    await shop.db.pool.query('update ops_audit_head set seq = 6, hash = $1', [rows[0].hash]);

    const result = await shop.log.verify();
    assert.equal(result.ok, false);
    const cut = result.problems.find((p) => p.kind === 'anchor-ahead');
    assert.ok(cut, JSON.stringify(result.problems));
    assert.deepEqual([cut.seq, cut.through], [7, 10]);
    assert.match(cut.problem, /audit-head\.json recorded entry 10/);

    // The anchor does not follow the cut log when shopkeep writes again: the evidence stays.
    await write(shop.log, 2);
    const later = await shop.log.verify();
    assert.equal(later.ok, false);
    assert.ok(
      kinds(later).some((kind) => kind?.startsWith('anchor-')),
      JSON.stringify(later.problems),
    );
    assert.equal(JSON.parse(readFileSync(path.join(shop.dataDir, 'audit-head.json'), 'utf8')).seq, 10);
  } finally {
    await shop.done();
  }
});

test('audit-head.json follows the head, owner-only, written whole', async () => {
  const shop = await aShop();
  try {
    const second = new AuditLog({
      pool: shop.db.pool,
      sealing: { masterKeys: () => shop.masterKeys, dataDir: shop.dataDir },
    });
    // Two writers (the server and a worker on the same box) share the chain and the anchor.
    await Promise.all([write(shop.log, 6), write(second, 6)]);
    const anchor = await shop.log.anchor();
    const file = path.join(shop.dataDir, 'audit-head.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), anchor);
    const { rows } = await shop.db.pool.query('select seq, hash from ops_audit_head');
    assert.deepEqual([anchor?.seq, anchor?.hash, anchor?.sealedFrom], [Number(rows[0].seq), rows[0].hash, 1]);
    assert.deepEqual(
      readdirSync(shop.dataDir).filter((name) => name.endsWith('.tmp')),
      [],
    );
    assert.deepEqual((await shop.log.verify()).problems, []);
  } finally {
    await shop.done();
  }
});

test('an entry whose transaction rolls back never reaches the anchor', async () => {
  const shop = await aShop();
  try {
    await write(shop.log, 3);
    await assert.rejects(
      transaction(shop.db.pool, async (tx) => {
        await shop.log.record({ actor: 'cli', actorLabel: 'cli', action: 'user.add', outcome: 'ok' }, tx);
        throw new Error('the change itself failed');
      }),
      /the change itself failed/,
    );
    await transaction(shop.db.pool, (tx) =>
      shop.log.record({ actor: 'cli', actorLabel: 'cli', action: 'user.add', outcome: 'ok' }, tx),
    );
    const anchor = await shop.log.anchor();
    assert.equal(anchor?.seq, 4);
    const result = await shop.log.verify();
    assert.deepEqual(result.problems, []);
  } finally {
    await shop.done();
  }
});

test('an install from before sealing is carried over: it verifies, and later tampering is found', async () => {
  const shop = await aShop();
  try {
    // Written by the release before sealing: no key, no anchor.
    await write(new AuditLog({ pool: shop.db.pool }), 5);
    await write(shop.log, 2);
    const carried = await shop.log.verify();
    assert.deepEqual(carried.problems, []);
    assert.equal(carried.sealedFrom, 6);
    const [started] = await shop.log.recent(1, 7);
    assert.equal(started?.action, 'audit.sealing-started');
    assert.equal(JSON.parse(readFileSync(path.join(shop.dataDir, 'audit-head.json'), 'utf8')).sealedFrom, 6);

    // An old, unsealed entry changed and the chain recomputed: the first seal no longer holds.
    const { rows: before } = await shop.db.pool.query('select * from ops_audit_log order by seq');
    await rewrite(shop.db.pool, (row) => {
      if (Number(row.seq) === 2) row.target = 'expense 99';
    });
    const rewritten = await shop.log.verify();
    assert.equal(rewritten.ok, false);
    assert.equal(rewritten.problems[0]?.kind, 'forged');
    assert.equal(rewritten.problems[0]?.seq, 6);

    // Passing sealed entries off as old ones: seals removed, the start of sealing moved in the database.
    for (const row of before) {
      await shop.db.pool.query(
        'update ops_audit_log set target = $2, prev_hash = $3, hash = $4 where seq = $1',
        [row.seq, row.target, row.prev_hash, row.hash],
      );
    }
    await shop.db.pool.query('update ops_audit_head set hash = $1', [before.at(-1).hash]);
    assert.deepEqual((await shop.log.verify()).problems, [], 'the log is back as it was');
    await rewrite(
      shop.db.pool,
      (row) => {
        if (Number(row.seq) === 7) row.actor_label = 'nobody@salon.example';
      },
      'remove',
    );
    await shop.db.pool.query('update ops_audit_head set sealed_from = null, key_id = null');
    const downgraded = await shop.log.verify();
    assert.equal(downgraded.ok, false);
    assert.ok(kinds(downgraded).includes('anchor-sealed-from'), JSON.stringify(downgraded.problems));
    assert.ok(kinds(downgraded).includes('unsealed'), JSON.stringify(downgraded.problems));
  } finally {
    await shop.done();
  }
});

test('after a master key rotation the log is sealed again under the new key, links unchanged', async () => {
  const shop = await aShop();
  try {
    await write(shop.log, 4);
    const [{ hash: headBefore }] = (await shop.db.pool.query('select hash from ops_audit_log where seq = 4'))
      .rows as [{ hash: string }];
    // `secrets rotate-key` replaces master.key; this process still knows the key it started with.
    shop.masterKeys.splice(0, 1, randomBytes(32));
    await write(shop.log, 1);
    const [resealed] = await shop.log.recent(1, 6);
    assert.equal(resealed?.action, 'audit.resealed');
    assert.equal(resealed?.details?.resealed, 4);

    // A process started after the rotation has the new key only, and finds everything in order.
    const afterRotation = new AuditLog({
      pool: shop.db.pool,
      sealing: {
        masterKeys: () => shop.masterKeys,
        dataDir: shop.dataDir,
      },
    });
    const result = await afterRotation.verify();
    assert.deepEqual(result.problems, []);
    const { rows } = await shop.db.pool.query('select hash from ops_audit_log where seq = 4');
    assert.equal(rows[0].hash, headBefore, 'the link a digest named is the same');
  } finally {
    await shop.done();
  }
});

test('verify prints the link of an entry named by a digest, and the head', async () => {
  const shop = await aShop();
  try {
    await write(shop.log, 3);
    const { rows } = await shop.db.pool.query('select seq, hash from ops_audit_log order by seq');
    const result = await shop.log.verify(undefined, { entry: 2 });
    assert.deepEqual(result.entry, { seq: 2, hash: rows[1].hash });
    assert.deepEqual(result.head, { seq: 3, hash: rows[2].hash });
    assert.equal((await shop.log.verify(undefined, { entry: 9 })).entry, undefined);
  } finally {
    await shop.done();
  }
});

test('on a box without the anchor, clearing where sealing began still shows while the seals remain', async () => {
  const shop = await aShop();
  try {
    await write(shop.log, 3);
    await shop.db.pool.query('update ops_audit_head set sealed_from = null');
    const elsewhere = new AuditLog({ pool: shop.db.pool, sealing: { masterKeys: () => shop.masterKeys } });
    const result = await elsewhere.verify();
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.seq, p.through]),
      [['sealed-early', 1, 3]],
    );
  } finally {
    await shop.done();
  }
});
