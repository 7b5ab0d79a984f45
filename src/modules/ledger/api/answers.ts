// What the books' API answers, field by field: the reports, the records (accounts, review items,
// periods, receipts, rates) and the results of bookings. /api/docs is written from these, and the
// tests hold every answer to them.
import type { Readable } from 'node:stream';
import { Type, type TSchema } from 'typebox';
import { ShopifyId } from '../../../platform/http/schemas.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An amount of money: an integer in minor units of the answer's `currency` (pence for GBP). */
const Money = (what: string) => Type.Integer({ description: `${what}, in minor units of \`currency\`` });
const Currency = Type.String({ description: 'the books’ currency (ISO 4217), e.g. GBP' });
const DayString = (description: string) => Type.String({ format: 'date', description });
const AccountType = Type.Enum(['asset', 'liability', 'equity', 'income', 'expense']);

const AccountLine = Type.Object({
  account: Type.String({ description: 'the account’s code, e.g. Income:Sales' }),
  name: Type.String(),
  type: AccountType,
  amount: Money('its balance the natural way round (income and liabilities positive)'),
});

const pnlFields = {
  from: DayString('first day'),
  to: DayString('last day'),
  currency: Currency,
  revenue: Money('income'),
  expenses: Money('costs'),
  net: Money('revenue less expenses'),
  income: Type.Array(AccountLine),
  costs: Type.Array(AccountLine),
};

export const ProfitAndLoss = Type.Object({
  ...pnlFields,
  comparison: Type.Optional(
    Type.Object(pnlFields, { description: 'the period compared with, when one was asked for' }),
  ),
});

export const BalanceSheet = Type.Object({
  at: DayString('the day it is at the end of'),
  currency: Currency,
  assets: Type.Array(AccountLine),
  liabilities: Type.Array(AccountLine),
  equity: Type.Array(AccountLine),
  totalAssets: Money('assets'),
  totalLiabilities: Money('liabilities'),
  totalEquity: Money('equity, with the earnings of earlier years and this year’s'),
  retainedEarnings: Money('income less expenses of the years closed (up to the last year end)'),
  earnings: Money('income less expenses since the last year end (since the beginning, before any)'),
});

export const TrialBalance = Type.Object({
  from: nullable(DayString('first day (null: since the beginning)')),
  to: DayString('last day'),
  currency: Currency,
  lines: Type.Array(
    Type.Object({
      account: Type.String(),
      name: Type.String(),
      type: AccountType,
      debit: Money('debits in the period'),
      credit: Money('credits in the period, as a positive figure'),
    }),
  ),
  totalDebits: Money('all debits'),
  totalCredits: Money('all credits'),
});

export const SalesTax = Type.Object({
  from: DayString('first day'),
  to: DayString('last day'),
  currency: Currency,
  lines: Type.Array(
    Type.Object({
      jurisdiction: Type.String({ description: 'where the tax is owed, as the tax line names it' }),
      collected: Money('tax charged on sales'),
      refunded: Money('tax given back on refunds'),
      owed: Money('collected less refunded'),
    }),
  ),
  reclaimable: Money('VAT paid on purchases, to reclaim'),
});

const CashFlowSection = Type.Object({
  lines: Type.Array(
    Type.Object({
      account: Type.String({ description: 'an account’s code, or "profit" for the period’s profit' }),
      name: Type.String(),
      amount: Money('what it added to the cash (negative: took from it)'),
    }),
  ),
  total: Money('the section’s total'),
});

export const CashFlow = Type.Object({
  from: DayString('first day'),
  to: DayString('last day'),
  currency: Currency,
  openingCash: Money('cash and bank at the start'),
  netProfit: Money('the period’s profit'),
  operating: CashFlowSection,
  investing: CashFlowSection,
  financing: CashFlowSection,
  netChange: Money('the change in cash'),
  closingCash: Money('cash and bank at the end'),
});

