// What customers owe and what gift cards are still owed (under /api/v1/ledger/reports): the aged
// debts at a day, one customer's statement as a PDF to send them, and the gift-card liability.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses } from '../../../platform/http/schemas.ts';
import { documentPdf } from '../../../platform/documents/pdf.ts';
import type { LedgerParts } from '../index.ts';
import { Day, PeriodQuery, checkDay, checkPeriod, tags } from './shared.ts';
import { File } from './answers.ts';

const Bands = Type.Array(Type.Integer(), {
  description: 'minor units owed 0–30, 31–60, 61–90 and over 90 days after the order',
});

const AgedDebts = Type.Object({
  at: Type.String(),
  currency: Type.String(),
  bands: Bands,
  total: Type.Integer(),
  customers: Type.Array(
    Type.Object({
      customer: Type.String({ description: 'the customer’s email (or id)' }),
      bands: Bands,
      total: Type.Integer(),
      debts: Type.Array(
        Type.Object({
          orderId: Type.Integer(),
          order: Type.String(),
          day: Type.String(),
          age: Type.Integer({ description: 'days since the order' }),
          owed: Type.Integer(),
        }),
      ),
    }),
  ),
});

const GiftCards = Type.Object({
  from: Type.String(),
  to: Type.String(),
  currency: Type.String(),
  opening: Type.Integer({ description: 'unspent at the start, minor units' }),
  issued: Type.Integer({ description: 'gift cards sold' }),
  redeemed: Type.Integer({ description: 'spent as payment' }),
  refunded: Type.Integer({ description: 'gift cards refunded to the buyer' }),
  putBack: Type.Integer({ description: 'refunds paid back onto a gift card' }),
  other: Type.Integer({ description: 'journals by hand (expired cards released)' }),
  outstanding: Type.Integer({ description: 'unspent at the end' }),
});

export function receivableRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/aged-debts',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'What customers owe at a day (orders not fully paid), aged, by customer',
        querystring: Type.Object({ at: Day('YYYY-MM-DD') }, { additionalProperties: false }),
        response: responses({ 200: AgedDebts }),
      },
    },
    async (request) => {
      checkDay(request.query.at);
      return ledger.receivables.aged(request.query.at);
    },
  );

  api.get(
    '/gift-cards',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'The gift-card liability for a period: opening, sold, spent, refunded, outstanding',
        querystring: PeriodQuery,
        response: responses({ 200: GiftCards }),
      },
    },
    async (request) => {
      checkPeriod(request.query.from, request.query.to);
      return ledger.giftCards(request.query.from, request.query.to);
    },
  );

  api.get(
    '/aged-debts/statement',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'One customer’s statement of what they owe, as a PDF to send them',
        querystring: Type.Object(
          { at: Day('YYYY-MM-DD'), customer: Type.String({ minLength: 1, maxLength: 320 }) },
          { additionalProperties: false },
        ),
        produces: ['application/pdf'],
        response: responses({ 200: File('the statement, A4 PDF') }),
      },
    },
    async (request, reply) => {
      checkDay(request.query.at);
      const document = await ledger.debtStatement(request.query.customer, request.query.at);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="statement-${request.query.at}.pdf"`)
        .send(documentPdf(document));
    },
  );
}
