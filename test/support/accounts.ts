// Users and API tokens for tests, made through the accounts part as the CLI makes them.
import accountsModule, { type AccountsParts } from '../../src/platform/accounts/index.ts';
import type { Role } from '../../src/platform/accounts/roles.ts';
import type { TestServer } from './server.ts';

/** The accounts part of a test server, as its module built it. */
export function accountsOf(server: TestServer): AccountsParts {
  return server.modules.get(accountsModule);
}

let counter = 0;

export const PASSWORD = 'correct horse battery staple';

/**
 * A user with their second factor set up (as `shopkeep user add` makes one), or, with
 * `withTotp: false`, one who enrols at their first login (as the dashboard adds one).
 */
export async function newUser(
  accounts: Pick<AccountsParts, 'users'>,
  options: { role?: Role; email?: string; password?: string; withTotp?: boolean } = {},
) {
  counter += 1;
  const role = options.role ?? 'owner';
  const email = options.email ?? `${role}-${counter}@salon.example`;
  const password = options.password ?? PASSWORD;
  const made = await accounts.users.add({
    email,
    password,
    role,
    by: 'test',
    withTotp: options.withTotp ?? true,
  });
  return { ...made, email: made.user.email, password };
}

/** An API token for a user, with the scopes asked for. */
export async function newToken(
  accounts: Pick<AccountsParts, 'tokens'>,
  options: { email: string; scopes: string[]; name?: string; expires?: string },
) {
  return accounts.tokens.create({ name: 'test token', ...options, by: 'test' });
}
