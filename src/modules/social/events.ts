// What the social module tells the others (and n8n through outgoing webhooks).
import { Type } from 'typebox';
import { defineEvents, type PayloadsOf } from '../../platform/events/catalogue.ts';

const post = {
  postId: Type.String({ format: 'uuid' }),
  channel: Type.String({ description: 'instagram, facebook, tiktok or linkedin' }),
  format: Type.String({ description: 'feed, carousel, story or text' }),
};

export const socialEvents = defineEvents({
  'post.scheduled': {
    description: 'a post was approved and waits for its time',
    payload: Type.Object({ ...post, publishAt: Type.String({ format: 'date-time' }) }),
  },
  'post.published': {
    description: 'a post went live on its platform (found there, not just answered)',
    payload: Type.Object({
      ...post,
      platformPostId: Type.String(),
      permalink: Type.Union([Type.String(), Type.Null()]),
      publishedAt: Type.String({ format: 'date-time' }),
    }),
  },
  'post.failed': {
    description: 'a post could not go out: held for the owner with the reason, or given up after its retries',
    payload: Type.Object({
      ...post,
      status: Type.Enum(['failed', 'held']),
      reason: Type.String(),
    }),
  },
});

declare module '../../platform/events/catalogue.ts' {
  interface EventMap extends PayloadsOf<typeof socialEvents> {}
}
