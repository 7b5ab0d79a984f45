// Dashboard pages for signing in: the owner's first setup, two-factor enrolment, login, logout, the
// one-time unlock link, users.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountsParts } from './index.ts';
import type { HttpContext } from '../kit/module.ts';
import QRCode from 'qrcode';
import { AppError, STATUS_BY_KIND, type ErrorKind } from '../errors.ts';
import { html, trusted } from '../dashboard/html.ts';
import { csrfField, formatTime, page } from '../dashboard/layout.ts';
import { postButton, sendPage, table } from '../dashboard/components.ts';
import { clearSessionCookie, setSessionCookie } from '../http/auth.ts';
import { ROLES, actorOf, type Principal } from './roles.ts';
import { accessEndedText } from './account-service.ts';
import { otpauthUri } from './totp.ts';
import { MIN_PASSWORD_LENGTH } from './secrets.ts';

type Form = Record<string, string | undefined>;
const formBody = { type: 'object', additionalProperties: { type: 'string', maxLength: 2048 } } as const;
/** What a refused login is shown on the form again for, with its reason. */
const LOGIN_REFUSALS: ErrorKind[] = ['invalid_request', 'unauthenticated', 'rate_limited'];

export function accountPages(
  app: FastifyInstance,
  { accounts }: AccountsParts,
  { config }: HttpContext,
): void {
  const secure = config.publicUrl.startsWith('https://');
  const maxAge = config.sessionAbsoluteHours * 3600;

  const loginForm = (error?: string, email = '') =>
    page(
      { title: 'Log in' },
      html`${error ? html`<p class="notice bad" role="alert">${error}</p>` : ''}
        <form method="post" action="/login" class="stack">
          <label
            >Email <input name="email" type="email" autocomplete="username" required value="${email}"
          /></label>
          <label
            >Password <input name="password" type="password" autocomplete="current-password" required
          /></label>
          <label
            >Code from your authenticator app
            <input
              name="totp"
              inputmode="numeric"
              autocomplete="one-time-code"
              placeholder="123456 or a recovery code"
          /></label>
          <button>Log in</button>
        </form>`,
    );

  app.get('/login', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (request.principal?.via.kind === 'session' && request.principal.via.stage === 'active')
      return reply.redirect('/');
    if (!(await accounts.hasOwner())) {
      return sendPage(
        reply,
        page(
          { title: 'Welcome to shopkeep' },
          html`<p class="notice">
            No owner account yet. Open the setup link that shopkeep printed when it started (restart it to
            print a new one).
          </p>`,
        ),
      );
    }
    return sendPage(reply, loginForm());
  });

  app.post<{ Body: Form }>(
    '/login',
    {
      config: { access: 'public', csrf: false, audit: false, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: { hide: true, body: formBody },
    },
    async (request, reply) => {
      const { email = '', password = '', totp } = request.body;
      try {
        const session = await accounts.login({
          email,
          password,
          totp,
          ip: request.ip,
          userAgent: request.headers['user-agent'],
        });
        setSessionCookie(reply, session.cookieValue, secure, maxAge);
        return reply.redirect(session.stage === 'enrolling' ? '/enrol' : '/', 303);
      } catch (error) {
        if (!(error instanceof AppError) || !LOGIN_REFUSALS.includes(error.kind)) throw error;
        return sendPage(reply, loginForm(error.message, email.slice(0, 254)), STATUS_BY_KIND[error.kind]);
      }
    },
  );

  app.post(
    '/logout',
    { config: { access: 'enrolling', audit: false }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      await accounts.logout(request.principal!, request.ip);
      clearSessionCookie(reply, secure);
      return reply.redirect('/login', 303);
    },
  );

  const unlockRefused = (message: string) =>
    page(
      { title: 'Unlock link not valid' },
      html`<p class="notice bad" role="alert">${message}</p>
        <p>
          Someone with access to the machine runs <code>shopkeep user unlock --email you@example.com</code> for a
          new link. A recovery code in the login form's code field also gets you in.
        </p>`,
    );

  // Opening the link only shows a button: link previews (a chat app fetching the URL) must not spend it.
  app.get<{ Querystring: { token?: string } }>(
    '/unlock',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 200 } } },
      },
    },
    async (request, reply) => {
      const token = request.query.token ?? '';
      if (!(await accounts.unlockLinkValid(token)))
        return sendPage(reply, unlockRefused('This unlock link has expired or was used.'), 403);
      return sendPage(
        reply,
        page(
          { title: 'Unlock your login' },
          html`<p>
              This lifts the login lock on the connection you are using now, and lets it log in even while
              someone elsewhere keeps guessing at your account. Your password and two-factor stay as they are.
            </p>
            <form method="post" action="/unlock" class="stack">
              <input type="hidden" name="token" value="${token}" />
              <button>Unlock</button>
            </form>`,
        ),
      );
    },
  );

  app.post<{ Body: Form }>(
    '/unlock',
    {
      // No session yet, and the token in the body is the proof; the service writes its own audit entry.
      config: { access: 'public', csrf: false, audit: false, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: { hide: true, body: formBody },
    },
    async (request, reply) => {
      try {
        await accounts.unlockWithLink(request.body.token ?? '', request.ip);
      } catch (error) {
        if (!(error instanceof AppError) || error.kind !== 'forbidden') throw error;
        return sendPage(reply, unlockRefused(error.message), 403);
      }
      return sendPage(
        reply,
        page(
          { title: 'Unlocked' },
          html`<p class="notice" role="status">
              Logins from this connection work again. <a href="/login">Log in</a> with your password and code.
            </p>`,
        ),
      );
    },
  );

  const setupForm = (token: string, error?: string) =>
    page(
      { title: 'Create the owner account' },
      html`<p>
          This is the account that runs the shop. You will set up two-factor authentication next, so keep your
          phone at hand.
        </p>
        ${error ? html`<p class="notice bad" role="alert">${error}</p>` : ''}
        <form method="post" action="/setup" class="stack">
          <input type="hidden" name="token" value="${token}" />
          <label>Email <input name="email" type="email" autocomplete="username" required /></label>
          <label
            >Password (at least ${MIN_PASSWORD_LENGTH} characters)
            <input
              name="password"
              type="password"
              autocomplete="new-password"
              minlength="${MIN_PASSWORD_LENGTH}"
              required
          /></label>
          <label
            >Password again <input name="confirm" type="password" autocomplete="new-password" required
          /></label>
          <button>Create account</button>
        </form>`,
    );

  app.get<{ Querystring: { token?: string } }>(
    '/setup',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 200 } } },
      },
    },
    async (request, reply) => {
      const token = request.query.token ?? '';
      if (!(await accounts.setupTokenValid(token))) {
        return sendPage(
          reply,
          page(
            { title: 'Setup link not valid' },
            html`<p class="notice bad">
              This setup link has expired, was used, or the owner exists already. <a href="/login">Log in</a>,
              or restart shopkeep to print a new link.
            </p>`,
          ),
          403,
        );
      }
      return sendPage(reply, setupForm(token));
    },
  );

  app.post<{ Body: Form }>(
    '/setup',
    { config: { access: 'public', csrf: false, audit: false }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      const { token = '', email = '', password = '', confirm = '' } = request.body;
      if (password !== confirm) return sendPage(reply, setupForm(token, 'The two passwords differ.'), 400);
      try {
        const session = await accounts.createOwner(token, email, password, request.ip);
        setSessionCookie(reply, session.cookieValue, secure, maxAge);
        return reply.redirect('/enrol', 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.kind !== 'invalid_request') throw error;
        return sendPage(reply, setupForm(token, error.message), 400);
      }
    },
  );

  const enrolPage = async (request: FastifyRequest, error?: string) => {
    const principal = request.principal!;
    const secret = await accounts.beginEnrolment(principal.user.id);
    const svg = await QRCode.toString(otpauthUri(secret, principal.user.email), {
      type: 'svg',
      margin: 1,
      errorCorrectionLevel: 'M',
    });
    return page(
      { title: 'Set up two-factor authentication', principal },
      html`<p>
          Scan this code with an authenticator app (Google Authenticator, Aegis, 1Password, ...), then type
          the 6-digit code it shows.
        </p>
        <div class="qr" aria-label="QR code">${trusted(svg)}</div>
        <p>Or enter this key by hand: <code data-testid="totp-secret">${secret}</code></p>
        ${error ? html`<p class="notice bad" role="alert">${error}</p>` : ''}
        <form method="post" action="/enrol" class="stack">
          ${csrfField(principal)}
          <label
            >6-digit code
            <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required
          /></label>
          <button>Turn on two-factor</button>
        </form>`,
    );
  };

  app.get('/enrol', { config: { access: 'enrolling' }, schema: { hide: true } }, async (request, reply) => {
    if (request.principal!.user.twoFactorEnabled) return reply.redirect('/');
    return sendPage(reply, await enrolPage(request));
  });

  app.post<{ Body: Form }>(
    '/enrol',
    { config: { access: 'enrolling', audit: false }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      const principal = request.principal!;
      try {
        const codes = await accounts.confirmEnrolment(principal, request.body.code ?? '', request.ip);
        const session = await accounts.startActiveSession(
          { ...principal.user, twoFactorEnabled: true },
          request.ip,
          request.headers['user-agent'],
        );
        setSessionCookie(reply, session.cookieValue, secure, maxAge);
        return sendPage(
          reply,
          page(
            { title: 'Two-factor is on' },
            html`<p class="notice">
                Write these recovery codes down and keep them somewhere safe. Each one logs you in once if you
                lose your phone. They are shown only now.
              </p>
              <ul class="codes" data-testid="recovery-codes">
                ${codes.map((code) => html`<li>${code}</li>`)}
              </ul>
              <p><a href="/">Continue to the dashboard</a></p>`,
          ),
        );
      } catch (error) {
        if (!(error instanceof AppError) || error.kind !== 'invalid_request') throw error;
        return sendPage(reply, await enrolPage(request, error.message), 400);
      }
    },
  );

  const usersPage = async (principal: Principal | undefined, notice?: string) => {
    const users = await accounts.listUsers();
    return page(
      { title: 'Users', principal, current: '/users' },
      html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
        ${table(
          ['Email', 'Role', 'Two-factor', 'Since', ''],
          users.map((user) => [
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
            ${postButton(principal, '/users/disable', 'Disable', { secondary: true, fields: { email: user.email } })}`,
          ]),
          'No users yet.',
        )}
          <section>
            <h2>Add a user</h2>
            <form method="post" action="/users" class="stack">
              ${csrfField(principal)}
              <label>Email <input name="email" type="email" required /></label>
              <label
                >Temporary password (at least ${MIN_PASSWORD_LENGTH} characters)
                <input name="password" type="password" minlength="${MIN_PASSWORD_LENGTH}" required
              /></label>
              <label
                >Role
                <select name="role">
                  <option value="staff">staff: runs the shop day to day</option>
                  <option value="viewer">viewer: can look, not change</option>
                  <option value="owner">owner: everything, including users and settings</option>
                </select></label
              >
              <button>Add user</button>
            </form>
            <p class="muted">They set up two-factor authentication at their first login.</p>
          </section>`,
    );
  };

  app.get('/users', { config: { access: 'admin' }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, await usersPage(request.principal)),
  );

  app.post<{ Body: Form }>(
    '/users',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      const { email = '', password = '', role = '' } = request.body;
      await accounts.addUser(email, password, role, actorOf(request.principal).actorLabel, false);
      return reply.redirect('/users', 303);
    },
  );

  app.post<{ Body: Form }>(
    '/users/disable',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      await accounts.disableUser(request.body.email ?? '', actorOf(request.principal).actorLabel);
      return reply.redirect('/users', 303);
    },
  );

  app.post<{ Body: Form }>(
    '/users/role',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      await accounts.setRole(
        request.body.email ?? '',
        request.body.role ?? '',
        actorOf(request.principal).actorLabel,
      );
      return reply.redirect('/users', 303);
    },
  );

  app.post<{ Body: Form }>(
    '/users/reset-2fa',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody } },
    async (request, reply) => {
      const email = request.body.email ?? '';
      const ended = await accounts.resetTwoFactor(email, actorOf(request.principal).actorLabel);
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
