// What the AI module tells the others: a post the QA gate approved by itself.
import { Type } from 'typebox';
import { defineEvents, type PayloadsOf } from '../../platform/events/catalogue.ts';

export const aiEvents = defineEvents({
  'post.approved': {
    description: 'a post was written and approved (by the QA gate, above its threshold) and may go out',
    payload: Type.Object({
      channel: Type.String({ description: 'instagram, facebook, tiktok, linkedin, telegram, email' }),
      text: Type.String(),
      productIds: Type.Array(Type.String()),
      qaReviewId: Type.String({ format: 'uuid' }),
      approvedBy: Type.String({ description: '"qa-gate", or who approved it' }),
    }),
  },
});

declare module '../../platform/events/catalogue.ts' {
  interface EventMap extends PayloadsOf<typeof aiEvents> {}
}
