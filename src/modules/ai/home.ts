// The writer's part of the home page: the drafts waiting for the owner, each with its score, the
// score's breakdown and what must be fixed (as on the Telegram card); and what the QA gate decided
// since the owner last looked.
import type { HomeContribution } from '../../platform/kit/module.ts';
import { html, type Html } from '../../platform/dashboard/html.ts';
import { plural } from '../../platform/dashboard/layout.ts';
import type { Approval, Approvals } from '../approvals/index.ts';
import type { QaService } from './qa/qa-service.ts';
import type { ReviewSummary } from './face.ts';

const SHOWN = 3;

export function aiHome(approvals: Approvals, qa: QaService): HomeContribution {
  return {
    cards: [
      {
        id: 'approvals',
        position: 40,
        render: async () => {
          const pending = await approvals.list('pending');
          const shown = await Promise.all(
            pending.slice(0, SHOWN).map(async (approval) => ({
              approval,
              review: approval.qaReviewId ? await qa.summary(approval.qaReviewId) : undefined,
            })),
          );
          return html`<section class="card wide" data-card="approvals">
            <h2><a href="/approvals">Waiting for your approval (${String(pending.length)})</a></h2>
            ${pending.length ? shown.map(({ approval, review }) => waiting(approval, review)) : html`<p class="ok">Nothing to decide.</p>`}
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

/** One draft as the home page lists it: what, its score, the breakdown and the must-fix findings. */
export function reviewBreakdown(approval: Approval, review: ReviewSummary | undefined): Html {
  return html`<p class="muted small">Score ${approval.score === null ? '—' : `${approval.score}/100`}${approval.lowConfidence ? html` · <strong class="bad">low confidence</strong>` : ''}${
    review?.criteria.length
      ? ` · ${review.criteria.map((criterion) => `${criterion.name.replace(/_/g, ' ')} ${criterion.score}`).join(' · ')}`
      : ''
  }</p>
  ${review?.hardFails.length ? html`<ul class="must-fix">${review.hardFails.map((fail) => html`<li><strong>Must fix:</strong> ${fail}</li>`)}</ul>` : ''}`;
}

function waiting(approval: Approval, review: ReviewSummary | undefined): Html {
  return html`<article class="waiting" data-testid="waiting">
    <h3><a href="${`/approvals#${approval.id}`}">${approval.title}</a></h3>
    ${reviewBreakdown(approval, review)}
  </article>`;
}
