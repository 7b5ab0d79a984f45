// The email channel for alerts: warnings and critical notices go to SHOPKEEP_ALERT_EMAIL by the
// shop's own SMTP account, once per notice (a retried delivery skips an address it reached). Info
// stays in the inbox and on Telegram.
import type { Faces } from '../../platform/kit/faces.ts';
import { subscription, type Subscription } from '../../platform/events/outbox.ts';
import { compile, sendBySmtp } from './outgoing.ts';
import type { MailAccount } from './settings.ts';

export function alertEmails(
  account: MailAccount,
  to: string,
  notifications: Faces['notifications'],
  publicUrl: string,
): Subscription {
  return subscription({
    name: 'mail.alert-email',
    types: ['notification.created'],
    handle: async ({ payload }) => {
      if (payload.severity === 'info') return;
      const notice = await notifications.get(payload.noticeId);
      await notifications.deliverOnce(notice.id, 'email', to, async () => {
        const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
        const composer = new MailComposer({
          from: { address: account.address, name: 'shopkeep' },
          to,
          subject: `${notice.severity === 'critical' ? '[urgent] ' : ''}${notice.title}`,
          text: `${notice.body}\n\n—\nshopkeep: ${publicUrl}/inbox\n`,
          // Machine-made: an auto-responder must not answer it (RFC 3834).
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
          date: new Date(),
        });
        await sendBySmtp(account, to, { messageId: '', raw: await compile(composer) });
      });
    },
  });
}
