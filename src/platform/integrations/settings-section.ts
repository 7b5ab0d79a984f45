// The integrations on Settings: each with its fields (a secret only as "set", and where from), a form
// to save them, and a Test connection button whose result comes back as the page's notice: it works,
// or the error kind and what to do. Saving tests at once, as n8n does, so a typo is found while the
// owner is still there.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AuditTrail } from '../audit/index.ts';
import { actorOf, type Principal } from '../accounts/index.ts';
import { backWithNotice, formAction, postButton, table } from '../dashboard/components.ts';
import { formBody } from '../dashboard/form-body.ts';
import { html, type Html } from '../dashboard/html.ts';
import { csrfField } from '../dashboard/layout.ts';
import type { CredentialDefinition, CredentialRegistry, FieldState, TestOutcome } from './credentials.ts';

const params = Type.Object({ integration: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }) });
/** The integration's own fields, whatever it declares; the registry checks each. */
const fields = Type.Record(Type.String(), Type.String({ maxLength: 8192 }));

const WHAT_WENT_WRONG: Record<Exclude<TestOutcome, { ok: true }>['kind'], string> = {
  auth: 'credentials refused',
  rejected: 'request refused',
  rate_limited: 'rate limited',
  unavailable: 'not reachable',
  incomplete: 'not set up',
};

export interface IntegrationSettings {
  section(principal: Principal | undefined): Promise<Html>;
  /** The forms' routes, under /settings; each sends the browser back to /settings with its notice. */
  register(app: FastifyInstance): void;
}

export function integrationSettings(registry: CredentialRegistry, audit?: AuditTrail): IntegrationSettings {
  /** What a test found, as the notice Settings shows: it works, or the kind and what to do. */
  const notice = (definition: CredentialDefinition, outcome: TestOutcome, before = '') =>
    `${definition.label}: ${before}${
      outcome.ok
        ? `the connection works. ${outcome.message}`
        : `${WHAT_WENT_WRONG[outcome.kind]} (${outcome.kind}). ${outcome.message}`
    }`;

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

    register(app) {
      const api = app.withTypeProvider<TypeBoxTypeProvider>();
      api.post(
        '/integrations/:integration',
        { config: { access: 'admin' }, schema: { hide: true, params, body: fields } },
        async (request, reply) => {
          const definition = registry.definition(request.params.integration);
          return formAction(
            reply,
            '/settings',
            async () => {
              const saved = await registry.save(definition.integration, request.body);
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
              const count = saved.length === 1 ? 'one value' : `${saved.length} values`;
              return notice(definition, outcome, saved.length ? `saved ${count}; ` : 'nothing new to save; ');
            },
            { failed: `${definition.label}: not saved` },
          );
        },
      );

      api.post(
        '/integrations/:integration/test',
        { config: { access: 'admin' }, schema: { hide: true, params, body: formBody({}) } },
        async (request, reply) => {
          const definition = registry.definition(request.params.integration);
          return backWithNotice(
            reply,
            '/settings',
            notice(definition, await registry.test(definition.integration)),
          );
        },
      );

      api.post(
        '/integrations/:integration/forget',
        { config: { access: 'admin' }, schema: { hide: true, params, body: formBody({}) } },
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
          return backWithNotice(reply, '/settings', `${definition.label}: the saved values are forgotten.`);
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
