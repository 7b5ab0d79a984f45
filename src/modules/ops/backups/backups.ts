// Backups: the database dumped from one snapshot and the data directory's files, framed as one stream
// (archive.ts) and kept by restic at the target, encrypted; retention after each run; restore drills
// that load the newest backup into a scratch database and check it. Every run is recorded, and a run
// that fails, or a backup that gets too old because runs were missed, is a critical alert.
import { open, readFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { desc, eq, and, ne, isNull } from 'drizzle-orm';
import { orm, type Orm } from '../../../platform/db/orm.ts';
import type { MigrationSource } from '../../../platform/db/migrate.ts';
import { AppError, describeError } from '../../../platform/errors.ts';
import type { RestoreCheck } from '../../../platform/kit/module.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { Notifier } from '../../../platform/notify/face.ts';
import { ArchiveError, ArchiveReader, ArchiveWriter, type BackupSummary } from './archive.ts';
import { dumpDatabase } from './dump.ts';
import { filesToBackUp } from './files.ts';
import { loadArchive, type LoadOptions, type LoadResult } from './load.ts';
import { Restic, type Snapshot } from './restic.ts';
import { backupsToKeep } from './retention.ts';
import type { BackupSettings } from './settings.ts';
import { opsBackupDrills, opsBackups } from '../schema.ts';

export const BACKUP_FILE = 'shopkeep.backup';
export const BACKUP_TAG = 'shopkeep';
const TAG_PREFIX = 'shopkeep-backup:';
const BACKUP_LOCK = 7_301_050;

export type BackupRecord = typeof opsBackups.$inferSelect;
export type DrillRecord = typeof opsBackupDrills.$inferSelect;

export interface ScratchDatabase {
  pool: pg.Pool;
  drop(): Promise<void>;
}

export interface BackupsOptions {
  pool: pg.Pool;
  settings: BackupSettings;
  dataDir: string;
  /** The configuration file, kept in each backup when it exists. */
  envFile: string | undefined;
  env: Record<string, string | undefined>;
  timezone: string;
  version: string;
  notifications: Notifier;
  logger: Logger;
  now: () => Date;
  /** A database to restore into for a drill, dropped afterwards. */
  scratch: () => Promise<ScratchDatabase>;
  migrations: () => MigrationSource[];
  restoreChecks: () => RestoreCheck[];
}

export type Progress = (line: string) => void;

/** Seconds since the epoch, bytes and seconds; undefined where there is none yet. */
export interface BackupFigures {
  lastSuccess: number | undefined;
  lastFailure: number | undefined;
  bytes: number | undefined;
  lastVerified: number | undefined;
  restoreSeconds: number | undefined;
}

export interface BackupStatus {
  configured: boolean;
  target: string | undefined;
  lastSuccess: BackupRecord | undefined;
  lastFailure: BackupRecord | undefined;
  lastDrill: DrillRecord | undefined;
  lastGoodDrill: DrillRecord | undefined;
}

export class Backups {
  private readonly db: Orm;

  constructor(private readonly options: BackupsOptions) {
    this.db = orm(options.pool);
  }

  get maxAgeHours(): number {
    return this.options.settings.maxAgeHours;
  }

  get configured(): boolean {
    return this.options.settings.target !== undefined;
  }

  restic(): Restic {
    return resticFor(this.options.settings, this.options.dataDir, this.options.env);
  }

  /** One backup now; the record says how it went (a failure is recorded, alerted and thrown). */
  async run(
    trigger: BackupRecord['trigger'],
    onProgress: Progress = () => undefined,
    options: { newTarget?: boolean } = {},
  ): Promise<BackupRecord> {
    const restic = this.restic();
    const started = this.options.now();
    const id = backupId(started);
    return this.exclusively(async () => {
      await this.markInterrupted();
      const target = this.options.settings.target!.shown;
      // A target that held backups and now holds none is a disk not mounted, not a fresh start.
      const [storedBefore] = await this.db
        .select({ id: opsBackups.id })
        .from(opsBackups)
        .where(and(eq(opsBackups.target, target), eq(opsBackups.status, 'succeeded')))
        .limit(1);
      await this.db.insert(opsBackups).values({ id, startedAt: started, status: 'running', trigger, target });
      try {
        onProgress(`backing up to ${this.options.settings.target!.shown}`);
        await restic.unlock();
        if ((await restic.ensureRepository(!storedBefore || options.newTarget === true)) === 'created')
          onProgress('made a new, encrypted backup repository at the target');
        let written = { bytes: 0, tables: 0, rows: 0, files: 0 };
        const stored = await restic.backup(BACKUP_FILE, [BACKUP_TAG, `${TAG_PREFIX}${id}`], async (stdin) => {
          written = await this.writeArchive(stdin, id, started, onProgress);
        });
        const finishedAt = this.options.now();
        const [record] = await this.db
          .update(opsBackups)
          .set({
            status: 'succeeded',
            finishedAt,
            snapshotId: stored.snapshotId,
            bytes: written.bytes,
            addedBytes: stored.addedBytes,
            tables: written.tables,
            rows: written.rows,
            files: written.files,
          })
          .where(eq(opsBackups.id, id))
          .returning();
        onProgress(
          `stored as snapshot ${stored.snapshotId.slice(0, 8)} (${mb(stored.addedBytes)} new at the target)`,
        );
        // The backup is stored whatever retention does next: a failure to thin out old ones is a
        // warning of its own, never a failed backup.
        await this.applyRetention(restic, onProgress).catch((error: unknown) =>
          this.options.notifications.send({
            kind: 'ops.backup_retention_failed',
            severity: 'warning',
            title: 'Old backups could not be removed',
            body: `The backup ${id} is stored, but removing the backups retention no longer keeps failed: ${describeError(error)}\n\nThe target fills up until this works: look at its space and permissions.`,
            dedupeKey: `ops.backup_retention_failed:${started.toISOString().slice(0, 10)}`,
          }),
        );
        await this.resolvedIfFailedBefore(id);
        return record!;
      } catch (error) {
        const message = describeError(error);
        await this.db
          .update(opsBackups)
          .set({ status: 'failed', finishedAt: this.options.now(), error: message.slice(0, 2000) })
          .where(eq(opsBackups.id, id));
        await this.options.notifications.send({
          kind: 'ops.backup_failed',
          severity: 'critical',
          title: 'A backup failed',
          body: `The backup started at ${started.toISOString()} did not complete: ${message}\n\nThe earlier backups are untouched. Fix the cause, then run \`shopkeep backup run\` or wait for the next scheduled one.`,
          dedupeKey: `ops.backup_failed:${id}`,
        });
        throw error;
      }
    }, onProgress);
  }

  private async writeArchive(stdin: Writable, id: string, started: Date, onProgress: Progress) {
    let failed: Error | undefined;
    stdin.on('error', (error) => (failed = error));
    const archive = new ArchiveWriter(async (chunk) => {
      if (failed) throw new AppError('unavailable', `restic stopped reading the backup (${failed.message})`);
      if (!stdin.write(chunk)) await once(stdin, 'drain');
    });
    await archive.begin();
    const target = this.options.settings.target!;
    const list = await filesToBackUp(
      this.options.dataDir,
      this.options.envFile,
      target.kind === 'folder' ? [target.repository] : [],
    );
    // The small files beside the database (the audit log's anchor above all) are read before its
    // snapshot: an anchor newer than the dumped log would make a restored log look cut.
    const early = new Map<string, Buffer>();
    for (const file of list) if (!file.path.includes('/')) early.set(file.path, await readFile(file.source));
    const tables = await dumpDatabase(
      this.options.pool,
      archive,
      { id, createdAt: started.toISOString(), shopkeepVersion: this.options.version },
      (name, done, total) => {
        if (done % 10 === 0) onProgress(`database: ${done}/${total} tables, ${mb(archive.bytes)}`);
      },
    );
    const files: Record<string, { bytes: number; sha256: string }> = {};
    onProgress(`files: ${list.length} (media, receipts, the master key, the configuration)`);
    for (const file of list) {
      // A file deleted since the list was made (a post's picture cleaned up) is simply not in it.
      const kept = early.get(file.path);
      const handle = kept ? undefined : await open(file.source).catch(gone);
      if (!kept && !handle) continue;
      const { bytes, sha256 } = await archive.entry(
        { type: 'file', path: file.path, mode: file.mode },
        kept ? [kept] : handle!.createReadStream(),
      );
      files[file.path] = { bytes, sha256 };
    }
    const summary: BackupSummary = { tables, files };
    await archive.entry({ type: 'summary' }, [Buffer.from(JSON.stringify(summary))]);
    const rows = Object.values(tables).reduce((sum, table) => sum + table.rows, 0);
    onProgress(
      `wrote ${mb(archive.bytes)}: ${Object.keys(tables).length} tables, ${rows} rows, ${Object.keys(files).length} files`,
    );
    return {
      bytes: archive.bytes,
      tables: Object.keys(tables).length,
      rows,
      files: Object.keys(files).length,
    };
  }

  /** The backups at the target, oldest first, each with the record of its run when this database has one. */
  async atTarget(): Promise<(Snapshot & { backupId: string | undefined })[]> {
    const snapshots = await this.restic().snapshots(BACKUP_TAG);
    return snapshots.map((snapshot) => ({ ...snapshot, backupId: backupIdOf(snapshot) }));
  }

  /** Keeps 7 daily, 4 weekly, 12 monthly, 3 yearly (by default) and forgets the rest at the target. */
  private async applyRetention(restic: Restic, onProgress: Progress): Promise<void> {
    // A REST server is the off-site copy a broken-into Pi must not be able to thin out: it runs
    // append-only, and retention is applied there, from a trusted machine (docs/backups.md).
    if (this.options.settings.target?.kind === 'rest') return;
    const snapshots = await restic.snapshots(BACKUP_TAG);
    const keep = backupsToKeep(snapshots, this.options.settings.retention, this.options.timezone);
    const forget = snapshots.filter((snapshot) => !keep.has(snapshot.id));
    if (!forget.length) return;
    await restic.forget(forget.map((snapshot) => snapshot.id));
    for (const snapshot of forget) {
      const id = backupIdOf(snapshot);
      if (id)
        await this.db
          .update(opsBackups)
          .set({ forgottenAt: this.options.now() })
          .where(eq(opsBackups.id, id));
    }
    onProgress(`retention: kept ${keep.size} backups, removed ${forget.length}`);
  }

  /**
   * A restore drill: restic checks the repository, the newest backup is loaded into a scratch database
   * (every table's rows and digest held to the backup's summary, every file's digest), then each
   * module's checks run on it (the books balance). The scratch database is dropped either way.
   */
  async verify(onProgress: Progress = () => undefined): Promise<DrillRecord> {
    const restic = this.restic();
    return this.exclusively(() => this.drill(restic, onProgress), onProgress);
  }

  private async drill(restic: Restic, onProgress: Progress): Promise<DrillRecord> {
    // We hold the lock: a drill still 'running' was stopped (its scratch database is dropped when the
    // next one is made).
    await this.db
      .update(opsBackupDrills)
      .set({
        status: 'failed',
        finishedAt: this.options.now(),
        error: 'interrupted: shopkeep stopped during the drill',
      })
      .where(eq(opsBackupDrills.status, 'running'));
    const [drill] = await this.db
      .insert(opsBackupDrills)
      .values({ startedAt: this.options.now(), status: 'running' })
      .returning();
    const started = performance.now();
    try {
      onProgress('restic is checking the repository');
      await restic.unlock();
      await restic.check();
      const snapshots = await restic.snapshots(BACKUP_TAG);
      const newest = snapshots.at(-1);
      if (!newest)
        throw new AppError(
          'not_found',
          'there is no backup at the target to verify yet: run `shopkeep backup run`',
        );
      await this.db
        .update(opsBackupDrills)
        .set({ snapshotId: newest.id, backupId: backupIdOf(newest) ?? null })
        .where(eq(opsBackupDrills.id, drill!.id));
      onProgress(`restoring the backup of ${newest.time} into a scratch database`);
      const scratch = await this.options.scratch();
      let loaded: LoadResult;
      const checks: { name: string; problems: string[] }[] = [];
      try {
        loaded = await loadSnapshot(restic, newest.id, {
          pool: scratch.pool,
          sources: this.options.migrations(),
          filesDir: undefined,
          onProgress,
        });
        for (const check of this.options.restoreChecks()) {
          onProgress(`checking that ${check.name}`);
          checks.push({ name: check.name, problems: await check.check(scratch.pool) });
        }
      } finally {
        await scratch.drop();
      }
      const seconds = (performance.now() - started) / 1000;
      const problems = checks.flatMap((check) => check.problems);
      const [record] = await this.db
        .update(opsBackupDrills)
        .set({
          status: problems.length ? 'failed' : 'succeeded',
          finishedAt: this.options.now(),
          restoreSeconds: seconds,
          rows: loaded.rows,
          checks,
          error: problems.length ? problems.join('; ') : null,
        })
        .where(eq(opsBackupDrills.id, drill!.id))
        .returning();
      if (problems.length) await this.drillFailed(record!.id, problems.join('; '));
      onProgress(
        `restored ${loaded.tables} tables, ${loaded.rows} rows and ${loaded.files} files in ${seconds.toFixed(1)} s; ${problems.length ? `problems: ${problems.join('; ')}` : 'every check passed'}`,
      );
      return record!;
    } catch (error) {
      const message = describeError(error);
      await this.db
        .update(opsBackupDrills)
        .set({ status: 'failed', finishedAt: this.options.now(), error: message.slice(0, 2000) })
        .where(eq(opsBackupDrills.id, drill!.id));
      await this.drillFailed(drill!.id, message);
      throw error;
    }
  }

  async list(limit = 50): Promise<BackupRecord[]> {
    return this.db.select().from(opsBackups).orderBy(desc(opsBackups.startedAt)).limit(limit);
  }

  async drills(limit = 10): Promise<DrillRecord[]> {
    return this.db.select().from(opsBackupDrills).orderBy(desc(opsBackupDrills.startedAt)).limit(limit);
  }

  /** The figures /metrics reports, in one round trip (a scrape wakes as few database backends as it can). */
  async figures(): Promise<BackupFigures> {
    const { rows } = await this.options.pool.query<Record<keyof BackupFigures, number | null>>({
      name: 'shopkeep-backup-figures',
      text: `select
        (select extract(epoch from started_at)::float8 from ops_backups
          where status = 'succeeded' order by started_at desc limit 1) as "lastSuccess",
        (select extract(epoch from started_at)::float8 from ops_backups
          where status = 'failed' order by started_at desc limit 1) as "lastFailure",
        (select bytes::float8 from ops_backups
          where status = 'succeeded' order by started_at desc limit 1) as "bytes",
        (select extract(epoch from finished_at)::float8 from ops_backup_drills
          where status = 'succeeded' order by started_at desc limit 1) as "lastVerified",
        (select restore_seconds from ops_backup_drills
          where status = 'succeeded' order by started_at desc limit 1) as "restoreSeconds"`,
    });
    const row = rows[0]!;
    const value = (name: keyof BackupFigures) => row[name] ?? undefined;
    return {
      lastSuccess: value('lastSuccess'),
      lastFailure: value('lastFailure'),
      bytes: value('bytes'),
      lastVerified: value('lastVerified'),
      restoreSeconds: value('restoreSeconds'),
    };
  }

  async status(): Promise<BackupStatus> {
    const last = async (status: 'succeeded' | 'failed') =>
      (
        await this.db
          .select()
          .from(opsBackups)
          .where(eq(opsBackups.status, status))
          .orderBy(desc(opsBackups.startedAt))
          .limit(1)
      )[0];
    const goodDrill = async () =>
      (
        await this.db
          .select()
          .from(opsBackupDrills)
          .where(eq(opsBackupDrills.status, 'succeeded'))
          .orderBy(desc(opsBackupDrills.startedAt))
          .limit(1)
      )[0];
    // Side by side: /metrics reads this at every scrape.
    const [lastSuccess, lastFailure, drills, lastGoodDrill] = await Promise.all([
      last('succeeded'),
      last('failed'),
      this.drills(1),
      goodDrill(),
    ]);
    return {
      configured: this.configured,
      target: this.options.settings.target?.shown,
      lastSuccess,
      lastFailure,
      lastDrill: drills[0],
      lastGoodDrill,
    };
  }

  /**
   * Every quarter hour: a backup older than the limit (runs were missed: the box was off, the schedule
   * skipped) is a critical alert, once per day it stays so; with none yet, a catch-up run starts.
   */
  async watch(): Promise<'fresh' | 'stale' | 'unconfigured'> {
    const now = this.options.now();
    if (!this.configured) {
      await this.options.notifications.send({
        kind: 'ops.backup_unconfigured',
        severity: 'warning',
        title: 'Backups are not set up',
        body: 'Nothing backs up this shop yet. Set SHOPKEEP_BACKUP_TARGET (a second disk, SFTP, S3 or a REST server) and SHOPKEEP_BACKUP_PASSPHRASE; docs/backups.md shows how.',
        dedupeKey: `ops.backup_unconfigured:${now.toISOString().slice(0, 10)}`,
      });
      return 'unconfigured';
    }
    const { lastSuccess } = await this.status();
    const limit = this.options.settings.maxAgeHours * 3_600_000;
    const age = lastSuccess ? now.getTime() - lastSuccess.startedAt.getTime() : Infinity;
    if (age <= limit) return 'fresh';
    await this.options.notifications.send({
      kind: 'ops.backup_stale',
      severity: 'critical',
      title: lastSuccess ? 'The last good backup is too old' : 'No backup has succeeded yet',
      body: lastSuccess
        ? `The newest backup that worked is from ${lastSuccess.startedAt.toISOString()}, over ${this.options.settings.maxAgeHours} hours ago. Look at the backups on the Operations page for the reason.`
        : 'shopkeep has not made a good backup yet. Look at the backups on the Operations page, or run `shopkeep backup run`.',
      dedupeKey: `ops.backup_stale:${lastSuccess?.id ?? 'never'}:${now.toISOString().slice(0, 10)}`,
    });
    return 'stale';
  }

  private async drillFailed(drillId: number, message: string): Promise<void> {
    await this.options.notifications.send({
      kind: 'ops.restore_drill_failed',
      severity: 'critical',
      title: 'A restore drill failed',
      body: `Restoring the newest backup into a scratch database did not work: ${message}\n\nThe backups may not bring the shop back. Run \`shopkeep backup verify\` to see it again, then \`shopkeep backup run\` for a fresh one.`,
      dedupeKey: `ops.restore_drill_failed:${drillId}`,
    });
  }

  /** A success after a failure says so, once. */
  private async resolvedIfFailedBefore(id: string): Promise<void> {
    const [previous] = await this.db
      .select()
      .from(opsBackups)
      .where(and(ne(opsBackups.id, id), ne(opsBackups.status, 'running')))
      .orderBy(desc(opsBackups.startedAt))
      .limit(1);
    if (previous?.status !== 'failed') return;
    await this.options.notifications.send({
      kind: 'ops.backup_resolved',
      severity: 'info',
      title: 'Backups work again',
      body: `The backup ${id} succeeded after the one before it had failed.`,
      dedupeKey: `ops.backup_resolved:${id}`,
    });
  }

  /**
   * One backup or drill at a time across every process sharing the database (restic's check wants the
   * repository to itself); a second one waits for the first.
   */
  private async exclusively<T>(work: () => Promise<T>, onProgress: Progress): Promise<T> {
    const client = await this.options.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
        BACKUP_LOCK,
      ]);
      if (!rows[0]!.locked) {
        onProgress('another backup or restore drill is running; waiting for it to finish');
        await client.query('select pg_advisory_lock($1)', [BACKUP_LOCK]);
      }
      try {
        return await work();
      } finally {
        await client.query('select pg_advisory_unlock($1)', [BACKUP_LOCK]).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  }

  /** Runs left 'running' by a process that stopped (we hold the lock, so none is really running). */
  private async markInterrupted(): Promise<void> {
    await this.db
      .update(opsBackups)
      .set({
        status: 'failed',
        error: 'interrupted: shopkeep stopped during the backup',
        finishedAt: this.options.now(),
      })
      .where(and(eq(opsBackups.status, 'running'), isNull(opsBackups.finishedAt)));
  }
}

