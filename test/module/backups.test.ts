// Backups against the real thing: restic (Debian) keeping them in a folder, the real PostgreSQL
// dumped, restored into a scratch database and into another database as a new box would, and
// every failure the issue names: a target that cannot be written, a wrong passphrase, a tampered
// backup, a data directory that is not empty.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createTestDatabase } from '../support/database.ts';
import { accountsOf, newToken, newUser } from '../support/accounts.ts';
import { ledgerOf } from '../support/ledger.ts';
import opsModule from '../../src/modules/ops/index.ts';
import { restoreFromFolder } from '../support/backups.ts';
import { resticFor } from '../../src/modules/ops/backups/backups.ts';
import { backupSettings } from '../../src/modules/ops/backups/settings.ts';
import { SettingsReader } from '../../src/platform/kit/settings.ts';

const PASSPHRASE = 'a long backup passphrase';
let server: TestServer;
let work: string;
let target: string;
let envFile: string;

function resticInstalled(): void {
  try {
    execFileSync('restic', ['version']);
  } catch {
    assert.fail('restic is missing: `apt-get install restic` (the backups keep their data with it)');
  }
}

before(async () => {
  resticInstalled();
  work = mkdtempSync(path.join(tmpdir(), 'shopkeep-backups-'));
  target = path.join(work, 'second-disk', 'shopkeep');
  envFile = path.join(work, 'shop.env');
  writeFileSync(envFile, 'SHOPKEEP_TIMEZONE=Europe/London\n');
  server = await startTestServer({
    env: {
      SHOPKEEP_BACKUP_TARGET: target,
      SHOPKEEP_BACKUP_PASSPHRASE: PASSPHRASE,
      SHOPKEEP_BACKUP_SCRATCH_DATABASE_URL: process.env.SHOPKEEP_TEST_DATABASE_URL!,
      SHOPKEEP_ENV_FILE: envFile,
    },
  });
});

after(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

const ops = () => server.modules.get(opsModule);

async function counts(pool: { query: TestServer['db']['pool']['query'] }): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ table_name: string }>(
    `select table_name from information_schema.tables
     where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'schema_migrations' order by 1`,
  );
  const result: Record<string, number> = {};
  for (const { table_name } of rows)
    result[table_name] = Number((await pool.query(`select count(*) as n from "${table_name}"`)).rows[0].n);
  return result;
}

test('a backup holds the database, the files and the configuration; a drill restores and checks it; a new box gets it all back', async () => {
  const accounts = accountsOf(server);
  const owner = await newUser(accounts);
  const token = await newToken(accounts, { email: owner.email, scopes: ['read'] });
  const { ledger } = ledgerOf(server);
  for (let i = 1; i <= 5; i++)
    await ledger.addExpense({
      date: `2026-11-0${i}`,
      supplier: `Supplier ${i}`,
      amount: `${i}2.50`,
      tax: '0.00',
    });
  mkdirSync(path.join(server.dataDir, 'media', 'social'), { recursive: true });
  const photo = Buffer.from('a photo of the new shampoo');
  writeFileSync(path.join(server.dataDir, 'media', 'social', 'shampoo.jpg'), photo);
  const before = await counts(server.db.pool);
  assert.ok(before.ledger_postings! >= 10 && before.auth_users! >= 1, 'there is something to back up');

  const record = await ops().backups.run('manual');
  assert.equal(record.status, 'succeeded');
  assert.ok(record.bytes! > 1000 && record.tables! > 20 && record.files! >= 2, JSON.stringify(record));
  // restic keeps it encrypted: the photo's bytes appear nowhere at the target.
  const packed = readdirSync(path.join(target, 'data'), { recursive: true })
    .map((name) => path.join(target, 'data', String(name)))
    .filter((file) => statSync(file).isFile());
  assert.ok(packed.length > 0);
  for (const file of packed)
    assert.equal(readFileSync(file).includes(photo), false, 'the backup is encrypted');

  const drill = await ops().backups.verify();
  assert.equal(drill.status, 'succeeded', drill.error ?? '');
  assert.deepEqual(
    drill.checks.map((check) => [check.name, check.problems]),
    [['the books balance', []]],
  );
  // Every row is in the backup, and the backup's own run, recorded as it started.
  const dumped = { ...before, ops_backups: before.ops_backups! + 1 };
  assert.equal(
    drill.rows,
    Object.values(dumped).reduce((a, b) => a + b, 0),
  );
  const metrics = await server.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
  for (const name of [
    'shopkeep_backup_last_success_timestamp_seconds',
    'shopkeep_backup_last_verified_timestamp_seconds',
    'shopkeep_backup_restore_duration_seconds',
  ])
    assert.match(metrics.body, new RegExp(`^${name}\\{[^}]*\\} \\d`, 'm'), name);

  // A new box: an empty database and an empty data directory.
  const fresh = await createTestDatabase({ migrated: false });
  const newDir = path.join(work, 'new-box');
  try {
    const report = await restoreFromFolder({
      target,
      passphrase: PASSPHRASE,
      dataDir: newDir,
      databaseUrl: fresh.url,
      cacheDir: work,
    });
    assert.equal(report.backupId, record.id);
    const restored = await counts(fresh.pool);
    // Every row is back; the backup's own record now says it succeeded.
    assert.deepEqual(restored, dumped);
    const [run] = (await fresh.pool.query(`select status from ops_backups where id = $1`, [record.id])).rows;
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(readFileSync(path.join(newDir, 'media', 'social', 'shampoo.jpg')), photo);
    assert.deepEqual(
      readFileSync(path.join(newDir, 'master.key')),
      readFileSync(path.join(server.dataDir, 'master.key')),
    );
    assert.equal(readFileSync(report.configFile!, 'utf8'), readFileSync(envFile, 'utf8'));
    assert.equal(
      existsSync(path.join(newDir, 'postgres.password')),
      false,
      'a box makes its own database passwords',
    );
    // Sequences came back too: the next row does not collide with a restored one.
    const next = await fresh.pool.query(`select nextval('ledger_entries_id_seq') as id`);
    const max = await fresh.pool.query(`select max(id) as id from ledger_entries`);
    assert.ok(Number(next.rows[0].id) > Number(max.rows[0].id));
    // The token made before the backup is in the restored database, under the same hash.
    const tokenRows = await fresh.pool.query(`select count(*) as n from auth_api_tokens`);
    assert.ok(Number(tokenRows.rows[0].n) >= 1, `token ${token.id} kept`);

    // Into a directory that holds something: refused without --force, and nothing is touched.
    await assert.rejects(
      restoreFromFolder({
        target,
        passphrase: PASSPHRASE,
        dataDir: newDir,
        databaseUrl: fresh.url,
        cacheDir: work,
      }),
      /is not empty: restore into a new directory, or add --force/,
    );
    assert.ok(existsSync(path.join(newDir, 'master.key')));
  } finally {
    await fresh.drop();
  }
});

