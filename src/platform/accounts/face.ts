// What the rest of shopkeep asks of accounts. The HTTP layer: who is calling (a session cookie, a
// bearer token). The serve command and doctor: whether the owner exists, and a setup link while not.
// Settings and the CLI: the API tokens, listed, created and revoked.
import type { Principal } from './roles.ts';

export interface Principals {
  /** Undefined for an unknown, ended or timed-out session. */
  resolveSession(cookieValue: string): Promise<Principal | undefined>;
  /** Undefined for an unknown or revoked token; an expired one is refused with its own message. */
  resolveToken(bearer: string): Promise<Principal | undefined>;
}

export interface OwnerSetup {
  hasOwner(): Promise<boolean>;
  /** A one-time link's token for creating the owner (24 hours); a new one replaces any earlier one. */
  newSetupToken(): Promise<string>;
}

/** An API token as listed: never the token itself. */
export interface TokenInfo {
  id: string;
  name: string;
  /** The token's first characters, to tell tokens apart. */
  prefix: string;
  scopes: string[];
  /** The email of the user it acts for. */
  user: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

export interface NewToken {
  /** The user it acts for. */
  email: string;
  name: string;
  scopes: string[];
  /** Who creates it, as the audit log names them. */
  by: string;
  /** `90d` or a date (`2027-03-31`, the last day it works); without it, until revoked. */
  expires?: string | undefined;
}

export interface TokenIssuer {
  /** Tokens not revoked, expired ones included until someone revokes them. */
  list(): Promise<TokenInfo[]>;
  /** The token is in this answer only; shopkeep keeps its hash. */
  create(token: NewToken): Promise<{ token: string; id: string; expiresAt: Date | null }>;
  revoke(id: string, by: string): Promise<void>;
}
