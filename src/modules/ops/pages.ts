// The start page, the operations page (jobs, dead letters, audit) and the pages of modules to come.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { html, type Html } from '../../platform/dashboard/html.ts';
import { NAV, csrfField, formatTime, page } from '../../platform/dashboard/layout.ts';

export function opsPages(app: FastifyInstance, services: Services): void {
  const { jobs, audit, config } = services;
  const send = (reply: FastifyReply, body: Html) => reply.type('text/html; charset=utf-8').send(body.value);

  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect('/login');
    if (principal.via.kind === 'session' && principal.via.stage === 'enrolling')
      return reply.redirect('/enrol');
    const readiness = await services.readiness();
    const dead = readiness.database ? (await jobs.deadLetters(1000)).length : 0;
    return send(
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
    const [counts, dead, entries] = await Promise.all([
      jobs.counts(),
      jobs.deadLetters(),
      principal?.scopes.has('admin') ? audit.recent(50) : Promise.resolve([]),
    ]);
    return send(
      reply,
      page(
        { title: 'Operations', principal, current: '/ops' },
        html`<section>
            <h2>Failed jobs</h2>
            ${
              dead.length === 0
                ? html`<p class="ok">No job has failed all its attempts.</p>`
                : html`<div class="scroll">
                    <table>
                      <thead>
                        <tr>
                          <th>Job</th>
                          <th>Failed</th>
                          <th>Error</th>
                          <th></th>
                        </tr>
                      </thead>
                      <tbody>
                        ${dead.map(
                          (letter) =>
                            html`<tr>
                              <td>${letter.queue}</td>
                              <td>
                                ${formatTime(letter.failedAt, config.timezone)}<br /><span class="muted"
                                  >${letter.attempts} attempts</span
                                >
                              </td>
                              <td>${letter.error}</td>
                              <td>
                                ${
                                  principal?.scopes.has('write')
                                    ? html`<form
                                          method="post"
                                          action="/ops/dead-letters/${letter.id}/retry"
                                          class="inline"
                                        >
                                          ${csrfField(principal)}<button>Retry</button>
                                        </form>
                                        <form
                                          method="post"
                                          action="/ops/dead-letters/${letter.id}/dismiss"
                                          class="inline"
                                        >
                                          ${csrfField(principal)}<button class="secondary">Dismiss</button>
                                        </form>`
                                    : ''
                                }
                              </td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
            }
          </section>
          <section>
            <h2>Job queues</h2>
            ${
              counts.length === 0
                ? html`<p class="muted">No jobs yet.</p>`
                : html`<div class="scroll">
                    <table>
                      <thead>
                        <tr>
                          <th>Queue</th>
                          <th>State</th>
                          <th>Jobs</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${counts.map(
                          (row) =>
                            html`<tr>
                              <td>${row.queue}</td>
                              <td>${row.state}</td>
                              <td>${row.count}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
            }
          </section>
          ${
            principal?.scopes.has('admin')
              ? html`<section>
                  <h2>Audit log</h2>
                  <p class="muted">Check the chain with <code>shopkeep audit verify</code>.</p>
                  <div class="scroll">
                    <table>
                      <thead>
                        <tr>
                          <th>#</th>
                          <th>When</th>
                          <th>Who</th>
                          <th>What</th>
                          <th>Outcome</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${entries.map(
                          (entry) =>
                            html`<tr>
                              <td>${entry.seq}</td>
                              <td>${formatTime(entry.at, config.timezone)}</td>
                              <td>${entry.actorLabel}<br /><span class="muted">${entry.ip ?? ''}</span></td>
                              <td>${entry.action} <span class="muted">${entry.target ?? ''}</span></td>
                              <td>${entry.outcome}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>
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

  for (const item of NAV.filter((entry) => !entry.ready)) {
    app.get(item.href, { config: { access: 'read' }, schema: { hide: true } }, async (request, reply) =>
      send(
        reply,
        page(
          { title: item.label, principal: request.principal, current: item.href },
          html`<p class="notice">${item.label} arrives with its module in a coming release.</p>`,
        ),
      ),
    );
  }
}
