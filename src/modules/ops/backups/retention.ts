// Which backups to keep, as restic's `forget --keep-*` decides it, in the shop's time zone: the newest
// backup of each of the last 7 days that have one, of the last 4 weeks (ISO weeks), 12 months and 3
// years. A backup kept for one reason is not counted again for another; the newest is always kept.
import { dayIn, mondayOf } from '../../../platform/dates.ts';

export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
  yearly: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { daily: 7, weekly: 4, monthly: 12, yearly: 3 };

/** The ids to keep, from backups given with their times (any order). */
export function backupsToKeep<T extends { id: string; time: string }>(
  backups: T[],
  policy: RetentionPolicy,
  timeZone: string,
): Set<string> {
  const newestFirst = [...backups].sort((a, b) => b.time.localeCompare(a.time));
  const keep = new Set<string>();
  if (newestFirst[0]) keep.add(newestFirst[0].id);
  const buckets: [number, (day: string) => string][] = [
    [policy.daily, (day) => day],
    [policy.weekly, mondayOf],
    [policy.monthly, (day) => day.slice(0, 7)],
    [policy.yearly, (day) => day.slice(0, 4)],
  ];
  for (const [count, bucketOf] of buckets) {
    const seen = new Set<string>();
    for (const backup of newestFirst) {
      if (seen.size >= count) break;
      const bucket = bucketOf(dayIn(backup.time, timeZone));
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      keep.add(backup.id);
    }
  }
  return keep;
}
