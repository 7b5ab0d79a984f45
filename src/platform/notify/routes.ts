// The inbox: what shopkeep told the owner, in the API (under /api/v1/notifications) and the
// dashboard (under /inbox).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { NotifyParts } from './index.ts';
import type { HttpContext } from '../kit/module.ts';
import { NoContent, responses } from '../http/schemas.ts';
import { html } from '../dashboard/html.ts';
import { formatTime, page } from '../dashboard/layout.ts';
import { postButton, sendPage } from '../dashboard/components.ts';
import { formBody } from '../dashboard/form-body.ts';

const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,16}$' }) });

const StoredNotice = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  kind: Type.String({ description: 'what kind of notice: ledger.daily_summary, shop.webhook_set_aside, …' }),
  severity: Type.Enum(['info', 'warning']),
  title: Type.String(),
  body: Type.String({ description: 'plain text, lines separated by \\n' }),
  dedupeKey: Type.Optional(
    Type.String({ description: 'the key that keeps the same notice from being kept twice (one a day, …)' }),
  ),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'null while unread',
  }),
});

export function inboxRoutes(app: FastifyInstance, { notifications }: NotifyParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        tags: ['notifications'],
        summary: 'What shopkeep told the owner (summaries, alerts), newest first; the last 100',
        querystring: Type.Object(
          {
            unread: Type.Optional(
              Type.Enum(['true', 'false'], { description: 'true: only those not read yet' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ notifications: Type.Array(StoredNotice) }) }),
      },
    },
    async (request) => ({
      notifications: await notifications.list({ unreadOnly: request.query.unread === 'true' }),
    }),
  );

  api.post(
    '/:id/read',
    {
      config: { access: 'read' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark one as read',
        params: IdParams,
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await notifications.markRead(Number(request.params.id));
      return reply.code(204).send(null);
    },
  );
}

export function inboxPages(
  app: FastifyInstance,
  { notifications }: NotifyParts,
  { config }: HttpContext,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('', { config: { access: 'read' }, schema: { hide: true } }, async (request, reply) => {
    const notices = await notifications.list();
    return sendPage(
      reply,
      page(
        { title: 'Inbox', principal: request.principal, current: '/inbox' },
        notices.length
          ? html`${notices.map(
              (
                notice,
              ) => html`<article class="card${notice.readAt ? '' : ' unread'}" data-kind="${notice.kind}">
                <h2 class="${notice.severity === 'warning' ? 'bad' : ''}">${notice.title}</h2>
                <p class="muted">${formatTime(new Date(notice.createdAt), config.timezone)}</p>
                <pre class="notice-body">${notice.body}</pre>
                ${notice.readAt ? '' : postButton(request.principal, `/inbox/${notice.id}/read`, 'Mark as read', { secondary: true })}
              </article>`,
            )}`
          : html`<p class="muted">Nothing yet. Daily summaries and alerts about the books arrive here.</p>`,
      ),
    );
  });

  api.post(
    '/:id/read',
    { config: { access: 'read' }, schema: { hide: true, params: IdParams, body: formBody({}) } },
    async (request, reply) => {
      await notifications.markRead(Number(request.params.id));
      return reply.redirect('/inbox');
    },
  );
}
