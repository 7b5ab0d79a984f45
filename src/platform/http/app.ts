// The HTTP application, built without listening so tests use inject(). Infrastructure lives here;
// each module's routes and pages are registered from its declaration, each part in its own
// encapsulated plugin under its prefix.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { Kernel } from '../kit/kernel.ts';
import type { ExtraPages } from '../kit/module.ts';
import type { Modules } from '../kit/modules.ts';
import { systemRoutes } from './system-routes.ts';
import { checkingResponses } from '../checks.ts';
import { AppError, loggableError, describeError } from '../errors.ts';
import { refuseEarly, registerAuth } from './auth.ts';
import { sendError, toErrorResponse, wantsHtml } from './errors.ts';
import { registerStatic } from './static.ts';
import { errorPage } from '../dashboard/layout.ts';
import { sendPage } from '../dashboard/components.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route's method and URL, for the bad-input tests and the API page. */
    routeList: RouteInfo[];
    /** The menu every module added, in order (the layout renders it). */
    menu: { href: string; label: string }[];
    /** Shown at the top of every page (the sandbox says so), or empty. */
    banner: string;
  }
}

/** A route as the tests and the API page see it. */
export interface RouteInfo {
  method: string;
  url: string;
  /** Its query parameters' names. */
  query: string[];
  /** Shown at /api/docs (the API); dashboard pages and webhooks are not. */
  documented: boolean;
  /** The statuses its schema declares answers for ('200', '4xx', …). */
  responses: string[];
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function buildApp(
  kernel: Kernel,
  modules: Modules,
  extra: ExtraPages[] = [],
): Promise<FastifyInstance> {
  const { config, metrics, logger } = kernel;
  const secureCookies = config.publicUrl.startsWith('https://');
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // A number of proxies trusts that many hops from this server's side (proxy-addr counts the socket as hop 0).
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Errors the router raises before any route runs (a malformed URL, an overlong parameter).
    frameworkErrors: (error, _request, reply) => {
      const response = toErrorResponse(error);
      void sendError(reply, response.status, response.body, response.headers);
    },
  }) as unknown as FastifyInstance;

  // Bodies go out as the route made them: a response schema documents and (in the tests) checks an
  // answer, it never strips a field from it.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  if (checkingResponses()) (await import('./response-check.ts')).checkResponses(app);

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'shopkeep API',
        version: kernel.version,
        description: 'The back office of a small Shopify shop.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token from `shopkeep token create`',
          },
          session: { type: 'apiKey', in: 'cookie', name: 'sk_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });

  // Hostile strings: PostgreSQL cannot store NUL, and broken UTF-16 (a lone surrogate) would change
  // on its way into the database. Refuse both up front with a clear message.
  app.addHook('preValidation', async (request) => {
    if (unstorable(request.body) || unstorable(request.query) || unstorable(request.params)) {
      throw new AppError(
        'invalid_request',
        'the request contains a NUL character or broken Unicode, which cannot be stored',
      );
    }
  });

  const routeList: RouteInfo[] = [];
  app.decorate('routeList', routeList);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD')
        routeList.push({
          method,
          url: route.url,
          query: Object.keys(
            (route.schema?.querystring as { properties?: object } | undefined)?.properties ?? {},
          ),
          documented: !(route.schema as { hide?: boolean } | undefined)?.hide,
          responses: Object.keys(route.schema?.response ?? {}),
        });
  });

  registerAuth(app, modules.face('principals'));

  await app.register(rateLimit, {
    global: true,
    // After the principal is known (auth's onRequest hook runs first), before any route work.
    hook: 'onRequest',
    max: config.anonymousRateLimitPerMinute,
    timeWindow: '1 minute',
    // Signed-in users and tokens are trusted and revocable; the limit is for anonymous traffic.
    // Not on the public routes (login, setup): a signed-in user hammering login is still limited.
    allowList: (request) =>
      request.principal !== undefined && request.routeOptions.config.access !== 'public',
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        `too many requests; try again in ${Math.ceil(context.ttl / 1000)} seconds`,
      ),
  });
  refuseEarly(app, config.publicUrl);

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    reply.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    if (request.protocol === 'https' || secureCookies) {
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // Written before the answer leaves, so an answered change is always in the audit log.
  app.addHook('onSend', async (request, reply, payload) => {
    if (
      !STATE_CHANGING.has(request.method) ||
      request.routeOptions.config.audit === false ||
      !request.routeOptions.url
    )
      return payload;
    // Changes that happened, and attempts that were refused for lack of permission.
    if (reply.statusCode >= 400 && reply.statusCode !== 403) return payload;
    const principal = request.principal;
    await modules
      .face('audit')
      .record({
        actor: principal
          ? principal.via.kind === 'token'
            ? `token:${principal.via.tokenId}`
            : `user:${principal.user.id}`
          : 'anonymous',
        actorLabel: principal
          ? principal.user.email + (principal.via.kind === 'token' ? ' (API token)' : '')
          : 'anonymous',
        ip: request.ip,
        action: `${request.method} ${request.routeOptions.url}`,
        target: Object.keys(request.params as object).length ? JSON.stringify(request.params) : undefined,
        outcome: reply.statusCode >= 400 ? 'denied' : 'ok',
      })
      .catch((error: Error) => logger.error({ err: describeError(error) }, 'could not write the audit log'));
    return payload;
  });

  app.setErrorHandler((error, request, reply) => {
    const response = toErrorResponse(error);
    if (response.status >= 500) {
      logger.error(
        { err: loggableError(error), url: request.url.split('?')[0], method: request.method },
        'request failed',
      );
    }
    if (wantsHtml(request)) {
      return sendPage(
        reply.headers(response.headers),
        errorPage(response.status, response.body.error.message, request.principal),
        response.status,
      );
    }
    return sendError(reply, response.status, response.body, response.headers);
  });

  app.setNotFoundHandler((request, reply) => {
    const body = {
      error: {
        code: 'not_found' as const,
        message: `no route for ${request.method} ${request.url.split('?')[0]}`,
      },
    };
    if (wantsHtml(request)) {
      return sendPage(reply, errorPage(404, 'This page does not exist.', request.principal), 404);
    }
    return sendError(reply, 404, body, {});
  });

  registerStatic(app);
  app.decorate(
    'menu',
    [...modules.menu(), ...extra.flatMap((part) => part.menu ?? [])].sort((a, b) => a.position - b.position),
  );
  app.decorate('banner', extra.map((part) => part.banner?.value ?? '').join(''));
  systemRoutes(app, kernel);
  const context = { config };
  for (const { definition, parts } of modules.all())
    for (const part of definition.http ?? [])
      await app.register(async (scope) => part.register(scope, parts, context), { prefix: part.prefix });
  for (const part of extra)
    await app.register(async (scope) => part.register(scope, undefined, context), { prefix: part.prefix });
  return app;
}

const BROKEN_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function unstorable(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return BROKEN_TEXT.test(value);
  // A raw body (a signed webhook) is checked by the route that asked for it.
  if (Buffer.isBuffer(value)) return false;
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  for (const [key, inner] of Object.entries(value)) {
    if (BROKEN_TEXT.test(key) || unstorable(inner, depth + 1)) return true;
  }
  return false;
}
