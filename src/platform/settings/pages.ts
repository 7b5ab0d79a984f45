// Settings (under /settings): integrations, integration secrets (names only; values never leave the
// vault), outgoing webhooks, API tokens.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { SettingsParts } from './index.ts';
import type { HttpContext } from '../kit/module.ts';
import { actorOf, type Principal } from '../accounts/index.ts';
import { html, type Html } from '../dashboard/html.ts';
import { csrfField, formatTime, page } from '../dashboard/layout.ts';
import { noticeLine, postButton, sendPage, table } from '../dashboard/components.ts';
import { formBody, optionalField, noticeField } from '../dashboard/form-body.ts';
import { integrationSettings } from '../integrations/settings-section.ts';

/** What a person may type or paste; the parts behind the page say what is wrong with it. */
const typed = () => optionalField(8192);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export function settingsPages(
  app: FastifyInstance,
  { tokens, secrets, webhooks, audit, credentials }: SettingsParts,
  { config }: HttpContext,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const integrations = integrationSettings(credentials(), audit);
  const settingsPage = async (principal: Principal | undefined, shownOnce?: Html) => {
    const [stored, endpoints, listed, integrationsSection] = await Promise.all([
      secrets.list(),
      webhooks.list(),
      tokens.list(),
      integrations.section(principal),
    ]);
    const when = (date: Date | null) => formatTime(date, config.timezone);
    return page(
      { title: 'Settings', principal, current: '/settings' },
      html`${shownOnce ?? ''} ${integrationsSection}
        <section>
          <h2>Integration secrets</h2>
          <p class="muted">Stored encrypted (AES-256-GCM). Values are never shown again.</p>
          ${table(
            ['Name', 'Updated', ''],
            stored.map((secret) => [
              html`<code>${secret.name}</code>`,
              when(secret.updatedAt),
              postButton(principal, '/settings/secrets/delete', 'Delete', {
                secondary: true,
                fields: { name: secret.name },
              }),
            ]),
            'None yet.',
          )}
          <form method="post" action="/settings/secrets" class="stack">
            ${csrfField(principal)}
            <label>Name <input name="name" required pattern="[a-z0-9][a-z0-9_.\\-]{0,99}" placeholder="shopify.admin-token" /></label>
            <label>Value <input name="value" type="password" required autocomplete="off" /></label>
            <button>Save secret</button>
          </form>
        </section>
        <section>
          <h2>Outgoing webhooks</h2>
          <p class="muted">
            For n8n, Node-RED or Zapier. Each delivery is signed:
            <code>X-Shopkeep-Signature: sha256=HMAC(secret, timestamp + "." + body)</code>.
          </p>
          ${table(
            ['URL', 'Events', ''],
            endpoints.map((endpoint) => [
              html`<code>${endpoint.url}</code><br />${postButton(
                principal,
                `/settings/webhooks/${endpoint.id}/private`,
                endpoint.allowPrivateTarget ? 'Refuse a private address' : 'Allow a private address',
                { secondary: true, fields: { allow: endpoint.allowPrivateTarget ? 'no' : 'yes' } },
              )}`,
              endpoint.eventTypes.join(', '),
              postButton(principal, `/settings/webhooks/${endpoint.id}/delete`, 'Remove', {
                secondary: true,
              }),
            ]),
            'None yet.',
          )}
          <form method="post" action="/settings/webhooks" class="stack">
            ${csrfField(principal)}
            <label>URL <input name="url" type="url" required placeholder="http://n8n.local:5678/webhook/shopkeep" /></label>
            <label>Events (comma-separated, * for all) <input name="events" value="*" required /></label>
            <label
              ><input name="private" type="checkbox" /> It runs on this box or my own network (n8n on the same
              Pi): allow a private address</label
            >
            <button>Add webhook</button>
          </form>
        </section>
        <section>
          <h2>API tokens</h2>
          ${table(
            ['Name', 'Token', 'Scopes', 'Last used', 'Expires', ''],
            listed.map((token) => [
              html`${token.name}<br /><span class="muted">${token.user}</span>`,
              html`<code>${token.prefix}…</code>`,
              token.scopes.join(', '),
              when(token.lastUsedAt),
              !token.expiresAt
                ? 'never'
                : token.expiresAt.getTime() <= Date.now()
                  ? html`<span class="bad">expired ${when(token.expiresAt)}</span>`
                  : when(token.expiresAt),
              postButton(principal, `/settings/tokens/${token.id}/revoke`, 'Revoke', { secondary: true }),
            ]),
            'None yet.',
          )}
          <form method="post" action="/settings/tokens" class="stack">
            ${csrfField(principal)}
            <label>Name <input name="name" required maxlength="100" placeholder="n8n" /></label>
            <label
              >Scopes
              <select name="scopes">
                <option value="read">read</option>
                <option value="read,write">read, write</option>
                <option value="metrics">metrics (Prometheus)</option>
                <option value="read,write,admin">read, write, admin</option>
              </select></label
            >
            <label
              >Expires
              <select name="expires">
                <option value="">never (until revoked)</option>
                <option value="30d">in 30 days</option>
                <option value="90d">in 90 days</option>
                <option value="365d">in a year</option>
              </select></label
            >
            <button>Create token</button>
          </form>
        </section>`,
    );
  };

  const once = (label: string, value: string) =>
    html`<p class="notice" role="status">
      ${label} Copy it now; it will not be shown again:<br /><code data-testid="shown-once">${value}</code>
    </p>`;

  api.get(
    '',
    {
      config: { access: 'admin' },
      schema: {
        hide: true,
        querystring: Type.Object(noticeField),
      },
    },
    async (request, reply) => {
      const shown = request.query.notice || request.query.problem ? noticeLine(request.query) : undefined;
      return sendPage(reply, await settingsPage(request.principal, shown));
    },
  );
  integrations.register(app);

  api.post(
    '/secrets',
    {
      config: { access: 'admin' },
      schema: { hide: true, body: formBody({ name: typed(), value: typed() }) },
    },
    async (request, reply) => {
      await secrets.setIntegration((request.body.name ?? '').trim(), request.body.value ?? '');
      return reply.redirect('/settings', 303);
    },
  );

  api.post(
    '/secrets/delete',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody({ name: typed() }) } },
    async (request, reply) => {
      await secrets.removeIntegration(request.body.name ?? '');
      return reply.redirect('/settings', 303);
    },
  );

  api.post(
    '/webhooks',
    {
      config: { access: 'admin' },
      schema: { hide: true, body: formBody({ url: typed(), events: typed(), private: typed() }) },
    },
    async (request, reply) => {
      const events = (request.body.events ?? '')
        .split(',')
        .map((type) => type.trim())
        .filter(Boolean);
      const { secret } = await webhooks.create({
        url: (request.body.url ?? '').trim(),
        eventTypes: events,
        allowPrivateTarget: request.body.private === 'on',
      });
      return sendPage(
        reply,
        await settingsPage(request.principal, once('Webhook added. Its signing secret:', secret)),
      );
    },
  );

  api.post(
    '/webhooks/:id/private',
    {
      config: { access: 'admin' },
      schema: { hide: true, params: IdParams, body: formBody({ allow: typed() }) },
    },
    async (request, reply) => {
      await webhooks.allowPrivateTarget(request.params.id, request.body.allow === 'yes');
      return reply.redirect('/settings', 303);
    },
  );

  api.post(
    '/webhooks/:id/delete',
    { config: { access: 'admin' }, schema: { hide: true, params: IdParams, body: formBody({}) } },
    async (request, reply) => {
      await webhooks.remove(request.params.id);
      return reply.redirect('/settings', 303);
    },
  );

  api.post(
    '/tokens',
    {
      config: { access: 'admin' },
      schema: { hide: true, body: formBody({ name: typed(), scopes: typed(), expires: typed() }) },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const scopes = (request.body.scopes ?? '').split(',').filter(Boolean);
      const { token } = await tokens.create({
        email: principal.user.email,
        name: request.body.name ?? '',
        scopes,
        by: actorOf(principal).actorLabel,
        expires: request.body.expires,
      });
      return sendPage(reply, await settingsPage(principal, once('Token created.', token)));
    },
  );

  api.post(
    '/tokens/:id/revoke',
    { config: { access: 'admin' }, schema: { hide: true, params: IdParams, body: formBody({}) } },
    async (request, reply) => {
      await tokens.revoke(request.params.id, actorOf(request.principal).actorLabel);
      return reply.redirect('/settings', 303);
    },
  );
}
