// The audit log: who did what, when, from where, to what. Rows are hash-chained (each link covers the
// row and the link before it) and sealed with a key derived from the master key, which is never in
// the database; the head is kept in the database and, outside it, in audit-head.json. So
// `shopkeep audit verify` finds an edited row, a removed row, a truncated tail, a chain recomputed by
// someone with database access alone, and a log cut back behind what this box last saw.
import type pg from 'pg';
import { and, asc, count, desc, gt, gte, isNotNull, lt, ne, sql } from 'drizzle-orm';
import { transaction, type Client } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import { AppError, describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { opsAuditHead, opsAuditLog } from './schema.ts';
import { AnchorFile, type AuditAnchor } from './audit-anchor.ts';
import { GENESIS, chainHash, seal, sealHolds, sealKey, type SealKey } from './audit-seal.ts';
import type { AuditTrail } from './face.ts';

export { canonicalJson } from './audit-seal.ts';
export type { AuditAnchor } from './audit-anchor.ts';

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
  details: Record<string, unknown>;
  hash: string;
}

export type AuditProblemKind =
  | 'missing'
  | 'unlinked'
  | 'changed'
  | 'forged'
  | 'unsealed'
  | 'sealed-early'
  | 'unknown-key'
  | 'head'
  | 'anchor-ahead'
  | 'anchor-differs'
  | 'anchor-sealed-from'
  | 'anchor-damaged';

export interface AuditProblem {
  seq: number;
  /** The last entry of a run of entries with the same problem. */
  through?: number;
  kind: AuditProblemKind;
  problem: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  problems: AuditProblem[];
  /** Worth knowing, not a sign of tampering (no anchor on this box, a log not sealed yet). */
  notes: string[];
  head: { seq: number; hash: string } | undefined;
  sealedFrom: number | undefined;
  keyId: string | undefined;
  anchor: (AuditAnchor & { file: string }) | undefined;
  /** The link of the entry asked for, as checked, to compare with a daily digest. */
  entry?: { seq: number; hash: string } | undefined;
}

export interface AuditSealing {
  /** Every master key this process has, the one to seal with first (MasterKeyStore.keys). */
  masterKeys: () => Buffer[];
  /** Where audit-head.json anchors the head; without it nothing is anchored outside the database. */
  dataDir?: string | undefined;
  logger?: Logger | undefined;
}

type HeadRow = typeof opsAuditHead.$inferSelect;
type AuditRow = typeof opsAuditLog.$inferSelect;

const CHAIN_LOCK = 7_301_043;
const BATCH = 1000;

export class AuditLog implements AuditTrail {
  private readonly pool: pg.Pool;
  private readonly sealing: AuditSealing | undefined;
  private readonly db: Orm;
  private readonly anchorFile: AnchorFile | undefined;
  /** Derived keys seen since start: a master key rotated while this process runs still opens old seals. */
  private readonly knownKeys = new Map<string, Buffer>();
  private readonly committing = new WeakSet<Client>();
  private anchorRunning: Promise<unknown> = Promise.resolve();
  private anchorQueued: Promise<AuditAnchor | undefined> | undefined;
  private anchorTrouble = '';

  /**
   * Without `sealing` the log is written as before sealing existed (other modules' tests, and an old
   * install in the carry-over tests); shopkeep itself always passes the master keys (audit/index.ts).
   */
  constructor({ pool, sealing }: { pool: pg.Pool; sealing?: AuditSealing | undefined }) {
    this.pool = pool;
    this.sealing = sealing;
    this.db = orm(pool);
    this.anchorFile = sealing?.dataDir ? new AnchorFile(sealing.dataDir) : undefined;
    if (this.anchorFile) {
      // An entry written inside a caller's transaction is anchored once that client goes back to
      // the pool (committed or rolled back: the anchor follows the head as the database has it).
      pool.on('release', (_error, client) => {
        if (this.committing.delete(client)) void this.anchorSoon();
      });
    }
    // The keys are read now, before a `secrets rotate-key` in this same process can replace them.
    try {
      this.keys();
    } catch {
      // A process without its master key stops before it gets here (openServices); tests may lack one.
    }
  }

