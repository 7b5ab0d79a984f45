// Supplier bills (under /api/v1/ledger/bills): enter one (lines with their VAT, carriage, a due day),
// pay it, list them, and what is owed to suppliers, aged.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses } from '../../../platform/http/schemas.ts';
import type { LedgerParts } from '../index.ts';
import { AccountCode, Day, IdParams, checkDay, tags } from './shared.ts';

const Minor = (description: string) => Type.Integer({ minimum: 0, description });

const Bill = Type.Object({
  id: Type.Integer(),
  supplier: Type.String(),
  reference: Type.String(),
  date: Type.String(),
  dueOn: Type.String(),
  gross: Type.Integer({ description: 'minor units, VAT included' }),
  paidOn: Type.Union([Type.String(), Type.Null()]),
});

export function billRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'A supplier bill: lines to expense accounts with their VAT, carriage, a due day; owed until paid',
        body: Type.Object(
          {
            supplier: Type.String({ minLength: 1, maxLength: 200 }),
            reference: Type.String({ minLength: 1, maxLength: 100 }),
            date: Day('the bill’s date'),
            dueOn: Day('the day it falls due'),
            lines: Type.Array(
              Type.Object(
                {
                  account: AccountCode('an expense account'),
                  net: Minor('before VAT'),
                  vat: Type.Optional(Minor('VAT on the line, reclaimable')),
                  description: Type.Optional(Type.String({ maxLength: 200 })),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 100 },
            ),
            carriage: Type.Optional(
              Type.Object(
                { net: Minor('before VAT'), vat: Type.Optional(Minor('its VAT')) },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ bill: Bill }) }),
      },
    },
    async (request, reply) => reply.code(201).send({ bill: await ledger.bills.add(request.body) }),
  );

  api.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Every bill, by due day',
        response: responses({ 200: Type.Object({ bills: Type.Array(Bill) }) }),
      },
    },
    async () => ({ bills: await ledger.bills.list() }),
  );

  api.post(
    '/:id/pay',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Pay a bill in full from the bank (or another account)',
        params: IdParams,
        body: Type.Object(
          { date: Day('the day it was paid'), from: Type.Optional(AccountCode('default Assets:Bank')) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ bill: Bill }) }),
      },
    },
    async (request) => ({
      bill: await ledger.bills.pay(Number(request.params.id), request.body.date, request.body.from),
    }),
  );

  api.get(
    '/aged',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'What is owed to suppliers at a day: not yet due, then 1–30, 31–60, over 60 days late',
        querystring: Type.Object({ at: Day('YYYY-MM-DD') }, { additionalProperties: false }),
        response: responses({
          200: Type.Object({
            at: Type.String(),
            currency: Type.String(),
            bands: Type.Array(Type.Integer()),
            total: Type.Integer(),
            bills: Type.Array(Type.Object({ ...Bill.properties, daysOverdue: Type.Integer() })),
          }),
        }),
      },
    },
    async (request) => {
      checkDay(request.query.at);
      return ledger.bills.aged(request.query.at);
    },
  );
}
