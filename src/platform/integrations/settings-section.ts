// The integrations on Settings: each with its fields (a secret only as "set", and where from), a form
// to save them, and a Test connection button that shows the result: it works, or the error kind and
// what to do. Saving tests at once, as n8n does, so a typo is found while the owner is still there.
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../modules/ops/audit-log.ts';
import { actorOf, type Principal } from '../accounts/roles.ts';
import { AppError } from '../errors.ts';
import { postButton, sendPage, table } from '../dashboard/components.ts';
import { html, type Html } from '../dashboard/html.ts';
import { csrfField } from '../dashboard/layout.ts';
import type { CredentialDefinition, CredentialRegistry, FieldState, TestOutcome } from './credentials.ts';

type Render = (principal: Principal | undefined, notice: Html) => Promise<Html>;

const params = {
  type: 'object',
  required: ['integration'],
  properties: { integration: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' } },
} as const;
const formBody = { type: 'object', additionalProperties: { type: 'string', maxLength: 8192 } } as const;

const WHAT_WENT_WRONG: Record<Exclude<TestOutcome, { ok: true }>['kind'], string> = {
  auth: 'credentials refused',
  rejected: 'request refused',
  rate_limited: 'rate limited',
  unavailable: 'not reachable',
  incomplete: 'not set up',
};

export interface IntegrationSettings {
  section(principal: Principal | undefined): Promise<Html>;
  /** The forms' routes; `render` draws the whole Settings page with a notice on top. */
  register(app: FastifyInstance, render: Render): void;
}

export function integrationSettings(registry: CredentialRegistry, audit?: AuditLog): IntegrationSettings {
  const notice = (definition: CredentialDefinition, outcome: TestOutcome, before = '') =>
    html`<p class="notice" role="status" data-testid="connection-test">
      <strong>${definition.label}:</strong> ${before}${
        outcome.ok
          ? html`<span class="ok">the connection works.</span> ${outcome.message}`
          : html`<span class="bad">${WHAT_WENT_WRONG[outcome.kind]} (${outcome.kind})</span>. ${outcome.message}`
      }
    </p>`;

  return {
    async section(principal) {
      const blocks = await Promise.all(
        registry
          .list()
          .map(async (definition) =>
            block(principal, definition, await registry.states(definition.integration)),
          ),
      );
      return html`<section id="integrations">
        <h2>Integrations</h2>
        <p class="muted">
          Typed here, credentials are sealed in the vault (AES-256-GCM) and never shown again; an environment
          variable, when set, wins. shopkeep takes saved values when it starts: restart it after a change.
          Shopify is connected on its own page.
        </p>
        ${blocks}
      </section>`;
    },

    register(app, render) {
      app.post<{ Params: { integration: string }; Body: Record<string, string | undefined> }>(
        '/settings/integrations/:integration',
        { config: { access: 'admin' }, schema: { hide: true, params, body: formBody } },
        async (request, reply) => {
          const definition = registry.definition(request.params.integration);
          let saved: string[];
          try {
            saved = await registry.save(definition.integration, request.body);
          } catch (error) {
            if (!(error instanceof AppError) || error.kind === 'not_found') throw error;
            const refused = html`<p class="notice" role="alert"><strong>${definition.label}:</strong> <span class="bad">not saved.</span> ${error.message}</p>`;
            return sendPage(
              reply,
              await render(request.principal, refused),
              error.kind === 'conflict' ? 409 : 400,
            );
          }
          if (saved.length)
            await audit?.record({
              ...actorOf(request.principal),
              ip: request.ip,
              action: 'integration.credentials_save',
              target: `integration:${definition.integration}`,
              outcome: 'ok',
              details: { fields: saved },
            });
          const outcome = await registry.test(definition.integration);
          const before = saved.length
            ? `saved ${saved.length === 1 ? 'one value' : `${saved.length} values`}; `
            : 'nothing new to save; ';
          return sendPage(reply, await render(request.principal, notice(definition, outcome, before)));
        },
      );

      app.post<{ Params: { integration: string } }>(
        '/settings/integrations/:integration/test',
        { config: { access: 'admin' }, schema: { hide: true, params } },
        async (request, reply) => {
          const definition = registry.definition(request.params.integration);
          const outcome = await registry.test(definition.integration);
          return sendPage(reply, await render(request.principal, notice(definition, outcome)));
        },
      );

      app.post<{ Params: { integration: string } }>(
        '/settings/integrations/:integration/forget',
        { config: { access: 'admin' }, schema: { hide: true, params } },
        async (request, reply) => {
          const definition = registry.definition(request.params.integration);
          await registry.forget(definition.integration);
          await audit?.record({
            ...actorOf(request.principal),
            ip: request.ip,
            action: 'integration.credentials_forget',
            target: `integration:${definition.integration}`,
            outcome: 'ok',
          });
          return reply.redirect('/settings#integrations', 303);
        },
      );
    },
  };
}

function block(
  principal: Principal | undefined,
  definition: CredentialDefinition,
  states: FieldState[],
): Html {
  const editable = states.filter((state) => state.source !== 'environment');
  const action = `/settings/integrations/${definition.integration}`;
  return html`<article id="integration-${definition.integration}">
    <h3>${definition.label}</h3>
    <p class="muted">${definition.purpose}</p>
    ${table(
      ['Field', 'Value', 'Variable'],
      states.map((state) => [state.field.label, shown(state), html`<code>${state.field.env}</code>`]),
      'No fields.',
    )}
    ${
      editable.length
        ? html`<form method="post" action="${action}" class="stack">
          ${csrfField(principal)}
          ${editable.map(
            ({ field, source }) =>
              html`<label
                >${field.label}
                <input
                  name="${field.name}"
                  type="${field.secret ? 'password' : 'text'}"
                  autocomplete="off"
                  maxlength="8192"
                  placeholder="${field.secret && source === 'stored' ? 'set; leave blank to keep it' : (field.placeholder ?? field.defaultValue ?? '')}"
              /></label>`,
          )}
          <button>Save and test</button>
        </form>`
        : ''
    }
    ${postButton(principal, `${action}/test`, 'Test connection')}
    ${
      states.some((state) => state.source === 'stored')
        ? postButton(principal, `${action}/forget`, 'Forget saved values', { secondary: true })
        : ''
    }
  </article>`;
}

/** A secret only as "set"; every value with where it comes from. */
function shown(state: FieldState): Html {
  const where = {
    environment: 'from environment',
    stored: 'saved here',
    default: 'default',
    missing: '',
  }[state.source];
  if (state.source === 'missing') return html`<span class="muted">not set</span>`;
  return state.field.secret
    ? html`set <span class="muted">(${where})</span>`
    : html`<code>${state.value ?? ''}</code> <span class="muted">(${where})</span>`;
}
