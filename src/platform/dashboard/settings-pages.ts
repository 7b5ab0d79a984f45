// Settings: integration secrets (names only; values never leave the vault), outgoing webhooks, API tokens.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../services.ts';
import { actorOf } from '../accounts/roles.ts';
import { html, type Html } from './html.ts';
import { csrfField, formatTime, page } from './layout.ts';

type Form = Record<string, string | undefined>;
const formBody = { type: 'object', additionalProperties: { type: 'string', maxLength: 8192 } } as const;

export function settingsPages(app: FastifyInstance, { accounts, vault, webhooks, config }: Services): void {
  const send = (reply: FastifyReply, body: Html) => reply.type('text/html; charset=utf-8').send(body.value);

  const settingsPage = async (principal: Parameters<typeof page>[0]['principal'], shownOnce?: Html) => {
    const [secrets, endpoints, tokens] = await Promise.all([
      vault.list(),
      webhooks.list(),
      accounts.listTokens(),
    ]);
    return page(
      { title: 'Settings', principal, current: '/settings' },
      html`${shownOnce ?? ''}
        <section>
          <h2>Integration secrets</h2>
          <p class="muted">Stored encrypted (AES-256-GCM). Values are never shown again.</p>
          ${
            secrets.length
              ? html`<div class="scroll">
                  <table>
                    <thead>
                      <tr>
                        <th>Name</th>
                        <th>Updated</th>
                        <th></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${secrets.map(
                        (secret) =>
                          html`<tr>
                            <td><code>${secret.name}</code></td>
                            <td>${formatTime(secret.updatedAt, config.timezone)}</td>
                            <td>
                              <form method="post" action="/settings/secrets/delete" class="inline">
                                ${csrfField(principal)}<input
                                  type="hidden"
                                  name="name"
                                  value="${secret.name}"
                                /><button class="secondary">Delete</button>
                              </form>
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
              : html`<p class="muted">None yet.</p>`
          }
          <form method="post" action="/settings/secrets" class="stack">
            ${csrfField(principal)}
            <label
              >Name
              <input
                name="name"
                required
                pattern="[a-z0-9][a-z0-9_.\\-]{0,99}"
                placeholder="shopify.admin-token"
            /></label>
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
          ${
            endpoints.length
              ? html`<div class="scroll">
                  <table>
                    <thead>
                      <tr>
                        <th>URL</th>
                        <th>Events</th>
                        <th></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${endpoints.map(
                        (endpoint) =>
                          html`<tr>
                            <td><code>${endpoint.url}</code></td>
                            <td>${endpoint.eventTypes.join(', ')}</td>
                            <td>
                              <form
                                method="post"
                                action="/settings/webhooks/${endpoint.id}/delete"
                                class="inline"
                              >
                                ${csrfField(principal)}<button class="secondary">Remove</button>
                              </form>
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
              : html`<p class="muted">None yet.</p>`
          }
          <form method="post" action="/settings/webhooks" class="stack">
            ${csrfField(principal)}
            <label
              >URL <input name="url" type="url" required placeholder="http://n8n.local:5678/webhook/shopkeep"
            /></label>
            <label>Events (comma-separated, * for all) <input name="events" value="*" required /></label>
            <button>Add webhook</button>
          </form>
        </section>
        <section>
          <h2>API tokens</h2>
          ${
            tokens.length
              ? html`<div class="scroll">
                  <table>
                    <thead>
                      <tr>
                        <th>Name</th>
                        <th>Token</th>
                        <th>Scopes</th>
                        <th>Last used</th>
                        <th></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${tokens.map(
                        (token) =>
                          html`<tr>
                            <td>${token.name}<br /><span class="muted">${token.user}</span></td>
                            <td><code>${token.prefix}…</code></td>
                            <td>${token.scopes.join(', ')}</td>
                            <td>${formatTime(token.lastUsedAt, config.timezone)}</td>
                            <td>
                              <form method="post" action="/settings/tokens/${token.id}/revoke" class="inline">
                                ${csrfField(principal)}<button class="secondary">Revoke</button>
                              </form>
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
              : html`<p class="muted">None yet.</p>`
          }
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
            <button>Create token</button>
          </form>
        </section>`,
    );
  };

  const once = (label: string, value: string) =>
    html`<p class="notice" role="status">
      ${label} Copy it now; it will not be shown again:<br /><code data-testid="shown-once">${value}</code>
    </p>`;

  app.get('/settings', { config: { access: 'admin' }, schema: { hide: true } }, async (request, reply) =>
    send(reply, await settingsPage(request.principal)),
  );

  app.post<{ Body: Form }>(
    '/settings/secrets',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      await vault.set((request.body.name ?? '').trim(), request.body.value ?? '');
      return reply.redirect('/settings', 303);
    },
  );

  app.post<{ Body: Form }>(
    '/settings/secrets/delete',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      await vault.remove(request.body.name ?? '');
      return reply.redirect('/settings', 303);
    },
  );

  app.post<{ Body: Form }>(
    '/settings/webhooks',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      const events = (request.body.events ?? '')
        .split(',')
        .map((type) => type.trim())
        .filter(Boolean);
      const { secret } = await webhooks.create((request.body.url ?? '').trim(), events);
      return send(
        reply,
        await settingsPage(request.principal, once('Webhook added. Its signing secret:', secret)),
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    '/settings/webhooks/:id/delete',
    {
      config: { access: 'admin' },
      schema: {
        hide: true,
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.params.id);
      return reply.redirect('/settings', 303);
    },
  );

  app.post<{ Body: Form }>(
    '/settings/tokens',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      const principal = request.principal!;
      const scopes = (request.body.scopes ?? '').split(',').filter(Boolean);
      const { token } = await accounts.createToken(
        principal.user.email,
        request.body.name ?? '',
        scopes,
        actorOf(principal).actorLabel,
      );
      return send(reply, await settingsPage(principal, once('Token created.', token)));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/settings/tokens/:id/revoke',
    {
      config: { access: 'admin' },
      schema: {
        hide: true,
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
      },
    },
    async (request, reply) => {
      await accounts.revokeToken(request.params.id, actorOf(request.principal).actorLabel);
      return reply.redirect('/settings', 303);
    },
  );
}
