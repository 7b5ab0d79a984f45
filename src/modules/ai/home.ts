// The writer's part of the home page: the drafts waiting for the owner, each with its score, the
// score's breakdown and what must be fixed (as on the Telegram card and the Approvals page); and what
// the QA gate decided since the owner last looked.
import type { HomeContribution } from '../../platform/kit/module.ts';
import { html, type Html } from '../../platform/dashboard/html.ts';
import { plural } from '../../platform/dashboard/layout.ts';
import { reviewNote, type Approval, type Approvals } from '../approvals/index.ts';
import type { QaService } from './qa/qa-service.ts';

const SHOWN = 3;

export function aiHome(approvals: Approvals, qa: QaService): HomeContribution {
  return {
    cards: [
      {
        id: 'approvals',
        position: 40,
        render: async () => {
          const [pending, pause] = await Promise.all([approvals.list('pending'), approvals.paused()]);
          return html`<section class="card wide" data-card="approvals">
            <h2><a href="/approvals">Waiting for your approval (${String(pending.length)})</a></h2>
            ${pause.paused ? html`<p class="bad"><strong>Paused:</strong> nothing is published or sent until you resume (Approvals).</p>` : ''}
            ${pending.length ? pending.slice(0, SHOWN).map(waiting) : html`<p class="ok">Nothing to decide.</p>`}
            ${pending.length > SHOWN ? html`<p><a href="/approvals">${String(pending.length - SHOWN)} more</a></p>` : ''}
          </section>`;
        },
      },
    ],
    activity: async (since) => {
      const { autoApproved, toOwner } = await qa.decidedSince(since);
      return [
        ...(autoApproved
          ? [{ text: `${plural(autoApproved, 'post')} approved by the QA gate itself`, href: '/ai/history' }]
          : []),
        ...(toOwner
          ? [{ text: `${plural(toOwner, 'draft')} sent to you for approval`, href: '/approvals' }]
          : []),
      ];
    },
  };
}

function waiting(approval: Approval): Html {
  return html`<article class="waiting" data-testid="waiting">
    <h3><a href="${`/approvals#${approval.id}`}">${approval.title}</a></h3>
    ${reviewNote(approval)}
  </article>`;
}
