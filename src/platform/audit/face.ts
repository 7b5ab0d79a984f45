// What the rest of shopkeep asks of the audit log: write an entry (inside the caller's transaction
// when the change it records commits with it), read the latest, check the whole log, and the head as
// anchored outside the database (the backup keeps it beside the dump).
import type { Client } from '../db/database.ts';
import type { AuditAnchor } from './audit-anchor.ts';
import type { AuditEntry, AuditEntryInput, AuditVerification } from './audit-log.ts';

export interface AuditTrail {
  record(entry: AuditEntryInput, tx?: Client): Promise<void>;
  /** Newest first; `beforeSeq` pages back from an entry number. */
  recent(limit?: number, beforeSeq?: number): Promise<AuditEntry[]>;
  verify(
    onProgress?: (checked: number, total: number) => void,
    options?: { entry?: number },
  ): Promise<AuditVerification>;
  /** The head as audit-head.json keeps it, brought up to date first; undefined before sealing. */
  anchor(): Promise<AuditAnchor | undefined>;
}
