// Stock on the books (under /api/v1/ledger/stock): goods received into a lot at their cost, and the
// opening stock taken once from Shopify's count. Stock at cost is a report (reports.ts).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses, ShopifyId } from '../../../platform/http/schemas.ts';
import type { LedgerParts } from '../index.ts';
import { AccountCode, Day, tags } from './shared.ts';
import { GoodsReceived, OpeningStock } from './answers.ts';

export function stockRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/write-offs',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'Stock written off (expired, damaged, other): out of stock at what it cost, to Stock written off',
        body: Type.Object(
          {
            date: Day('the day it was written off'),
            variantId: ShopifyId('the Shopify variant id'),
            quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
            reason: Type.Union([Type.Literal('expired'), Type.Literal('damaged'), Type.Literal('other')]),
            note: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: responses({
          201: Type.Object({ entryId: Type.Integer(), cost: Type.Integer({ description: 'minor units' }) }),
        }),
      },
    },
    async (request, reply) => reply.code(201).send(await ledger.stock.writeOff(request.body)),
  );

  api.post(
    '/counts',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'A stock count: units missing come out at cost, units found go in at the last cost; each difference booked',
        body: Type.Object(
          {
            date: Day('the day of the count'),
            counts: Type.Array(
              Type.Object(
                {
                  variantId: ShopifyId('the Shopify variant id'),
                  counted: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 5000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({
          201: Type.Object({
            counts: Type.Array(
              Type.Object({
                variantId: Type.Integer(),
                books: Type.Integer({ description: 'units the books held' }),
                counted: Type.Integer(),
                difference: Type.Integer({ description: 'found positive, missing negative' }),
                value: Type.Integer({ description: 'minor units, at cost' }),
              }),
            ),
          }),
        }),
      },
    },
    async (request, reply) =>
      reply.code(201).send({ counts: await ledger.stock.count(request.body.date, request.body.counts) }),
  );

  api.post(
    '/receipts',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'Goods received: a lot of a variant at a unit cost (up to 6 decimals), with an expiry date if it has one',
        body: Type.Object(
          {
            date: Day('the day the goods arrived'),
            variantId: ShopifyId('the Shopify variant id'),
            quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
            unitCost: Type.String({ pattern: '^[0-9]{1,9}(\\.[0-9]{1,6})?$', description: 'e.g. 2.345' }),
            vat: Type.Optional(
              Type.String({
                pattern: '^[0-9]{1,9}(\\.[0-9]{1,2})?$',
                description:
                  'the VAT on the supplier’s invoice for these goods (e.g. 200.00): reclaimable; the bank pays it with them',
              }),
            ),
            expiresOn: Type.Optional(Day('best before')),
            supplier: Type.Optional(Type.String({ maxLength: 200 })),
            paidFrom: Type.Optional(AccountCode('default Assets:Bank')),
            reference: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: GoodsReceived }),
      },
    },
    async (request, reply) => reply.code(201).send(await ledger.stock.receiveGoods(request.body)),
  );

  api.post(
    '/opening',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          "Opening stock from Shopify, once: each variant's units Shopify counts beyond the books' become a lot at Shopify's unit cost, dated the day before the books' first entry (done by itself after the first import; 409 once taken)",
        // No body, or an empty object: anything else is a mistake worth telling the caller about.
        body: Type.Object({}, { additionalProperties: false, maxProperties: 0 }),
        response: responses({ 200: OpeningStock }),
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async () => ledger.stock.takeOpening(),
  );
}
