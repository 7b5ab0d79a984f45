// What happens to the shop's mail, for the triage, the dashboard, Telegram and outgoing webhooks.
import { Type } from 'typebox';
import { defineEvents, type PayloadsOf } from '../../platform/events/catalogue.ts';

const message = {
  messageId: Type.Integer({ description: 'the message’s id in shopkeep (GET /api/v1/mail/messages/{id})' }),
  mailbox: Type.String(),
};

export const mailEvents = defineEvents({
  'email.received': {
    description:
      'a message arrived in the shop’s inbox and was stored (raw, whether or not it could be read)',
    payload: Type.Object({ ...message, from: Type.String(), subject: Type.String() }),
  },
  'email.classified': {
    description: 'a received message was sorted into a category, with the reason',
    payload: Type.Object({
      ...message,
      category: Type.String(),
      reason: Type.String(),
      by: Type.Enum(['rules', 'model']),
      orderName: Type.Optional(Type.String()),
    }),
  },
  'email.sent': {
    description: 'a reply went out by SMTP (and was filed in Sent)',
    payload: Type.Object({
      ...message,
      to: Type.String(),
      outgoingMessageId: Type.String(),
      automatic: Type.Boolean(),
    }),
  },
});

declare module '../../platform/events/catalogue.ts' {
  interface EventMap extends PayloadsOf<typeof mailEvents> {}
}
