// `shopkeep secrets …`: integration secrets from the box, and rotating the master key.
import { options, print, UsageError } from '../cli/args.ts';
import { progress, readSecret } from '../cli/io.ts';
import type { ModuleCommand, ModuleCommandContext } from '../kit/module.ts';
import type { VaultParts } from './index.ts';

async function secretsCommand(context: ModuleCommandContext<VaultParts>): Promise<number> {
  const [action, ...rest] = context.args;
  const { values, positionals } = options(rest, { json: { type: 'boolean' } });
  if (action === 'set') {
    const name = positionals[0];
    if (!name) throw new UsageError('secrets set needs a NAME; the value is read from stdin');
    const value = await readSecret(`Value for ${name}: `);
    if (!value) throw new UsageError('the value is empty');
    return context.open(async ({ vault }, face) => {
      await vault.setIntegration(name, value);
      await face('audit').record({
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
    return context.open(async ({ vault }) => {
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
    return context.open(async ({ vault }, face) => {
      progress('re-encrypting every secret under a new master key');
      const { count, newKey } = await vault.rotate();
      // Said before anything else can fail: the new key is what opens the secrets from now on.
      if (context.config.masterKey) {
        console.log(
          [
            `Re-encrypted ${count} secret(s) under a new key, also saved in ${context.config.dataDir}/master.key.next (0600).`,
            'Your master key comes from SHOPKEEP_MASTER_KEY: put the new key there, restart, then delete master.key.next.',
            `New key: ${newKey.toString('hex')}`,
          ].join('\n'),
        );
      } else {
        console.log(
          `Re-encrypted ${count} secret(s); the new key is in ${context.config.dataDir}/master.key. Back it up: without it the secrets are lost.`,
        );
      }
      await face('audit').record({
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

export const vaultCommands: Record<string, ModuleCommand<VaultParts>> = {
  secrets: {
    summary: 'Manage the secrets vault: set, list, rotate-key',
    usage:
      'shopkeep secrets set NAME   (value from stdin)\n  shopkeep secrets list [--json]\n  shopkeep secrets rotate-key',
    run: secretsCommand,
  },
};
