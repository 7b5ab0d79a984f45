// Every morning the owner is sent the audit log's head (Inbox and Telegram). That copy lives outside
// the database and outside this box: whoever rewrites the log later, even with the master key, cannot
// change what the owner was told, and `audit verify --entry N` shows whether entry N is still the same.
import { defineJob, type JobDefinition } from '../jobs/job-queue.ts';
import type { Notice, Notifier } from '../notify/index.ts';
import { dayIn } from '../dates.ts';
import type { AuditTrail } from './face.ts';

export function auditDigestJob({
  audit,
  notifications,
  timezone,
}: {
  audit: AuditTrail;
  notifications: Notifier;
  timezone: string;
}): JobDefinition<object> {
  return defineJob({
    name: 'ops.audit-digest',
    cron: '40 6 * * *',
    // A long log takes a while to check on a Pi; the digest is worth the wait.
    expireInMinutes: 60,
    handler: async () => {
      await sendAuditDigest(audit, notifications, timezone);
    },
  });
}

/** Checks the whole log and tells the owner its head; sent once per day, however often it runs. */
export async function sendAuditDigest(
  audit: AuditTrail,
  notifications: Notifier,
  timeZone: string,
  now = new Date(),
): Promise<Notice> {
  // The anchor on this box catches up first, so the digest and audit-head.json agree.
  await audit.anchor();
  const result = await audit.verify();
  const head = result.head;
  const compare = head
    ? `Keep this message. To check later that the log still holds what it held today, run \`shopkeep audit verify --entry ${head.seq}\`: it must print hash ${head.hash}.`
    : 'The audit log is empty.';
  const findings = result.ok
    ? [`All ${result.checked} entries check.`]
    : [
        `${result.problems.length} problem(s) found; run \`shopkeep audit verify\` for what to do:`,
        ...result.problems
          .slice(0, 5)
          .map(
            (p) =>
              `- ${p.through === undefined ? `entry ${p.seq}` : `entries ${p.seq}-${p.through}`}: ${p.problem}`,
          ),
      ];
  const notice: Notice = {
    kind: 'ops.audit_digest',
    severity: result.ok ? 'info' : 'warning',
    title: result.ok
      ? `Audit log intact${head ? `: entry ${head.seq}` : ''}`
      : `Audit log: ${result.problems.length} problem(s) found`,
    body: [
      ...(head ? [`Last entry: ${head.seq}`, `Hash: ${head.hash}`] : []),
      ...(result.sealedFrom === undefined ? [] : [`Sealed from entry ${result.sealedFrom} on.`]),
      ...findings,
      compare,
    ].join('\n'),
    dedupeKey: `ops.audit_digest:${dayIn(now, timeZone)}`,
  };
  await notifications.send(notice);
  return notice;
}
