// The Users and Settings pages as a browser uses them: every form is read from the page (its action,
// its hidden fields, the names of what the owner fills in) and posted as the page made it, so a
// form and the schema of the route it posts to cannot drift apart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { accountsOf } from '../support/accounts.ts';

let server: TestServer;
let owner: LoggedIn;

before(async () => {
  server = await startTestServer();
  owner = await loginAs(server, 'owner');
});
after(() => server.close());

interface PageForm {
  action: string;
  /** Every field the form sends: hidden ones with their values, the others empty until filled in. */
  fields: Record<string, string>;
}

async function formsOn(url: string): Promise<PageForm[]> {
  const page = await server.app.inject({ url, headers: { cookie: owner.cookie } });
  assert.equal(page.statusCode, 200, url);
  return [...page.body.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].map(
    ([, action, inside]) => ({
      action: action!,
      fields: Object.fromEntries(
        [...inside!.matchAll(/<(?:input|select)\b([^>]*)>/g)].flatMap(([, attributes]) => {
          const name = /name="([^"]+)"/.exec(attributes!)?.[1];
          if (!name) return [];
          const value = /value="([^"]*)"/.exec(attributes!)?.[1] ?? '';
          return [[name, value.replace(/&amp;/g, '&')]];
        }),
      ),
    }),
  );
}

/** The one form on the page posting to `action` (and, when given, naming `field` with `value`). */
async function formOn(url: string, action: string, field?: [string, string]): Promise<PageForm> {
  const forms = (await formsOn(url)).filter(
    (form) => form.action === action && (!field || form.fields[field[0]] === field[1]),
  );
  assert.equal(forms.length, 1, `one form posting to ${action} on ${url}: ${JSON.stringify(forms)}`);
  return forms[0]!;
}

/** Posts the form as the browser would, with what the owner typed in its visible fields. */
function submit(form: PageForm, typed: Record<string, string> = {}) {
  for (const name of Object.keys(typed))
    assert.ok(name in form.fields, `the form posting to ${form.action} has no field ${name}`);
  return server.app.inject({
    method: 'POST',
    url: form.action,
    headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...form.fields, ...typed }).toString(),
  });
}

const users = () => accountsOf(server).users.list();

test('Users: an owner adds a user, changes their role, resets their two-factor and disables them', async () => {
  // A password too short: the form comes back saying so, with the email and role kept (not the password).
  const short = await submit(await formOn('/users', '/users'), {
    email: 'Lea@Salon.example',
    password: 'short',
    role: 'viewer',
  });
  assert.equal(short.statusCode, 400);
  assert.match(short.body, /<p class="notice bad" role="alert">Not added: /);
  assert.match(short.body, /name="email" type="email" value="Lea@Salon.example"/);
  assert.match(short.body, /<option value="viewer" selected>/);
  assert.doesNotMatch(short.body, /value="short"/);
  const added = await submit(await formOn('/users', '/users'), {
    email: 'Lea@Salon.example',
    password: 'a temporary long password',
    role: 'staff',
  });
  assert.equal(added.statusCode, 303, added.body.slice(0, 300));
  const lea = (await users()).find((user) => user.email === 'lea@salon.example');
  assert.equal(lea?.role, 'staff');
  assert.equal(lea?.twoFactorEnabled, false, 'she enrols at her first login');

  const role = await formOn('/users', '/users/role', ['email', 'lea@salon.example']);
  assert.equal((await submit(role, { role: 'viewer' })).statusCode, 303);
  assert.equal((await users()).find((user) => user.email === 'lea@salon.example')?.role, 'viewer');

  const reset = await submit(await formOn('/users', '/users/reset-2fa', ['email', 'lea@salon.example']));
  assert.equal(reset.statusCode, 200);
  assert.match(reset.body, /Two-factor reset for lea@salon\.example: 0 sessions ended, 0 API tokens revoked/);

  const disabled = await submit(await formOn('/users', '/users/disable', ['email', 'lea@salon.example']));
  assert.equal(disabled.statusCode, 303);
  assert.ok(!(await users()).some((user) => user.email === 'lea@salon.example'), 'no longer listed');
});

test('Settings: a secret is stored by name and deleted; its value never shows', async () => {
  const saved = await submit(await formOn('/settings', '/settings/secrets'), {
    name: 'courier.api-key',
    value: 'ck_live_do_not_show',
  });
  assert.equal(saved.statusCode, 303);
  const page = await server.app.inject({ url: '/settings', headers: { cookie: owner.cookie } });
  assert.match(page.body, /courier\.api-key/);
  assert.doesNotMatch(page.body, /ck_live_do_not_show/);
  assert.equal(await server.face('integrationSecrets').get('courier.api-key'), 'ck_live_do_not_show');
  const deleted = await submit(
    await formOn('/settings', '/settings/secrets/delete', ['name', 'courier.api-key']),
  );
  assert.equal(deleted.statusCode, 303);
  assert.equal(await server.face('integrationSecrets').get('courier.api-key'), undefined);
});

test('Settings: a webhook is added with its secret shown once, allowed a private address, and removed', async () => {
  const added = await submit(await formOn('/settings', '/settings/webhooks'), {
    url: 'http://127.0.0.1:5678/webhook/shopkeep',
    events: 'order.*, refund.created',
    private: 'on',
  });
  assert.equal(added.statusCode, 200, added.body.slice(0, 300));
  assert.match(added.body, /data-testid="shown-once">whsec_/);
  const [endpoint] = (await server.face('webhooks').list()).filter((each) => each.url.includes(':5678'));
  assert.deepEqual(endpoint?.eventTypes, ['order.*', 'refund.created']);
  assert.equal(endpoint?.allowPrivateTarget, true);

  const refuse = await formOn('/settings', `/settings/webhooks/${endpoint!.id}/private`);
  assert.equal(refuse.fields.allow, 'no');
  assert.equal((await submit(refuse)).statusCode, 303);
  assert.equal(
    (await server.face('webhooks').list()).find((each) => each.id === endpoint!.id)?.allowPrivateTarget,
    false,
  );
  assert.equal(
    (await submit(await formOn('/settings', `/settings/webhooks/${endpoint!.id}/delete`))).statusCode,
    303,
  );
  assert.ok(!(await server.face('webhooks').list()).some((each) => each.id === endpoint!.id));
});

test('Settings: an API token is created, shown once, and revoked', async () => {
  const created = await submit(await formOn('/settings', '/settings/tokens'), {
    name: 'label printer',
    scopes: 'read,write',
    expires: '90d',
  });
  assert.equal(created.statusCode, 200, created.body.slice(0, 300));
  const token = /data-testid="shown-once">(skt_[\w-]+)</.exec(created.body)?.[1];
  assert.ok(token, 'the token is shown once');
  const [listed] = (await server.face('apiTokens').list()).filter((each) => each.name === 'label printer');
  assert.deepEqual(listed?.scopes, ['read', 'write']);
  assert.ok(listed?.expiresAt, 'it expires');
  const revoked = await submit(await formOn('/settings', `/settings/tokens/${listed!.id}/revoke`));
  assert.equal(revoked.statusCode, 303);
  assert.equal(await accountsOf(server).tokens.resolve(token!), undefined, 'revoked');
});
