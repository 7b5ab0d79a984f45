// The books over the API: reports (P&L, balance sheet, trial balance, sales tax, general ledger), the
// chart of accounts, the review queue, closing periods, and the hledger and CSV exports.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { LedgerParts } from './index.ts';
import { actorOf } from '../../platform/accounts/roles.ts';
import { addDays, dayIn, isDate } from '../../platform/dates.ts';
import { invalid } from '../../platform/errors.ts';
import { CSV_COLUMNS, type ExpenseInput } from './expenses.ts';
import { documentCsv } from '../../platform/documents/csv.ts';
import { documentPdf } from '../../platform/documents/pdf.ts';
import { REPORT_NAMES, type ReportName } from './documents.ts';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const CODE = '^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Za-z0-9][A-Za-z0-9 &/-]*)+$';
const date = (description: string) => ({ type: 'string', pattern: DATE, description }) as const;
const period = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: { from: date('YYYY-MM-DD, inclusive'), to: date('YYYY-MM-DD, inclusive') },
} as const;

/** Real dates, in order, not more than ten years apart. */
function checkPeriod(from: string, to: string): void {
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!isDate(value)) throw invalid(`${name} "${value}" is not a date (YYYY-MM-DD)`);
  if (from > to) throw invalid(`from (${from}) is after to (${to})`);
  if (addDays(from, 3660) < to) throw invalid('a period can be at most ten years long');
}

