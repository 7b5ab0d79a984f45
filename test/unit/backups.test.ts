// The backups' rules without restic or a database: which backups retention keeps, how targets are
// read, and the backup stream's framing (a cut or damaged stream is an error, never a short restore).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { backupsToKeep, DEFAULT_RETENTION } from '../../src/modules/ops/backups/retention.ts';
import { backupSettings, parseTarget } from '../../src/modules/ops/backups/settings.ts';
import { ArchiveReader, ArchiveWriter } from '../../src/modules/ops/backups/archive.ts';
import { SettingsReader } from '../../src/platform/kit/settings.ts';
import { ConfigError } from '../../src/platform/errors.ts';
import { backupId } from '../../src/modules/ops/backups/backups.ts';

/** Four backups a day (every 6 hours, UTC) for `days` days up to 2026-12-07. */
function everySixHours(days: number): { id: string; time: string }[] {
  const end = Date.parse('2026-12-07T18:00:00Z');
  return Array.from({ length: days * 4 }, (_, i) => {
    const time = new Date(end - i * 6 * 3_600_000).toISOString();
    return { id: time, time };
  });
}

test('retention keeps the newest of each of the last 7 days, 4 weeks, 12 months and 3 years', () => {
  const backups = everySixHours(4 * 365);
  const kept = [...backupsToKeep(backups, DEFAULT_RETENTION, 'UTC')].sort().reverse();
  // 7 days, then weekly and monthly and yearly ones that are not already kept.
  const days = kept.map((time) => time.slice(0, 10));
  assert.deepEqual(days.slice(0, 7), [
    '2026-12-07',
    '2026-12-06',
    '2026-12-05',
    '2026-12-04',
    '2026-12-03',
    '2026-12-02',
    '2026-12-01',
  ]);
  // Each kept one is the last of its day (18:00 UTC), the newest of all first.
  assert.ok(kept.every((time) => time.endsWith('T18:00:00.000Z')));
  // Weeks end on Sundays: 2026-11-29 and 2026-11-22 are the weekly ones beyond the daily ones.
  assert.ok(days.includes('2026-11-29') && days.includes('2026-11-22'));
  // Months: the last day of each of the last 12 months; years: this one (its newest), 2025 and 2024.
  for (const day of ['2026-10-31', '2026-01-31', '2025-12-31', '2024-12-31'])
    assert.ok(days.includes(day), day);
  assert.ok(kept.length >= 7 + 2 + 10 && kept.length <= 7 + 4 + 12 + 3, `${kept.length} kept`);
  assert.ok(!days.includes('2023-12-31'), 'a fourth year is not kept');
});

test('retention counts days in the shop’s time zone, and always keeps the newest', () => {
  // 23:30 UTC on 2026-06-30 is already 1 July in London (summer time).
  const backups = [
    { id: 'a', time: '2026-06-30T22:30:00Z' },
    { id: 'b', time: '2026-06-30T23:30:00Z' },
  ];
  assert.deepEqual(
    [...backupsToKeep(backups, { daily: 7, weekly: 0, monthly: 0, yearly: 0 }, 'Europe/London')].sort(),
    ['a', 'b'],
  );
  assert.deepEqual([...backupsToKeep(backups, { daily: 7, weekly: 0, monthly: 0, yearly: 0 }, 'UTC')], ['b']);
  assert.deepEqual([...backupsToKeep([], DEFAULT_RETENTION, 'UTC')], []);
});

test('targets: a folder, sftp://, s3:// and rest:, and a clear error for anything else', () => {
  assert.deepEqual(parseTarget('/mnt/backup/shop'), {
    repository: '/mnt/backup/shop',
    shown: '/mnt/backup/shop',
    kind: 'folder',
  });
  assert.equal(
    parseTarget('s3://s3.example.com/bucket/shop').repository,
    's3:https://s3.example.com/bucket/shop',
  );
  const rest = parseTarget('rest:https://shop:secret@backup.example.com/shop/');
  assert.equal(rest.repository, 'rest:https://shop:secret@backup.example.com/shop/');
  assert.doesNotMatch(rest.shown, /secret/);
  assert.equal(parseTarget('sftp://pi@nas.local//srv/backups').kind, 'sftp');
  assert.throws(
    () => parseTarget('ftp://nas/backups'),
    (error: ConfigError) => /folder path, sftp/.test(error.message),
  );
  assert.throws(() => parseTarget('sftp://pi:pw@nas/x'), /SSH key/);
  assert.throws(() => parseTarget('s3://s3.example.com'), /names its bucket/);
});

