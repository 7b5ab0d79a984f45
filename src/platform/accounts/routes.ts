// Accounts API under /api/v1: login, logout, me, users and API tokens. Each route: validate,
// authorize, one call.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AccountsParts } from './index.ts';
import type { HttpContext } from '../kit/module.ts';
import { actorOf } from './roles.ts';
import { clearSessionCookie, setSessionCookie } from '../http/auth.ts';
import { NoContent, responses } from '../http/schemas.ts';
import { AccessEnded, LoggedIn, Me, NewToken, Role, Scope, TokenInfo, User } from './answers.ts';

const Email = Type.String({ minLength: 3, maxLength: 254 });
const NewPassword = Type.String({ minLength: 12, maxLength: 1024 });
const ByEmail = Type.Object({ email: Email }, { additionalProperties: false });

export function accountRoutes(
  app: FastifyInstance,
  { logins, sessions, users, tokens }: AccountsParts,
  { config }: HttpContext,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const secure = config.publicUrl.startsWith('https://');
  const maxAge = config.sessionAbsoluteHours * 3600;

  api.post(
    '/auth/login',
    {
      config: { access: 'public', csrf: false, audit: false, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Log in with email, password and a TOTP (or recovery) code; sets the session cookie',
        body: Type.Object(
          {
            email: Email,
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            totp: Type.Optional(
              Type.String({ maxLength: 32, description: 'a 6-digit code, or one of the recovery codes' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: LoggedIn }),
      },
    },
    async (request, reply) => {
      const session = await logins.attempt({
        ...request.body,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      setSessionCookie(reply, session.cookieValue, secure, maxAge);
      return { user: session.user, csrfToken: session.csrfToken, stage: session.stage };
    },
  );

  api.post(
    '/auth/logout',
    {
      config: { access: 'enrolling', audit: false },
      schema: { tags: ['auth'], summary: 'End the session', response: responses({ 204: NoContent }) },
    },
    async (request, reply) => {
      await sessions.end(request.principal!, request.ip);
      clearSessionCookie(reply, secure);
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/me',
    {
      config: { access: 'read' },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user (or the user an API token acts for)',
        response: responses({ 200: Me }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      return { user: principal.user, scopes: [...principal.scopes], via: principal.via.kind };
    },
  );

  api.get(
    '/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'List users',
        response: responses({ 200: Type.Object({ users: Type.Array(User) }) }),
      },
    },
    async () => ({ users: await users.list() }),
  );

  api.post(
    '/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Add a user; they set up two-factor authentication at their first login',
        body: Type.Object(
          { email: Email, password: NewPassword, role: Role },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ user: User }) }),
      },
    },
    async (request, reply) => {
      const { user } = await users.add({
        ...request.body,
        by: actorOf(request.principal).actorLabel,
        withTotp: false,
      });
      return reply.code(201).send({ user });
    },
  );

  api.post(
    '/users/reset-2fa',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary:
          "Clear a user's two-factor setup; their sessions end and their API tokens are revoked; they enrol again at next login",
        body: ByEmail,
        response: responses({ 200: AccessEnded }),
      },
    },
    async (request) => users.resetTwoFactor(request.body.email, actorOf(request.principal).actorLabel),
  );

  api.post(
    '/users/disable',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Disable a user: they cannot log in, their sessions end and their API tokens are revoked',
        body: ByEmail,
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await users.disable(request.body.email, actorOf(request.principal).actorLabel);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/users/role',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: "Change a user's role (the last owner cannot be demoted)",
        body: Type.Object({ email: Email, role: Role }, { additionalProperties: false }),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await users.setRole(request.body.email, request.body.role, actorOf(request.principal).actorLabel);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/users/password',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary:
          "Set a user's password (a temporary one to hand over); their sessions end and their API tokens are revoked",
        body: Type.Object({ email: Email, password: NewPassword }, { additionalProperties: false }),
        response: responses({ 200: AccessEnded }),
      },
    },
    async (request) =>
      users.setPassword(request.body.email, request.body.password, actorOf(request.principal).actorLabel),
  );

  api.get(
    '/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'List API tokens not revoked, with their expiry and last use (never the token itself)',
        response: responses({ 200: Type.Object({ tokens: Type.Array(TokenInfo) }) }),
      },
    },
    async () => ({ tokens: await tokens.list() }),
  );

  api.post(
    '/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token for yourself; the token is shown in this response only',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            scopes: Type.Array(Scope, { minItems: 1, maxItems: 4 }),
            expires: Type.Optional(
              Type.String({
                maxLength: 40,
                description: 'optional: `90d` (days from now) or a date `2027-03-31` (the last day it works)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: NewToken }),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const created = await tokens.create({
        email: principal.user.email,
        ...request.body,
        by: actorOf(principal).actorLabel,
      });
      return reply.code(201).send(created);
    },
  );

  api.delete(
    '/tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await tokens.revoke(request.params.id, actorOf(request.principal).actorLabel);
      return reply.code(204).send(null);
    },
  );
}