export function ledgerRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  /** A report over a period: ?from=&to= (real days, in order, at most ten years). */
  const periodReport = (
    path: string,
    summary: string,
    report: (from: string, to: string) => Promise<unknown>,
  ) =>
    app.get<{ Querystring: { from: string; to: string } }>(
      path,
      { config: { access: 'read' }, schema: { tags: ['ledger'], summary, querystring: period } },
      async (request) => {
        checkPeriod(request.query.from, request.query.to);
        return report(request.query.from, request.query.to);
      },
    );
  /** A report at the end of a day: ?at=. */
  const dayReport = (path: string, summary: string, report: (at: string) => Promise<unknown>) =>
    app.get<{ Querystring: { at: string } }>(
      path,
      {
        config: { access: 'read' },
        schema: {
          tags: ['ledger'],
          summary,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['at'],
            properties: { at: date('YYYY-MM-DD') },
          },
        },
      },
      async (request) => {
        if (!isDate(request.query.at)) throw invalid(`at "${request.query.at}" is not a date (YYYY-MM-DD)`);
        return report(request.query.at);
      },
    );

  app.get<{ Querystring: { from: string; to: string; compareFrom?: string; compareTo?: string } }>(
    '/api/v1/ledger/reports/pnl',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ledger'],
        summary: 'Profit and loss for a period: revenue, expenses and net in minor units, with the currency',
        querystring: {
          ...period,
          properties: {
            ...period.properties,
            compareFrom: date('start of a period to compare with'),
            compareTo: date('end of the period to compare with'),
          },
        },
      },
    },
    async (request) => {
      const { from, to, compareFrom, compareTo } = request.query;
      checkPeriod(from, to);
      if ((compareFrom === undefined) !== (compareTo === undefined))
        throw invalid('compareFrom and compareTo go together');
      if (compareFrom && compareTo) checkPeriod(compareFrom, compareTo);
      return ledger.reports.profitAndLoss(
        from,
        to,
        compareFrom && compareTo ? { from: compareFrom, to: compareTo } : undefined,
      );
    },
  );

  dayReport(
    '/api/v1/ledger/reports/balance-sheet',
    'Assets, liabilities and equity at the end of a day',
    (at) => ledger.reports.balanceSheet(at),
  );

  periodReport(
    '/api/v1/ledger/reports/trial-balance',
    'Debits and credits per account in a period',
    (from, to) => ledger.reports.trialBalance(from, to),
  );

  periodReport(
    '/api/v1/ledger/reports/sales-tax',
    'Sales tax / VAT by jurisdiction: collected, refunded, owed',
    (from, to) => ledger.reports.salesTax(from, to),
  );

  app.get<{
    Params: { report: ReportName };
    Querystring: { from: string; to: string; format: 'pdf' | 'csv' };
  }>(
    '/api/v1/ledger/reports/:report/download',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ledger'],
        summary:
          'A report as a file: PDF to print or send to the accountant, CSV for a spreadsheet (balance sheet and stock are at `to`)',
        params: {
          type: 'object',
          required: ['report'],
          properties: { report: { type: 'string', enum: [...REPORT_NAMES] } },
        },
        querystring: {
          ...period,
          required: ['from', 'to', 'format'],
          properties: { ...period.properties, format: { type: 'string', enum: ['pdf', 'csv'] } },
        },
      },
    },
    async (request, reply) => {
      const { from, to, format } = request.query;
      checkPeriod(from, to);
      const document = await ledger.reportDocument(request.params.report, from, to);
      const name = `shopkeep-${request.params.report}-${from}-to-${to}.${format}`;
      return reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .type(format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8')
        .send(format === 'pdf' ? documentPdf(document) : documentCsv(document));
    },
  );

  periodReport(
    '/api/v1/ledger/reports/cash-flow',
    'Cash-flow statement (indirect): profit adjusted by the change in stock, Shopify balances, tax and the rest; operating, investing, financing; cash at the start and end',
    (from, to) => ledger.reports.cashFlow(from, to),
  );

  periodReport(
    '/api/v1/ledger/reports/margins',
    'Margin per product: sales after discounts (without tax), refunds, cost of the units (returns back at cost), share of payment fees',
    (from, to) => ledger.productMargins(from, to),
  );

  app.get(
    '/api/v1/ledger/reports/cash-projection',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ledger'],
        summary:
          'Cash over the next 90 days: payouts on their way, takings at the last 90 days’ pace, monthly expenses, reorders as stock runs low; week by week, with the lowest point',
      },
    },
    async () => ledger.cashProjection(),
  );

  app.get<{ Querystring: { account: string; from: string; to: string } }>(
    '/api/v1/ledger/reports/general-ledger',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ledger'],
        summary: 'One account’s postings with running balance and the Shopify record each came from',
        querystring: {
          ...period,
          required: ['account', 'from', 'to'],
          properties: { ...period.properties, account: { type: 'string', pattern: CODE, maxLength: 200 } },
        },
      },
    },
    async (request) => {
      const { account, from, to } = request.query;
      checkPeriod(from, to);
      return ledger.reports.generalLedger(account, from, to);
    },
  );

  const money = {
    type: 'string',
    pattern: '^[0-9]{1,10}(\\.[0-9]{1,3})?$',
    description: 'a decimal amount, e.g. 12.50',
  } as const;
  const expenseBody = {
    type: 'object',
    additionalProperties: false,
    required: ['date', 'supplier', 'amount'],
    properties: {
      date: date('the day it was paid'),
      supplier: { type: 'string', minLength: 1, maxLength: 200 },
      description: { type: 'string', maxLength: 500 },
      amount: money,
      tax: money,
      account: {
        type: 'string',
        pattern: CODE,
        maxLength: 200,
        description: 'default Expenses:General',
      },
      paidFrom: { type: 'string', pattern: CODE, maxLength: 200, description: 'default Assets:Bank' },
      reference: { type: 'string', maxLength: 100 },
    },
  } as const;
  app.post<{ Body: ExpenseInput }>(
    '/api/v1/ledger/expenses',
    {
      config: { access: 'write' },
      schema: {
        tags: ['ledger'],
        summary:
          'Book an expense: what was paid (VAT included), the VAT in it to reclaim, from which account',
        body: expenseBody,
      },
    },
    async (request, reply) => reply.code(201).send(await ledger.addExpense(request.body)),
  );

  app.post<{ Params: { id: string }; Body: ExpenseInput }>(
    '/api/v1/ledger/receipts/:id/book',
    {
      config: { access: 'write' },
      schema: {
        tags: ['ledger'],
        summary:
          'Book a receipt that waits for review, as corrected (date, supplier, amounts) and in the expense account chosen; its review item is resolved',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: '^[0-9]{1,16}$' } },
        },
        body: expenseBody,
      },
    },
    async (request) => ({ receipt: await ledger.bookReceipt(Number(request.params.id), request.body) }),
  );

  // A CSV upload: the body is the file as it is.
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'text/csv',
      { parseAs: 'string', bodyLimit: 2 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    scope.post<{ Body: string }>(
      '/api/v1/ledger/expenses/import',
      {
        config: { access: 'write' },
        schema: {
          tags: ['ledger'],
          summary: `Import expenses from CSV (columns ${CSV_COLUMNS.join(', ')}; date, supplier and amount required): all or nothing`,
          consumes: ['text/csv'],
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
  app.register(async (scope) => {
    scope.addContentTypeParser(
      ['image/png', 'image/jpeg', 'image/webp', 'application/pdf', 'application/octet-stream'],
      { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    scope.post<{ Body: Buffer; Querystring: { name?: string } }>(
      '/api/v1/ledger/receipts',
      {
        config: { access: 'write' },
        schema: {
          tags: ['ledger'],
          summary:
            'Upload a receipt photo (PNG, JPEG or WebP) or PDF invoice as the body: it is read, checked, then booked or sent to review',
          consumes: ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { type: 'string', maxLength: 200, description: 'the file name, for the list' },
            },
          },
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

  app.get(
    '/api/v1/ledger/receipts',
    {
      config: { access: 'read' },
      schema: { tags: ['ledger'], summary: 'The last 100 receipts and what became of each' },
    },
    async () => ({ receipts: (await ledger.receipts?.list()) ?? [] }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/ledger/receipts/:id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ledger'],
        summary: 'One receipt: status (reading, booked, review, failed), what was read, the entry it became',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: '^[0-9]{1,16}$' } },
        },
      },
    },
    async (request) => {
      if (!ledger.receipts) throw invalid('receipts are read by the server');
      return { receipt: await ledger.receipts.get(Number(request.params.id)) };
    },
  );

  app.post<{
    Body: {
      date: string;
      variantId: string;
      quantity: number;
      unitCost: string;
      expiresOn?: string;
      supplier?: string;
      paidFrom?: string;
      reference?: string;
    };
  }>(
    '/api/v1/ledger/stock/receipts',
    {
      config: { access: 'write' },
      schema: {
        tags: ['ledger'],
        summary:
          'Goods received: a lot of a variant at a unit cost (up to 6 decimals), with an expiry date if it has one',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['date', 'variantId', 'quantity', 'unitCost'],
          properties: {
            date: date('the day the goods arrived'),
            variantId: { type: 'string', pattern: '^[0-9]{1,16}$', description: 'the Shopify variant id' },
            quantity: { type: 'integer', minimum: 1, maximum: 1_000_000 },
            unitCost: { type: 'string', pattern: '^[0-9]{1,9}(\\.[0-9]{1,6})?$', description: 'e.g. 2.345' },
            expiresOn: date('best before'),
            supplier: { type: 'string', maxLength: 200 },
            paidFrom: { type: 'string', pattern: CODE, maxLength: 200, description: 'default Assets:Bank' },
            reference: { type: 'string', maxLength: 100 },
          },
        },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await ledger.stock.receiveGoods({ ...request.body, variantId: Number(request.body.variantId) }),
        ),
  );

  app.post(
    '/api/v1/ledger/stock/opening',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ledger'],
        summary:
          "Opening stock from Shopify, once: each variant's units Shopify counts beyond the books' become a lot at Shopify's unit cost, dated the day before the books' first entry (done by itself after the first import; 409 once taken)",
        // No body, or an empty object: anything else is a mistake worth telling the caller about.
        body: { type: 'object', additionalProperties: false, maxProperties: 0 },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async () => ledger.stock.takeOpening(),
  );

  dayReport(
    '/api/v1/ledger/reports/stock',
    'Stock at cost at the end of a day: quantity, value and what expires within 30 days, per variant',
    (at) => ledger.stock.valuation(at),
  );

  app.get(
    '/api/v1/ledger/fx-rates',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ledger'],
        summary: 'Exchange rates entered for payouts in other currencies (latest 200)',
      },
    },
    async () => ({ rates: await ledger.fxRates() }),
  );

  app.put<{ Params: { currency: string; day: string }; Body: { rate: string } }>(
    '/api/v1/ledger/fx-rates/:currency/:day',
    {
      config: { access: 'write' },
      schema: {
        tags: ['ledger'],
        summary:
          'Set the rate of a currency on a day (units of the shop currency per unit, from the bank statement); payouts waiting for it are booked',
        params: {
          type: 'object',
          required: ['currency', 'day'],
          properties: { currency: { type: 'string', pattern: '^[A-Z]{3}$' }, day: date('YYYY-MM-DD') },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['rate'],
          properties: {
            rate: { type: 'string', pattern: '^[0-9]{1,9}(\\.[0-9]{1,10})?$', description: 'e.g. 0.8571' },
          },
        },
      },
    },
    async (request) => ledger.setFxRate(request.params.currency, request.params.day, request.body.rate),
  );

  app.get(
    '/api/v1/ledger/accounts',
    { config: { access: 'read' }, schema: { tags: ['ledger'], summary: 'The chart of accounts' } },
    async () => ({ accounts: await ledger.accounts() }),
  );

  const accountBody = {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, maxLength: 120 } },
  } as const;

  app.post<{ Body: { code: string; name: string } }>(
    '/api/v1/ledger/accounts',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ledger'],
        summary: 'Add an account to the chart (its type comes from the first word of its code)',
        body: {
          ...accountBody,
          required: ['code', 'name'],
          properties: { ...accountBody.properties, code: { type: 'string', pattern: CODE, maxLength: 200 } },
        },
      },
    },
    async (request, reply) => {
      const account = await ledger.addAccount(request.body.code, request.body.name);
      return reply.code(201).send({ account });
    },
  );

  app.put<{ Params: { code: string }; Body: { name: string } }>(
    '/api/v1/ledger/accounts/:code',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ledger'],
        summary: 'Rename an account (its code, which reports and exports use, stays)',
        params: {
          type: 'object',
          required: ['code'],
          properties: { code: { type: 'string', pattern: CODE, maxLength: 200 } },
        },
        body: accountBody,
      },
    },
    async (request) => {
      const account = await ledger.renameAccount(request.params.code, request.body.name);
      return { account };
    },
  );

  app.get<{ Querystring: { status?: 'open' | 'resolved' | 'dismissed' } }>(
    '/api/v1/ledger/review',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ledger'],
        summary: 'What the posting rules could not book, waiting for a look',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: ['open', 'resolved', 'dismissed'] } },
        },
      },
    },
    async (request) => ({ items: await ledger.review(request.query.status) }),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/ledger/review/:id/dismiss',
    {
      config: { access: 'write' },
      schema: {
        tags: ['ledger'],
        summary: 'Dismiss a review item (nothing is booked for it)',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: '^[0-9]{1,16}$' } },
        },
      },
    },
    async (request, reply) => {
      await ledger.dismissReview(Number(request.params.id));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/ledger/periods',
    { config: { access: 'read' }, schema: { tags: ['ledger'], summary: 'Closed periods and their seals' } },
    async () => ({ periods: await ledger.periods(), verified: await ledger.verifyPeriods() }),
  );

  app.post<{ Body: { endsOn: string } }>(
    '/api/v1/ledger/periods',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ledger'],
        summary: 'Close the books up to a day: nothing can be added on or before it afterwards',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['endsOn'],
          properties: { endsOn: date('the last day of the period, before today') },
        },
      },
    },
    async (request, reply) => {
      const { actorLabel } = actorOf(request.principal);
      const closed = await ledger.closePeriod(request.body.endsOn, actorLabel);
      return reply.code(201).send({ period: closed });
    },
  );

  app.get<{ Querystring: { format: 'hledger' | 'csv'; from: string; to: string } }>(
    '/api/v1/ledger/export',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ledger'],
        summary: 'The books as an hledger journal or CSV (one posting per row)',
        querystring: {
          ...period,
          required: ['format', 'from', 'to'],
          properties: { ...period.properties, format: { type: 'string', enum: ['hledger', 'csv'] } },
        },
      },
    },
    async (request, reply) => {
      const { format, from, to } = request.query;
      checkPeriod(from, to);
      const name = `shopkeep-books-${from}-to-${to}.${format === 'csv' ? 'csv' : 'journal'}`;
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(Readable.from(format === 'csv' ? ledger.csv(from, to) : ledger.hledger(from, to)));
    },
  );
}

/** Today and the first of this month in a time zone, for default report periods. */
export function thisMonth(timeZone: string): { from: string; to: string } {
  const to = dayIn(new Date(), timeZone);
  return { from: `${to.slice(0, 8)}01`, to };
}
