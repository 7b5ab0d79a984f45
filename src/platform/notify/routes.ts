// The inbox: what shopkeep told the owner, in the API and the dashboard.
import type { FastifyInstance } from 'fastify';
import type { NotifyParts } from './index.ts';
import type { HttpContext } from '../kit/module.ts';
import { html } from '../dashboard/html.ts';
import { formatTime, page } from '../dashboard/layout.ts';
import { postButton, sendPage } from '../dashboard/components.ts';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9]{1,16}$' } },
} as const;

export function inboxRoutes(app: FastifyInstance, { notifications }: NotifyParts): void {
  app.get<{ Querystring: { unread?: 'true' | 'false' } }>(
    '/api/v1/notifications',
    {
      config: { access: 'read' },
      schema: {
        tags: ['notifications'],
        summary: 'What shopkeep told the owner (summaries, alerts), newest first; the last 100',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { unread: { type: 'string', enum: ['true', 'false'] } },
        },
      },
    },
    async (request) => ({
      notifications: await notifications.list({ unreadOnly: request.query.unread === 'true' }),
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/notifications/:id/read',
    {
      config: { access: 'read' },
      schema: { tags: ['notifications'], summary: 'Mark one as read', params: idParams },
    },
    async (request, reply) => {
      await notifications.markRead(Number(request.params.id));
      return reply.code(204).send();
    },
  );
}

export function inboxPages(
  app: FastifyInstance,
  { notifications }: NotifyParts,
  { config }: HttpContext,
): void {
  app.get('/inbox', { config: { access: 'read' }, schema: { hide: true } }, async (request, reply) => {
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

  app.post<{ Params: { id: string } }>(
    '/inbox/:id/read',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        params: idParams,
        body: { type: 'object', properties: { _csrf: { type: 'string' } }, additionalProperties: false },
      },
    },
    async (request, reply) => {
      await notifications.markRead(Number(request.params.id));
      return reply.redirect('/inbox');
    },
  );
}
