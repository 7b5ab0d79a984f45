// The books' reports over the API (under /api/v1/ledger/reports): profit and loss, balance sheet,
// trial balance, sales tax, cash flow, margins, the cash projection, one account's postings, stock at
// cost. Each reads; none changes the books.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from 'typebox';
import { responses } from '../../../platform/http/schemas.ts';
import { invalid } from '../../../platform/errors.ts';
import type { LedgerParts } from '../index.ts';
import { AccountCode, Day, PeriodQuery, checkDay, checkPeriod, periodFields, tags } from './shared.ts';
import {
  BalanceSheet,
  CashFlow,
  CashProjection,
  GeneralLedger,
  Margins,
  ProfitAndLoss,
  SalesTax,
  StockValuation,
  TrialBalance,
} from './answers.ts';

const read = { access: 'read' } as const;
const AtQuery = Type.Object({ at: Day('YYYY-MM-DD') }, { additionalProperties: false });

export function reportRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/pnl',
    {
      config: read,
      schema: {
        tags,
        summary: 'Profit and loss for a period: revenue, expenses and net in minor units, with the currency',
        querystring: Type.Object(
          {
            ...periodFields,
            compareFrom: Type.Optional(Day('start of a period to compare with')),
            compareTo: Type.Optional(Day('end of the period to compare with')),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: ProfitAndLoss }),
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

  api.get(
    '/balance-sheet',
    {
      config: read,
      schema: {
        tags,
        summary: 'Assets, liabilities and equity at the end of a day',
        querystring: AtQuery,
        response: responses({ 200: BalanceSheet }),
      },
    },
    async (request) => {
      checkDay(request.query.at);
      return ledger.reports.balanceSheet(request.query.at);
    },
  );

  // The reports over a period (?from=&to=): one shape each, so one helper. Its schema checks the
  // query and documents the answer; the types are the reports' own.
  const periodReport = (
    path: string,
    summary: string,
    answer: TSchema,
    report: (from: string, to: string) => Promise<unknown>,
  ) =>
    app.get(
      path,
      {
        config: read,
        schema: { tags, summary, querystring: PeriodQuery, response: responses({ 200: answer }) },
      },
      async (request) => {
        const { from, to } = request.query as Static<typeof PeriodQuery>;
        checkPeriod(from, to);
        return report(from, to);
      },
    );

  periodReport('/trial-balance', 'Debits and credits per account in a period', TrialBalance, (from, to) =>
    ledger.reports.trialBalance(from, to),
  );
  periodReport(
    '/sales-tax',
    'Sales tax / VAT by jurisdiction: collected, refunded, owed',
    SalesTax,
    (from, to) => ledger.reports.salesTax(from, to),
  );
  periodReport(
    '/cash-flow',
    'Cash-flow statement (indirect): profit adjusted by the change in stock, Shopify balances, tax and the rest; operating, investing, financing; cash at the start and end',
    CashFlow,
    (from, to) => ledger.reports.cashFlow(from, to),
  );
  periodReport(
    '/margins',
    'Margin per product: sales after discounts (without tax), refunds, cost of the units (returns back at cost), share of payment fees',
    Margins,
    (from, to) => ledger.productMargins(from, to),
  );

  api.get(
    '/cash-projection',
    {
      config: read,
      schema: {
        tags,
        summary:
          'Cash over the next 90 days: payouts on their way, takings at the last 90 days’ pace, monthly expenses, reorders as stock runs low; week by week, with the lowest point',
        response: responses({ 200: CashProjection }),
      },
    },
    async () => ledger.cashProjection(),
  );

  api.get(
    '/general-ledger',
    {
      config: read,
      schema: {
        tags,
        summary: 'One account’s postings with running balance and the Shopify record each came from',
        querystring: Type.Object(
          { ...periodFields, account: AccountCode() },
          { additionalProperties: false },
        ),
        response: responses({ 200: GeneralLedger }),
      },
    },
    async (request) => {
      const { account, from, to } = request.query;
      checkPeriod(from, to);
      return ledger.reports.generalLedger(account, from, to);
    },
  );

  api.get(
    '/stock',
    {
      config: read,
      schema: {
        tags,
        summary:
          'Stock at cost at the end of a day: quantity, value and what expires within 30 days, per variant',
        querystring: AtQuery,
        response: responses({ 200: StockValuation }),
      },
    },
    async (request) => {
      checkDay(request.query.at);
      return ledger.stock.valuation(request.query.at);
    },
  );
}