test('a wrong passphrase is refused with a clear message and changes nothing', async () => {
  const wrong = resticFor(
    backupSettings(
      new SettingsReader({
        SHOPKEEP_BACKUP_TARGET: target,
        SHOPKEEP_BACKUP_PASSPHRASE: 'not the passphrase at all',
      }),
    ),
    work,
    {},
  );
  const before = readdirSync(path.join(target, 'snapshots')).length;
  await assert.rejects(wrong.snapshots('shopkeep'), /passphrase does not open the backups/);
  await assert.rejects(
    restoreFromFolder({
      target,
      passphrase: 'not the passphrase at all',
      dataDir: path.join(work, 'never'),
      cacheDir: work,
    }),
    /passphrase does not open the backups/,
  );
  assert.equal(existsSync(path.join(work, 'never')), false);
  assert.equal(readdirSync(path.join(target, 'snapshots')).length, before);
});

test('a target that cannot be written fails the backup loudly: recorded, a critical alert, the earlier backups kept', async () => {
  const blocked = path.join(work, 'not-a-disk');
  writeFileSync(blocked, 'a file where the folder should be');
  const broken = await startTestServer({
    env: { SHOPKEEP_BACKUP_TARGET: path.join(blocked, 'shopkeep'), SHOPKEEP_BACKUP_PASSPHRASE: PASSPHRASE },
  });
  try {
    const backups = broken.modules.get(opsModule).backups;
    await assert.rejects(backups.run('schedule'), /restic failed|cannot be reached|full/);
    const [failed] = await backups.list(1);
    assert.equal(failed!.status, 'failed');
    assert.ok(failed!.error);
    assert.doesNotMatch(failed!.error!, new RegExp(PASSPHRASE));
    const alerts = await broken.face('notifications').list({ severity: 'critical' });
    assert.equal(alerts[0]?.kind, 'ops.backup_failed');
    assert.match(alerts[0]!.body, /earlier backups are untouched/);
  } finally {
    await broken.close();
  }
});

test('a tampered backup is refused: the drill fails, says so, and raises a critical alert', async () => {
  const packs = readdirSync(path.join(target, 'data'), { recursive: true })
    .map((name) => path.join(target, 'data', String(name)))
    .filter((file) => statSync(file).isFile())
    .sort((a, b) => statSync(b).size - statSync(a).size);
  const biggest = packs[0]!;
  const bytes = readFileSync(biggest);
  const middle = Math.floor(bytes.length / 2);
  bytes[middle] = bytes[middle]! ^ 0xff;
  writeFileSync(biggest, bytes);
  await assert.rejects(ops().backups.verify(), /damaged|does not match|restic failed/);
  const [drill] = await ops().backups.drills(1);
  assert.equal(drill!.status, 'failed');
  const alerts = await server.face('notifications').list({ kind: 'ops.restore_drill_failed' });
  assert.equal(alerts.length, 1);
});
