// The alerts API and the operations page's alerts section: what is wrong now, what was lately, and
// maintenance windows (start one before pulling a disk; alerts wait until it ends).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoContent, Nullable, responses, Timestamp } from '../../../platform/http/schemas.ts';
import { html } from '../../../platform/dashboard/html.ts';
import { csrfField, formatTime } from '../../../platform/dashboard/layout.ts';
import { backWithNotice, postButton, table } from '../../../platform/dashboard/components.ts';
import { formBody } from '../../../platform/dashboard/form-body.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Panel } from '../../../platform/kit/module.ts';
import type { OpsParts } from '../index.ts';

const Alert = Type.Object({
  id: Type.Integer(),
  rule: Type.String({ description: "the rule that found it: 'disk', 'temperature', 'dead-letters', …" }),
  priority: Type.Enum(['info', 'warning', 'critical']),
  title: Type.String(),
  body: Type.String({ description: 'what is wrong and what to do' }),
  openedAt: Timestamp(),
  notifiedAt: Nullable(Timestamp('null while a maintenance window held it back')),
  escalatedAt: Nullable(Timestamp('when a warning left open was sent again as critical')),
  clearSince: Nullable(Timestamp('found right again since; resolved once it stays so for 3 minutes')),
  resolvedAt: Nullable(Timestamp('null while it lasts')),
});

const Window = Type.Object({
  id: Type.Integer(),
  startsAt: Timestamp(),
  endsAt: Timestamp(),
  reason: Type.String(),
  createdBy: Type.String(),
});

const StartWindow = Type.Object(
  {
    minutes: Type.Integer({ minimum: 1, maximum: 10080, description: 'how long, from now' }),
    reason: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const who = (request: FastifyRequest) => request.principal?.user.email ?? 'unknown';

export function alertRoutes(app: FastifyInstance, ops: OpsParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { alerts } = ops;

  api.get(
    '/alerts',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ops'],
        summary: "shopkeep's own alerts: open ones, the latest, and the maintenance window in force",
        response: responses({
          200: Type.Object({
            open: Type.Array(Alert),
            recent: Type.Array(Alert, { description: 'the latest 20, open or resolved' }),
            maintenance: Nullable(Window),
          }),
        }),
      },
    },
    async () => ({
      open: await alerts.open(),
      recent: await alerts.recent(),
      maintenance: (await alerts.maintenance()) ?? null,
    }),
  );

  api.post(
    '/maintenance',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'Start a maintenance window: alerts are kept but not sent until it ends',
        body: StartWindow,
        response: responses({ 201: Window }),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await alerts.startMaintenance(request.body.minutes, request.body.reason, who(request))),
  );

  api.delete(
    '/maintenance',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'End the maintenance window in force (alerts still open are sent at the next round)',
        response: responses({ 204: NoContent }),
      },
    },
    async (_request, reply) => {
      await alerts.endMaintenance();
      return reply.code(204).send(null);
    },
  );
}

/** The page's forms: start and end a window, then back to the section with what happened. */
export function maintenancePages(app: FastifyInstance, ops: OpsParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/start',
    {
      config: { access: 'admin' },
      schema: {
        hide: true,
        body: formBody({ minutes: Type.String({ maxLength: 6 }), reason: Type.String({ maxLength: 200 }) }),
      },
    },
    async (request, reply) => {
      try {
        const window = await ops.alerts.startMaintenance(
          Number(request.body.minutes),
          request.body.reason,
          who(request),
        );
        return backWithNotice(
          reply,
          '/ops',
          `Maintenance until ${formatTime(window.endsAt, ops.timezone)}: alerts wait.`,
        );
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return backWithNotice(reply, '/ops', error.message, { problem: true });
      }
    },
  );
  api.post(
    '/end',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody({}) } },
    async (_request, reply) => {
      await ops.alerts.endMaintenance().catch(() => undefined);
      return backWithNotice(reply, '/ops', 'Maintenance ended: alerts are sent again.');
    },
  );
}

export function alertPanel(ops: OpsParts): Panel {
  const when = (date: Date) => formatTime(date, ops.timezone);
  return {
    page: 'operations',
    id: 'alerts',
    async render(request) {
      const principal = request.principal;
      const [open, window] = await Promise.all([ops.alerts.open(), ops.alerts.maintenance()]);
      const admin = principal?.scopes.has('admin') ?? false;
      return html`<section id="alerts">
        <h2>Alerts</h2>
        ${table(
          ['Since', 'What', ''],
          open.map((alert) => [
            when(alert.openedAt),
            html`<strong class="${alert.priority === 'info' ? '' : 'bad'}">${alert.title}</strong><br /><span class="muted">${alert.body}</span>`,
            alert.priority,
          ]),
          'Nothing is wrong right now.',
        )}
        ${
          window
            ? html`<p class="bad">Maintenance until ${when(window.endsAt)} (${window.reason}, by ${window.createdBy}): alerts are kept, not sent.</p>
              ${admin ? postButton(principal, '/ops/maintenance/end', 'End maintenance now', { secondary: true }) : ''}`
            : admin
              ? html`<form method="post" action="/ops/maintenance/start" class="stack">
                  ${csrfField(principal)}
                  <label>Maintenance for <input name="minutes" type="number" min="1" max="10080" value="60" required /> minutes</label>
                  <label>Why <input name="reason" required maxlength="200" placeholder="moving the Pi" /></label>
                  <button class="secondary">Hold alerts back</button>
                </form>`
              : ''
        }
      </section>`;
    },
  };
}
