// What the notify part tells the other parts and the outside.
import { Type } from 'typebox';
import { defineEvents, type PayloadsOf } from '../events/catalogue.ts';

export const notifyEvents = defineEvents({
  'notification.created': {
    description: 'shopkeep told the owner something (kept in the Inbox; Telegram delivers it)',
    payload: Type.Object({
      noticeId: Type.Integer(),
      kind: Type.String({
        description: 'what kind of notice: ledger.daily_summary, shop.webhook_set_aside, …',
      }),
      severity: Type.Enum(['info', 'warning', 'critical']),
      title: Type.String(),
    }),
  },
});

declare module '../events/catalogue.ts' {
  interface EventMap extends PayloadsOf<typeof notifyEvents> {}
}
