// The owner's social commands on Telegram: today's posts and those that need them, and retry or
// cancel a post by the first characters of its id (as the held-post notice gives them).
import type { TelegramCommand } from '../../platform/kit/module.ts';
import { AppError } from '../../platform/errors.ts';
import { addDays, dayIn, instantAt, localMinute } from '../../platform/dates.ts';
import type { SocialService } from './social-service.ts';
import { PLATFORM_LABEL } from './page-parts.ts';
import type { Post } from './posts.ts';

const line = (post: Post, timezone: string) =>
  `${localMinute(post.publishAt, timezone).slice(11)} ${PLATFORM_LABEL[post.channel]} ${post.format}: ${post.status}${post.error ? ` (${post.error})` : ''} [${post.id.slice(0, 8)}]`;

export function socialTelegramCommands(social: SocialService): TelegramCommand[] {
  const act = (verb: string, run: (post: Post) => Promise<Post>) => async (text: string) => {
    const prefix = text.trim().split(/\s+/)[1] ?? '';
    if (!prefix) return `Say which post: /${verb} 1a2b3c4d (the id the notice gave).`;
    try {
      const post = await run(await social.store.byPrefix(prefix));
      return `${PLATFORM_LABEL[post.channel]} ${post.format}: ${post.status === 'cancelled' ? 'cancelled' : 'trying again now (the platform is checked first, so it never goes twice)'}.`;
    } catch (error) {
      if (error instanceof AppError) return error.message;
      throw error;
    }
  };
  return [
    {
      name: 'posts',
      description: 'today’s posts, and those that need you',
      answer: async () => {
        const today = dayIn(social.now(), social.timezone);
        const posts = (
          await social.store.list({
            from: instantAt(today, '00:00', social.timezone),
            to: instantAt(addDays(today, 1), '00:00', social.timezone),
          })
        ).filter((post) => post.format !== 'story' || post.status === 'held' || post.status === 'failed');
        const held = [
          ...(await social.store.list({ status: 'held', limit: 10 })),
          ...(await social.store.list({ status: 'failed', limit: 10 })),
        ];
        const parts = [
          posts.length
            ? `Today:\n${posts.map((post) => line(post, social.timezone)).join('\n')}`
            : 'No posts today.',
          held.length
            ? `Need you:\n${held.map((post) => line(post, social.timezone)).join('\n')}\n/retrypost <id> or /cancelpost <id>`
            : '',
        ];
        return parts.filter(Boolean).join('\n\n');
      },
    },
    {
      name: 'retrypost',
      description: 'try a held or failed post again: /retrypost <id>',
      answer: act('retrypost', (post) => social.content.retry(post.id)),
    },
    {
      name: 'cancelpost',
      description: 'cancel a post that has not gone out: /cancelpost <id>',
      answer: act('cancelpost', (post) => social.content.cancel(post.id)),
    },
  ];
}
