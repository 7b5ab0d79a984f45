// The inbox's part of the home page: the alerts not read yet, one line per kind.
import type { HomeContribution } from '../kit/module.ts';
import { html } from '../dashboard/html.ts';
import type { Notifications } from './notifications.ts';

const SHOWN = 4;

export function notifyHome(notifications: Notifications): HomeContribution {
  return {
    cards: [
      {
        id: 'alerts',
        position: 45,
        render: async () => {
          const groups = await notifications.groups({ severity: ['critical', 'warning'], unreadOnly: true });
          return html`<section class="card" data-card="alerts">
            <h2><a href="/inbox?severity=warning">Alerts</a></h2>
            ${
              groups.length
                ? html`<ul class="plain">
                    ${groups
                      .slice(0, SHOWN)
                      .map(
                        (group) =>
                          html`<li><a class="bad" href="${`/inbox?kind=${encodeURIComponent(group.kind)}`}">${group.latest.title}${group.unread > 1 ? `, and ${(group.unread - 1).toLocaleString('en-GB')} more like it` : ''}</a></li>`,
                      )}
                  </ul>
                  ${groups.length > SHOWN ? html`<p><a href="/inbox?severity=warning">${String(groups.length - SHOWN)} more kinds</a></p>` : ''}`
                : html`<p class="ok">No alerts waiting.</p>`
            }
          </section>`;
        },
      },
    ],
  };
}
