// `shopkeep ai …`: which providers write, and a draft for a product through the QA gate.
import { options, print, UsageError } from '../../platform/cli/args.ts';
import { progress } from '../../platform/cli/io.ts';
import type { ModuleCommand, ModuleCommandContext } from '../../platform/kit/module.ts';
import { StaticCatalog } from '../shop/index.ts';
import { isChannel } from './qa/channels.ts';
import type { AiParts } from './index.ts';

async function aiCommand(context: ModuleCommandContext<AiParts>): Promise<number> {
  const [action, ...rest] = context.args;
  const { values } = options(rest, {
    channel: { type: 'string' },
    product: { type: 'string' },
    'sandbox-catalog': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const json = Boolean(values.json);
  if (action === 'status') {
    return context.open(async ({ ai }) => {
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
    const { channel, product } = values;
    if (!channel || !isChannel(channel) || !product) {
      throw new UsageError(
        'ai draft needs --channel (instagram, facebook, tiktok, linkedin, telegram, email) and --product ID',
      );
    }
    // Until the Shopify connection brings the catalog, the sandbox's sample products can stand in.
    const faces = values['sandbox-catalog']
      ? { catalog: new StaticCatalog((await import('../../sim/catalog.ts')).SANDBOX_PRODUCTS) }
      : {};
    return context.open(
      async ({ writer }) => {
        progress('writing and reviewing');
        const result = await writer.draft({ channel, productId: product });
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
      { faces },
    );
  }
  throw new UsageError('use: ai status | ai draft --channel C --product ID [--sandbox-catalog]');
}

export const aiCommands: Record<string, ModuleCommand<AiParts>> = {
  ai: {
    summary: 'AI providers and drafts: status, draft (writes a post for a product and runs the QA gate)',
    usage:
      'shopkeep ai status [--json]\n  shopkeep ai draft --channel instagram|facebook|tiktok|linkedin|telegram|email --product ID [--sandbox-catalog] [--json]',
    run: aiCommand,
  },
};
