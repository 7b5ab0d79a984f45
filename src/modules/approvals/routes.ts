// Approvals over the API: the same decisions the dashboard and the Telegram bot take, and the pause
// switch.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoContent, Nullable, responses, ShopifyId } from '../../platform/http/schemas.ts';
import { actorOf } from '../../platform/accounts/roles.ts';
import type { ApprovalsParts } from './index.ts';
import type { Approval as Request, Decider } from './face.ts';

/** A moment, sent as an ISO 8601 string. */
const Timestamp = Type.Unsafe<Date>(Type.String({ format: 'date-time' }));
const Status = Type.Enum(['pending', 'approved', 'edited', 'rejected', 'expired']);

const Approval = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    createdAt: Timestamp,
    kind: Type.String({ description: 'what is to be approved: social.post, mail.reply, …' }),
    channel: Type.String({ description: 'where it goes: instagram, email, …' }),
    title: Type.String(),
    text: Type.String({ description: 'the draft as written' }),
    productIds: Type.Array(ShopifyId(), { description: 'the Shopify products it is about' }),
    qaReviewId: Nullable(Type.String({ format: 'uuid', description: 'the QA gate’s review of the draft' })),
    score: Nullable(Type.Integer({ description: 'the QA gate’s score, 0-100' })),
    lowConfidence: Type.Boolean({
      description: 'the gate would have had it written again, but it was the last attempt',
    }),
    status: Status,
    expiresAt: Timestamp,
    onExpiry: Type.Enum(['skip', 'evergreen'], {
      description: 'what happens if nobody decides in time: skipped, or a safe evergreen item instead',
    }),
    decidedAt: Nullable(Timestamp),
    decidedBy: Nullable(Type.String({ description: 'who decided, or "expiry"' })),
    finalText: Nullable(
      Type.String({
        description: 'the text that goes out: the draft when approved, the new text when edited',
      }),
    ),
    note: Nullable(Type.String({ description: 'the reason given with a rejection or a rewrite' })),
    review: Nullable(
      Type.Object(
        {
          criteria: Type.Array(Type.Object({ name: Type.String(), score: Type.Integer() }), {
            description: 'each criterion of the rubric and its score (0-10)',
          }),
          mustFix: Type.Array(Type.String(), { description: 'what must be fixed before it goes out' }),
        },
        { description: 'what the QA reviewer said of the draft' },
      ),
    ),
  },
  { description: 'a request for the owner’s decision' },
);

const Pause = Type.Object(
  {
    paused: Type.Boolean({ description: 'true: nothing is published or sent' }),
    changedAt: Type.Optional(Timestamp),
    changedBy: Type.Optional(Type.String({ description: 'who paused or resumed last' })),
  },
  { description: 'the pause switch' },
);

/** A request as the API gives it: product ids are Shopify ids, numbers, as everywhere in the API. */
const forApi = (request: Request) => ({ ...request, productIds: request.productIds.map(Number) });

const by = (request: FastifyRequest): Decider => {
  const { actor, actorLabel } = actorOf(request.principal);
  return { actor, label: actorLabel, ip: request.ip };
};

/** Under /api/v1/approvals. */
export function approvalRoutes(app: FastifyInstance, { approvals }: ApprovalsParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        tags: ['approvals'],
        summary: 'Approval requests, oldest pending first (filter by status)',
        querystring: Type.Object({ status: Type.Optional(Status) }, { additionalProperties: false }),
        response: responses({
          200: Type.Object({ approvals: Type.Array(Approval) }, { description: 'the requests' }),
        }),
      },
    },
    async (request) => ({ approvals: (await approvals.list(request.query.status)).map(forApi) }),
  );

  api.post(
    '/:id/decision',
    {
      config: { access: 'write' },
      schema: {
        tags: ['approvals'],
        summary:
          'Approve, edit (with the new text), reject or regenerate (with a reason); 409 if already decided or expired',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object(
          {
            action: Type.Enum(['approve', 'edit', 'reject', 'regenerate']),
            text: Type.Optional(
              Type.String({ minLength: 1, maxLength: 25_000, description: 'the new text, for edit' }),
            ),
            reason: Type.Optional(
              Type.String({ minLength: 1, maxLength: 1000, description: 'why, for reject and regenerate' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({ approval: Approval }, { description: 'the request as decided' }),
        }),
      },
    },
    async (request) => ({
      approval: forApi(await approvals.decide(request.params.id, request.body, by(request))),
    }),
  );
}

/** Under /api/v1: /pause and /resume. */
export function pauseRoutes(app: FastifyInstance, { approvals }: ApprovalsParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/pause',
    {
      config: { access: 'read' },
      schema: {
        tags: ['approvals'],
        summary: 'Whether publishing and sending are paused',
        response: responses({ 200: Pause }),
      },
    },
    async () => approvals.paused(),
  );

  for (const [path, paused] of [
    ['/pause', true],
    ['/resume', false],
  ] as const) {
    api.post(
      path,
      {
        config: { access: 'write' },
        schema: {
          tags: ['approvals'],
          summary: paused ? 'Stop all publishing and sending' : 'Resume publishing and sending',
          // No body, or an empty object: anything else is a mistake worth telling the caller about.
          body: Type.Object({}, { additionalProperties: false, maxProperties: 0 }),
          response: responses({ 204: NoContent }),
        },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request, reply) => {
        await approvals.setPaused(paused, by(request));
        return reply.code(204).send(null);
      },
    );
  }
}
