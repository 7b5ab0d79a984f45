// `shopkeep mail …`: learn the owner's voice from their past replies, and see the mailbox's state.
import { options, print, UsageError } from '../../platform/cli/args.ts';
import { progressBar } from '../../platform/cli/io.ts';
import type { ModuleCommand, ModuleCommandContext } from '../../platform/kit/module.ts';
import type { MailParts } from './index.ts';

const USAGE = 'shopkeep mail import-reference [--limit N] [--json]\n  shopkeep mail status [--json]';

async function mailCommand(context: ModuleCommandContext<MailParts>): Promise<number> {
  const [action, ...rest] = context.args;
  const { values } = options(rest, { limit: { type: 'string' }, json: { type: 'boolean' } });
  const json = Boolean(values.json);
  if (action === 'import-reference') {
    const limit = Number(values.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000)
      throw new UsageError('--limit is a whole number from 1 to 5000');
    return context.open(
      async ({ mail }) => {
        const bar = progressBar();
        const result = await mail.importReference(limit, (step, done, total) =>
          bar.update(step, done, total),
        );
        bar.end();
        const { style } = result;
        print(
          json,
          result,
          result.pairs
            ? `Learnt from ${result.pairs} of your replies (${result.added} new).\nStyle: “${style.greeting}” … “${style.signOff}”, about ${style.typicalWords} words, ${style.formality}, in ${style.languages.join(', ')}.\nCorrect it on the dashboard: Mail → Your voice.`
            : 'No replies of yours were found in Sent that answer a message in the inbox. Drafts use the default style until there are.',
        );
        return 0;
      },
      { queue: true },
    );
  }
  if (action === 'status') {
    return context.open(async ({ mail }) => {
      const health = await mail.health();
      if (!health) {
        print(
          json,
          { mailbox: null },
          'No mailbox is set up: set MAIL_USERNAME, MAIL_PASSWORD and MAIL_ADDRESS, or connect it on Settings.',
        );
        return 1;
      }
      print(
        json,
        { mailbox: health },
        `${health.address}: ${health.connected ? 'connected' : 'not connected'}, last sync ${health.lastSyncAt?.toISOString() ?? 'never'}, ${health.messages} messages (${health.unparsed} kept unread), ${health.errors} errors${health.lastError ? ` (last: ${health.lastError})` : ''}`,
      );
      return 0;
    });
  }
  throw new UsageError(`use: ${USAGE}`);
}

export const mailCommands: Record<string, ModuleCommand<MailParts>> = {
  mail: {
    summary: 'Mail: learn your voice from your past replies (import-reference), see the mailbox’s state',
    usage: USAGE,
    run: mailCommand,
  },
};