test('settings: a target needs a passphrase of 12 characters; schedules and retention are checked', () => {
  const read = (env: Record<string, string>) => backupSettings(new SettingsReader(env));
  assert.equal(read({}).target, undefined);
  assert.throws(() => read({ SHOPKEEP_BACKUP_TARGET: '/mnt/b' }), /SHOPKEEP_BACKUP_PASSPHRASE.*is needed/);
  assert.throws(
    () => read({ SHOPKEEP_BACKUP_TARGET: '/mnt/b', SHOPKEEP_BACKUP_PASSPHRASE: 'short' }),
    /at least 12/,
  );
  const ok = read({
    SHOPKEEP_BACKUP_TARGET: '/mnt/b',
    SHOPKEEP_BACKUP_PASSPHRASE: 'long enough passphrase',
    SHOPKEEP_BACKUP_KEEP: '14/8/24/5',
  });
  assert.deepEqual(ok.retention, { daily: 14, weekly: 8, monthly: 24, yearly: 5 });
  assert.equal(ok.schedule, '0 */6 * * *');
  assert.throws(() => read({ SHOPKEEP_BACKUP_KEEP: '7/4/12' }), /SHOPKEEP_BACKUP_KEEP/);
  assert.throws(() => read({ SHOPKEEP_BACKUP_SCHEDULE: 'every hour' }), /five fields/);
  assert.throws(() => read({ SHOPKEEP_HEARTBEAT_URL: 'ftp://x' }), /SHOPKEEP_HEARTBEAT_URL/);
});

async function framed(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const writer = new ArchiveWriter(async (chunk) => void chunks.push(Buffer.from(chunk)));
  await writer.begin();
  await writer.entry({ type: 'table', name: 'shop_orders', columns: ['id'] }, [Buffer.from('1\n2\n3\n')]);
  await writer.entry({ type: 'file', path: 'media/a.jpg', mode: 0o600 }, [Buffer.alloc(70_000, 7)]);
  await writer.entry({ type: 'summary' }, [Buffer.from(JSON.stringify({ tables: {}, files: {} }))]);
  return Buffer.concat(chunks);
}

test('the backup stream reads back entry by entry, in pieces of any size', async () => {
  const bytes = await framed();
  // Delivered a few bytes at a time, as a pipe may.
  const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) =>
    bytes.subarray(i * 7, i * 7 + 7),
  );
  const reader = new ArchiveReader(Readable.from(pieces));
  await reader.begin();
  assert.deepEqual(await reader.next(), { type: 'table', name: 'shop_orders', columns: ['id'] });
  const table = await reader.measure();
  assert.equal(table.rows, 3);
  assert.equal(table.bytes, 6);
  assert.equal((await reader.next())?.type, 'file');
  assert.equal((await reader.measure()).bytes, 70_000);
  assert.equal((await reader.next())?.type, 'summary');
  await reader.measure();
  assert.equal(await reader.next(), undefined);
});

test('a cut or foreign stream is an error that says so', async () => {
  const bytes = await framed();
  const cut = new ArchiveReader(Readable.from([bytes.subarray(0, bytes.length - 40_000)]));
  await cut.begin();
  await cut.next();
  await cut.measure();
  await cut.next();
  await assert.rejects(cut.measure(), /ends inside an entry/);
  const foreign = new ArchiveReader(Readable.from([Buffer.from('PGDMP custom format')]));
  await assert.rejects(foreign.begin(), /not a shopkeep backup/);
});

test('a backup is named by when it started', () => {
  assert.equal(backupId(new Date('2026-12-07T21:48:15.123Z')), 'b-20261207-214815');
});
