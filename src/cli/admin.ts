// The owner's maintenance commands. Each opens the database (adopting a running embedded server),
// does one thing, prints a result (JSON with --json) and exits.
import { statfsSync, accessSync, constants, existsSync } from 'node:fs';
import { openServices, type OpenOptions } from '../platform/runtime.ts';
import { StaticCatalog } from '../modules/ai/qa/catalog.ts';
import { isChannel } from '../modules/ai/qa/channels.ts';
import { SANDBOX_PRODUCTS } from '../sim/catalog.ts';
import { connectedRole, openDatabase } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrate.ts';
import { migrationSources } from '../modules/index.ts';
import type { Services } from '../platform/services.ts';
import { UsageError, options, type CommandContext } from './main.ts';
import { progress, readSecret } from './io.ts';
import { accessEndedText, type TokenInfo } from '../platform/accounts/account-service.ts';
import { describeVerification } from '../modules/ops/audit-report.ts';

export async function withServices<T>(
  { config, logger }: CommandContext,
  work: (services: Services) => Promise<T>,
  extra: Partial<OpenOptions> = {},
): Promise<T> {
  const { services, database } = await openServices(config, logger, { ownsEmbeddedServer: false, ...extra });
  try {
    return await work(services);
  } finally {
    await database.close();
  }
}

export const print = (json: boolean, data: unknown, text: string) =>
  console.log(json ? JSON.stringify(data, null, 2) : text);

export async function migrateCommand({ config, logger }: CommandContext): Promise<number> {
  const database = await openDatabase(config, logger, { ownsEmbeddedServer: false });
  try {
    const { applied } = await migrate(database.pool, migrationSources(), (name) =>
      progress(`applying ${name}`),
    );
    console.log(applied.length ? `Applied ${applied.length} migration(s).` : 'The database is up to date.');
    return 0;
  } finally {
    await database.close();
  }
}

