// `shopkeep audit verify`: checks the audit log's chain, seals and anchor, and prints its head.
import { options, UsageError } from '../cli/args.ts';
import type { ModuleCommand, ModuleCommandContext } from '../kit/module.ts';
import { describeVerification } from './audit-report.ts';
import type { AuditParts } from './index.ts';

async function auditCommand(context: ModuleCommandContext<AuditParts>): Promise<number> {
  const [action, ...rest] = context.args;
  const { values } = options(rest, { json: { type: 'boolean' }, entry: { type: 'string' } });
  if (action !== 'verify') throw new UsageError('use: audit verify [--entry N] [--json]');
  const entry = values.entry === undefined ? undefined : Number(values.entry);
  if (entry !== undefined && !(Number.isSafeInteger(entry) && entry >= 1)) {
    throw new UsageError('--entry takes an entry number, as a daily audit digest names it (1 or more)');
  }
  return context.open(async ({ audit }) => {
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

export const auditCommands: Record<string, ModuleCommand<AuditParts>> = {
  audit: {
    summary: 'Check the audit log: its hash chain, seals and anchor; print its head',
    usage:
      'shopkeep audit verify [--entry N] [--json]   (--entry N: the hash of entry N, to compare with a daily digest)',
    run: auditCommand,
  },
};