/** restic at the configured target; an error saying how to set one up when there is none. */
export function resticFor(
  settings: BackupSettings,
  dataDir: string,
  env: Record<string, string | undefined>,
): Restic {
  const { target, passphrase } = settings;
  if (!target || !passphrase)
    throw new AppError(
      'conflict',
      'backups are not set up: set SHOPKEEP_BACKUP_TARGET (a folder on a second disk, sftp://, s3:// or rest:) and SHOPKEEP_BACKUP_PASSPHRASE, then run `shopkeep backup run`',
    );
  return new Restic({
    repository: target.repository,
    passphrase,
    cacheDir: path.join(dataDir, 'restic-cache'),
    env,
  });
}

/** Streams one backup from the target into a database (and its files into `filesDir`, or just checks them). */
export async function loadSnapshot(
  restic: Restic,
  snapshotId: string,
  options: LoadOptions,
): Promise<LoadResult> {
  const dump = restic.dump(snapshotId, BACKUP_FILE);
  try {
    const result = await loadArchive(new ArchiveReader(dump.stream), options);
    await dump.done;
    return result;
  } catch (error) {
    // A stream cut short is explained by restic's own complaint (a wrong passphrase, a damaged pack);
    // a refusal of ours (a newer shopkeep, a database not empty) stands, and restic is stopped.
    const cut =
      error instanceof ArchiveError || (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (!cut) dump.stream.destroy();
    const said = await dump.done.then(
      () => undefined,
      (failure: Error) => failure,
    );
    throw cut && said ? said : error;
  }
}

/** Undefined for a file that is no longer there; any other error stands. */
function gone(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}

/** 'b-20261207-214815', from when it started (UTC). */
export function backupId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `b-${stamp}`;
}

export function backupIdOf(snapshot: Snapshot): string | undefined {
  return snapshot.tags.find((tag) => tag.startsWith(TAG_PREFIX))?.slice(TAG_PREFIX.length);
}

export const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
