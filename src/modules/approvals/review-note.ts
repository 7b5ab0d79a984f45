// A draft's score as the owner reads it beside the draft, here as on the Telegram card: the score,
// each criterion's, and what must be fixed.
import { html, type Html } from '../../platform/dashboard/html.ts';
import type { Approval } from './face.ts';

export function reviewNote(approval: Pick<Approval, 'score' | 'lowConfidence' | 'review'>): Html {
  const criteria = approval.review?.criteria ?? [];
  const mustFix = approval.review?.mustFix ?? [];
  return html`<p class="muted small">Score ${approval.score === null ? '—' : `${approval.score}/100`}${approval.lowConfidence ? html` · <strong class="bad">low confidence</strong>` : ''}${
    criteria.length
      ? ` · ${criteria.map((criterion) => `${criterion.name.replace(/_/g, ' ')} ${criterion.score}`).join(' · ')}`
      : ''
  }</p>
  ${mustFix.length ? html`<ul class="must-fix">${mustFix.map((fail) => html`<li><strong>Must fix:</strong> ${fail}</li>`)}</ul>` : ''}`;
}
