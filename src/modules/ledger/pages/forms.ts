// What the Books page's forms post (under /books): a receipt photo, an expense or a spreadsheet of
// them, a receipt corrected from review, closing a period, an exchange rate, pushing to Akaunting,
// dismissing a review item. Each answers with a redirect back to the page and a notice of what happened.
import { formatMoney, toMinor } from '../../../platform/money.ts';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import multipart from '@fastify/multipart';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { formAction } from '../../../platform/dashboard/components.ts';
import { formBody, optionalField } from '../../../platform/dashboard/form-body.ts';
import { actorOf } from '../../../platform/accounts/roles.ts';
import { addDays, dayIn } from '../../../platform/dates.ts';
import { AppError } from '../../../platform/errors.ts';
import type { LedgerParts } from '../index.ts';
import { AkauntingError } from '../akaunting.ts';

const text = (maxLength: number) => Type.String({ maxLength });
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,16}$' }) });

const ExpenseForm = formBody({
  date: text(10),
  supplier: text(500),
  description: optionalField(500),
  amount: text(20),
  tax: optionalField(20),
  account: optionalField(500),
  paidFrom: optionalField(500),
  reference: optionalField(100),
  reverseCharge: optionalField(3),
});

/** An empty field is a field not filled in; the kind of expense is always chosen, never assumed. */
const expenseInput = (body: Static<typeof ExpenseForm>) => {
  if (!body.account?.trim())
    throw new AppError('invalid_request', 'choose the kind of expense (postage, packaging, advertising, …)');
  return expenseFields(body);
};

const expenseFields = (body: Static<typeof ExpenseForm>) => ({
  date: body.date,
  supplier: body.supplier,
  description: body.description,
  amount: body.amount,
  tax: body.tax || undefined,
  account: body.account,
  paidFrom: body.paidFrom,
  reference: body.reference,
  reverseCharge: body.reverseCharge === 'yes',
});

