// Expenses and receipts (under /api/v1/ledger): book an expense, import a spreadsheet of them, upload
// a receipt photo or PDF invoice to be read, list the receipts, and book one that waits for review.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses } from '../../../platform/http/schemas.ts';
import { actorOf } from '../../../platform/accounts/roles.ts';
import { invalid } from '../../../platform/errors.ts';
import type { LedgerParts } from '../index.ts';
import { CSV_COLUMNS } from '../expenses.ts';
import { AccountCode, Amount, Day, IdParams, tags } from './shared.ts';
import { Booked, ExpensesImported, OneReceipt, Receipts } from './answers.ts';

const Expense = Type.Object(
  {
    date: Day('the day it was paid'),
    supplier: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    amount: Amount,
    tax: Type.Optional(Amount),
    account: Type.Optional(AccountCode('default Expenses:General')),
    paidFrom: Type.Optional(AccountCode('default Assets:Bank')),
    reference: Type.Optional(Type.String({ maxLength: 100 })),
    reverseCharge: Type.Optional(
      Type.Boolean({
        description:
          'a service bought from abroad with no UK VAT on the invoice (ads, apps): the VAT is due and reclaimed by the shop (boxes 1 and 4)',
      }),
    ),
  },
  { additionalProperties: false },
);

const RECEIPT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'];

export function expenseRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/expenses',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'Book an expense: what was paid (VAT included), the VAT in it to reclaim, from which account',
        body: Expense,
        response: responses({ 201: Booked }),
      },
    },
    async (request, reply) => reply.code(201).send(await ledger.addExpense(request.body)),
  );

  // A CSV upload: the body is the file as it is.
  api.register(async (scope) => {
    scope.addContentTypeParser(
      'text/csv',
      { parseAs: 'string', bodyLimit: 2 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/expenses/import',
      {
        config: { access: 'write' },
        schema: {
          tags,
          summary: `Import expenses from CSV (columns ${CSV_COLUMNS.join(', ')}; date, supplier and amount required): all or nothing`,
          consumes: ['text/csv'],
          response: responses({ 200: ExpensesImported }),
        },
      },
      async (request) => {
        if (typeof request.body !== 'string')
          throw invalid('send the CSV file as the body, with Content-Type: text/csv');
        return ledger.importExpenses(request.body);
      },
    );
  });

  // A receipt photo or PDF invoice: the body is the file as it is.
  api.register(async (scope) => {
    scope.addContentTypeParser(
      [...RECEIPT_TYPES, 'application/octet-stream'],
      { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/receipts',
      {
        config: { access: 'write' },
        schema: {
          tags,
          summary:
            'Upload a receipt photo (PNG, JPEG or WebP) or PDF invoice as the body: it is read, checked, then booked or sent to review',
          consumes: RECEIPT_TYPES,
          querystring: Type.Object(
            {
              name: Type.Optional(
                Type.String({ maxLength: 200, description: 'the file name, for the list' }),
              ),
            },
            { additionalProperties: false },
          ),
          response: responses({ 202: OneReceipt }),
        },
      },
      async (request, reply) => {
        if (!ledger.receipts) throw invalid('receipts are read by the server; upload there');
        if (!Buffer.isBuffer(request.body))
          throw invalid(
            'send the photo or PDF as the body, with Content-Type image/png, image/jpeg, image/webp or application/pdf',
          );
        const { actorLabel } = actorOf(request.principal);
        return reply
          .code(202)
          .send({ receipt: await ledger.receipts.upload(request.body, actorLabel, request.query.name) });
      },
    );
  });

  api.get(
    '/receipts',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'The last 100 receipts and what became of each',
        response: responses({ 200: Receipts }),
      },
    },
    async () => ({ receipts: (await ledger.receipts?.list()) ?? [] }),
  );

  api.get(
    '/receipts/:id',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'One receipt: status (reading, booked, review, failed), what was read, the entry it became',
        params: IdParams,
        response: responses({ 200: OneReceipt }),
      },
    },
    async (request) => {
      if (!ledger.receipts) throw invalid('receipts are read by the server');
      return { receipt: await ledger.receipts.get(Number(request.params.id)) };
    },
  );

  api.post(
    '/receipts/:id/book',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'Book a receipt that waits for review, as corrected (date, supplier, amounts) and in the expense account chosen; its review item is resolved',
        params: IdParams,
        body: Expense,
        response: responses({ 200: OneReceipt }),
      },
    },
    async (request) => ({ receipt: await ledger.bookReceipt(Number(request.params.id), request.body) }),
  );
}