  /** Appends one entry; inside `tx` when the audited change commits with it. */
  async record(entry: AuditEntryInput, tx?: Client): Promise<void> {
    const append = async (client: Client): Promise<void> => {
      // One writer at a time: each entry needs the link of the one before it.
      await client.query('select pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      let [head] = await orm(client).select().from(opsAuditHead);
      const keys = this.keys();
      if (!keys && head?.sealedFrom != null) {
        throw new AppError(
          'unavailable',
          'the audit log is sealed with the master key and this process has none to seal with',
        );
      }
      if (keys && head && head.sealedFrom === null) {
        // An install from before sealing: its entries keep their links (they still check, and the
        // first sealed link covers them all); sealing starts here, saying so in the log itself.
        head = await this.append(client, head, keys.current, {
          ...SYSTEM,
          action: 'audit.sealing-started',
          details: { unsealedEntries: head.seq, keyId: keys.current.id },
        });
      } else if (keys && head?.keyId && head.keyId !== keys.current.id && this.knownKeys.has(head.keyId)) {
        const resealed = await this.reseal(client, keys.current);
        head = await this.append(client, head, keys.current, {
          ...SYSTEM,
          action: 'audit.resealed',
          details: { ...resealed, keyId: keys.current.id },
        });
      }
      await this.append(client, head, keys?.current, entry);
    };
    if (tx) {
      await append(tx);
      if (this.anchorFile) this.committing.add(tx);
    } else {
      await transaction(this.pool, append);
      await this.anchorSoon();
    }
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

  /**
   * The head as anchored outside the database, brought up to date first. The backup stores it beside
   * the dump, and the daily digest sends it to the owner. Undefined before anything is sealed.
   */
  async anchor(): Promise<AuditAnchor | undefined> {
    if (!this.anchorFile) return undefined;
    await this.anchorSoon();
    return this.anchorFile.read();
  }

  async verify(
    onProgress: (checked: number, total: number) => void = () => undefined,
    options: { entry?: number } = {},
  ): Promise<AuditVerification> {
    const problems = new Problems();
    const notes: string[] = [];
    let anchor: AuditAnchor | undefined;
    try {
      anchor = this.anchorFile?.read();
    } catch (error) {
      problems.add(0, 'anchor-damaged', `${describeError(error)}: it was changed or replaced`);
    }
    const keys = this.keys();
    const [head] = await this.db.select().from(opsAuditHead);
    // The anchor's word counts over the database's: it is the one an intruder there cannot change.
    const sealedFrom = anchor?.sealedFrom ?? head?.sealedFrom ?? undefined;
    if (anchor && head && head.sealedFrom !== anchor.sealedFrom) {
      problems.add(
        anchor.sealedFrom,
        'anchor-sealed-from',
        `the database says sealing began at entry ${head.sealedFrom ?? '(none)'}, audit-head.json says at entry ${anchor.sealedFrom}: someone changed where sealing began, to pass rewritten entries off as old unsealed ones`,
      );
    }
    const [{ total }] = (await this.db.select({ total: count() }).from(opsAuditLog)) as [{ total: number }];
    let expectedSeq = 1;
    let prevHash = GENESIS;
    let checked = 0;
    let entry: AuditVerification['entry'];
    for (;;) {
      const rows = await this.db
        .select()
        .from(opsAuditLog)
        .where(gte(opsAuditLog.seq, expectedSeq))
        .orderBy(asc(opsAuditLog.seq))
        .limit(BATCH);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (row.seq !== expectedSeq) {
          problems.add(expectedSeq, 'missing', 'missing: removed from the log', row.seq - 1);
        } else if (row.prevHash !== prevHash) {
          problems.add(row.seq, 'unlinked', 'does not link to the entry before it');
        }
        if (chainHash(row.prevHash, fromRow(row)) !== row.hash) {
          problems.add(row.seq, 'changed', 'was changed after it was written');
        }
        this.checkSeal(row, sealedFrom, problems);
        if (anchor && row.seq === anchor.seq && row.hash !== anchor.hash) {
          problems.add(
            row.seq,
            'anchor-differs',
            `is not the entry audit-head.json recorded (${anchor.updatedAt}): the log up to here was rewritten`,
          );
        }
        if (row.seq === options.entry) entry = { seq: row.seq, hash: row.hash };
        expectedSeq = row.seq + 1;
        prevHash = row.hash;
        checked += 1;
      }
      onProgress(checked, total);
    }
    const lastSeq = expectedSeq - 1;
    if (head && head.seq === lastSeq && head.hash !== prevHash) {
      problems.add(
        head.seq,
        'head',
        'the head in the database does not match the last entry: it was changed',
      );
    } else if (head && head.seq !== lastSeq) {
      problems.add(
        head.seq,
        'head',
        `the log ends at ${lastSeq} but its head records ${head.seq}: entries were removed`,
      );
    } else if (!head && checked > 0) {
      problems.add(lastSeq, 'head', 'the chain head is missing');
    }
    if (anchor && lastSeq < anchor.seq) {
      problems.add(
        lastSeq + 1,
        'anchor-ahead',
        `the log ends at entry ${lastSeq}, but audit-head.json recorded entry ${anchor.seq} (${anchor.updatedAt}): these entries were removed and the head in the database was changed to hide it`,
        anchor.seq,
      );
    }
    if (!keys) notes.push('this process has no master key: seals were not checked');
    if (sealedFrom === undefined && checked > 0) {
      notes.push('the log is not sealed yet: sealing starts with the next entry written');
    }
    if (this.anchorFile && !anchor && sealedFrom !== undefined && !problems.has('anchor-damaged')) {
      notes.push(
        `no ${this.anchorFile.path} on this box, so a log cut back with its head fixed cannot be seen here: run audit verify on the box that runs shopkeep serve`,
      );
    }
    return {
      ok: problems.list.length === 0,
      checked,
      problems: problems.list,
      notes,
      head: head ? { seq: head.seq, hash: head.hash } : undefined,
      sealedFrom,
      keyId: keys?.current.id,
      anchor: anchor && this.anchorFile ? { ...anchor, file: this.anchorFile.path } : undefined,
      ...(options.entry === undefined ? {} : { entry }),
    };
  }

  private checkSeal(row: AuditRow, sealedFrom: number | undefined, problems: Problems): void {
    const shouldBeSealed = sealedFrom !== undefined && row.seq >= sealedFrom;
    if (row.seal === null || row.keyId === null) {
      if (shouldBeSealed) {
        problems.add(
          row.seq,
          'unsealed',
          `not sealed, although every entry from ${sealedFrom} on is: written or rewritten without the key`,
        );
      }
      return;
    }
    if (!shouldBeSealed) {
      problems.add(
        row.seq,
        'sealed-early',
        sealedFrom === undefined
          ? 'sealed, but the log no longer says where sealing began: that record was changed'
          : `sealed, but the log says sealing began at entry ${sealedFrom}: where sealing began was changed`,
      );
    }
    const key = this.knownKeys.get(row.keyId);
    if (!key) {
      if (!this.sealing) return;
      problems.add(
        row.seq,
        'unknown-key',
        `sealed with a key this shopkeep does not have (key id ${row.keyId}): forged, or sealed under another master key`,
      );
    } else if (!sealHolds(key, row.seq, row.hash, row.seal)) {
      problems.add(
        row.seq,
        'forged',
        'rewritten without the key: the hashes were recomputed but the seals do not match',
      );
    }
  }

  private async append(
    client: Client,
    head: HeadRow | undefined,
    key: SealKey | undefined,
    entry: AuditEntryInput,
  ): Promise<HeadRow> {
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? GENESIS;
    const row = { ...wellFormed(entry), seq, at: new Date(), details: wellFormed(entry.details ?? {}) };
    const hash = chainHash(prevHash, row);
    const sealed = key ? { seal: seal(key.key, seq, hash), keyId: key.id } : { seal: null, keyId: null };
    const db = orm(client);
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
      ...sealed,
    });
    const next = {
      id: true,
      seq,
      hash,
      sealedFrom: key ? (head?.sealedFrom ?? seq) : null,
      keyId: sealed.keyId,
    };
    await db.insert(opsAuditHead).values(next).onConflictDoUpdate({ target: opsAuditHead.id, set: next });
    return next;
  }

  /**
   * After a master key rotation: every entry whose seal still holds under the key it names is sealed
   * again under the current key. A seal that does not hold is left as it is, for verify to report.
   */
  private async reseal(
    client: Client,
    current: SealKey,
  ): Promise<{ resealed: number; fromKeyIds: string[] }> {
    let after = 0;
    let resealed = 0;
    const fromKeyIds = new Set<string>();
    for (;;) {
      const db = orm(client);
      const rows = await db
        .select({
          seq: opsAuditLog.seq,
          hash: opsAuditLog.hash,
          seal: opsAuditLog.seal,
          keyId: opsAuditLog.keyId,
        })
        .from(opsAuditLog)
        .where(
          and(gt(opsAuditLog.seq, after), isNotNull(opsAuditLog.keyId), ne(opsAuditLog.keyId, current.id)),
        )
        .orderBy(asc(opsAuditLog.seq))
        .limit(BATCH);
      if (rows.length === 0) break;
      const seqs: number[] = [];
      const seals: string[] = [];
      for (const row of rows) {
        const key = this.knownKeys.get(row.keyId!);
        if (key && sealHolds(key, row.seq, row.hash, row.seal!)) {
          seqs.push(row.seq);
          seals.push(seal(current.key, row.seq, row.hash));
          fromKeyIds.add(row.keyId!);
        }
      }
      // One statement for the whole batch: a long log is resealed in a few round trips.
      await db.execute(
        sql`update ${opsAuditLog} set seal = v.seal, key_id = ${current.id}
            from unnest(${sql.param(seqs)}::bigint[], ${sql.param(seals)}::text[]) as v(seq, seal)
            where ${opsAuditLog.seq} = v.seq`,
      );
      resealed += seqs.length;
      after = rows.at(-1)!.seq;
    }
    return { resealed, fromKeyIds: [...fromKeyIds] };
  }

  private keys(): { current: SealKey } | undefined {
    if (!this.sealing) return undefined;
    const keys = this.sealing.masterKeys().map(sealKey);
    for (const key of keys) this.knownKeys.set(key.id, key.key);
    return { current: keys[0]! };
  }

  /**
   * Moves the anchor to the committed head. Commits that arrive while a write is under way share the
   * next one, so a burst of entries costs one fsync, not one each.
   */
  private anchorSoon(): Promise<AuditAnchor | undefined> {
    if (!this.anchorFile) return Promise.resolve(undefined);
    if (this.anchorQueued) return this.anchorQueued;
    const next = this.anchorRunning.then(() => {
      this.anchorQueued = undefined;
      return this.moveAnchor();
    });
    this.anchorQueued = next;
    this.anchorRunning = next;
    return next;
  }

  /**
   * The anchor only moves forward along the same chain: when the entry it names is gone or different,
   * or sealing is said to start elsewhere, it stays as it is, so verify can still show what was cut.
   */
  private async moveAnchor(): Promise<AuditAnchor | undefined> {
    const file = this.anchorFile!;
    // A command closes the pool once its work is done; the next writer anchors what this one left.
    if (this.pool.ending) return undefined;
    try {
      const anchored = file.read();
      const [head] = await this.db
        .select({
          seq: opsAuditHead.seq,
          hash: opsAuditHead.hash,
          sealedFrom: opsAuditHead.sealedFrom,
          anchoredHash: sql<
            string | null
          >`(select ${opsAuditLog.hash} from ${opsAuditLog} where ${opsAuditLog.seq} = ${anchored?.seq ?? 0})`,
        })
        .from(opsAuditHead);
      if (!head || head.sealedFrom === null) return anchored;
      const { seq, sealedFrom } = head;
      if (anchored) {
        if (head.anchoredHash !== anchored.hash || sealedFrom !== anchored.sealedFrom) {
          this.trouble(
            `the audit log no longer matches ${file.path} at entry ${anchored.seq}; run shopkeep audit verify`,
          );
          return anchored;
        }
        if (seq <= anchored.seq) return anchored;
      }
      const next = { seq, hash: head.hash, sealedFrom, updatedAt: new Date().toISOString() };
      file.write(next);
      this.anchorTrouble = '';
      return next;
    } catch (error) {
      if (!this.pool.ending) this.trouble(`could not update ${file.path}: ${describeError(error)}`);
      return undefined;
    }
  }

  /** Said once, not at every entry written after it. */
  private trouble(message: string): void {
    if (message === this.anchorTrouble) return;
    this.anchorTrouble = message;
    this.sealing?.logger?.error({ file: this.anchorFile?.path }, message);
  }
}

const SYSTEM = { actor: 'system', actorLabel: 'shopkeep', outcome: 'ok' } as const;

/** Problems in order; a run of entries with the same problem is one problem with a range. */
class Problems {
  readonly list: AuditProblem[] = [];

  add(seq: number, kind: AuditProblemKind, problem: string, through = seq): void {
    const last = this.list.at(-1);
    if (last && last.kind === kind && last.problem === problem && (last.through ?? last.seq) + 1 === seq) {
      last.through = through;
      return;
    }
    this.list.push({ seq, ...(through === seq ? {} : { through }), kind, problem });
  }

  has(kind: AuditProblemKind): boolean {
    return this.list.some((problem) => problem.kind === kind);
  }
}

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
