// Where backups go and how often: SHOPKEEP_BACKUP_TARGET (a folder, sftp://…, s3://…, rest:…) with
// SHOPKEEP_BACKUP_PASSPHRASE (or _FILE), the schedules, the retention, and SHOPKEEP_HEARTBEAT_URL.
import path from 'node:path';
import { ConfigError } from '../../../platform/errors.ts';
import type { SettingsReader } from '../../../platform/kit/settings.ts';
import { DEFAULT_RETENTION, type RetentionPolicy } from './retention.ts';

export interface BackupTarget {
  /** What restic is given. */
  repository: string;
  /** The target as the owner may see it: no password. */
  shown: string;
  kind: 'folder' | 'sftp' | 's3' | 'rest';
}

export interface BackupSettings {
  target: BackupTarget | undefined;
  passphrase: string | undefined;
  /** Cron, in the shop's time zone. */
  schedule: string;
  verifySchedule: string;
  retention: RetentionPolicy;
  /** A backup older than this many hours is an alert (a skipped run is never silence). */
  maxAgeHours: number;
  /** A server and role that may create the restore drill's scratch database (when shopkeep's may not). */
  scratchDatabaseUrl: string | undefined;
  /** Pinged every minute while shopkeep runs (Uptime Kuma push, healthchecks.io). */
  heartbeatUrl: string | undefined;
}

export function backupSettings(read: SettingsReader): BackupSettings {
  const raw = read.text('SHOPKEEP_BACKUP_TARGET');
  const target = raw === undefined ? undefined : parseTarget(raw);
  const passphrase = read.text('SHOPKEEP_BACKUP_PASSPHRASE');
  if (target && !passphrase)
    throw new ConfigError(
      'SHOPKEEP_BACKUP_PASSPHRASE',
      'is needed with SHOPKEEP_BACKUP_TARGET: the backups are encrypted with it (keep it off this box, in your recovery kit)',
    );
  if (passphrase !== undefined && passphrase.length < 12)
    throw new ConfigError('SHOPKEEP_BACKUP_PASSPHRASE', 'must be at least 12 characters');
  return {
    target,
    passphrase,
    schedule: cron(read, 'SHOPKEEP_BACKUP_SCHEDULE', '0 */6 * * *'),
    verifySchedule: cron(read, 'SHOPKEEP_BACKUP_VERIFY_SCHEDULE', '30 4 * * 0'),
    retention: retention(read),
    maxAgeHours: read.integer('SHOPKEEP_BACKUP_MAX_AGE_HOURS', 8, 1, 24 * 14),
    scratchDatabaseUrl: read.url('SHOPKEEP_BACKUP_SCRATCH_DATABASE_URL', ['postgres:', 'postgresql:']),
    heartbeatUrl: read.url('SHOPKEEP_HEARTBEAT_URL', ['http:', 'https:']),
  };
}

export function parseTarget(raw: string): BackupTarget {
  const name = 'SHOPKEEP_BACKUP_TARGET';
  if (raw.startsWith('rest:')) {
    const url = parseUrl(name, raw.slice('rest:'.length));
    return { repository: raw, shown: `rest:${withoutPassword(url)}`, kind: 'rest' };
  }
  if (raw.startsWith('sftp://')) {
    const url = parseUrl(name, raw);
    if (url.password)
      throw new ConfigError(name, 'an sftp:// target logs in with an SSH key, not a password in the address');
    return { repository: raw, shown: raw, kind: 'sftp' };
  }
  if (raw.startsWith('s3://')) {
    const url = parseUrl(name, raw);
    if (url.username || url.password)
      throw new ConfigError(
        name,
        'an s3:// target takes its keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not the address',
      );
    if (url.pathname.length < 2)
      throw new ConfigError(name, 'an s3:// target names its bucket: s3://host/bucket/folder');
    return { repository: `s3:https://${url.host}${url.pathname}`, shown: raw, kind: 's3' };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw))
    throw new ConfigError(
      name,
      'must be a folder path, sftp://user@host/path, s3://host/bucket/path or rest:https://host/path',
    );
  const folder = path.resolve(raw);
  return { repository: folder, shown: folder, kind: 'folder' };
}

function parseUrl(name: string, raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw.replace(/:[^:@/]*@/, ':***@')}" is not a valid address`);
  }
}

function withoutPassword(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password) copy.password = '***';
  return copy.toString();
}

function cron(read: SettingsReader, name: string, fallback: string): string {
  const value = read.text(name) ?? fallback;
  if (value.split(/\s+/).length !== 5)
    throw new ConfigError(name, `must be a cron schedule of five fields ("${fallback}"), got "${value}"`);
  return value;
}

function retention(read: SettingsReader): RetentionPolicy {
  const raw = read.text('SHOPKEEP_BACKUP_KEEP');
  if (raw === undefined) return DEFAULT_RETENTION;
  const match = /^(\d+)\/(\d+)\/(\d+)\/(\d+)$/.exec(raw);
  if (!match || Number(match[1]) < 1)
    throw new ConfigError(
      'SHOPKEEP_BACKUP_KEEP',
      `must be daily/weekly/monthly/yearly counts like "7/4/12/3" (at least one daily), got "${raw}"`,
    );
  const [daily, weekly, monthly, yearly] = match.slice(1).map(Number) as [number, number, number, number];
  return { daily, weekly, monthly, yearly };
}
