// Mail on the owner's home page: replies that wait for them, a mailbox that stopped syncing, and
// what came in since they last looked.
import { html } from '../../platform/dashboard/html.ts';
import type { HomeContribution } from '../../platform/kit/module.ts';
import type { MailService } from './mail-service.ts';

/** A mailbox not synced for this long is worth telling the owner about. */
const STALE_MS = 30 * 60_000;

export function mailHome(mail: MailService): HomeContribution {
  return {
    cards: [
      {
        id: 'mail',
        position: 41,
        render: async () => {
          const [health, waiting] = await Promise.all([mail.health(), mail.waitingCount()]);
          const stale = health && (!health.lastSyncAt || Date.now() - health.lastSyncAt.getTime() > STALE_MS);
          if (!waiting && !stale) return undefined;
          return html`<article class="card" data-testid="home-mail">
            <h2>Mail</h2>
            ${waiting ? html`<p><a href="/mail">${waiting === 1 ? '1 reply waits' : `${waiting.toLocaleString('en-GB')} replies wait`} for you</a>.</p>` : ''}
            ${stale ? html`<p class="bad">The mailbox has not synced ${health.lastSyncAt ? 'for over 30 minutes' : 'yet'}${health.lastError ? `: ${health.lastError}` : ''}. <a href="/mail">See why</a>.</p>` : ''}
          </article>`;
        },
      },
    ],
    activity: async (since) => {
      const rows = await mail.activitySince(since);
      return rows.map((row) => ({ text: row.text, href: '/mail' }));
    },
  };
}
