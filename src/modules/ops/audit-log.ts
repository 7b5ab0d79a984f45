// The audit log: who did what, when, from where, to what. Rows are hash-chained (each hash covers
// the row and the previous hash) and the chain head is kept apart, so `shopkeep audit verify` finds
// an edited row, a removed row and a truncated tail.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { asc, count, desc, gte, lt } from 'drizzle-orm';
import { transaction, type Client } from '../../platform/db/database.ts';
import { orm, type Orm } from '../../platform/db/orm.ts';
import { opsAuditHead, opsAuditLog } from './schema.ts';

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
  private readonly db: Orm;

  constructor(private readonly pool: pg.Pool) {
    this.db = orm(pool);
  }

  /** Appends one entry; inside `tx` when the audited change commits with it. */
  async record(entry: AuditEntryInput, tx?: Client): Promise<void> {
    const append = async (client: Client): Promise<void> => {
      // One writer at a time: each entry needs the hash of the one before it.
      await client.query('select pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const db = orm(client);
      const [head] = await db.select().from(opsAuditHead);
      const seq = (head?.seq ?? 0) + 1;
      const prevHash = head?.hash ?? GENESIS;
      const row = { ...wellFormed(entry), seq, at: new Date(), details: wellFormed(entry.details ?? {}) };
      const hash = chainHash(prevHash, row);
      await db.insert(opsAuditLog).values({
        seq,
        at: row.at,
        actor: row.actor,
        actorLabel: row.actorLabel,
        ip: row.ip ?? null,
        action: row.action,
        target: row.target ?? null,
        outcome: row.outcome,
        details: row.details,
        prevHash,
        hash,
      });
      await db
        .insert(opsAuditHead)
        .values({ id: true, seq, hash })
        .onConflictDoUpdate({ target: opsAuditHead.id, set: { seq, hash } });
    };
    if (tx) await append(tx);
    else await transaction(this.pool, append);
  }

  async recent(limit = 100, beforeSeq?: number): Promise<AuditEntry[]> {
    const rows = await this.db
      .select()
      .from(opsAuditLog)
      .where(beforeSeq === undefined ? undefined : lt(opsAuditLog.seq, beforeSeq))
      .orderBy(desc(opsAuditLog.seq))
      .limit(limit);
    return rows.map(fromRow);
  }

  async verify(
    onProgress: (checked: number, total: number) => void = () => undefined,
  ): Promise<AuditVerification> {
    const problems: AuditVerification['problems'] = [];
    const [{ total }] = (await this.db.select({ total: count() }).from(opsAuditLog)) as [{ total: number }];
    let expectedSeq = 1;
    let prevHash = GENESIS;
    let checked = 0;
    for (;;) {
      const rows = await this.db
        .select()
        .from(opsAuditLog)
        .where(gte(opsAuditLog.seq, expectedSeq))
        .orderBy(asc(opsAuditLog.seq))
        .limit(1000);
      if (rows.length === 0) break;
      for (const row of rows) {
        const entry = fromRow(row);
        if (entry.seq !== expectedSeq) {
          problems.push({
            seq: expectedSeq,
            problem: `entries ${expectedSeq} to ${entry.seq - 1} are missing`,
          });
        } else if (row.prevHash !== prevHash) {
          problems.push({ seq: entry.seq, problem: 'does not link to the entry before it' });
        }
        if (chainHash(row.prevHash, entry) !== row.hash) {
          problems.push({ seq: entry.seq, problem: 'was changed after it was written' });
        }
        expectedSeq = entry.seq + 1;
        prevHash = row.hash;
        checked += 1;
      }
      onProgress(checked, total);
    }
    const [head] = await this.db.select().from(opsAuditHead);
    const lastSeq = expectedSeq - 1;
    if (head && (head.seq !== lastSeq || head.hash !== prevHash)) {
      problems.push({
        seq: head.seq,
        problem: `the log ends at ${lastSeq} but its head records ${head.seq}: entries were removed`,
      });
    } else if (!head && checked > 0) {
      problems.push({ seq: lastSeq, problem: 'the chain head is missing' });
    }
    return { ok: problems.length === 0, checked, problems };
  }
}

type AuditRow = typeof opsAuditLog.$inferSelect;

function fromRow(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    actorLabel: row.actorLabel,
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

/**
 * Text exactly as the database will give it back: UTF-8 cannot hold a lone surrogate (and jsonb
 * refuses one), so broken UTF-16 becomes U+FFFD before it is hashed or stored.
 */
function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('utf8') as T;
  if (Array.isArray(value)) return value.map(wellFormed) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [wellFormed(k), wellFormed(v)])) as T;
  }
  return value;
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
