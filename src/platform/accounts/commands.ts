// The owner's commands for users and API tokens, run on the box: `shopkeep user …`, `shopkeep token …`.
import { options, print, UsageError } from '../cli/args.ts';
import { readSecret } from '../cli/io.ts';
import type { ModuleCommand, ModuleCommandContext } from '../kit/module.ts';
import type { TokenInfo } from './face.ts';
import { accessEndedText } from './users.ts';
import type { AccountsParts } from './index.ts';

async function userCommand(context: ModuleCommandContext<AccountsParts>): Promise<number> {
  const [action, ...rest] = context.args;
  const { values } = options(rest, {
    email: { type: 'string' },
    role: { type: 'string' },
    json: { type: 'boolean' },
  });
  const json = Boolean(values.json);
  if (action === 'add') {
    if (!values.email || !values.role)
      throw new UsageError('user add needs --email and --role (owner, staff or viewer)');
    const password = await readSecret('Password for the new user: ');
    return context.open(async ({ users }) => {
      const { user, totpSecret, recoveryCodes } = await users.add({
        email: values.email as string,
        password,
        role: values.role as string,
        by: 'cli',
        withTotp: true,
      });
      print(
        json,
        { user, totpSecret, recoveryCodes },
        [
          `Added ${user.email} (${user.role}).`,
          `TOTP secret for the authenticator app: ${totpSecret}`,
          `Recovery codes (each logs in once; keep them safe): ${recoveryCodes?.join(' ')}`,
        ].join('\n'),
      );
      return 0;
    });
  }
  if (action === 'list') {
    return context.open(async ({ users }) => {
      const all = await users.list();
      print(
        json,
        { users: all },
        all
          .map((user) => `${user.email}\t${user.role}\t2FA ${user.twoFactorEnabled ? 'on' : 'not set up'}`)
          .join('\n') || 'No users yet.',
      );
      return 0;
    });
  }
  if (action === 'reset-2fa') {
    if (!values.email) throw new UsageError('user reset-2fa needs --email');
    return context.open(async ({ users }) => {
      const ended = await users.resetTwoFactor(values.email as string, 'cli');
      print(
        json,
        ended,
        `Two-factor reset for ${values.email}: ${accessEndedText(ended)}. They set it up again at their next login.`,
      );
      return 0;
    });
  }
  if (action === 'unlock') {
    if (!values.email) throw new UsageError('user unlock needs --email');
    return context.open(async ({ logins }) => {
      const { token, expiresAt } = await logins.newUnlockLink(values.email as string, 'cli');
      const url = `${context.config.publicUrl}/unlock?token=${token}`;
      const minutes = Math.round((expiresAt.getTime() - Date.now()) / 60_000);
      print(
        json,
        { url, expiresAt },
        [
          `One-time unlock link for ${values.email} (works once, for ${minutes} minutes):`,
          `  ${url}`,
          'Open it on the device that is locked out: it lifts the login lock there. Two-factor stays as it is.',
        ].join('\n'),
      );
      return 0;
    });
  }
  if (action === 'disable' || action === 'passwd' || action === 'role') {
    if (!values.email) throw new UsageError(`user ${action} needs --email`);
    const email = values.email as string;
    if (action === 'role' && !values.role) throw new UsageError('user role needs --role owner|staff|viewer');
    const password = action === 'passwd' ? await readSecret(`New password for ${email}: `) : '';
    return context.open(async ({ users }) => {
      if (action === 'role') {
        await users.setRole(email, values.role as string, 'cli');
        print(json, { email, role: values.role }, `${email} is now ${values.role}.`);
        return 0;
      }
      const ended =
        action === 'disable'
          ? await users.disable(email, 'cli')
          : await users.setPassword(email, password, 'cli');
      const done = action === 'disable' ? 'is disabled' : 'has a new password';
      print(json, ended, `${email} ${done}: ${accessEndedText(ended)}.`);
      return 0;
    });
  }
  throw new UsageError('use: user add | list | reset-2fa | unlock | disable | passwd | role');
}

