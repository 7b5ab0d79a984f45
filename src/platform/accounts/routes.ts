// Accounts API: login, logout, me, users and API tokens. Each route: validate, authorize, one call.
import type { FastifyInstance } from 'fastify';
import type { AccountsParts } from './index.ts';
import type { HttpContext } from '../kit/module.ts';
import { actorOf } from './roles.ts';
import { clearSessionCookie, setSessionCookie } from '../http/auth.ts';
import { errorSchemas, userSchema } from '../http/schemas.ts';

const email = { type: 'string', minLength: 3, maxLength: 254 } as const;
/** What a new password or a two-factor reset took away from the user. */
const accessEnded = {
  200: {
    type: 'object',
    properties: { tokensRevoked: { type: 'integer' }, sessionsEnded: { type: 'integer' } },
  },
  ...errorSchemas,
} as const;

export function accountRoutes(
  app: FastifyInstance,
  { accounts }: AccountsParts,
  { config }: HttpContext,
): void {
  const secure = config.publicUrl.startsWith('https://');
  const maxAge = config.sessionAbsoluteHours * 3600;

  app.post<{ Body: { email: string; password: string; totp?: string } }>(
    '/api/v1/auth/login',
    {
      config: { access: 'public', csrf: false, audit: false, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Log in with email, password and a TOTP (or recovery) code; sets the session cookie',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'password'],
          properties: {
            email,
            password: { type: 'string', minLength: 1, maxLength: 1024 },
            totp: { type: 'string', maxLength: 32 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { user: userSchema, csrfToken: { type: 'string' }, stage: { type: 'string' } },
          },
          ...errorSchemas,
        },
      },
    },
    async (request, reply) => {
      const session = await accounts.login({
        ...request.body,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      setSessionCookie(reply, session.cookieValue, secure, maxAge);
      return { user: session.user, csrfToken: session.csrfToken, stage: session.stage };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { access: 'enrolling', audit: false }, schema: { tags: ['auth'], summary: 'End the session' } },
    async (request, reply) => {
      await accounts.logout(request.principal!, request.ip);
      clearSessionCookie(reply, secure);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { access: 'read' },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user (or the user an API token acts for)',
        response: {
          200: {
            type: 'object',
            properties: {
              user: userSchema,
              scopes: { type: 'array', items: { type: 'string' } },
              via: { type: 'string' },
            },
          },
          ...errorSchemas,
        },
      },
    },
    async (request) => {
      const principal = request.principal!;
      return { user: principal.user, scopes: [...principal.scopes], via: principal.via.kind };
    },
  );

  app.get(
    '/api/v1/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'List users',
        response: {
          200: { type: 'object', properties: { users: { type: 'array', items: userSchema } } },
          ...errorSchemas,
        },
      },
    },
    async () => ({
      users: await accounts.listUsers(),
    }),
  );

  app.post<{ Body: { email: string; password: string; role: string } }>(
    '/api/v1/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Add a user; they set up two-factor authentication at their first login',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'password', 'role'],
          properties: {
            email,
            password: { type: 'string', minLength: 12, maxLength: 1024 },
            role: { type: 'string', enum: ['owner', 'staff', 'viewer'] },
          },
        },
        response: { 201: { type: 'object', properties: { user: userSchema } }, ...errorSchemas },
      },
    },
    async (request, reply) => {
      const { user } = await accounts.addUser(
        request.body.email,
        request.body.password,
        request.body.role,
        actorOf(request.principal).actorLabel,
        false,
      );
      return reply.code(201).send({ user });
    },
  );

  app.post<{ Body: { email: string } }>(
    '/api/v1/users/reset-2fa',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary:
          "Clear a user's two-factor setup; their sessions end and their API tokens are revoked; they enrol again at next login",
        body: { type: 'object', additionalProperties: false, required: ['email'], properties: { email } },
        response: accessEnded,
      },
    },
    async (request) => accounts.resetTwoFactor(request.body.email, actorOf(request.principal).actorLabel),
  );

  app.post<{ Body: { email: string } }>(
    '/api/v1/users/disable',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Disable a user: they cannot log in, their sessions end and their API tokens are revoked',
        body: { type: 'object', additionalProperties: false, required: ['email'], properties: { email } },
      },
    },
    async (request, reply) => {
      await accounts.disableUser(request.body.email, actorOf(request.principal).actorLabel);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { email: string; role: string } }>(
    '/api/v1/users/role',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: "Change a user's role (the last owner cannot be demoted)",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'role'],
          properties: { email, role: { type: 'string', enum: ['owner', 'staff', 'viewer'] } },
        },
      },
    },
    async (request, reply) => {
      await accounts.setRole(request.body.email, request.body.role, actorOf(request.principal).actorLabel);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/users/password',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary:
          "Set a user's password (a temporary one to hand over); their sessions end and their API tokens are revoked",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'password'],
          properties: { email, password: { type: 'string', minLength: 12, maxLength: 1024 } },
        },
        response: accessEnded,
      },
    },
    async (request) =>
      accounts.setPassword(request.body.email, request.body.password, actorOf(request.principal).actorLabel),
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'List API tokens not revoked, with their expiry and last use (never the token itself)',
      },
    },
    async () => ({
      tokens: await accounts.listTokens(),
    }),
  );

  app.post<{ Body: { name: string; scopes: string[]; expires?: string } }>(
    '/api/v1/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token for yourself; the token is shown in this response only',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'scopes'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            scopes: {
              type: 'array',
              minItems: 1,
              maxItems: 4,
              items: { type: 'string', enum: ['read', 'write', 'admin', 'metrics'] },
            },
            expires: {
              type: 'string',
              maxLength: 40,
              description: 'optional: `90d` (days from now) or a date `2027-03-31` (the last day it works)',
            },
          },
        },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const created = await accounts.createToken(
        principal.user.email,
        request.body.name,
        request.body.scopes,
        actorOf(principal).actorLabel,
        request.body.expires,
      );
      return reply.code(201).send(created);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token',
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
      },
    },
    async (request, reply) => {
      await accounts.revokeToken(request.params.id, actorOf(request.principal).actorLabel);
      return reply.code(204).send();
    },
  );
}
