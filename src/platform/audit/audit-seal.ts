// The two hashes of an audit entry. Its link (plain SHA-256 over the previous link and the entry)
// chains the log; its seal (HMAC-SHA-256 of the link under a key derived from the master key) is what
// someone with only database access cannot recompute. The seal is kept apart from the link so that
// a master key rotation re-seals entries without changing a single link: the anchor file and the
// daily digests the owner kept still match after it.
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export interface SealKey {
  /** A fingerprint of the derived key, stored with each seal so a rotated key is recognised. */
  id: string;
  key: Buffer;
}

export const GENESIS = '0'.repeat(64);

// Its own label: the audit key says nothing about the key that seals the vault, and the reverse.
const LABEL = 'shopkeep audit-chain seal v1';

export function sealKey(masterKey: Buffer): SealKey {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), LABEL, 32));
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

/** The seal covers the entry's number too, so a sealed link cannot be moved to another place. */
export function seal(key: Buffer, seq: number, link: string): string {
  return createHmac('sha256', key).update(`${seq}:${link}`).digest('hex');
}

export function sealHolds(key: Buffer, seq: number, link: string, stored: string): boolean {
  const expected = Buffer.from(seal(key, seq, link), 'hex');
  const given = Buffer.from(stored, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface LinkedContent {
  seq: number;
  at: Date;
  actor: string;
  actorLabel: string;
  ip?: string | undefined;
  action: string;
  target?: string | undefined;
  outcome: string;
  details?: Record<string, unknown> | undefined;
}

/** The link, unchanged since the first release: entries written before sealing still check. */
export function chainHash(prevHash: string, row: LinkedContent): string {
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
