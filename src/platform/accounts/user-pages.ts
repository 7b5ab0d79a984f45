// The Users page (under /users), for owners: everyone who can sign in, their role and two-factor
// state, and adding, changing, resetting (two-factor, a forgotten password) and disabling them.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AccountsParts } from './index.ts';
import type { HttpContext } from '../kit/module.ts';
import { html } from '../dashboard/html.ts';
import { csrfField, formatTime, page } from '../dashboard/layout.ts';
import { postButton, sendPage, table } from '../dashboard/components.ts';
import { formBody, optionalField } from '../dashboard/form-body.ts';
import { ROLES, actorOf, type Principal } from './roles.ts';
import { accessEndedText } from './users.ts';
import { MIN_PASSWORD_LENGTH } from './secrets.ts';
import { AppError } from '../errors.ts';

/** The forms take what a person may type or paste; the service says what is wrong with it. */
const typed = () => optionalField(2048);
const ByEmail = formBody({ email: typed() });

export function userPages(app: FastifyInstance, { users }: AccountsParts, { config }: HttpContext): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  const usersPage = async (
    principal: Principal | undefined,
    notice?: string,
    tone: 'ok' | 'bad' = 'ok',
    typed: { email?: string; role?: string } = {},
  ) => {
    const all = await users.list();
    return page(
      { title: 'Users', principal, current: '/users' },
      html`${notice ? html`<p class="notice${tone === 'bad' ? ' bad' : ''}" role="${tone === 'bad' ? 'alert' : 'status'}">${notice}</p>` : ''}
        ${table(
          ['Email', 'Role', 'Two-factor', 'Since', ''],
          all.map((user) => [
            user.email,
            html`<form method="post" action="/users/role" class="inline">
              ${csrfField(principal)}<input type="hidden" name="email" value="${user.email}" />
              <select name="role" aria-label="Role of ${user.email}">
                ${ROLES.map((role) => html`<option value="${role}"${role === user.role ? html` selected` : ''}>${role}</option>`)}
              </select>
              <button class="secondary">Change</button>
            </form>`,
            user.twoFactorEnabled
              ? html`<span class="ok">on</span>`
              : html`<span class="muted">at next login</span>`,
            formatTime(user.createdAt, config.timezone),
            html`${postButton(principal, '/users/reset-2fa', 'Reset two-factor', {
              secondary: true,
              fields: { email: user.email },
            })}
            ${postButton(principal, '/users/disable', 'Disable', { secondary: true, fields: { email: user.email } })}
            <details>
              <summary>New password</summary>
              <form method="post" action="/users/password" class="stack">
                ${csrfField(principal)}<input type="hidden" name="email" value="${user.email}" />
                <label
                  >A temporary password for ${user.email} (at least ${MIN_PASSWORD_LENGTH} characters)
                  <input name="password" type="password" minlength="${MIN_PASSWORD_LENGTH}" autocomplete="new-password" required
                /></label>
                <button>Set it</button>
              </form>
            </details>`,
          ]),
          'No users yet.',
        )}
          <section>
            <h2>Add a user</h2>
            <form method="post" action="/users" class="stack">
              ${csrfField(principal)}
              <label>Email <input name="email" type="email" value="${typed.email ?? ''}" required /></label>
              <label
                >Temporary password (at least ${MIN_PASSWORD_LENGTH} characters)
                <input name="password" type="password" minlength="${MIN_PASSWORD_LENGTH}" required
              /></label>
              <label
                >Role
                <select name="role">
                  ${[
                    ['staff', 'staff: runs the shop day to day'],
                    ['viewer', 'viewer: can look, not change'],
                    ['owner', 'owner: everything, including users and settings'],
                  ].map(
                    ([value, label]) =>
                      html`<option value="${value}"${value === typed.role ? html` selected` : ''}>${label}</option>`,
                  )}
                </select></label
              >
              <button>Add user</button>
            </form>
            <p class="muted">They set up two-factor authentication at their first login.</p>
          </section>`,
    );
  };

  api.get('', { config: { access: 'admin' }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, await usersPage(request.principal)),
  );

  api.post(
    '',
    {
      config: { access: 'admin' },
      schema: { hide: true, body: formBody({ email: typed(), password: typed(), role: typed() }) },
    },
    async (request, reply) => {
      const { email = '', password = '', role = '' } = request.body;
      try {
        await users.add({
          email,
          password,
          role,
          by: actorOf(request.principal).actorLabel,
          withTotp: false,
        });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // The form again with what was typed (not the password), and what was wrong.
        return sendPage(
          reply,
          await usersPage(request.principal, `Not added: ${error.message}`, 'bad', { email, role }),
          400,
        );
      }
      return reply.redirect('/users', 303);
    },
  );

  api.post(
    '/disable',
    { config: { access: 'admin' }, schema: { hide: true, body: ByEmail } },
    async (request, reply) => {
      await users.disable(request.body.email ?? '', actorOf(request.principal).actorLabel);
      return reply.redirect('/users', 303);
    },
  );

  api.post(
    '/role',
    {
      config: { access: 'admin' },
      schema: { hide: true, body: formBody({ email: typed(), role: typed() }) },
    },
    async (request, reply) => {
      await users.setRole(
        request.body.email ?? '',
        request.body.role ?? '',
        actorOf(request.principal).actorLabel,
      );
      return reply.redirect('/users', 303);
    },
  );

  // A forgotten password, reset by an owner (the Users page is theirs alone): every session of the
  // person ends and their API tokens are revoked; the owner gives them the new password.
  api.post(
    '/password',
    {
      config: { access: 'admin' },
      schema: { hide: true, body: formBody({ email: typed(), password: typed() }) },
    },
    async (request, reply) => {
      const email = request.body.email ?? '';
      try {
        const ended = await users.setPassword(
          email,
          request.body.password ?? '',
          actorOf(request.principal).actorLabel,
        );
        return sendPage(
          reply,
          await usersPage(
            request.principal,
            `New password set for ${email}: ${accessEndedText(ended)}. Give it to them in person or by phone; they sign in with it and their two-factor code.`,
          ),
        );
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return sendPage(
          reply,
          await usersPage(request.principal, `Not changed: ${error.message}`, 'bad'),
          400,
        );
      }
    },
  );

  api.post(
    '/reset-2fa',
    { config: { access: 'admin' }, schema: { hide: true, body: ByEmail } },
    async (request, reply) => {
      const email = request.body.email ?? '';
      const ended = await users.resetTwoFactor(email, actorOf(request.principal).actorLabel);
      return sendPage(
        reply,
        await usersPage(
          request.principal,
          `Two-factor reset for ${email}: ${accessEndedText(ended)}. They set it up again at their next login.`,
        ),
      );
    },
  );
}
