// The shop's mail over the API: the messages received with their category, reason and reply
// (GET /api/v1/mail/messages, /messages/{id}), the mailbox's health, the FAQ and the style card.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Nullable, responses, RowId, Timestamp } from '../../platform/http/schemas.ts';
import type { MailService } from './mail-service.ts';
import { CATEGORIES } from './triage.ts';

const tags = ['mail'];
const Category = Type.Enum([...CATEGORIES]);
const Reply = Type.Object({
  status: Type.Enum(['none', 'draft', 'pending_approval', 'sent', 'blocked']),
  text: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String({ description: 'why it waits or was blocked' })),
  approvalId: Type.Optional(
    Type.String({
      format: 'uuid',
      description: 'while it waits: decide it with POST /api/v1/approvals/{id}/…',
    }),
  ),
});

const MessageOut = Type.Object({
  id: Type.Integer(),
  messageId: Type.String({ description: 'the RFC 5322 Message-ID, without angle brackets' }),
  from: Type.String(),
  subject: Type.String(),
  receivedAt: Timestamp('when it arrived'),
  category: Nullable(Category),
  reason: Nullable(Type.String({ description: 'why it was put in its category' })),
  orderName: Type.Optional(Type.String()),
  reply: Reply,
});

const MessageDetail = Type.Object({
  ...MessageOut.properties,
  to: Type.Array(Type.String()),
  text: Type.String({ description: 'what the sender wrote this time (quotes and signature removed)' }),
  language: Nullable(Type.String()),
  dmarc: Type.Enum(['pass', 'fail', 'none']),
  parseError: Nullable(Type.String()),
  threadId: Nullable(Type.Integer()),
  attachments: Type.Array(
    Type.Object({ filename: Type.String(), contentType: Type.String(), size: Type.Integer() }),
  ),
});

const Health = Type.Object({
  mailbox: Type.String(),
  address: Type.String(),
  connected: Type.Boolean(),
  lastSyncAt: Nullable(Timestamp('the last complete sync')),
  lastError: Nullable(Type.String()),
  errors: Type.Integer(),
  reconnects: Type.Integer(),
  messages: Type.Integer(),
  unparsed: Type.Integer({ description: 'messages kept raw because they could not be read' }),
});

export function mailRoutes(app: FastifyInstance, { mail }: { mail: MailService }): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/messages',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Messages received, newest first, with their category, reason and reply',
        querystring: Type.Object(
          {
            limit: Type.Optional(
              Type.String({ pattern: '^[0-9]{1,3}$', description: '1 to 200; 50 when left out' }),
            ),
            category: Type.Optional(Category),
            before: Type.Optional(RowId('the id of the last message of the previous page')),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ messages: Type.Array(MessageOut) }) }),
      },
    },
    async (request) => {
      const { limit, category, before } = request.query;
      return {
        messages: await mail.messages.list({
          limit: Math.min(200, Math.max(1, Number(limit ?? 50))),
          ...(category ? { category } : {}),
          ...(before ? { before: Number(before) } : {}),
        }),
      };
    },
  );

  api.get(
    '/messages/:id',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'One message with its reply',
        params: IdParams,
        response: responses({ 200: Type.Object({ message: MessageDetail }) }),
      },
    },
    async (request) => ({ message: await mail.detail(Number(request.params.id)) }),
  );

  api.get(
    '/health',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'The mailbox’s sync: connected, last sync, errors (null when no mailbox is set up)',
        response: responses({ 200: Type.Object({ mailbox: Nullable(Health) }) }),
      },
    },
    async () => {
      const health = await mail.health();
      return { mailbox: health ?? null };
    },
  );
}
