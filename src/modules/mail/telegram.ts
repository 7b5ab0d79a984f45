// The owner's mail on Telegram: `/mail` says how the mailbox is doing, what came in today by
// category, and which replies wait for them (each waiting reply is also a card of its own).
import type { TelegramCommand } from '../../platform/kit/module.ts';
import { instantAt, dayIn } from '../../platform/dates.ts';
import type { MailService } from './mail-service.ts';

export function mailTelegramCommands(mail: MailService): TelegramCommand[] {
  return [
    {
      name: 'mail',
      description: 'the mailbox, today’s mail and the replies that wait for you',
      answer: async () => {
        const health = await mail.health();
        if (!health)
          return 'No mailbox is connected: connect it on the dashboard, Settings → Integrations → Shop mailbox.';
        const since = instantAt(dayIn(mail.now(), mail.timezone), '00:00', mail.timezone);
        const today = await mail.countsSince(since);
        const waiting = await mail.messages.list({ limit: 10, waiting: true });
        const lines = [
          `📬 ${health.address}: ${health.connected ? 'connected' : `not connected${health.lastError ? ` (${health.lastError})` : ''}`}`,
          today.length
            ? `Today: ${today.map((c) => `${c.count} ${(c.category ?? 'being sorted').replace(/_/g, ' ')}`).join(', ')}`
            : 'Nothing came in today.',
        ];
        if (waiting.length) {
          lines.push('', `${waiting.length === 10 ? '10 or more' : waiting.length} wait for you:`);
          for (const m of waiting)
            lines.push(
              `• ${m.from}: ${m.subject.slice(0, 60)}${m.reply.reason ? ` (${m.reply.reason.split(';')[0]})` : ''}`,
            );
        } else lines.push('', 'No reply waits for you.');
        return lines.join('\n');
      },
    },
  ];
}
