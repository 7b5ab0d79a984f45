// Social on the owner's home page: posts that need them, and what went out since they last looked.
import { html } from '../../platform/dashboard/html.ts';
import type { HomeContribution } from '../../platform/kit/module.ts';
import { plural } from '../../platform/dashboard/layout.ts';
import type { SocialService } from './social-service.ts';

export function socialHome(social: SocialService): HomeContribution {
  return {
    cards: [
      {
        id: 'social',
        position: 42,
        render: async () => {
          const counts = await social.store.counts();
          const stuck = (counts.held ?? 0) + (counts.failed ?? 0);
          const waiting = counts.drafted ?? 0;
          if (!stuck && !waiting) return undefined;
          return html`<article class="card" data-testid="home-social">
            <h2>Social</h2>
            ${stuck ? html`<p><a href="/social">${plural(stuck, 'post')} held or failed</a>: each says why.</p>` : ''}
            ${waiting ? html`<p><a href="/approvals">${plural(waiting, 'draft')} wait for your approval</a>.</p>` : ''}
          </article>`;
        },
      },
    ],
    activity: async (since) => {
      const { rows } = await social.activitySince(since);
      return rows.map((row) => ({
        text: `${plural(row.n, 'post')} went out on ${row.channel}`,
        href: '/social/analytics?days=7',
      }));
    },
  };
}