async function tokenCommand(context: ModuleCommandContext<AccountsParts>): Promise<number> {
  const [action, ...rest] = context.args;
  const { values, positionals } = options(rest, {
    name: { type: 'string' },
    scope: { type: 'string', multiple: true },
    user: { type: 'string' },
    expires: { type: 'string' },
    json: { type: 'boolean' },
  });
  const json = Boolean(values.json);
  if (action === 'create') {
    if (!values.name || !values.scope?.length)
      throw new UsageError('token create needs --name and at least one --scope');
    const scopes = (values.scope as string[])
      .flatMap((scope) => scope.split(','))
      .map((scope) => scope.trim())
      .filter(Boolean);
    return context.open(async ({ users, tokens }) => {
      const email =
        (values.user as string | undefined) ??
        (await users.list()).find((user) => user.role === 'owner')?.email;
      if (!email) throw new UsageError('no owner account exists yet; finish setup first, or pass --user');
      const { token, id, expiresAt } = await tokens.create({
        email,
        name: values.name as string,
        scopes,
        by: 'cli',
        expires: values.expires as string | undefined,
      });
      // Plain output is the token alone, so scripts can capture it.
      print(json, { id, token, scopes, user: email, expiresAt }, token);
      return 0;
    });
  }
  if (action === 'list') {
    return context.open(async ({ tokens }) => {
      const listed = await tokens.list();
      print(json, { tokens: listed }, listed.map((t) => tokenLine(t, Date.now())).join('\n') || 'No tokens.');
      return 0;
    });
  }
  if (action === 'revoke') {
    const id = positionals[0];
    if (!id) throw new UsageError('token revoke needs the token id (see token list)');
    return context.open(async ({ tokens }) => {
      await tokens.revoke(id, 'cli');
      console.log('Token revoked.');
      return 0;
    });
  }
  throw new UsageError('use: token create | token list | token revoke');
}

/** One token per line: id, prefix, name, scopes, user, last use and expiry (UTC, to the minute). */
function tokenLine(token: TokenInfo, now: number): string {
  const at = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const used = token.lastUsedAt ? `last used ${at(token.lastUsedAt)}` : 'never used';
  const expiry = !token.expiresAt
    ? 'no expiry'
    : token.expiresAt.getTime() <= now
      ? `EXPIRED ${at(token.expiresAt)}`
      : `expires ${at(token.expiresAt)}`;
  return [token.id, `${token.prefix}…`, token.name, token.scopes.join(','), token.user, used, expiry].join(
    '\t',
  );
}

export const accountCommands: Record<string, ModuleCommand<AccountsParts>> = {
  user: {
    summary: 'Manage users: add, list, reset-2fa, unlock, disable, passwd, role',
    usage: [
      'shopkeep user add --email E --role owner|staff|viewer [--json]   (password from stdin)',
      'shopkeep user list [--json]',
      'shopkeep user reset-2fa --email E   (ends sessions, revokes API tokens, lifts login locks on the account)',
      'shopkeep user unlock --email E      (prints a one-time link that lifts a login lock; two-factor stays)',
      'shopkeep user disable --email E     (ends sessions, revokes API tokens)',
      'shopkeep user passwd --email E      (new password from stdin; ends sessions, revokes API tokens)',
      'shopkeep user role --email E --role owner|staff|viewer',
    ].join('\n  '),
    run: userCommand,
  },
  token: {
    summary: 'Manage API tokens: create, list, revoke',
    usage:
      'shopkeep token create --name N --scope read|write|admin|metrics [--scope ...] [--user E] [--expires 90d|YYYY-MM-DD] [--json]\n  shopkeep token list [--json]   (with last use and expiry)\n  shopkeep token revoke ID',
    run: tokenCommand,
  },
};
