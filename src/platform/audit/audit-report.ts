// What `audit verify` found, in the owner's words: what is wrong, the head to compare with the daily
// digest, and what to do next.
import type { AuditProblemKind, AuditVerification } from './audit-log.ts';

export function describeVerification(result: AuditVerification): string[] {
  const lines = result.ok
    ? [`Audit log intact: ${result.checked} entries, chain unbroken.`]
    : [
        `Audit log TAMPERED: ${result.problems.length} problem(s) in ${result.checked} entries:`,
        ...result.problems.map(
          (p) =>
            `  ${p.through === undefined ? `entry ${p.seq}` : `entries ${p.seq} to ${p.through}`}: ${p.problem}`,
        ),
      ];
  if (result.sealedFrom !== undefined) {
    lines.push(
      `Sealed with the master key from entry ${result.sealedFrom} on${result.keyId ? ` (key id ${result.keyId})` : ''}.`,
    );
  }
  lines.push(result.head ? `Head: entry ${result.head.seq}, hash ${result.head.hash}` : 'The log is empty.');
  if (result.anchor) {
    lines.push(
      `Anchor: ${result.anchor.file} records entry ${result.anchor.seq} (${result.anchor.updatedAt})${anchorTrouble(result) ? ' and does NOT match' : ', and matches'}.`,
    );
  }
  if (result.entry) {
    lines.push(
      `Entry ${result.entry.seq}: hash ${result.entry.hash} (the daily digest that names entry ${result.entry.seq} must show the same)`,
    );
  } else if ('entry' in result) {
    lines.push('The entry asked for is not in the log: if a daily digest named it, entries were removed.');
  }
  lines.push(...result.notes.map((note) => `Note: ${note}.`));
  if (!result.ok) lines.push('What to do:', ...advice(result).map((line) => `  - ${line}`));
  return lines;
}

const ANCHOR_KINDS: AuditProblemKind[] = ['anchor-ahead', 'anchor-differs', 'anchor-sealed-from'];

function anchorTrouble(result: AuditVerification): boolean {
  return result.problems.some((p) => ANCHOR_KINDS.includes(p.kind));
}

function advice(result: AuditVerification): string[] {
  const kinds = new Set(result.problems.map((p) => p.kind));
  const lines = [
    'Someone changed the audit log in the database directly: shopkeep itself never edits or removes entries. Do not trust the entries named above.',
    'Keep this output, audit-head.json and your daily audit digests (Inbox and Telegram): they show what the log said before. `shopkeep audit verify --entry N` prints the hash of entry N to compare with the digest that names it.',
    'Change the database password, check who can reach the database, and look for other changes made at the same time (users, tokens, payouts).',
  ];
  if (kinds.has('unknown-key')) {
    lines.push(
      'Entries sealed with a key this box does not have: if this box has another master key than the server (a worker given an old key), run audit verify on the server instead.',
    );
  }
  if (ANCHOR_KINDS.some((kind) => kinds.has(kind))) {
    lines.push(
      'If you restored a backup or pointed shopkeep at another database since, audit-head.json describes the log as it was before: move it aside (keep it), then verify again.',
    );
  }
  if (kinds.has('anchor-damaged')) {
    lines.push(
      'audit-head.json cannot be read: keep a copy, remove it and verify again; shopkeep writes a new one with the next entry.',
    );
  }
  return lines;
}
