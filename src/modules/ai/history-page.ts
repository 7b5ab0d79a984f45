// Content history: every draft the QA gate reviewed, newest first, with its text, score and
// breakdown, what the gate decided and what became of it (approved by the gate itself, or sent to
// the owner and approved, edited, rejected or expired).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AiParts } from './index.ts';
import type { HttpContext } from '../../platform/kit/module.ts';
import { html, type Html } from '../../platform/dashboard/html.ts';
import { formatTime, page } from '../../platform/dashboard/layout.ts';
import { sendPage } from '../../platform/dashboard/components.ts';
import { reviewNote, type Approval } from '../approvals/index.ts';

const PAGE = 30;

const DECISION: Record<string, string> = {
  auto_approve: 'Approved by the QA gate itself',
  owner_approval: 'Sent to you',
  regenerate: 'Written again (the gate asked for a better one)',
};

const OUTCOME: Record<string, string> = {
  pending: 'waiting for you',
  approved: 'approved',
  edited: 'edited and approved',
  rejected: 'rejected',
  expired: 'expired without a decision',
};

function outcome(approval: Approval | undefined): string {
  if (!approval) return '';
  const who = approval.decidedBy && approval.decidedBy !== 'expiry' ? ` by ${approval.decidedBy}` : '';
  return `: ${OUTCOME[approval.status] ?? approval.status}${approval.status === 'pending' ? '' : who}`;
}

export function historyPage(app: FastifyInstance, { qa, approvals }: AiParts, { config }: HttpContext): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/history',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: Type.Object({ before: Type.Optional(Type.String({ format: 'date-time' })) }),
      },
    },
    async (request, reply) => {
      const before = request.query.before ? new Date(request.query.before) : undefined;
      const reviews = await qa.history(PAGE + 1, before);
      const shown = reviews.slice(0, PAGE);
      const requests = await approvals.byReviews(shown.map((review) => review.id));
      const item = (review: (typeof shown)[number]): Html =>
        html`<article class="card" data-testid="draft">
          <h2>${review.channel} <span class="muted small">${formatTime(review.at, config.timezone)} · attempt ${String(review.attempt)}</span></h2>
          <blockquote class="chat-text">${review.text}</blockquote>
          ${reviewNote({
            score: review.score,
            lowConfidence: review.lowConfidence,
            review: {
              criteria: review.criteria,
              mustFix: review.findings.filter((finding) => finding.hard).map((finding) => finding.message),
            },
          })}
          <p><strong>${DECISION[review.decision] ?? review.decision}</strong>${outcome(requests.get(review.id))}</p>
        </article>`;
      const last = shown.at(-1);
      return sendPage(
        reply,
        page(
          { title: 'Content history', principal: request.principal, current: '/ai' },
          html`<p class="muted">Every draft the QA gate reviewed, newest first: those it approved by itself, and those it sent to you with what you decided.</p>
            ${shown.length ? shown.map(item) : html`<p class="muted">No drafts yet. Write a post under Approvals.</p>`}
            ${reviews.length > PAGE && last ? html`<p><a href="${`/ai/history?before=${encodeURIComponent(last.at.toISOString())}`}">Older drafts →</a></p>` : ''}`,
        ),
      );
    },
  );
}
