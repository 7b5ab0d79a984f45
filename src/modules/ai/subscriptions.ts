// The owner pressed Regenerate on a post: write it again with their reason as feedback.
import type { Subscription } from '../../platform/events/outbox.ts';
import type { PostWriter } from './writer.ts';
import { isChannel } from './qa/channels.ts';

export function aiSubscriptions({ writer }: { writer: PostWriter }): Subscription[] {
  return [
    {
      name: 'ai.rewrite-post',
      types: ['approval.regenerate_requested'],
      handle: async (event) => {
        const { kind, channel, productIds, reason } = event.payload as {
          kind: string;
          channel: string;
          productIds: string[];
          reason: string;
        };
        if (kind !== 'social.post' || !isChannel(channel) || !productIds[0]) return;
        await writer.draft({ channel, productId: productIds[0], feedback: reason });
      },
    },
  ];
}