export function bookForms(app: FastifyInstance, { ledger, now }: LedgerParts, { config }: HttpContext): void {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();

  // The receipt photo comes as a form upload; the CSRF token is a field of the same form.
  pages.register(async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: 10 * 1024 * 1024, files: 1, fields: 5 },
    });
    scope.post<{ Body: { receipt?: unknown } }>(
      '/receipts',
      { config: { access: 'write' }, schema: { hide: true } },
      async (request, reply) => {
        if (!request.isMultipart())
          throw new AppError('invalid_request', 'send the photo as a form upload (multipart/form-data)');
        const photo = request.body?.receipt;
        return formAction(reply, '/books/expenses', async () => {
          if (!ledger.receipts) throw new AppError('invalid_request', 'receipts are read by the server');
          if (!Buffer.isBuffer(photo)) throw new AppError('invalid_request', 'choose a photo of the receipt');
          const receipt = await ledger.receipts.upload(photo, actorOf(request.principal).actorLabel);
          return `Receipt ${receipt.id} is being read; it shows under Receipts in a moment.`;
        });
      },
    );
  });

  pages.post(
    '/receipts/:id/book',
    { config: { access: 'write' }, schema: { hide: true, params: IdParams, body: ExpenseForm } },
    async (request, reply) =>
      formAction(
        reply,
        '/books/expenses',
        async () => {
          await ledger.bookReceipt(Number(request.params.id), expenseInput(request.body));
          return `Receipt ${request.params.id} booked.`;
        },
        { failed: 'Not booked' },
      ),
  );

  pages.post(
    '/expenses',
    { config: { access: 'write' }, schema: { hide: true, body: ExpenseForm } },
    async (request, reply) => {
      const body = request.body;
      return formAction(
        reply,
        '/books/expenses',
        async () => {
          await ledger.addExpense(expenseInput(body));
          const currency = await ledger.currency();
          return `Booked: ${body.supplier}, ${formatMoney(toMinor(body.amount, currency), currency)}.`;
        },
        {
          failed: 'Not booked',
          // The form comes back as it was typed, to correct rather than type again.
          typed: {
            date: body.date,
            supplier: body.supplier,
            description: body.description,
            amount: body.amount,
            tax: body.tax,
            account: body.account,
            reference: body.reference,
          },
        },
      );
    },
  );

  pages.post(
    '/expenses/import',
    { config: { access: 'write' }, schema: { hide: true, body: formBody({ csv: text(60_000) }) } },
    async (request, reply) =>
      formAction(reply, '/books/expenses', async () => {
        const { imported, alreadyBooked } = await ledger.importExpenses(request.body.csv);
        return `Imported ${imported} expense(s)${alreadyBooked ? `; ${alreadyBooked} were already in the books` : ''}.`;
      }),
  );

  pages.post(
    '/close',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody({ endsOn: text(10) }) } },
    async (request, reply) => {
      const { actorLabel } = actorOf(request.principal);
      return formAction(reply, '/books/periods', async () => {
        const period = await ledger.closePeriod(request.body.endsOn, actorLabel);
        return `The books are closed up to ${period.endsOn}.`;
      });
    },
  );

  pages.post(
    '/year-end',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody({ endsOn: text(10) }) } },
    async (request, reply) => {
      const { actorLabel } = actorOf(request.principal);
      return formAction(reply, '/books/periods', async () => {
        const year = await ledger.closeYear(request.body.endsOn, actorLabel);
        return `The year to ${year.endsOn} is closed: ${formatMoney(year.profit, year.currency)} of profit moved to earnings of earlier years.`;
      });
    },
  );

  pages.post(
    '/vat-return',
    {
      config: { access: 'admin' },
      schema: { hide: true, body: formBody({ from: text(10), to: text(10) }) },
    },
    async (request, reply) => {
      const { from, to } = request.body;
      return formAction(reply, `/books/vat?${new URLSearchParams({ from, to })}`, async () => {
        const filed = await ledger.vatReturns.file(from, to, actorOf(request.principal).actorLabel);
        return `The VAT return from ${filed.from} to ${filed.to} is filed; its figures are kept as they are.`;
      });
    },
  );

  pages.post(
    '/fx-rate',
    {
      config: { access: 'write' },
      schema: { hide: true, body: formBody({ currency: text(3), day: text(10), rate: text(24) }) },
    },
    async (request, reply) => {
      const { currency, day, rate } = request.body;
      return formAction(
        reply,
        '/books/settings',
        async () => {
          const { posted } = await ledger.setFxRate(currency.toUpperCase(), day, rate.trim());
          return `Saved: 1 ${currency.toUpperCase()} = ${rate} ${await ledger.currency()} on ${day}.${posted ? ` ${posted} payout(s) booked.` : ''} (Payouts booked before keep the rate they were booked at.)`;
        },
        { failed: 'Not saved', typed: { currency, day, rate } },
      );
    },
  );

  pages.post(
    '/akaunting',
    { config: { access: 'write' }, schema: { hide: true, body: formBody({}) } },
    async (_request, reply) => {
      const yesterday = addDays(dayIn(now(), config.timezone), -1);
      return formAction(
        reply,
        '/books/settings',
        async () => {
          const result = await ledger.syncAkaunting(addDays(yesterday, -6), yesterday);
          return `Akaunting: ${result.pushed} transaction(s) pushed, ${result.upToDate} already there.`;
        },
        { shows: (error) => error instanceof AppError || error instanceof AkauntingError },
      );
    },
  );

  pages.post(
    '/review/:id/dismiss',
    { config: { access: 'write' }, schema: { hide: true, params: IdParams, body: formBody({}) } },
    async (request, reply) =>
      formAction(reply, '/books/review', async () => {
        await ledger.dismissReview(Number(request.params.id));
        return 'Dismissed.';
      }),
  );
}
