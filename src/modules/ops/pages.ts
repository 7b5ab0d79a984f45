// The start page, the operations page (jobs, dead letters, Shopify webhooks set aside, audit) and the
// pages of modules to come.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { html } from '../../platform/dashboard/html.ts';
import { NAV, formatTime, page } from '../../platform/dashboard/layout.ts';
import { postButton, sendPage, table } from '../../platform/dashboard/components.ts';

export function opsPages(app: FastifyInstance, services: Services): void {
  const { jobs, audit, config, shop } = services;

  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect('/login');
    if (principal.via.kind === 'session' && principal.via.stage === 'enrolling')
      return reply.redirect('/enrol');
    const readiness = await services.readiness();
    const dead = readiness.database ? await jobs.deadLetterCount() : 0;
    return sendPage(
      reply,
      page(
        { title: `Hello, ${principal.user.email}`, principal, current: '/' },
        html`<div class="cards">
            <div class="card">
              <h2>Database</h2>
              ${readiness.database ? html`<span class="ok">connected</span>` : html`<span class="bad">not reachable</span>`}
            </div>
            <div class="card">
              <h2>Jobs</h2>
              ${readiness.jobs ? html`<span class="ok">running</span>` : html`<span class="bad">stopped</span>`}
            </div>
            <div class="card">
              <h2>Failed jobs</h2>
              ${dead === 0 ? html`<span class="ok">none</span>` : html`<a class="bad" href="/ops">${dead} waiting for you</a>`}
            </div>
            <div class="card">
              <h2>Shop time</h2>
              ${formatTime(new Date(), config.timezone)} <span class="muted">${config.timezone}</span>
            </div>
          </div>
          <section>
            <h2>Coming to this dashboard</h2>
            <p class="muted">
              ${NAV.filter((item) => !item.ready)
                .map((item) => item.label)
                .join(' · ')}
            </p>
          </section>`,
      ),
    );
  });

  app.get('/ops', { config: { access: 'read' }, schema: { hide: true } }, async (request, reply) => {
    const principal = request.principal;
    const canWrite = principal?.scopes.has('write') ?? false;
    const canAdmin = principal?.scopes.has('admin') ?? false;
    const [counts, dead, setAside, entries] = await Promise.all([
      jobs.counts(),
      jobs.deadLetters(),
      shop.setAsideDeliveries(),
      canAdmin ? audit.recent(50) : Promise.resolve([]),
    ]);
    const when = (date: Date) => formatTime(date, config.timezone);
    return sendPage(
      reply,
      page(
        { title: 'Operations', principal, current: '/ops' },
        html`<section>
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
          <section id="set-aside">
            <h2>Shopify webhooks set aside</h2>
            <p class="muted">Deliveries that could not be applied, kept with the reason; the others carried on.</p>
            ${table(
              ['Topic', 'Delivery', 'Received', 'Reason', 'Tries', ''],
              setAside.map((delivery) => [
                delivery.topic,
                html`<code>${delivery.webhookId}</code>`,
                when(new Date(delivery.receivedAt)),
                delivery.reason,
                delivery.attempts,
                html`${canWrite ? postButton(principal, `/ops/deliveries/${encodeURIComponent(delivery.webhookId)}/retry`, 'Retry') : ''}
                ${canAdmin ? postButton(principal, `/ops/deliveries/${encodeURIComponent(delivery.webhookId)}/dismiss`, 'Dismiss', { secondary: true }) : ''}`,
              ]),
              'None: every Shopify webhook was applied.',
            )}
          </section>
          <section>
            <h2>Job queues</h2>
            ${table(
              ['Queue', 'State', 'Jobs'],
              counts.map((row) => [row.queue, row.state, row.count]),
              'No jobs yet.',
            )}
          </section>
          ${
            canAdmin
              ? html`<section>
                <h2>Audit log</h2>
                <p class="muted">Check the chain with <code>shopkeep audit verify</code>.</p>
                ${table(
                  ['#', 'When', 'Who', 'What', 'Outcome'],
                  entries.map((entry) => [
                    entry.seq,
                    when(entry.at),
                    html`${entry.actorLabel}<br /><span class="muted">${entry.ip ?? ''}</span>`,
                    html`${entry.action} <span class="muted">${entry.target ?? ''}</span>`,
                    entry.outcome,
                  ]),
                  'Nothing recorded yet.',
                )}
              </section>`
              : ''
          }`,
      ),
    );
  });

  for (const action of ['retry', 'dismiss'] as const) {
    app.post<{ Params: { id: string } }>(
      `/ops/dead-letters/:id/${action}`,
      {
        config: { access: 'write' },
        schema: {
          hide: true,
          params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
        },
      },
      async (request, reply) => {
        await jobs.resolveDeadLetter(request.params.id, action === 'retry' ? 'retried' : 'dismissed');
        return reply.redirect('/ops', 303);
      },
    );
  }

  // Retrying is staff work; giving up on a delivery is the owner's.
  for (const [action, access] of [
    ['retry', 'write'],
    ['dismiss', 'admin'],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `/ops/deliveries/:id/${action}`,
      {
        config: { access },
        schema: {
          hide: true,
          params: { type: 'object', properties: { id: { type: 'string', pattern: '^[\\w.:-]{1,200}$' } } },
        },
      },
      async (request, reply) => {
        if (action === 'retry') await shop.retryDelivery(request.params.id);
        else await shop.dismissDelivery(request.params.id);
        return reply.redirect('/ops#set-aside', 303);
      },
    );
  }

  for (const item of NAV.filter((entry) => !entry.ready)) {
    app.get(item.href, { config: { access: 'read' }, schema: { hide: true } }, async (request, reply) =>
      sendPage(
        reply,
        page(
          { title: item.label, principal: request.principal, current: item.href },
          html`<p class="notice">${item.label} arrives with its module in a coming release.</p>`,
        ),
      ),
    );
  }
}
