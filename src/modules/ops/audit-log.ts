// The audit log: who did what, when, from where, to what. Rows are hash-chained (each hash covers
// the row and the previous hash) and the chain head is kept apart, so `shopkeep audit verify` finds
// an edited row, a removed row and a truncated tail.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { transaction, type Client } from '../../platform/db/database.ts';

export interface AuditEntryInput {
  actor: string; // 'user:<id>', 'token:<id>', 'cli', 'system', 'anonymous'
  actorLabel: string;
  ip?: string | undefined;
  action: string;
  target?: string | undefined;
  outcome: string; // 'ok', 'denied', 'failed', or an HTTP status
  details?: Record<string, unknown>;
}

export interface AuditEntry extends AuditEntryInput {
  seq: number;
  at: Date;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  problems: { seq: number; problem: string }[];
}

const GENESIS = '0'.repeat(64);
const CHAIN_LOCK = 7_301_043;

export class AuditLog {
  constructor(private readonly pool: pg.Pool) {}

  /** Appends one entry; inside `tx` when the audited change commits with it. */
  async record(entry: AuditEntryInput, tx?: Client): Promise<void> {
    const append = async (client: Client): Promise<void> => {
      await client.query('select pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const head = await client.query<{ seq: string; hash: string }>('select seq, hash from ops_audit_head');
      const seq = Number(head.rows[0]?.seq ?? 0) + 1;
      const prevHash = head.rows[0]?.hash ?? GENESIS;
      const row = { ...entry, seq, at: new Date(), details: entry.details ?? {} };
      const hash = chainHash(prevHash, row);
      await client.query(
        `insert into ops_audit_log (seq, at, actor, actor_label, ip, action, target, outcome, details, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          seq,
          row.at,
          row.actor,
          row.actorLabel,
          row.ip ?? null,
          row.action,
          row.target ?? null,
          row.outcome,
          row.details,
          prevHash,
          hash,
        ],
      );
      await client.query(
        `insert into ops_audit_head (id, seq, hash) values (true, $1, $2)
         on conflict (id) do update set seq = $1, hash = $2`,
        [seq, hash],
      );
    };
    if (tx) await append(tx);
    else await transaction(this.pool, append);
  }

  async recent(limit = 100, beforeSeq?: number): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query<AuditRow>(
      `select * from ops_audit_log where ($2::bigint is null or seq < $2) order by seq desc limit $1`,
      [limit, beforeSeq ?? null],
    );
    return rows.map(fromRow);
  }

  async verify(
    onProgress: (checked: number, total: number) => void = () => undefined,
  ): Promise<AuditVerification> {
    const problems: AuditVerification['problems'] = [];
    const total = Number((await this.pool.query('select count(*) from ops_audit_log')).rows[0].count);
    let expectedSeq = 1;
    let prevHash = GENESIS;
    let checked = 0;
    for (;;) {
      const { rows } = await this.pool.query<AuditRow>(
        'select * from ops_audit_log where seq >= $1 order by seq limit 1000',
        [expectedSeq],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        const entry = fromRow(row);
        if (entry.seq !== expectedSeq) {
          problems.push({
            seq: expectedSeq,
            problem: `entries ${expectedSeq} to ${entry.seq - 1} are missing`,
          });
        } else if (row.prev_hash !== prevHash) {
          problems.push({ seq: entry.seq, problem: 'does not link to the entry before it' });
        }
        if (chainHash(row.prev_hash, entry) !== row.hash) {
          problems.push({ seq: entry.seq, problem: 'was changed after it was written' });
        }
        expectedSeq = entry.seq + 1;
        prevHash = row.hash;
        checked += 1;
      }
      onProgress(checked, total);
    }
    const head = (
      await this.pool.query<{ seq: string; hash: string }>('select seq, hash from ops_audit_head')
    ).rows[0];
    const lastSeq = expectedSeq - 1;
    if (head && (Number(head.seq) !== lastSeq || head.hash !== prevHash)) {
      problems.push({
        seq: Number(head.seq),
        problem: `the log ends at ${lastSeq} but its head records ${head.seq}: entries were removed`,
      });
    } else if (!head && checked > 0) {
      problems.push({ seq: lastSeq, problem: 'the chain head is missing' });
    }
    return { ok: problems.length === 0, checked, problems };
  }
}

interface AuditRow {
  seq: string;
  at: Date;
  actor: string;
  actor_label: string;
  ip: string | null;
  action: string;
  target: string | null;
  outcome: string;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

function fromRow(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    actorLabel: row.actor_label,
    ip: row.ip ?? undefined,
    action: row.action,
    target: row.target ?? undefined,
    outcome: row.outcome,
    details: row.details,
    hash: row.hash,
  };
}

function chainHash(prevHash: string, row: Omit<AuditEntry, 'hash'>): string {
  const canonical = canonicalJson([
    row.seq,
    row.at.toISOString(),
    row.actor,
    row.actorLabel,
    row.ip ?? null,
    row.action,
    row.target ?? null,
    row.outcome,
    row.details ?? {},
  ]);
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

/** JSON with object keys sorted, so jsonb's reordering does not change the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
