// The owner pressed Regenerate on a post: write it again with their reason as feedback.
import { subscription, type Subscription } from '../../platform/events/outbox.ts';
import type { PostWriter } from './writer.ts';
import { isChannel } from './qa/channels.ts';

export function aiSubscriptions({ writer }: { writer: PostWriter }): Subscription[] {
  return [
    subscription({
      name: 'ai.rewrite-post',
      types: ['approval.regenerate_requested'],
      handle: async ({ payload: { kind, channel, productIds, reason } }) => {
        if (kind !== 'social.post' || !isChannel(channel) || !productIds[0]) return;
        await writer.draft({ channel, productId: productIds[0], feedback: reason });
      },
    }),
  ];
}
