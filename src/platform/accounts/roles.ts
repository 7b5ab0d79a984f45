// Roles and scopes. A role grants scopes; an API token carries a subset of its user's scopes.
export const ROLES = ['owner', 'staff', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** read: see; write: run the shop (approve, edit, send); admin: users, tokens, settings, secrets; metrics: scrape /metrics. */
export const SCOPES = ['read', 'write', 'admin', 'metrics'] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPES_BY_ROLE: Record<Role, Scope[]> = {
  owner: ['read', 'write', 'admin', 'metrics'],
  staff: ['read', 'write', 'metrics'],
  viewer: ['read'],
};

/** What a token's scopes grant: as in Shopify's, writing implies reading (write alone can read). */
export function grantedBy(scopes: readonly Scope[]): Set<Scope> {
  const granted = new Set(scopes);
  if (granted.has('write')) granted.add('read');
  return granted;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export interface User {
  id: string;
  email: string;
  role: Role;
  twoFactorEnabled: boolean;
  createdAt: Date;
}

/** Who is making a request: a logged-in user or an API token acting for one. */
export interface Principal {
  user: User;
  scopes: ReadonlySet<Scope>;
  via:
    | { kind: 'session'; sessionHash: string; csrfToken: string; stage: 'enrolling' | 'active' }
    | { kind: 'token'; tokenId: string };
}

export function actorOf(principal: Principal | undefined): { actor: string; actorLabel: string } {
  if (!principal) return { actor: 'anonymous', actorLabel: 'anonymous' };
  if (principal.via.kind === 'token') {
    return { actor: `token:${principal.via.tokenId}`, actorLabel: `${principal.user.email} (API token)` };
  }
  return { actor: `user:${principal.user.id}`, actorLabel: principal.user.email };
}