const marginFields = {
  units: Type.Integer({ description: 'units sold' }),
  returnedUnits: Type.Integer({ description: 'units refunded' }),
  sales: Money('sales after discounts, without tax'),
  discounts: Money('discounts given'),
  refunds: Money('what refunds gave back, without tax'),
  cost: Money('cost of the units sold, less the units returned to stock'),
  fees: Money('its share of the payment fees'),
  margin: Money('sales less refunds, cost and fees'),
  marginPercent: nullable(
    Type.Number({ description: 'of sales less refunds, one decimal; null without sales' }),
  ),
};

export const Margins = Type.Object({
  from: DayString('first day'),
  to: DayString('last day'),
  currency: Currency,
  lines: Type.Array(
    Type.Object({
      variantId: ShopifyId('the Shopify variant id'),
      name: Type.String(),
      sku: nullable(Type.String()),
      ...marginFields,
    }),
  ),
  totals: Type.Object(marginFields),
});

export const CashProjection = Type.Object({
  from: DayString('today: the projection starts after it'),
  days: Type.Integer({ description: 'how many days ahead' }),
  currency: Currency,
  openingCash: Money('cash and bank today'),
  items: Type.Array(
    Type.Object({
      date: DayString('when it is expected'),
      kind: Type.Enum(['payout', 'takings', 'recurring', 'reorder', 'vat', 'card'], {
        description:
          'vat: the VAT due to HMRC for a quarter, or owed for quarters already due; card: a credit card balance paid off with the next statement',
      }),
      description: Type.String(),
      amount: Money('money in (money out negative)'),
    }),
    { description: 'what is expected; takings one line per week, the rest as they fall' },
  ),
  weeks: Type.Array(
    Type.Object({
      starts: DayString('first day of the week'),
      moneyIn: Money('money in'),
      moneyOut: Money('money out, as a positive figure'),
      closing: Money('cash at the end of the week'),
    }),
  ),
  lowest: Type.Object({ date: DayString('when'), balance: Money('the lowest cash') }),
  closingCash: Money('cash at the end'),
});

export const GeneralLedger = Type.Object({
  account: Type.String(),
  from: DayString('first day'),
  to: DayString('last day'),
  currency: Currency,
  opening: Money('the balance before `from` (debits positive)'),
  postings: Type.Array(
    Type.Object({
      entryId: Type.Integer(),
      date: DayString('the entry’s day'),
      description: Type.String(),
      source: Type.Object(
        {
          type: Type.String({ description: 'order, payment, refund, payout, receipt, manual, stock, …' }),
          id: nullable(Type.String({ description: 'the Shopify id or record it came from' })),
        },
        { description: 'what the entry was booked from' },
      ),
      amount: Money('debit positive, credit negative'),
      jurisdiction: nullable(Type.String({ description: 'for sales tax: where it is owed' })),
      balance: Money('the running balance after it'),
    }),
  ),
});

export const StockValuation = Type.Object({
  at: DayString('the day it is at the end of'),
  currency: Currency,
  costing: Type.Enum(['fifo', 'average'], {
    description: 'fifo: first to expire, then first in, first out; average: the running average cost',
  }),
  lines: Type.Array(
    Type.Object({
      variantId: ShopifyId('the Shopify variant id'),
      name: Type.String(),
      sku: nullable(Type.String()),
      quantity: Type.Integer({ description: 'units on the books (negative: sold more than received)' }),
      value: Money('at cost'),
      expiringWithin30Days: Type.Integer({ description: 'units that expire within 30 days' }),
      shopifyCount: nullable(Type.Integer({ description: 'what Shopify counts now (null: not known)' })),
    }),
  ),
  total: Money('all stock at cost'),
});

export const OpeningStock = Type.Object({
  date: DayString('its day: the day before the books’ first entry'),
  variants: Type.Integer({ description: 'products taken on' }),
  units: Type.Integer(),
  value: Money('at Shopify’s costs'),
  currency: Currency,
  withoutCost: Type.Array(Type.String(), { description: 'products with stock but no cost in Shopify' }),
});

export const Booked = Type.Object({ entryId: Type.Integer({ description: 'the journal entry' }) });

export const GoodsReceived = Type.Object({
  entryId: nullable(
    Type.Integer({ description: 'the journal entry (null: nothing to book at a cost of 0)' }),
  ),
});

