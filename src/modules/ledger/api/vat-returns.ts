// The UK VAT return over the API: the nine boxes for a period from the books (or as filed), filing a
// return (kept as it was, its period's figures locked), and the returns filed so far.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses } from '../../../platform/http/schemas.ts';
import { actorOf } from '../../../platform/accounts/roles.ts';
import type { LedgerParts } from '../index.ts';
import { PeriodQuery, checkPeriod, periodFields, tags } from './shared.ts';

const Minor = (description: string) => Type.Integer({ description });

export const VatReturnAnswer = Type.Object({
  from: Type.String(),
  to: Type.String(),
  currency: Type.String(),
  scheme: Type.Union([Type.Literal('standard'), Type.Literal('flat-rate')]),
  box1: Minor('VAT due on sales and other outputs'),
  box2: Minor('VAT due on acquisitions from the EU (Northern Ireland goods)'),
  box3: Minor('total VAT due: box 1 + box 2'),
  box4: Minor('VAT reclaimed on purchases and other inputs'),
  box5: Minor('net VAT to pay or reclaim: |box 3 − box 4|'),
  box6: Minor('total sales excluding VAT, whole pounds (in minor units)'),
  box7: Minor('total purchases excluding VAT, whole pounds (in minor units)'),
  box8: Minor('goods supplied to the EU excluding VAT, whole pounds'),
  box9: Minor('goods acquired from the EU excluding VAT, whole pounds'),
  toPay: Minor('positive: to pay HMRC; negative: HMRC repays'),
  filed: Type.Union([
    Type.Object({
      at: Type.String(),
      by: Type.String(),
      periodKey: Type.Union([Type.String(), Type.Null()]),
      receipt: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
});

export function vatReturnRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/reports/vat-return',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'The UK VAT return for a period: boxes 1–9 in minor units, from the books or as filed',
        querystring: PeriodQuery,
        response: responses({ 200: VatReturnAnswer }),
      },
    },
    async (request) => {
      checkPeriod(request.query.from, request.query.to);
      return ledger.vatReturns.forPeriod(request.query.from, request.query.to);
    },
  );

  api.get(
    '/vat-returns',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'The VAT returns filed, newest first',
        response: responses({ 200: Type.Object({ returns: Type.Array(VatReturnAnswer) }) }),
      },
    },
    async () => ({ returns: await ledger.vatReturns.list() }),
  );

  api.post(
    '/vat-returns',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'File the VAT return for a period: its boxes are kept as they are now and never change',
        body: Type.Object(periodFields, { additionalProperties: false }),
        response: responses({ 201: Type.Object({ return: VatReturnAnswer }) }),
      },
    },
    async (request, reply) => {
      checkPeriod(request.body.from, request.body.to);
      const filed = await ledger.vatReturns.file(
        request.body.from,
        request.body.to,
        actorOf(request.principal).actorLabel,
      );
      return reply.code(201).send({ return: filed });
    },
  );
}
