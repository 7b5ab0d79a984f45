// Who is asking and may they: the session cookie or a bearer token becomes request.principal;
// every route declares the scope it needs (checked at boot), and cookie sessions need a CSRF token
// on every request that changes state.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { Principal, Scope } from '../accounts/roles.ts';
import type { Principals } from '../accounts/index.ts';

/** 'public': anyone; 'enrolling': a session between password and second factor; otherwise a scope. */
export type Access = Scope | 'public' | 'enrolling';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    badToken?: boolean;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** false for the few state-changing routes used before a session exists (login, setup). */
    csrf?: boolean;
    /** false where the service writes its own, richer audit entry. */
    audit?: boolean;
  }
}

export const SESSION_COOKIE = 'sk_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function registerAuth(app: FastifyInstance, accounts: Principals): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs') || route.config?.access) return;
    throw new Error(`route ${String(route.method)} ${route.url} does not declare config.access`);
  });

  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/static/')) return;
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      request.principal = await accounts.resolveToken(authorization.slice(7).trim());
      // Refused in preHandler, after the rate limiter has counted it as anonymous traffic.
      request.badToken = !request.principal;
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) request.principal = await accounts.resolveSession(cookie);
  });

  // Forms checked by token need a body; everything else is decided before the body is read.
  app.addHook('preHandler', async (request) => {
    const principal = request.principal;
    if (
      principal?.via.kind === 'session' &&
      !SAFE_METHODS.has(request.method) &&
      request.routeOptions.config.csrf !== false
    ) {
      const sent =
        (request.headers['x-csrf-token'] as string | undefined) ??
        (request.body as { _csrf?: unknown } | undefined)?._csrf;
      if (typeof sent !== 'string' || !sameSecret(sent, principal.via.csrfToken)) {
        throw new AppError('forbidden', 'the form has expired; reload the page and try again');
      }
    }
  });
}

/**
 * Who may do what, decided when the request arrives: before its body is read or checked against the
 * route's schema, so a stranger neither makes shopkeep read a large upload nor learns what a route
 * expects. Registered after the rate limiter, which counts anonymous and bad-token requests first.
 */
export function refuseEarly(app: FastifyInstance, publicUrl: string): void {
  const publicOrigin = new URL(publicUrl).origin;
  const refuse = async (request: FastifyRequest): Promise<void> => {
    // A browser says where a form was posted from; another site's page may not post here (that
    // includes logging a browser in to an account of the attacker's: login CSRF).
    if (!SAFE_METHODS.has(request.method) && !sameOrigin(request, publicOrigin)) {
      throw new AppError(
        'forbidden',
        'this form was sent from another site; open shopkeep itself and try again',
      );
    }
    if (request.badToken) throw new AppError('unauthenticated', 'the API token is not valid or was revoked');
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const principal = request.principal;
    if (!principal)
      throw new AppError(
        'unauthenticated',
        'log in first, or send an API token as "Authorization: Bearer <token>"',
      );
    if (access === 'enrolling') {
      if (principal.via.kind !== 'session') throw new AppError('forbidden', 'this needs a browser session');
    } else if (!principal.scopes.has(access)) {
      if (principal.via.kind === 'session' && principal.via.stage === 'enrolling') {
        throw new AppError('forbidden', 'finish setting up two-factor authentication first');
      }
      throw new AppError('forbidden', `this needs the "${access}" permission`);
    }
    // Changing users, tokens, secrets and webhooks takes a person at the dashboard (or the CLI on the
    // box), never an API token: a leaked token cannot mint an owner or a broader token.
    if (access === 'admin' && principal.via.kind === 'token' && !SAFE_METHODS.has(request.method)) {
      throw new AppError(
        'forbidden',
        'API tokens cannot change users, tokens, secrets or webhooks; use the dashboard',
      );
    }
  };
  // A route's own hooks run after the application's; the rate limiter adds its own to each route, so
  // this one is added the same way, after it.
  app.addHook('onRoute', (route) => {
    route.onRequest = [...[route.onRequest ?? []].flat(), refuse];
  });
}

/**
 * Origin, or Referer when a browser sends no Origin, names shopkeep's own address: the public URL, or
 * the host the browser asked for when that is an address or a local name (the Pi on the LAN). A public
 * DNS name that is not the public URL could be an attacker's, pointed at this box (DNS rebinding).
 * Requests with neither header come from programs, not from another site's page.
 */
function sameOrigin(request: FastifyRequest, publicOrigin: string): boolean {
  const origin = request.headers.origin ?? request.headers.referer;
  if (origin === undefined) return true;
  let sender: URL;
  try {
    sender = new URL(origin);
  } catch {
    return false; // "null" (a sandboxed frame, a privacy redirect) or garbage
  }
  if (sender.origin === publicOrigin) return true;
  return sender.host === request.headers.host && isLocalName(sender.hostname);
}

function isLocalName(hostname: string): boolean {
  const name = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    isIP(name) !== 0 ||
    name === 'localhost' ||
    !name.includes('.') ||
    /\.(local|lan|internal|home\.arpa)$/.test(name)
  );
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function setSessionCookie(
  reply: FastifyReply,
  value: string,
  secure: boolean,
  maxAgeSeconds: number,
): void {
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

export function clientIp(request: FastifyRequest): string {
  return request.ip;
}
