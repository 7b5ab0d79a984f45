// The server's own maintenance commands: apply migrations, and check the installation (doctor).
import { statfsSync, accessSync, constants, existsSync } from 'node:fs';
import { migrationSources, openModules } from '../platform/runtime.ts';
import { spawnSync } from 'node:child_process';
import opsModule from '../modules/ops/index.ts';
import type { Backups } from '../modules/ops/backups/backups.ts';
import { connectedRole, openDatabase } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrate.ts';
import { options } from '../platform/cli/args.ts';
import { progress } from '../platform/cli/io.ts';
import type { CommandContext } from '../platform/kit/module.ts';

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
    const { kernel, modules, database } = await openModules(context.config, context.logger, {
      ownsEmbeddedServer: false,
    });
    try {
      const readiness = await kernel.readiness();
      checks.push({
        name: 'database',
        ok: readiness.database,
        detail: config.databaseUrl
          ? 'DATABASE_URL reachable, migrations applied'
          : 'embedded PostgreSQL running, migrations applied',
      });
      const role = await connectedRole(kernel.db);
      checks.push({
        name: 'database role',
        ok: !role.superuser,
        detail: role.superuser ? `${role.name} is a superuser` : `${role.name}, not a superuser`,
        fix: 'connect as a role that owns only shopkeep’s database (docs/operations.md, "Your own PostgreSQL")',
      });
      const owner = await modules.face('ownerSetup').hasOwner();
      checks.push({
        name: 'owner account',
        ok: owner,
        detail: owner ? 'exists' : 'not created yet',
        fix: 'start shopkeep and open the setup link it prints',
      });
      const dead = await kernel.jobs.deadLetterCount();
      checks.push({
        name: 'failed jobs',
        ok: dead === 0,
        detail: `${dead} waiting`,
        fix: 'open Operations in the dashboard to retry or dismiss them',
      });
      checks.push(await backupCheck(modules.get(opsModule).backups));
    } finally {
      await database.close();
    }
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

/** Backups are set up, restic is there, and the last good backup is recent. */
async function backupCheck(backups: Backups): Promise<Check> {
  const name = 'backups';
  if (!backups.configured)
    return {
      name,
      ok: false,
      detail: 'not set up: nothing backs the shop up',
      fix: 'set SHOPKEEP_BACKUP_TARGET and SHOPKEEP_BACKUP_PASSPHRASE (docs/backups.md)',
    };
  if (spawnSync('restic', ['version']).status !== 0)
    return { name, ok: false, detail: 'restic is not installed', fix: 'sudo apt install restic' };
  const { lastSuccess, target } = await backups.status();
  const hours = lastSuccess ? (Date.now() - lastSuccess.startedAt.getTime()) / 3_600_000 : Infinity;
  return {
    name,
    ok: hours <= backups.maxAgeHours,
    detail: lastSuccess
      ? `to ${target}, the last good one ${hours.toFixed(1)} hours ago`
      : `to ${target}, none has succeeded yet`,
    fix: 'run `shopkeep backup run` and read what it says; the Operations page lists the failed runs',
  };
}
