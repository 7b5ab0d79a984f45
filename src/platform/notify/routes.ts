// The inbox: what shopkeep told the owner, in the API (under /api/v1/notifications) and the
// dashboard (under /inbox).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { NotifyParts } from './index.ts';
import type { HttpContext } from '../kit/module.ts';
import { NoContent, responses } from '../http/schemas.ts';
import { html, type Html } from '../dashboard/html.ts';
import { formatTime, page, plural } from '../dashboard/layout.ts';
import { backWithNotice, noticeLine, postButton, sendPage } from '../dashboard/components.ts';
import { formBody, noticeField } from '../dashboard/form-body.ts';
import type { Principal } from '../accounts/roles.ts';
import type { StoredNotice } from './notifications.ts';

const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,16}$' }) });

const StoredNotice = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  kind: Type.String({ description: 'what kind of notice: ledger.daily_summary, shop.webhook_set_aside, …' }),
  severity: Type.Enum(['info', 'warning', 'critical']),
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

const PAGE = 50;

const InboxQuery = Type.Object({
  kind: Type.Optional(Type.String({ maxLength: 100, pattern: '^[a-z0-9_.]*$' })),
  severity: Type.Optional(Type.Enum(['', 'info', 'warning', 'critical'])),
  before: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$' })),
  ...noticeField,
});

/** Under /inbox: notices of a kind taken together, each kind's own list a page at a time, mark all read. */
export function inboxPages(
  app: FastifyInstance,
  { notifications }: NotifyParts,
  { config }: HttpContext,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const when = (at: string) => formatTime(new Date(at), config.timezone);

  const noticeCard = (principal: Principal | undefined, notice: StoredNotice, back: string): Html =>
    html`<article class="card${notice.readAt ? '' : ' unread'}" data-kind="${notice.kind}">
      <h2 class="${notice.severity === 'info' ? '' : 'bad'}">${notice.title}</h2>
      <p class="muted">${when(notice.createdAt)}</p>
      <pre class="notice-body">${notice.body}</pre>
      ${notice.readAt ? '' : postButton(principal, `/inbox/${notice.id}/read`, 'Mark as read', { secondary: true, fields: { back } })}
    </article>`;

  api.get(
    '',
    { config: { access: 'read' }, schema: { hide: true, querystring: InboxQuery } },
    async (request, reply) => {
      const { kind, before } = request.query;
      const severity = request.query.severity || undefined;
      const principal = request.principal;
      const here = `/inbox?${new URLSearchParams({ ...(kind ? { kind } : {}), ...(severity ? { severity } : {}) })}`;
      const shown = noticeLine(request.query);
      if (kind) {
        const notices = await notifications.list({
          kind,
          severity,
          before: before ? Number(before) : undefined,
          limit: PAGE + 1,
        });
        const more = notices.length > PAGE;
        const list = notices.slice(0, PAGE);
        return sendPage(
          reply,
          page(
            { title: 'Inbox', principal, current: '/inbox' },
            html`${shown}<p><a href="/inbox">← All notices</a></p>
              ${postButton(principal, '/inbox/read-all', 'Mark all of these as read', { secondary: true, fields: { kind, back: here } })}
              ${list.length ? list.map((each) => noticeCard(principal, each, here)) : html`<p class="muted">None.</p>`}
              ${more ? html`<p><a href="${`${here}&before=${list.at(-1)!.id}`}">Older →</a></p>` : ''}`,
          ),
        );
      }
      const groups = await notifications.groups({ severity });
      return sendPage(
        reply,
        page(
          { title: 'Inbox', principal, current: '/inbox' },
          html`${shown}<form method="get" action="/inbox" class="stack filters">
              <label>Show <select name="severity">
                ${[
                  ['', 'everything'],
                  ['critical', 'urgent alerts'],
                  ['warning', 'alerts'],
                  ['info', 'summaries and news'],
                ].map(
                  ([value, label]) =>
                    html`<option value="${value}"${value === (severity ?? '') ? html` selected` : ''}>${label}</option>`,
                )}
              </select></label>
              <button>Show</button>
            </form>
            ${groups.some((group) => group.unread) ? postButton(principal, '/inbox/read-all', 'Mark all as read', { secondary: true, fields: { back: here } }) : ''}
            ${
              groups.length
                ? groups.map((group) =>
                    group.count === 1
                      ? noticeCard(principal, group.latest, here)
                      : html`<article class="card${group.unread ? ' unread' : ''}" data-kind="${group.kind}">
                          <h2 class="${group.severity === 'info' ? '' : 'bad'}">${group.latest.title}</h2>
                          <p class="muted">The latest of ${group.count.toLocaleString('en-GB')} like this, from ${when(group.firstAt)} to ${when(group.latest.createdAt)}${group.unread ? `, ${group.unread.toLocaleString('en-GB')} unread` : ''}</p>
                          <details><summary>The latest</summary><pre class="notice-body">${group.latest.body}</pre></details>
                          <p><a href="${`/inbox?kind=${encodeURIComponent(group.kind)}`}">See all ${group.count.toLocaleString('en-GB')}</a></p>
                        </article>`,
                  )
                : html`<p class="muted">Nothing yet. Daily summaries and alerts arrive here.</p>`
            }`,
        ),
      );
    },
  );

  /** Where the form came from: the page to go back to. */
  const Back = Type.String({ maxLength: 300, pattern: '^/inbox' });

  api.post(
    '/:id/read',
    {
      config: { access: 'read' },
      schema: { hide: true, params: IdParams, body: formBody({ back: Type.Optional(Back) }) },
    },
    async (request, reply) => {
      await notifications.markRead(Number(request.params.id));
      return reply.redirect(request.body.back ?? '/inbox', 303);
    },
  );

  api.post(
    '/read-all',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        body: formBody({ kind: Type.Optional(Type.String({ maxLength: 100 })), back: Back }),
      },
    },
    async (request, reply) => {
      const marked = await notifications.markAllRead(request.body.kind || undefined);
      return backWithNotice(reply, request.body.back, `${plural(marked, 'notice')} marked as read.`);
    },
  );
}
