// Liveness, readiness, metrics and the API description.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Kernel } from '../kit/kernel.ts';
import { responses } from './schemas.ts';
import { AppError } from '../errors.ts';
import { html } from '../dashboard/html.ts';
import { page } from '../dashboard/layout.ts';
import { sendPage } from '../dashboard/components.ts';

const Readiness = Type.Object({
  status: Type.Enum(['ready', 'not ready']),
  database: Type.Boolean({ description: 'the database answers' }),
  jobs: Type.Boolean({ description: 'the job queue runs' }),
});

export function systemRoutes(app: FastifyInstance, kernel: Kernel): void {
  const { metrics } = kernel;

  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'The process is up',
        response: responses({ 200: Type.Object({ status: Type.Literal('ok') }) }),
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'The database and the job queue are ready',
        response: responses({ 200: Readiness, 503: Readiness }),
      },
    },
    async (_request, reply) => {
      const readiness = await kernel.readiness();
      const ready = readiness.database && readiness.jobs;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', ...readiness });
    },
  );

  // Prometheus on the same box scrapes over loopback; anywhere else needs a token with the metrics scope.
  app.get(
    '/metrics',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics',
        response: responses({ 200: Type.String({ description: 'the Prometheus text format' }) }),
      },
    },
    async (request, reply) => {
      const local =
        ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(request.socket.remoteAddress ?? '') &&
        !request.headers['x-forwarded-for'];
      if (!local && !request.principal?.scopes.has('metrics')) {
        throw new AppError(
          'unauthenticated',
          'scrape /metrics from the box itself, or with an API token that has the "metrics" scope',
        );
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );

  app.get('/api/docs/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  app.get('/api/docs', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    // Tools asking for JSON get the OpenAPI document itself; people get a readable page.
    if ((request.headers.accept ?? '').includes('application/json')) return app.swagger();
    const spec = app.swagger() as {
      paths?: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
    };
    const rows = Object.entries(spec.paths ?? {}).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        summary: operation.summary ?? '',
      })),
    );
    return sendPage(
      reply,
      page(
        { title: 'shopkeep API', principal: request.principal, current: '/api/docs' },
        html`<p>
            JSON under <code>/api/v1</code>. Authenticate with
            <code>Authorization: Bearer &lt;token&gt;</code> (create one with
            <code>shopkeep token create</code>) or a dashboard session. Errors look like
            <code>{"error":{"code","message"}}</code>. The full description:
            <a href="/api/docs/openapi.json">openapi.json</a>.
          </p>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>Method</th>
                  <th>Path</th>
                  <th>What it does</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (row) =>
                    html`<tr>
                      <td>${row.method}</td>
                      <td><code>${row.path}</code></td>
                      <td>${row.summary}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`,
      ),
    );
  });
}
