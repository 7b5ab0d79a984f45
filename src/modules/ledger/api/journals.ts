// Manual journals (under /api/v1/ledger): book one (balanced lines in minor units, a memo, perhaps a
// document), list them, download a document, set the opening balances, and keep journals that repeat
// each month. Unbalanced lines, an account not in the chart or a closed period are a 422 naming it.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoContent, responses } from '../../../platform/http/schemas.ts';
import { actorOf } from '../../../platform/accounts/roles.ts';
import { invalid } from '../../../platform/errors.ts';
import { dayIn } from '../../../platform/dates.ts';
import type { LedgerParts } from '../index.ts';
import { AccountCode, Day, IdParams, tags } from './shared.ts';
import { File } from './answers.ts';

const Minor = Type.Integer({ minimum: 1, description: 'minor units (pence)' });

const LineIn = Type.Object(
  { account: AccountCode(), debit: Type.Optional(Minor), credit: Type.Optional(Minor) },
  { additionalProperties: false, description: 'a debit or a credit, not both' },
);

const LineOut = Type.Object({
  account: Type.String(),
  debit: Type.Integer({ description: 'minor units; 0 on a credit line' }),
  credit: Type.Integer({ description: 'minor units; 0 on a debit line' }),
});

const Document = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    contentType: Type.Union(
      ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'].map((type) => Type.Literal(type)),
    ),
    base64: Type.String({ maxLength: 14_000_000, description: 'the file, base64 (10 MB at most)' }),
  },
  { additionalProperties: false },
);

const JournalIn = Type.Object(
  {
    date: Day('the day it belongs to'),
    memo: Type.String({ minLength: 1, maxLength: 500 }),
    lines: Type.Array(LineIn, { minItems: 2, maxItems: 100 }),
    reference: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'yours; the same reference twice is refused',
      }),
    ),
    document: Type.Optional(Document),
  },
  { additionalProperties: false },
);

const JournalOut = Type.Object({
  entryId: Type.Integer(),
  date: Type.String(),
  memo: Type.String(),
  currency: Type.String(),
  lines: Type.Array(LineOut),
  document: Type.Union([Type.Object({ name: Type.String(), contentType: Type.String() }), Type.Null()]),
});

const RecurringIn = Type.Object(
  {
    memo: Type.String({ minLength: 1, maxLength: 500 }),
    lines: Type.Array(LineIn, { minItems: 2, maxItems: 100 }),
    dayOfMonth: Type.Integer({ minimum: 1, maximum: 28 }),
    startsOn: Day('the first day it may fall on'),
    endsOn: Type.Optional(Day('the last day it may fall on')),
  },
  { additionalProperties: false },
);

const RecurringOut = Type.Object({
  id: Type.Integer(),
  memo: Type.String(),
  lines: Type.Array(LineOut),
  dayOfMonth: Type.Integer(),
  startsOn: Type.String(),
  endsOn: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  nextOn: Type.Union([Type.String(), Type.Null()], { description: 'null once it has ended or was stopped' }),
});

export function journalRoutes(app: FastifyInstance, { ledger, timezone, now }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const today = () => dayIn(now(), timezone);

  api.post(
    '/journals',
    {
      config: { access: 'write' },
      bodyLimit: 15 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Book a manual journal: balanced debit and credit lines in minor units, a memo, a document',
        body: JournalIn,
        response: responses({ 201: Type.Object({ entry: JournalOut }) }),
      },
    },
    async (request, reply) => {
      const { document, ...input } = request.body;
      let file;
      if (document) {
        const content = Buffer.from(document.base64, 'base64');
        if (!content.length) throw invalid('document.base64 holds no file');
        file = { name: document.name, contentType: document.contentType, content };
      }
      return reply.code(201).send({ entry: await ledger.journals.post(input, file) });
    },
  );

  api.get(
    '/journals',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'The journals booked by hand, newest first (the last 100)',
        response: responses({ 200: Type.Object({ journals: Type.Array(JournalOut) }) }),
      },
    },
    async () => ({ journals: await ledger.journals.list() }),
  );

  api.get(
    '/journals/:id/document',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: "A journal's document, as it was uploaded",
        params: IdParams,
        produces: ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'],
        response: responses({ 200: File('the document (PDF or image), as an attachment') }),
      },
    },
    async (request, reply) => {
      const document = await ledger.journals.document(Number(request.params.id));
      return reply
        .type(document.contentType)
        .header('content-disposition', `attachment; filename="${document.name.replace(/[^\w. -]/g, '_')}"`)
        .send(document.content);
    },
  );

  api.post(
    '/opening-balances',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          "Each account's balance on the day the books start; the difference goes to Equity:Opening Balances",
        body: Type.Object(
          { date: Day('the day the books start'), lines: Type.Array(LineIn, { minItems: 1, maxItems: 200 }) },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ entry: JournalOut }) }),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send({ entry: await ledger.journals.openingBalances(request.body.date, request.body.lines) }),
  );

  api.get(
    '/journals/recurring',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Journals that post themselves each month',
        response: responses({ 200: Type.Object({ recurring: Type.Array(RecurringOut) }) }),
      },
    },
    async () => ({ recurring: await ledger.journals.recurring(today()) }),
  );

  api.post(
    '/journals/recurring',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'A journal that posts itself on a day of each month (those already due post at once)',
        body: RecurringIn,
        response: responses({ 201: Type.Object({ recurring: RecurringOut }) }),
      },
    },
    async (request, reply) => {
      const { actorLabel } = actorOf(request.principal);
      const recurring = await ledger.journals.addRecurring(request.body, actorLabel, today());
      return reply.code(201).send({ recurring });
    },
  );

  api.delete(
    '/journals/recurring/:id',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Stop a recurring journal (what it posted stays in the books)',
        params: IdParams,
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await ledger.journals.stopRecurring(Number(request.params.id));
      return reply.code(204).send(null);
    },
  );
}
