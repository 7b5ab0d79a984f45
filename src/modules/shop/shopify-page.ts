// The Shopify page, under /shop: the connection (and the form to make it), the sync's health, what
// webhooks missed, how many deliveries were set aside, and the buttons for the owner's actions.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { HttpContext } from '../../platform/kit/module.ts';
import { html } from '../../platform/dashboard/html.ts';
import { csrfField, page } from '../../platform/dashboard/layout.ts';
import { formAction, noticeLine, postButton, sendPage } from '../../platform/dashboard/components.ts';
import type { ShopParts } from './index.ts';
import { explainShopify } from './client.ts';
import type { RunSummary } from './sync-runs.ts';
import { time } from './page-parts.ts';
import { noticeField } from '../../platform/dashboard/form-body.ts';

/** A button's form: the CSRF token, nothing else that counts. */
const ButtonForm = Type.Object({}, { additionalProperties: Type.String({ maxLength: 1000 }) });
const ConnectForm = Type.Object(
  {
    _csrf: Type.Optional(Type.String()),
    shop: Type.String({ minLength: 4, maxLength: 255 }),
    adminToken: Type.String({ minLength: 8, maxLength: 500 }),
    apiSecret: Type.String({ minLength: 8, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export function shopifyPage(app: FastifyInstance, { shop }: ShopParts, { config }: HttpContext): void {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();
  const zone = config.timezone;

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
      const isAdmin = principal?.scopes.has('admin') ?? false;
      const status = await shop.status();
      const counted = (summary: RunSummary) =>
        Object.entries((summary.progress.counts as Record<string, number> | undefined) ?? {})
          .map(([step, n]) => `${n.toLocaleString('en-GB')} ${step}`)
          .join(' · ');
      const run = (label: string, summary: RunSummary | null) =>
        summary
          ? html`<li>${label}: <strong>${summary.status}</strong>${summary.step && summary.status === 'running' ? ` (${summary.step})` : ''}, started ${time(summary.startedAt, zone)}${summary.finishedAt ? `, finished ${time(summary.finishedAt, zone)}` : ''}${summary.error ? html` · <span class="bad">${summary.error}</span>` : ''}${counted(summary) ? html`<br /><span class="muted">${counted(summary)}</span>` : ''}</li>`
          : html`<li>${label}: never</li>`;
      // While an import or reconciliation runs, the section refreshes itself every few seconds.
      const busy = status.lastImport?.status === 'running' || status.lastReconciliation?.status === 'running';
      return sendPage(
        reply,
        page(
          { title: 'Shopify', principal, current: '/shop' },
          html`${noticeLine(request.query)}
            <section>
              <h2>Connection</h2>
              <p>${status.connected ? html`<span class="ok">Connected</span> to <strong>${status.shop}</strong> (${status.from === 'environment' ? 'set by SHOPIFY_* variables' : 'entered here'}).` : html`<strong class="bad">Not connected.</strong>`}</p>
              ${status.connected && canWrite ? postButton(principal, '/shop/test', 'Test the connection', { secondary: true }) : ''}
              ${
                isAdmin && status.from !== 'environment'
                  ? html`<details${status.connected ? '' : html` open`}><summary>${status.connected ? 'Change the connection' : 'Connect your shop'}</summary>
                    <p class="muted">In Shopify: Settings → Apps → Develop apps → create an app with read access to orders, products, inventory, customers and Shopify Payments; install it, then copy the Admin API access token and the API secret key.</p>
                    <form method="post" action="/shop/connect" class="stack">${csrfField(principal)}
                      <label>Shop domain <input name="shop" required placeholder="my-shop.myshopify.com" maxlength="255" /></label>
                      <label>Admin API access token <input name="adminToken" type="password" required autocomplete="off" maxlength="500" /></label>
                      <label>API secret key (signs webhooks) <input name="apiSecret" type="password" required autocomplete="off" maxlength="500" /></label>
                      <button>Check and save</button>
                    </form></details>`
                  : ''
              }
            </section>
            <section id="sync-health"${busy ? html` hx-get="/shop" hx-trigger="every 3s" hx-select="#sync-health" hx-swap="outerHTML"` : ''}>
              <h2>Sync health</h2>
              <ul data-testid="sync-health">
                <li>Last webhook: ${time(status.lastWebhookAt, zone)} · ${status.webhooks.last24h} in 24 h · ${status.webhooks.pending} waiting to be applied</li>
                ${run('Import', status.lastImport)}
                ${run('Last reconciliation', status.lastReconciliation)}
                <li>Changes webhooks missed (found by reconciliation, 7 days): <strong${status.driftLast7Days ? html` class="bad"` : ''}>${status.driftLast7Days}</strong></li>
              </ul>
              ${
                status.connected && canWrite
                  ? html`${postButton(principal, '/shop/reconcile', 'Reconcile now')}
                  ${postButton(principal, '/shop/import', 'Import everything again', { secondary: true })}
                  ${isAdmin ? postButton(principal, '/shop/webhooks', 'Register webhooks', { secondary: true }) : ''}`
                  : ''
              }
            </section>
            <section>
              <h2>Webhooks set aside</h2>
              <p>${status.webhooks.failed === 0 ? 'None: every webhook was applied.' : html`<a class="bad" href="/ops#set-aside">${status.webhooks.failed} waiting on the operations page</a>, to be tried again or dismissed.`}</p>
            </section>`,
        ),
      );
    },
  );

  // What the owner can act on, Shopify's refusals explained, goes back to the page.
  const attempt = (reply: FastifyReply, work: () => Promise<string>) =>
    formAction(reply, '/shop', () => work().catch(explainShopify), { failed: 'Not done' });

  pages.post(
    '/test',
    { config: { access: 'write' }, schema: { hide: true, body: ButtonForm } },
    async (_request, reply) =>
      attempt(reply, async () => {
        const info = await shop.connection.test();
        return `Shopify answered: ${info.name} (${info.domain}), prices in ${info.currency}.`;
      }),
  );

  pages.post(
    '/connect',
    { config: { access: 'admin' }, schema: { hide: true, body: ConnectForm } },
    async (request, reply) =>
      attempt(reply, async () => {
        const { shop: domain, adminToken, apiSecret } = request.body;
        const info = await shop.connect({ shop: domain, adminToken, apiSecret });
        return `Connected to ${info.name}. The import has started; register webhooks next.`;
      }),
  );

  for (const [path, job, done] of [
    ['/reconcile', 'reconcile', 'Reconciliation queued; this page shows the result when it is done.'],
    ['/import', 'import', 'Import queued.'],
  ] as const) {
    pages.post(
      path,
      { config: { access: 'write' }, schema: { hide: true, body: ButtonForm } },
      async (_request, reply) =>
        attempt(reply, async () => {
          await shop.queue(job);
          return done;
        }),
    );
  }

  pages.post(
    '/webhooks',
    { config: { access: 'admin' }, schema: { hide: true, body: ButtonForm } },
    async (_request, reply) =>
      attempt(reply, async () => {
        const result = await shop.syncWebhooks(config.publicUrl);
        return `Webhooks: ${result.created.length} registered, ${result.kept.length} already there, ${result.removed.length} old ones removed.`;
      }),
  );
}
