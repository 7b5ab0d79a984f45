// What happens to approval requests, for the bot, the writer and outgoing webhooks.
import { Type } from 'typebox';
import { defineEvents, type PayloadsOf } from '../../platform/events/catalogue.ts';

const request = {
  approvalId: Type.String({ format: 'uuid' }),
  kind: Type.String({ description: 'what is to be approved: social.post, mail.reply, …' }),
  channel: Type.String({ description: 'where it goes: instagram, email, …' }),
};

export const approvalEvents = defineEvents({
  'approval.requested': {
    description: 'a draft waits for the owner’s decision',
    payload: Type.Object(request),
  },
  'approval.decided': {
    description: 'the owner approved, edited, rejected or asked for a new version of a draft',
    payload: Type.Object({
      ...request,
      status: Type.Enum(['pending', 'approved', 'edited', 'rejected', 'expired']),
      action: Type.Enum(['approve', 'edit', 'reject', 'regenerate']),
    }),
  },
  'approval.regenerate_requested': {
    description: 'the owner asked for a draft to be written again, saying why',
    payload: Type.Object({
      ...request,
      productIds: Type.Array(Type.String()),
      reason: Type.String(),
    }),
  },
  'approval.expired': {
    description: 'nobody decided on a draft in time',
    payload: Type.Object({
      ...request,
      onExpiry: Type.Enum(['skip', 'evergreen']),
    }),
  },
  'operations.paused': {
    description: 'the owner paused everything: nothing is published or sent',
    payload: Type.Object({ by: Type.String() }),
  },
  'operations.resumed': {
    description: 'the owner resumed after a pause',
    payload: Type.Object({ by: Type.String() }),
  },
});

declare module '../../platform/events/catalogue.ts' {
  interface EventMap extends PayloadsOf<typeof approvalEvents> {}
}
