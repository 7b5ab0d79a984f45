// Closed periods (under /api/v1/ledger/periods): the seals so far, each checked again, and closing
// the books up to a day, after which nothing can be booked on or before it.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses } from '../../../platform/http/schemas.ts';
import { actorOf } from '../../../platform/accounts/roles.ts';
import type { LedgerParts } from '../index.ts';
import { Day, tags } from './shared.ts';
import { OnePeriod, Periods } from './answers.ts';

export function periodRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '',
    {
      config: { access: 'read' },
      schema: { tags, summary: 'Closed periods and their seals', response: responses({ 200: Periods }) },
    },
    async () => ({ periods: await ledger.periods(), verified: await ledger.verifyPeriods() }),
  );

  api.post(
    '',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Close the books up to a day: nothing can be added on or before it afterwards',
        body: Type.Object(
          { endsOn: Day('the last day of the period, before today') },
          { additionalProperties: false },
        ),
        response: responses({ 201: OnePeriod }),
      },
    },
    async (request, reply) => {
      const { actorLabel } = actorOf(request.principal);
      const closed = await ledger.closePeriod(request.body.endsOn, actorLabel);
      return reply.code(201).send({ period: closed });
    },
  );

  api.post(
    '/year-end',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          'Close a financial year: the books closed up to its last day, its profit rolled into earnings of earlier years',
        body: Type.Object(
          { endsOn: Day('the year’s last day, before today') },
          { additionalProperties: false },
        ),
        response: responses({
          201: Type.Object({
            endsOn: Type.String(),
            profit: Type.Integer({ description: 'the year’s profit, minor units' }),
            currency: Type.String(),
          }),
        }),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await ledger.closeYear(request.body.endsOn, actorOf(request.principal).actorLabel)),
  );
}
