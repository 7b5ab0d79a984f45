// Bank reconciliation over the API (under /api/v1/ledger/bank): import a statement (CSV, OFX or
// CAMT.053, the file as the body), see what is not reconciled with suggestions, match a line to an
// entry, book a line nothing explains, or set it aside.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoContent, responses } from '../../../platform/http/schemas.ts';
import { actorOf } from '../../../platform/accounts/roles.ts';
import { invalid } from '../../../platform/errors.ts';
import type { LedgerParts } from '../index.ts';
import { AccountCode, IdParams, tags } from './shared.ts';

const STATEMENT_TYPES = ['text/csv', 'application/x-ofx', 'application/xml', 'text/xml', 'text/plain'];

const Movement = Type.Object({
  entryId: Type.Integer(),
  day: Type.String(),
  amount: Type.Integer({ description: 'minor units; money in positive' }),
  description: Type.String(),
  sourceId: Type.Union([Type.String(), Type.Null()]),
});

const Unreconciled = Type.Object({
  account: Type.String(),
  currency: Type.String(),
  matched: Type.Integer({ description: 'lines matched so far' }),
  openLines: Type.Array(
    Type.Object({
      id: Type.Integer(),
      accountCode: Type.String(),
      day: Type.String(),
      amount: Type.Integer({ description: 'minor units; money in positive' }),
      description: Type.String(),
      reference: Type.Union([Type.String(), Type.Null()]),
      suggestions: Type.Array(
        Type.Object({
          entryId: Type.Integer(),
          day: Type.String(),
          description: Type.String(),
          days: Type.Integer({ description: 'days from the entry to the line' }),
          referenced: Type.Boolean({ description: 'the line names the entry’s reference' }),
        }),
      ),
    }),
  ),
  notOnStatement: Type.Array(Movement, {
    description: 'booked on the account since the first statement line, on no statement yet',
  }),
});

const AccountQuery = Type.Object(
  { account: Type.Optional(AccountCode('default Assets:Bank')) },
  { additionalProperties: false },
);

export function bankRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.register(async (scope) => {
    scope.addContentTypeParser(
      [...STATEMENT_TYPES, 'application/octet-stream'],
      { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/statements',
      {
        config: { access: 'write' },
        schema: {
          tags,
          summary:
            'Import a bank statement (CSV, OFX or CAMT.053 as the body): lines kept once, the sure ones matched',
          consumes: STATEMENT_TYPES,
          querystring: Type.Object(
            {
              account: Type.Optional(AccountCode('default Assets:Bank')),
              name: Type.Optional(Type.String({ maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
          response: responses({
            201: Type.Object({
              statementId: Type.Integer(),
              format: Type.String({ description: 'csv, ofx or camt053' }),
              lines: Type.Integer({ description: 'lines kept from this file' }),
              alreadyImported: Type.Integer({ description: 'lines an earlier file brought already' }),
              matched: Type.Integer({ description: 'lines matched now' }),
              open: Type.Integer({ description: 'lines on the account still to reconcile' }),
            }),
          }),
        },
      },
      async (request, reply) => {
        if (typeof request.body !== 'string' || !request.body.trim())
          throw invalid(
            'send the statement file as the body (Content-Type: text/csv, application/x-ofx or application/xml)',
          );
        const imported = await ledger.bank.importStatement(request.body, {
          account: request.query.account,
          name: request.query.name ?? 'statement',
          by: actorOf(request.principal).actorLabel,
        });
        return reply.code(201).send(imported);
      },
    );
  });

  api.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary:
          'What is not reconciled on a bank account: open lines with suggestions, entries on no statement',
        querystring: AccountQuery,
        response: responses({ 200: Unreconciled }),
      },
    },
    async (request) => ledger.bank.unreconciled(request.query.account),
  );

  api.post(
    '/lines/:id/match',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Match a bank line to the entry that booked the same money on the account',
        params: IdParams,
        body: Type.Object({ entryId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await ledger.bank.accept(
        Number(request.params.id),
        request.body.entryId,
        actorOf(request.principal).actorLabel,
      );
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/lines/:id/book',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Book a bank line nothing explains (bank charges, interest, a card payment) to an account',
        params: IdParams,
        body: Type.Object(
          {
            account: AccountCode('where the money came from or went'),
            vat: Type.Optional(
              Type.Integer({ minimum: 0, description: 'VAT to reclaim in it, minor units' }),
            ),
            memo: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ entryId: Type.Integer() }) }),
      },
    },
    async (request, reply) => {
      const entryId = await ledger.bank.book(
        Number(request.params.id),
        request.body,
        actorOf(request.principal).actorLabel,
      );
      return reply.code(201).send({ entryId });
    },
  );

  api.post(
    '/lines/:id/ignore',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Set a bank line aside (a transfer between own accounts already booked elsewhere)',
        params: IdParams,
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await ledger.bank.ignore(Number(request.params.id), actorOf(request.principal).actorLabel);
      return reply.code(204).send(null);
    },
  );
}
