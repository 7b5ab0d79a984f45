// The approvals queue in the dashboard: the same actions as the API and the bot, the score and its
// breakdown beside each draft, the pause switch, and what other modules add (writing a post now).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApprovalsParts } from './index.ts';
import type { HttpContext } from '../../platform/kit/module.ts';
import { actorOf } from '../../platform/accounts/roles.ts';
import { html } from '../../platform/dashboard/html.ts';
import { csrfField, formatTime, page } from '../../platform/dashboard/layout.ts';
import { formAction, noticeLine, postButton, sendPage } from '../../platform/dashboard/components.ts';
import { AppError } from '../../platform/errors.ts';
import { noticeField } from '../../platform/dashboard/form-body.ts';
import { reviewNote } from './review-note.ts';

/** A form post: its fields (and the CSRF token), each a string. */
const Field = Type.String({ maxLength: 25_000 });
const DecisionForm = Type.Object(
  { text: Type.Optional(Field), reason: Type.Optional(Field) },
  { additionalProperties: Field },
);
const ButtonForm = Type.Object({}, { additionalProperties: Field });

/** What the page says after each decision. */
const DONE = {
  approve: 'Approved.',
  reject: 'Rejected.',
  edit: 'Edited and approved.',
  regenerate: 'A new version is being written.',
};

/** Under /approvals. */
export function approvalPages(
  app: FastifyInstance,
  { approvals, panels }: ApprovalsParts,
  { config }: HttpContext,
): void {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();
  pages.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: Type.Object(noticeField),
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      const canWrite = principal?.scopes.has('write') ?? false;
      const [pending, pause, extra] = await Promise.all([
        approvals.list('pending'),
        approvals.paused(),
        Promise.all(panels().map((panel) => panel.render(request))),
      ]);
      return sendPage(
        reply,
        page(
          { title: 'Approvals', principal, current: '/approvals' },
          html`${noticeLine(request.query)}
            <section>
              <p>${pause.paused ? html`<strong class="bad">Paused:</strong> nothing is published or sent until you resume.` : html`<span class="ok">Running:</span> approved content goes out.`}</p>
              ${canWrite ? postButton(principal, pause.paused ? '/approvals/resume' : '/approvals/pause', pause.paused ? 'Resume everything' : 'Pause everything', { secondary: !pause.paused }) : ''}
            </section>
            <section>
              <h2>Waiting for you (${pending.length})</h2>
              <p class="muted small">Drafts the QA gate approved by itself, and your past decisions: <a href="/ai/history">Content history</a>.</p>
              ${pending.length === 0 ? html`<p class="muted">Nothing to decide.</p>` : ''}
              ${pending.map(
                (approval) => html`<article class="card" data-testid="approval" id="${approval.id}">
                  <h3>${approval.title}</h3>
                  ${reviewNote(approval)}
                  <p class="muted small">Expires ${formatTime(approval.expiresAt, config.timezone)}</p>
                  <blockquote>${approval.text}</blockquote>
                  ${
                    canWrite
                      ? html`${postButton(principal, `/approvals/${approval.id}/approve`, 'Approve')}
                        ${postButton(principal, `/approvals/${approval.id}/reject`, 'Reject', { secondary: true })}
                        <details><summary>Edit</summary>
                          <form method="post" action="/approvals/${approval.id}/edit" class="stack">${csrfField(principal)}
                            <label>New text <textarea name="text" rows="5" required>${approval.text}</textarea></label><button>Save and approve</button>
                          </form></details>
                        <details><summary>Regenerate</summary>
                          <form method="post" action="/approvals/${approval.id}/regenerate" class="stack">${csrfField(principal)}
                            <label>What should change? <input name="reason" required maxlength="1000" /></label><button>Write it again</button>
                          </form></details>`
                      : ''
                  }
                </article>`,
              )}
            </section>
            ${extra}`,
        ),
      );
    },
  );

  for (const action of ['approve', 'reject', 'edit', 'regenerate'] as const) {
    pages.post(
      `/:id/${action}`,
      {
        config: { access: 'write' },
        schema: {
          hide: true,
          body: DecisionForm,
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        },
      },
      async (request, reply) => {
        const { actor, actorLabel } = actorOf(request.principal);
        return formAction(
          reply,
          '/approvals',
          async () => {
            await approvals.decide(
              request.params.id,
              { action, text: request.body.text, reason: request.body.reason },
              { actor, label: actorLabel, ip: request.ip },
            );
            return DONE[action];
          },
          // Decided meanwhile (by the bot, another user): said on the page; anything else is an error.
          { failed: 'Not changed', shows: (error) => error instanceof AppError && error.kind === 'conflict' },
        );
      },
    );
  }

  for (const [path, paused] of [
    ['/pause', true],
    ['/resume', false],
  ] as const) {
    pages.post(
      path,
      { config: { access: 'write' }, schema: { hide: true, body: ButtonForm } },
      async (request, reply) => {
        const { actor, actorLabel } = actorOf(request.principal);
        await approvals.setPaused(paused, { actor, label: actorLabel, ip: request.ip });
        return reply.redirect('/approvals', 303);
      },
    );
  }
}
