// `shopkeep social …`: plan the coming days now, list posts by state, and retry, publish or cancel
// one by the first characters of its id.
import { options, print, UsageError } from '../../platform/cli/args.ts';
import { progress } from '../../platform/cli/io.ts';
import type { ModuleCommand, ModuleCommandContext } from '../../platform/kit/module.ts';
import type { SocialParts } from './index.ts';
import { STATUSES, type Post, type PostStatus } from './posts.ts';

const USAGE =
  'shopkeep social plan [--days N] [--json]\n  shopkeep social posts [--status S] [--json]\n  shopkeep social retry|publish-now|cancel ID';

const line = (post: Post) =>
  `${post.id.slice(0, 8)}  ${post.publishAt.toISOString().slice(0, 16).replace('T', ' ')}Z  ${post.channel} ${post.format}  ${post.status}${post.error ? `  (${post.error})` : ''}`;

async function socialCommand(context: ModuleCommandContext<SocialParts>): Promise<number> {
  const [action, ...rest] = context.args;
  const { values, positionals } = options(rest, {
    days: { type: 'string' },
    status: { type: 'string' },
    json: { type: 'boolean' },
  });
  const json = Boolean(values.json);
  if (action === 'plan') {
    const days = Number(values.days ?? 7);
    if (!Number.isInteger(days) || days < 1 || days > 31)
      throw new UsageError('--days is a whole number from 1 to 31');
    return context.open(
      async ({ social }) => {
        progress(`planning the next ${days} days`);
        const summary = await social.content.plan(days);
        print(
          json,
          summary,
          summary.planned
            ? `Planned ${summary.planned} posts (${summary.stories} stories); ${summary.toWrite} go to the writer now.`
            : social.connections.connected().length
              ? 'Every slot was planned already (or the catalog has nothing to promote yet).'
              : 'No social account is connected: connect one on Settings first.',
        );
        return 0;
      },
      { queue: true },
    );
  }
  if (action === 'posts') {
    const status = values.status;
    if (status && !(STATUSES as readonly string[]).includes(status))
      throw new UsageError(`--status is one of ${STATUSES.join(', ')}`);
    return context.open(async ({ social }) => {
      const posts = await social.store.list({
        ...(status ? { status: status as PostStatus } : {}),
        limit: 500,
      });
      print(json, { posts }, posts.length ? posts.map(line).join('\n') : 'No posts.');
      return 0;
    });
  }
  if (action === 'retry' || action === 'publish-now' || action === 'cancel') {
    const [prefix] = positionals;
    if (!prefix)
      throw new UsageError(`social ${action} needs the post's id (its first 8 characters will do)`);
    return context.open(
      async ({ social }) => {
        const post = await social.store.byPrefix(prefix);
        const done =
          action === 'retry'
            ? await social.content.retry(post.id)
            : action === 'publish-now'
              ? await social.content.publishNow(post.id)
              : await social.content.cancel(post.id);
        print(
          json,
          { post: done },
          `${line(done)}\n${action === 'cancel' ? 'Cancelled.' : 'Queued: a running shopkeep sends it now (the platform is checked first, so it never goes twice).'}`,
        );
        return 0;
      },
      { queue: true },
    );
  }
  throw new UsageError(`use: ${USAGE}`);
}

export const socialCommands: Record<string, ModuleCommand<SocialParts>> = {
  social: {
    summary: 'Social posts: plan the coming days now, list posts by state, retry, publish now or cancel one',
    usage: USAGE,
    run: socialCommand,
  },
};