export const ExpensesImported = Type.Object({
  imported: Type.Integer({ description: 'expenses booked' }),
  alreadyBooked: Type.Integer({ description: 'rows already in the books (an earlier import)' }),
});

const DecimalOrNull = (description: string) => nullable(Type.String({ description }));

const Receipt = Type.Object({
  id: Type.Integer(),
  uploadedAt: Type.String({ format: 'date-time' }),
  uploadedBy: Type.String(),
  fileName: nullable(Type.String()),
  status: Type.Enum(['reading', 'booked', 'review', 'failed']),
  fields: nullable(
    Type.Object(
      {
        supplier: nullable(Type.String()),
        date: nullable(Type.String({ description: 'the day on the receipt, YYYY-MM-DD' })),
        invoice: nullable(Type.String({ description: 'invoice or receipt number' })),
        total: DecimalOrNull('a decimal as printed, e.g. 12.50'),
        subtotal: DecimalOrNull('a decimal as printed'),
        tax: DecimalOrNull('a decimal as printed'),
        taxRate: DecimalOrNull('"20" for 20 %'),
        lines: Type.Array(Type.Object({ description: Type.String(), amount: Type.String() })),
      },
      { description: 'what was read from it (null: not read yet, or nothing readable)' },
    ),
  ),
  readBy: nullable(Type.String({ description: 'ocr, pdf text, or the model that read it' })),
  problem: nullable(Type.String({ description: 'why it waits for review' })),
  entryId: nullable(Type.Integer({ description: 'the journal entry it became' })),
  suggestedKind: nullable(
    Type.String({
      description:
        'waiting for review: the expense account the receipt suggests (its supplier before, or its words); null: choose one',
    }),
  ),
});

export const OneReceipt = Type.Object({ receipt: Receipt });
export const Receipts = Type.Object({ receipts: Type.Array(Receipt) });

export const FxRates = Type.Object({
  rates: Type.Array(
    Type.Object({
      currency: Type.String(),
      day: DayString('the day of the rate'),
      rate: Type.String({ description: 'units of the shop currency per unit, e.g. 0.8571' }),
    }),
  ),
});

export const FxRateSet = Type.Object({
  posted: Type.Integer({ description: 'payouts booked now that the rate is known' }),
});

const Account = Type.Object({
  code: Type.String({ description: 'e.g. Expenses:Packaging; reports and exports use it' }),
  name: Type.String(),
  type: AccountType,
  system: Type.Boolean({ description: 'part of the default chart' }),
});

export const Accounts = Type.Object({ accounts: Type.Array(Account) });
export const OneAccount = Type.Object({ account: Account });

export const ReviewItems = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      sourceKey: Type.String({ description: 'what it is about: order:1001, payout:42, receipt:7, …' }),
      kind: Type.String(),
      reason: Type.String(),
      detail: Type.Record(Type.String(), Type.Unknown(), { description: 'what the rule saw' }),
      retriable: Type.Boolean({ description: 'tried again by itself (a payout whose payments come later)' }),
      status: Type.Enum(['open', 'resolved', 'dismissed']),
      createdAt: Type.String({ format: 'date-time' }),
    }),
  ),
});

const Period = Type.Object({
  startsOn: DayString('first day'),
  endsOn: DayString('last day'),
  closedAt: Type.String({ format: 'date-time' }),
  closedBy: Type.String(),
  entries: Type.Integer({ description: 'entries sealed in it' }),
  hash: Type.String({ description: 'sha256 over the previous seal and every entry in it' }),
});

export const Periods = Type.Object({
  periods: Type.Array(Period),
  verified: Type.Array(
    Type.Object({
      endsOn: DayString('the period’s last day'),
      ok: Type.Boolean({ description: 'its entries still match its seal' }),
    }),
  ),
});

export const OnePeriod = Type.Object({ period: Period });

/** A file to download, in one of the types the route names in `produces`: sent as made, or streamed. */
export const File = (description: string) =>
  Type.Unsafe<string | Buffer | Readable>(Type.String({ format: 'binary', description }));