export async function userCommand(context: CommandContext): Promise<number> {
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
    return withServices(context, async ({ accounts }) => {
      const { user, totpSecret, recoveryCodes } = await accounts.addUser(
        values.email as string,
        password,
        values.role as string,
        'cli',
        true,
      );
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
    return withServices(context, async ({ accounts }) => {
      const users = await accounts.listUsers();
      print(
        json,
        { users },
        users
          .map((user) => `${user.email}\t${user.role}\t2FA ${user.twoFactorEnabled ? 'on' : 'not set up'}`)
          .join('\n') || 'No users yet.',
      );
      return 0;
    });
  }
  if (action === 'reset-2fa') {
    if (!values.email) throw new UsageError('user reset-2fa needs --email');
    return withServices(context, async ({ accounts }) => {
      const ended = await accounts.resetTwoFactor(values.email as string, 'cli');
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
    return withServices(context, async ({ accounts, config }) => {
      const { token, expiresAt } = await accounts.newUnlockLink(values.email as string, 'cli');
      const url = `${config.publicUrl}/unlock?token=${token}`;
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
    return withServices(context, async ({ accounts }) => {
      if (action === 'role') {
        await accounts.setRole(email, values.role as string, 'cli');
        print(json, { email, role: values.role }, `${email} is now ${values.role}.`);
        return 0;
      }
      const ended =
        action === 'disable'
          ? await accounts.disableUser(email, 'cli')
          : await accounts.setPassword(email, password, 'cli');
      const done = action === 'disable' ? 'is disabled' : 'has a new password';
      print(json, ended, `${email} ${done}: ${accessEndedText(ended)}.`);
      return 0;
    });
  }
  throw new UsageError('use: user add | list | reset-2fa | unlock | disable | passwd | role');
}

export async function tokenCommand(context: CommandContext): Promise<number> {
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
    return withServices(context, async ({ accounts }) => {
      const email =
        (values.user as string | undefined) ??
        (await accounts.listUsers()).find((user) => user.role === 'owner')?.email;
      if (!email) throw new UsageError('no owner account exists yet; finish setup first, or pass --user');
      const { token, id, expiresAt } = await accounts.createToken(
        email,
        values.name as string,
        scopes,
        'cli',
        values.expires as string | undefined,
      );
      // Plain output is the token alone, so scripts can capture it.
      print(json, { id, token, scopes, user: email, expiresAt }, token);
      return 0;
    });
  }
  if (action === 'list') {
    return withServices(context, async ({ accounts }) => {
      const tokens = await accounts.listTokens();
      print(json, { tokens }, tokens.map((t) => tokenLine(t, Date.now())).join('\n') || 'No tokens.');
      return 0;
    });
  }
  if (action === 'revoke') {
    const id = positionals[0];
    if (!id) throw new UsageError('token revoke needs the token id (see token list)');
    return withServices(context, async ({ accounts }) => {
      await accounts.revokeToken(id, 'cli');
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

export async function auditCommand(context: CommandContext): Promise<number> {
  const [action, ...rest] = context.args;
  const { values } = options(rest, { json: { type: 'boolean' }, entry: { type: 'string' } });
  if (action !== 'verify') throw new UsageError('use: audit verify [--entry N] [--json]');
  const entry = values.entry === undefined ? undefined : Number(values.entry);
  if (entry !== undefined && !(Number.isSafeInteger(entry) && entry >= 1)) {
    throw new UsageError('--entry takes an entry number, as a daily audit digest names it (1 or more)');
  }
  return withServices(context, async ({ audit }) => {
    const result = await audit.verify(
      (checked, total) => process.stderr.write(`\r  … checked ${checked} of ${total} entries`),
      entry === undefined ? {} : { entry },
    );
    process.stderr.write('\n');
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else console.log(describeVerification(result).join('\n'));
    // An entry a digest named and the log no longer has is a problem too.
    return result.ok && (entry === undefined || result.entry) ? 0 : 3;
  });
}

export async function secretsCommand(context: CommandContext): Promise<number> {
  const [action, ...rest] = context.args;
  const { values, positionals } = options(rest, { json: { type: 'boolean' } });
  if (action === 'set') {
    const name = positionals[0];
    if (!name) throw new UsageError('secrets set needs a NAME; the value is read from stdin');
    const value = await readSecret(`Value for ${name}: `);
    if (!value) throw new UsageError('the value is empty');
    return withServices(context, async ({ vault, audit }) => {
      await vault.setIntegration(name, value);
      await audit.record({
        actor: 'cli',
        actorLabel: 'cli',
        action: 'secret.set',
        target: name,
        outcome: 'ok',
      });
      console.log(`Stored ${name}.`);
      return 0;
    });
  }
  if (action === 'list') {
    return withServices(context, async ({ vault }) => {
      const secrets = await vault.list();
      print(
        Boolean(values.json),
        { secrets },
        secrets.map((s) => `${s.name}\t${s.updatedAt.toISOString()}`).join('\n') || 'No secrets stored.',
      );
      return 0;
    });
  }
  if (action === 'rotate-key') {
    return withServices(context, async ({ vault, audit, config }) => {
      progress('re-encrypting every secret under a new master key');
      const { count, newKey } = await vault.rotate();
      // Said before anything else can fail: the new key is what opens the secrets from now on.
      if (config.masterKey) {
        console.log(
          [
            `Re-encrypted ${count} secret(s) under a new key, also saved in ${config.dataDir}/master.key.next (0600).`,
            'Your master key comes from SHOPKEEP_MASTER_KEY: put the new key there, restart, then delete master.key.next.',
            `New key: ${newKey.toString('hex')}`,
          ].join('\n'),
        );
      } else {
        console.log(
          `Re-encrypted ${count} secret(s); the new key is in ${config.dataDir}/master.key. Back it up: without it the secrets are lost.`,
        );
      }
      await audit.record({
        actor: 'cli',
        actorLabel: 'cli',
        action: 'secret.rotate-key',
        outcome: 'ok',
        details: { count },
      });
      return 0;
    });
  }
  throw new UsageError('use: secrets set | secrets list | secrets rotate-key');
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export async function doctorCommand(context: CommandContext): Promise<number> {
  const { values } = options(context.args, { json: { type: 'boolean' } });
  const { config } = context;
  const checks: Check[] = [];
  checks.push({
    name: 'configuration',
    ok: true,
    detail: `data dir ${config.dataDir}, port ${config.port}, time zone ${config.timezone}`,
  });
  try {
    if (existsSync(config.dataDir)) accessSync(config.dataDir, constants.W_OK);
    const stats = statfsSync(existsSync(config.dataDir) ? config.dataDir : '.');
    const freeGb = (stats.bavail * stats.bsize) / 1e9;
    checks.push({
      name: 'disk',
      ok: freeGb > 1,
      detail: `${freeGb.toFixed(1)} GB free`,
      fix: 'free space on the data disk; PostgreSQL stops writing when it is full',
    });
  } catch (error) {
    checks.push({
      name: 'data dir',
      ok: false,
      detail: (error as Error).message,
      fix: `make ${config.dataDir} writable by this user, or set SHOPKEEP_DATA_DIR`,
    });
  }
  try {
    await withServices(context, async (services) => {
      const readiness = await services.readiness();
      checks.push({
        name: 'database',
        ok: readiness.database,
        detail: config.databaseUrl
          ? 'DATABASE_URL reachable, migrations applied'
          : 'embedded PostgreSQL running, migrations applied',
      });
      const role = await connectedRole(services.pool);
      checks.push({
        name: 'database role',
        ok: !role.superuser,
        detail: role.superuser ? `${role.name} is a superuser` : `${role.name}, not a superuser`,
        fix: 'connect as a role that owns only shopkeep’s database (docs/operations.md, "Your own PostgreSQL")',
      });
      const owner = await services.accounts.hasOwner();
      checks.push({
        name: 'owner account',
        ok: owner,
        detail: owner ? 'exists' : 'not created yet',
        fix: 'start shopkeep and open the setup link it prints',
      });
      const dead = await services.jobs.deadLetterCount();
      checks.push({
        name: 'failed jobs',
        ok: dead === 0,
        detail: `${dead} waiting`,
        fix: 'open Operations in the dashboard to retry or dismiss them',
      });
    });
  } catch (error) {
    checks.push({
      name: 'database',
      ok: false,
      detail: (error as Error).message,
      fix: config.databaseUrl
        ? 'check DATABASE_URL and that the server runs'
        : `see ${config.dataDir}/postgres.log`,
    });
  }
  if (values.json) console.log(JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2));
  else
    for (const check of checks)
      console.log(
        `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}${check.ok || !check.fix ? '' : `\n      → ${check.fix}`}`,
      );
  return checks.every((check) => check.ok) ? 0 : 1;
}

export async function aiCommand(context: CommandContext): Promise<number> {
  const [action, ...rest] = context.args;
  const { values } = options(rest, {
    channel: { type: 'string' },
    product: { type: 'string' },
    'sandbox-catalog': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const json = Boolean(values.json);
  if (action === 'status') {
    return withServices(context, async ({ ai }) => {
      const providers = ai.status();
      print(
        json,
        { providers },
        providers
          .map((p, i) => `${i + 1}. ${p.name} (${p.model})${p.available ? '' : ' (resting after failures)'}`)
          .join('\n'),
      );
      return 0;
    });
  }
  if (action === 'draft') {
    const channel = values.channel as string | undefined;
    if (!channel || !isChannel(channel) || !values.product) {
      throw new UsageError(
        'ai draft needs --channel (instagram, facebook, tiktok, linkedin, telegram, email) and --product ID',
      );
    }
    // Until the Shopify connection brings the catalog, the sandbox's sample products can stand in.
    const catalog = values['sandbox-catalog'] ? { catalog: new StaticCatalog(SANDBOX_PRODUCTS) } : {};
    return withServices(
      context,
      async ({ writer }) => {
        progress('writing and reviewing');
        const result = await writer.draft({ channel, productId: values.product as string });
        const summary = [
          result.outcome === 'approved'
            ? 'Approved by the QA gate.'
            : `Waiting for the owner (approval ${result.approvalId}).`,
          `Score ${result.review.score} after ${result.attempts} attempt(s), written by ${result.provider}.`,
          ...result.review.hardFails.map((f) => `  must fix: ${f.message}`),
          ...result.review.findings.map((f) => `  note: ${f.message} (-${f.penalty})`),
          '',
          result.text,
        ];
        print(json, result, summary.join('\n'));
        return 0;
      },
      catalog,
    );
  }
  throw new UsageError('use: ai status | ai draft --channel C --product ID [--sandbox-catalog]');
}
