// The operations page (under /ops): the system's health, failed jobs, the sections other modules add
// (Shopify webhooks set aside, the audit log), and the job queues.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { OpsParts } from './index.ts';
import type { HttpContext } from '../../platform/kit/module.ts';
import { html } from '../../platform/dashboard/html.ts';
import { formatTime, page } from '../../platform/dashboard/layout.ts';
import { noticeLine, postButton, sendPage, table } from '../../platform/dashboard/components.ts';
import { formBody, noticeField } from '../../platform/dashboard/form-body.ts';

export function opsPages(app: FastifyInstance, ops: OpsParts, { config }: HttpContext): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { jobs } = ops;

  api.get(
    '',
    { config: { access: 'read' }, schema: { hide: true, querystring: Type.Object(noticeField) } },
    async (request, reply) => {
      const principal = request.principal;
      const canWrite = principal?.scopes.has('write') ?? false;
      const [readiness, counts, dead, panels] = await Promise.all([
        ops.readiness(),
        jobs.counts(),
        jobs.deadLetters(),
        Promise.all(ops.panels().map((panel) => panel.render(request))),
      ]);
      const when = (date: Date) => formatTime(date, config.timezone);
      return sendPage(
        reply,
        page(
          { title: 'Operations', principal, current: '/ops' },
          html`${noticeLine(request.query)}<section class="cards">
            <div class="card">
              <h2>Database</h2>
              ${readiness.database ? html`<span class="ok">connected</span>` : html`<span class="bad">not reachable</span>`}
            </div>
            <div class="card">
              <h2>Jobs</h2>
              ${readiness.jobs ? html`<span class="ok">running</span>` : html`<span class="bad">stopped</span>`}
            </div>
            <div class="card">
              <h2>Running since</h2>
              ${when(ops.startedAt)} <span class="muted">version ${ops.version}</span>
            </div>
            <div class="card">
              <h2>Shop time</h2>
              ${when(ops.now())} <span class="muted">${config.timezone}</span>
            </div>
          </section>
          <section>
            <h2>Failed jobs</h2>
            ${
              canWrite
                ? table(
                    ['Job', 'Failed', 'Error', ''],
                    dead.map((letter) => [
                      letter.queue,
                      html`${when(letter.failedAt)}<br /><span class="muted">${letter.attempts} attempts</span>`,
                      letter.error,
                      canWrite
                        ? html`${postButton(principal, `/ops/dead-letters/${letter.id}/retry`, 'Retry')}
                    ${postButton(principal, `/ops/dead-letters/${letter.id}/dismiss`, 'Dismiss', { secondary: true })}`
                        : '',
                    ]),
                    'No job has failed all its attempts.',
                  )
                : html`<p>${dead.length === 0 ? 'No job has failed all its attempts.' : `${dead.length} failed job(s); staff or an owner can see and retry them.`}</p>`
            }
          </section>
          ${panels}
          <section>
            <h2>Job queues</h2>
            ${table(
              ['Queue', 'State', 'Jobs'],
              counts.map((row) => [row.queue, row.state, row.count]),
              'No jobs yet.',
            )}
          </section>`,
        ),
      );
    },
  );

  for (const action of ['retry', 'dismiss'] as const) {
    api.post(
      `/dead-letters/:id/${action}`,
      {
        config: { access: 'write' },
        schema: {
          hide: true,
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          body: formBody({}),
        },
      },
      async (request, reply) => {
        await jobs.resolveDeadLetter(request.params.id, action === 'retry' ? 'retried' : 'dismissed');
        return reply.redirect('/ops', 303);
      },
    );
  }
}
