// What the accounts API answers, as /api/docs shows it.
import { Type } from 'typebox';
import { Timestamp } from '../http/schemas.ts';
import { ROLES, SCOPES } from './roles.ts';

export const Role = Type.Enum([...ROLES], {
  description: 'owner: everything; staff: runs the shop day to day; viewer: can look, not change',
});

export const Scope = Type.Enum([...SCOPES], {
  description:
    'read: see; write: run the shop (approve, edit, send); admin: users, tokens, settings, secrets; metrics: scrape /metrics',
});

export const User = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  role: Role,
  twoFactorEnabled: Type.Boolean({ description: 'false until they set up their authenticator' }),
  createdAt: Timestamp(),
});

export const LoggedIn = Type.Object({
  user: User,
  csrfToken: Type.String({
    description: 'send it back as the X-CSRF-Token header with every change made with this session',
  }),
  stage: Type.Enum(['enrolling', 'active'], {
    description: 'enrolling: password right, two-factor to set up in the dashboard first; active: logged in',
  }),
});

export const Me = Type.Object({
  user: User,
  scopes: Type.Array(Scope),
  via: Type.Enum(['session', 'token'], { description: 'a dashboard session or an API token' }),
});

export const AccessEnded = Type.Object(
  {
    tokensRevoked: Type.Integer({ description: 'API tokens of the user revoked by the change' }),
    sessionsEnded: Type.Integer({ description: 'sessions of the user ended by the change' }),
  },
  {
    description:
      'what the change took away from the user: whoever had the old password or factor may have used it',
  },
);

export const TokenInfo = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the token, to tell tokens apart' }),
  scopes: Type.Array(Type.String(), { description: 'read, write, admin or metrics' }),
  user: Type.String({ description: 'the email of the user the token acts for' }),
  createdAt: Timestamp(),
  lastUsedAt: Type.Union([Timestamp(), Type.Null()], { description: 'to the minute; null if never used' }),
  expiresAt: Type.Union([Timestamp(), Type.Null()], {
    description: 'when it stops working; null: until revoked. Expired tokens are listed until revoked',
  }),
});

export const NewToken = Type.Object({
  token: Type.String({ description: 'the token itself: shown in this answer only' }),
  id: Type.String({ format: 'uuid' }),
  expiresAt: Type.Union([Timestamp(), Type.Null()], { description: 'null: until revoked' }),
});
