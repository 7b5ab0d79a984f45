// `shopkeep backup run|list|verify|restore|kit`: the owner's backup commands, with progress on stderr
// and `--json` for programs (`backup run --json` prints {id, bytes, seconds}).
import { readFileSync } from 'node:fs';
import { options, print, UsageError } from '../../../platform/cli/args.ts';
import { progress } from '../../../platform/cli/io.ts';
import { SettingsReader } from '../../../platform/kit/settings.ts';
import { migrationSources } from '../../../platform/kit/modules.ts';
import type { ModuleCommand, ModuleCommandContext } from '../../../platform/kit/module.ts';
import type { OpsParts } from '../index.ts';
import { mb, resticFor } from './backups.ts';
import { restoreBackup } from './restore.ts';
import { backupSettings } from './settings.ts';

const USAGE = `shopkeep backup run [--json] [--new-target]
                                        back up now (the database, files, configuration);
                                        --new-target: the target was replaced on purpose and is empty
  shopkeep backup list [--json]         the backups at the target and the latest runs
  shopkeep backup verify [--json]       restore the newest backup into a scratch database and check it
  shopkeep backup restore (--latest | --snapshot ID) --data-dir DIR [--force] [--json]
                                        restore onto a new data directory (a fresh box)
  shopkeep backup kit                   print the recovery kit: what a new box needs to restore`;

const RECOVERY_OBJECTIVE_SECONDS = 3600;

async function backupCommand(context: ModuleCommandContext<OpsParts>): Promise<number> {
  const [action, ...rest] = context.args;
  const { values } = options(rest, {
    json: { type: 'boolean' },
    latest: { type: 'boolean' },
    snapshot: { type: 'string' },
    'data-dir': { type: 'string' },
    force: { type: 'boolean' },
    'new-target': { type: 'boolean' },
  });
  const json = Boolean(values.json);
  if (action === 'run') {
    return context.open(async ({ backups }) => {
      const record = await backups.run('manual', progress, { newTarget: Boolean(values['new-target']) });
      const seconds = (record.finishedAt!.getTime() - record.startedAt.getTime()) / 1000;
      print(
        json,
        {
          id: record.id,
          bytes: record.bytes,
          seconds,
          snapshotId: record.snapshotId,
          addedBytes: record.addedBytes,
        },
        `Backup ${record.id} done in ${seconds.toFixed(1)} s: ${mb(record.bytes ?? 0)} (${record.tables} tables, ${record.rows} rows, ${record.files} files), ${mb(record.addedBytes ?? 0)} new at the target.`,
      );
      return 0;
    });
  }
  if (action === 'list') {
    return context.open(async ({ backups }) => {
      const [atTarget, runs] = await Promise.all([backups.atTarget(), backups.list(20)]);
      const byId = new Map(runs.map((run) => [run.id, run]));
      print(
        json,
        { atTarget, runs },
        [
          `At the target (${atTarget.length}):`,
          ...atTarget
            .slice()
            .reverse()
            .map((s) => {
              const run = s.backupId ? byId.get(s.backupId) : undefined;
              return `  ${s.id.slice(0, 8)}  ${s.time.slice(0, 19).replace('T', ' ')}  ${s.backupId ?? ''}${run?.bytes ? `  ${mb(run.bytes)}` : ''}`;
            }),
          '',
          'Latest runs:',
          ...runs.map(
            (run) =>
              `  ${run.id}  ${run.status}${run.error ? `: ${run.error}` : ''}${run.forgottenAt ? ' (removed by retention)' : ''}`,
          ),
        ].join('\n'),
      );
      return 0;
    });
  }
  if (action === 'verify') {
    return context.open(async ({ backups }) => {
      const drill = await backups.verify(progress);
      print(
        json,
        drill,
        drill.status === 'succeeded'
          ? `Restore drill passed in ${drill.restoreSeconds?.toFixed(1)} s.`
          : `Restore drill failed: ${drill.error}`,
      );
      return drill.status === 'succeeded' ? 0 : 1;
    });
  }
  if (action === 'restore') {
    const dataDir = values['data-dir'];
    if (!dataDir)
      throw new UsageError('backup restore needs --data-dir DIR: the new data directory to restore into');
    if (!values.latest && !values.snapshot)
      throw new UsageError('say which backup: --latest, or --snapshot ID (see `shopkeep backup list`)');
    const settings = backupSettings(new SettingsReader(context.env));
    const restic = resticFor(settings, context.config.dataDir, context.env);
    const report = await restoreBackup({
      restic,
      snapshot: values.snapshot,
      dataDir,
      force: Boolean(values.force),
      config: context.config,
      sources: migrationSources(context.modules),
      logger: context.logger,
      onProgress: progress,
    });
    const within = report.seconds <= RECOVERY_OBJECTIVE_SECONDS;
    print(
      json,
      { ...report, objectiveSeconds: RECOVERY_OBJECTIVE_SECONDS, withinObjective: within },
      [
        `Restored the backup of ${report.backedUpAt} (${report.tables} tables, ${report.rows} rows, ${report.files} files) into ${report.dataDir}.`,
        `It took ${formatDuration(report.seconds)}: ${within ? 'within' : 'OVER'} the one-hour recovery objective.`,
        ...(report.movedAside ? [`What was in the directory before is in ${report.movedAside}.`] : []),
        ...(report.configFile &&
        !context.config.databaseUrl &&
        /^\s*DATABASE_URL\s*=\s*\S/m.test(readFileSync(report.configFile, 'utf8'))
          ? [
              `Careful: the restored configuration sets DATABASE_URL, but the backup went into the embedded PostgreSQL in ${report.dataDir}. Remove DATABASE_URL from it, or shopkeep starts on the old database.`,
            ]
          : []),
        ...(report.configFile
          ? [
              `The configuration came back in ${report.configFile}: start with SHOPKEEP_ENV_FILE=${report.configFile} (or copy it to .env).`,
            ]
          : []),
        `Start the shop: SHOPKEEP_DATA_DIR=${report.dataDir} shopkeep serve`,
      ].join('\n'),
    );
    return 0;
  }
  if (action === 'kit') {
    const settings = backupSettings(new SettingsReader(context.env));
    resticFor(settings, context.config.dataDir, context.env);
    console.log(
      [
        "SHOPKEEP RECOVERY KIT: print this, keep it away from the shop's computer, and tell no one.",
        '',
        `Backups go to:      ${settings.target!.shown}`,
        `Backup passphrase:  ${settings.passphrase}`,
        '',
        'On a new machine (docs/backups.md, "Restore on a new box"):',
        '  1. Install shopkeep and restic (sudo apt install restic).',
        `  2. SHOPKEEP_BACKUP_TARGET='${settings.target!.shown}' SHOPKEEP_BACKUP_PASSPHRASE='…' \\`,
        '       shopkeep backup restore --latest --data-dir /var/lib/shopkeep',
        '  3. SHOPKEEP_DATA_DIR=/var/lib/shopkeep shopkeep serve',
        '',
        'The master key and the configuration travel inside the encrypted backup. Without this passphrase',
        'the backups cannot be opened by anyone, you included.',
      ].join('\n'),
    );
    return 0;
  }
  throw new UsageError(`backup needs an action:\n  ${USAGE}`);
}

function formatDuration(seconds: number): string {
  return seconds < 90
    ? `${seconds.toFixed(1)} s`
    : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export const backupCommands: Record<string, ModuleCommand<OpsParts>> = {
  backup: {
    summary: 'Back up, list, verify and restore the shop (database, files, configuration)',
    usage: USAGE,
    run: backupCommand,
  },
};
