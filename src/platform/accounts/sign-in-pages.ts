// Dashboard pages for signing in: the owner's first setup, two-factor enrolment, login, logout and
// the one-time unlock link.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AccountsParts } from './index.ts';
import type { HttpContext } from '../kit/module.ts';
import QRCode from 'qrcode';
import { AppError, STATUS_BY_KIND, type ErrorKind } from '../errors.ts';
import { html, trusted } from '../dashboard/html.ts';
import { csrfField, page } from '../dashboard/layout.ts';
import { sendPage } from '../dashboard/components.ts';
import { formBody, optionalField } from '../dashboard/form-body.ts';
import { clearSessionCookie, setSessionCookie } from '../http/auth.ts';
import { otpauthUri } from './totp.ts';
import { MIN_PASSWORD_LENGTH } from './secrets.ts';

/** What a refused login is shown on the form again for, with its reason. */
const LOGIN_REFUSALS: ErrorKind[] = ['invalid_request', 'unauthenticated', 'rate_limited'];
/** The forms take what a person may type or paste; the services say what is wrong with it. */
const typed = () => optionalField(2048);
const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) });

export function signInPages(
  app: FastifyInstance,
  { logins, sessions, setup, twoFactor }: AccountsParts,
  { config }: HttpContext,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
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

  api.get('/login', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (request.principal?.via.kind === 'session' && request.principal.via.stage === 'active')
      return reply.redirect('/');
    if (!(await setup.hasOwner())) {
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

  api.post(
    '/login',
    {
      config: { access: 'public', csrf: false, audit: false, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: { hide: true, body: formBody({ email: typed(), password: typed(), totp: typed() }) },
    },
    async (request, reply) => {
      const { email = '', password = '', totp } = request.body;
      try {
        const session = await logins.attempt({
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

  api.post(
    '/logout',
    { config: { access: 'enrolling', audit: false }, schema: { hide: true, body: formBody({}) } },
    async (request, reply) => {
      await sessions.end(request.principal!, request.ip);
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
  api.get(
    '/unlock',
    { config: { access: 'public' }, schema: { hide: true, querystring: TokenQuery } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      if (!(await logins.unlockLinkValid(token)))
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

  api.post(
    '/unlock',
    {
      // No session yet, and the token in the body is the proof; the service writes its own audit entry.
      config: { access: 'public', csrf: false, audit: false, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: { hide: true, body: formBody({ token: typed() }) },
    },
    async (request, reply) => {
      try {
        await logins.unlockWithLink(request.body.token ?? '', request.ip);
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

  api.get(
    '/setup',
    { config: { access: 'public' }, schema: { hide: true, querystring: TokenQuery } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      if (!(await setup.setupTokenValid(token))) {
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

  api.post(
    '/setup',
    {
      config: { access: 'public', csrf: false, audit: false },
      schema: {
        hide: true,
        body: formBody({ token: typed(), email: typed(), password: typed(), confirm: typed() }),
      },
    },
    async (request, reply) => {
      const { token = '', email = '', password = '', confirm = '' } = request.body;
      if (password !== confirm) return sendPage(reply, setupForm(token, 'The two passwords differ.'), 400);
      try {
        const session = await setup.createOwner(token, email, password, request.ip);
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
    const secret = await twoFactor.beginEnrolment(principal.user.id);
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

  api.get('/enrol', { config: { access: 'enrolling' }, schema: { hide: true } }, async (request, reply) => {
    if (request.principal!.user.twoFactorEnabled) return reply.redirect('/');
    return sendPage(reply, await enrolPage(request));
  });

  api.post(
    '/enrol',
    {
      config: { access: 'enrolling', audit: false },
      schema: { hide: true, body: formBody({ code: typed() }) },
    },
    async (request, reply) => {
      const principal = request.principal!;
      try {
        const codes = await twoFactor.confirmEnrolment(principal, request.body.code ?? '', request.ip);
        const session = await sessions.start(
          { ...principal.user, twoFactorEnabled: true },
          'active',
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
}
