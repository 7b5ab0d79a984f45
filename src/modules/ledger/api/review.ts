// The review queue (under /api/v1/ledger/review): what the posting rules would not guess at, and
// dismissing an item so nothing is booked for it.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoContent, responses } from '../../../platform/http/schemas.ts';
import type { LedgerParts } from '../index.ts';
import { IdParams, tags } from './shared.ts';
import { ReviewItems } from './answers.ts';

export function reviewRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'What the posting rules could not book, waiting for a look',
        querystring: Type.Object(
          { status: Type.Optional(Type.Enum(['open', 'resolved', 'dismissed'])) },
          { additionalProperties: false },
        ),
        response: responses({ 200: ReviewItems }),
      },
    },
    async (request) => ({ items: await ledger.review(request.query.status) }),
  );

  api.post(
    '/:id/dismiss',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Dismiss a review item (nothing is booked for it)',
        params: IdParams,
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await ledger.dismissReview(Number(request.params.id));
      return reply.code(204).send(null);
    },
  );
}
