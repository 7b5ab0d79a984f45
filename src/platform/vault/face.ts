// What the rest of shopkeep asks of the vault. Modules keep their own secrets sealed by name (a shop's
// admin token, a webhook's signing key, a user's two-factor secret); Settings lists and changes the
// integration secrets the owner keeps by hand, never the ones shopkeep keeps for itself.
import type { Client } from '../db/database.ts';

export interface SecretInfo {
  name: string;
  updatedAt: Date;
}

export interface Secrets {
  /** The value, or undefined when none is stored under the name. */
  get(name: string): Promise<string | undefined>;
  /** Stores or replaces; inside `tx` when the secret must commit with the row that names it. */
  set(name: string, value: string, tx?: Client): Promise<void>;
  /** Refused as not_found when nothing is stored under the name. */
  remove(name: string): Promise<void>;
}

export interface IntegrationSecrets {
  /** Names and dates, never values; shopkeep's own secrets are left out. */
  list(): Promise<SecretInfo[]>;
  get(name: string): Promise<string | undefined>;
  /** Refuses the names shopkeep keeps for itself (auth.*, webhook.*). */
  setIntegration(name: string, value: string): Promise<void>;
  removeIntegration(name: string): Promise<void>;
}
