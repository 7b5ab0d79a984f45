// The books' service, as the module's routes, pages, jobs and commands use it: it follows the shop's
// events into the books (a feed), keeps the chart of accounts and the review queue, closes periods,
// and answers the reports and exports. Other modules read only the reports, through face.ts.
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import { addDays, dayIn, isDate } from '../../platform/dates.ts';
import { conflict, invalid } from '../../platform/errors.ts';
import type { Feed } from '../../platform/events/feeds.ts';
import { subscription, type Subscription } from '../../platform/events/outbox.ts';
import { OWNER_NOTICES, ownerNotice } from './owner-notices.ts';
import { Briefings } from './briefings.ts';
import { defineJob, type JobDefinition } from '../../platform/jobs/job-queue.ts';
import type { Logger } from '../../platform/logger.ts';
import type { ShopReader } from '../shop/index.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import { EXPORTS, type ExportFormat } from './export.ts';
import { ExpenseError, expenseEntry, readExpense, readExpensesCsv, type ExpenseInput } from './expenses.ts';
import { BOOKED_EVENTS, POSTING_FEED, Poster, isBooked, type Posted, type ToBook } from './posting.ts';
import type { ReportDocument } from '../../platform/documents/document.ts';
import * as documents from './documents.ts';
import type { AkauntingConfig } from './settings.ts';
import { AkauntingClient, AkauntingError } from './akaunting.ts';
import { AkauntingSync } from './akaunting-sync.ts';
import { ProductMargins, type MarginReport } from './margins.ts';
import { CashProjector, type CashProjection } from './projection.ts';
import { LedgerReports, previousPeriod } from './reports.ts';
import { Receipts, type ReceiptDependencies } from './receipts.ts';
import { Stock, type Costing } from './stock.ts';
import { StockBook } from './stock-book.ts';
import { ChartOfAccounts, type Account } from './chart-of-accounts.ts';
import { ReviewQueue, type ReviewItem, type ReviewStatus } from './review-queue.ts';
import { ClosedPeriods, type Period } from './closed-periods.ts';
import { ExchangeRates, type ExchangeRate } from './exchange-rates.ts';
import { Journals } from './journals.ts';
import { BankReconciliation } from './bank-reconciliation.ts';
import { Receivables } from './receivables.ts';
import { Bills } from './bills.ts';
import { giftCardReport, type GiftCardReport } from './gift-cards.ts';
import { VatReturns, type VatScheme } from './vat-return.ts';

/** The event that books a review item's source again (a retriable item, tried later). */
const RETRY_EVENT: Record<string, (eventId: number, recordId: number) => ToBook> = {
  payment: (id, transactionId) => ({ id, type: 'transaction.created', payload: { transactionId } }),
  refund: (id, refundId) => ({ id, type: 'refund.created', payload: { refundId } }),
  payout: (id, payoutId) => ({ id, type: 'payout.paid', payload: { payoutId } }),
};

export interface LedgerOptions {
  db: pg.Pool;
  /** The shop's records the events name, its stock counts, and its currency and time zone. */
  shop: BooksShop;
  logger: Logger;
  /** The configured time zone, until Shopify's is known. */
  timezone: string;
  /** How stock is costed: first to expire / first in, first out (the default), or the running average. */
  costing?: Costing;
  /** The month the year's first VAT quarter ends (3: calendar quarters), for the cash projection. */
  vatQuarterEnd?: number;
  /** How the VAT return works out VAT (standard accounting unless said). */
  vatScheme?: VatScheme;
  /** Receipt photos are read when given (the server, the CLI). */
  receipts?: ReceiptDependencies;
  /** Summaries and alerts to the owner are sent when given. */
  notifications?: Faces['notifications'];
  /** Each day's summary is pushed to Akaunting when given. */
  akaunting?: AkauntingConfig;
  /** What time it is (tests give a fixed one): today decides what can be closed, projected, alerted. */
  clock?: () => Date;
}

/** What the books read of the shop. */
export type BooksShop = Pick<
  ShopReader,
  | 'info'
  | 'orders'
  | 'transactions'
  | 'refunds'
  | 'payouts'
  | 'nextPayout'
  | 'orderTransactions'
  | 'stockCounts'
  | 'unitCosts'
  | 'productSales'
>;

export class LedgerService {
  readonly reports: LedgerReports;
  private readonly pool: pg.Pool;
  private readonly shop: BooksShop;
  private readonly logger: Logger;
  private readonly timezone: string;
  private readonly clock: () => Date;
  private readonly poster: Poster;
  private readonly projector: CashProjector;
  private readonly margins: ProductMargins;
  private readonly chart: ChartOfAccounts;
  private readonly reviewQueue: ReviewQueue;
  private readonly closed: ClosedPeriods;
  private readonly rates: ExchangeRates;
  /** Goods received, the opening stock, expiry alerts, stock at cost. */
  readonly stock: StockBook;
  /** Supplier bills, paid and not, and aged payables. */
  readonly bills: Bills;
  /** What customers (salons on terms) still owe, aged. */
  readonly receivables: Receivables;
  /** Bank statements imported and matched to the books. */
  readonly bank: BankReconciliation;
  /** The UK VAT return's nine boxes, and the returns filed. */
  readonly vatReturns: VatReturns;
  /** Manual journals, opening balances and the journals that repeat each month. */
  readonly journals: Journals;
  /** Each day's summary pushed to Akaunting; there when AKAUNTING_URL is set. */
  readonly akaunting: AkauntingSync | undefined;

  /** Receipt photos; there when the service was given an AI service and a job queue (the server, the CLI). */
  readonly receipts: Receipts | undefined;
  /** Daily, weekly and monthly summaries and alerts; there when given the notification interface. */
  readonly briefings: Briefings | undefined;
  private readonly notifications: Faces['notifications'] | undefined;

  constructor(options: LedgerOptions) {
    const { db: pool, shop, logger } = options;
    this.pool = pool;
    this.shop = shop;
    this.logger = logger;
    this.timezone = options.timezone;
    this.clock = options.clock ?? (() => new Date());
    const basics = () => this.basics();
    const currency = async () => (await this.basics()).currency;
    const write: Poster['write'] = (tx, drafts, reviews) => this.poster.write(tx, drafts, reviews);
    this.chart = new ChartOfAccounts({ db: pool });
    this.reviewQueue = new ReviewQueue({ db: pool });
    this.closed = new ClosedPeriods({ db: pool });
    this.rates = new ExchangeRates({ db: pool });
    this.poster = new Poster({
      shop,
      basics,
      stock: new Stock({ shop, costing: options.costing ?? 'fifo' }),
    });
    this.reports = new LedgerReports({ db: pool, currency });
    this.projector = new CashProjector({ db: pool, currency, vatQuarterEnd: options.vatQuarterEnd ?? 3 });
    this.margins = new ProductMargins({ db: pool, shop, basics });
    this.stock = new StockBook({
      db: pool,
      shop,
      stock: this.poster.stock,
      write,
      basics,
      accountTypes: () => this.chart.types(),
      clock: this.clock,
    });
    this.akaunting = options.akaunting
      ? new AkauntingSync({
          db: pool,
          reports: this.reports,
          client: new AkauntingClient(options.akaunting),
          paymentMethod: options.akaunting.paymentMethod,
        })
      : undefined;
    this.vatReturns = new VatReturns({
      db: pool,
      currency,
      scheme: options.vatScheme ?? { kind: 'standard' },
    });
    this.receivables = new Receivables({ db: pool, shop, currency });
    this.bills = new Bills({ db: pool, poster: this.poster, chart: this.chart, currency });
    this.bank = new BankReconciliation({ db: pool, poster: this.poster, chart: this.chart, currency });
    this.journals = new Journals({ db: pool, poster: this.poster, chart: this.chart, currency });
    this.notifications = options.notifications;
    this.briefings = options.notifications
      ? new Briefings({
          db: pool,
          reports: this.reports,
          notifications: options.notifications,
          currency,
          vatReturns: this.vatReturns,
        })
      : undefined;
    this.receipts = options.receipts
      ? new Receipts({ db: pool, ...options.receipts, write, currency, logger })
      : undefined;
  }

  /** The shop's currency and time zone (Shopify's, once connected; else the configured zone and GBP). */
  /** Orders' names (#1001) by their Shopify ids, for the pages that link entries to their orders. */
  async orderNames(ids: number[]): Promise<Map<number, string>> {
    const orders = await this.shop.orders(ids);
    return new Map([...orders].map(([id, order]) => [id, order.name]));
  }

  /** The books' currency (the shop's). */
  async currency(): Promise<string> {
    return (await this.basics()).currency;
  }

  private async basics() {
    const info = await this.shop.info().catch(() => undefined);
    return { currency: info?.currency ?? 'GBP', timezone: info?.timezone ?? this.timezone };
  }

  feed(): Feed {
    return {
      name: POSTING_FEED,
      types: [...BOOKED_EVENTS, 'shop.imported'],
      handle: async (tx, events) => {
        const booked = events.filter(isBooked);
        const posted = await this.poster.post(tx, booked);
        // The first import is booked up to here: the opening stock can be counted.
        if (booked.length < events.length) await this.stock.opening(tx);
        if (posted.reviews)
          this.logger.warn(
            { reviews: posted.reviews },
            'the books could not post some shop events; see Books → Review',
          );
      },
    };
  }

  /** Alerts about the books, to the owner: what needs review, stock gone negative or about to expire. */
  subscriptions(): Subscription[] {
    const notifications = this.notifications;
    if (!notifications) return [];
    return [
      subscription({
        name: 'ledger.notify-owner',
        types: OWNER_NOTICES,
        handle: async (event) => {
          // Products by their names, not their variant ids.
          const names =
            event.type === 'ledger.stock_negative' || event.type === 'ledger.stock_expiring'
              ? new Map((await this.stock.products()).map((product) => [product.variantId, product.name]))
              : new Map<number, string>();
          await notifications.send({
            kind: event.type,
            severity: event.type === 'ledger.opening_stock' ? 'info' : 'warning',
            ...ownerNotice(event, (variantId) => names.get(variantId)),
            dedupeKey: `event:${event.id}`,
          });
        },
      }),
    ];
  }

  jobs(): JobDefinition<object>[] {
    const briefings = this.briefings;
    const today = async () => dayIn(this.clock(), (await this.basics()).timezone);
    return [
      ...(briefings
        ? [
            defineJob({
              name: 'ledger.daily-summary',
              cron: '30 7 * * *',
              handler: async () => void (await briefings.dailySummary(await today())),
            }),
            defineJob({
              name: 'ledger.weekly-report',
              cron: '0 8 * * 1',
              handler: async () => void (await briefings.weeklyReport(await today())),
            }),
            defineJob({
              name: 'ledger.monthly-statement',
              cron: '0 8 1 * *',
              handler: async () => void (await briefings.monthlyStatement(await today())),
            }),
          ]
        : []),
      ...(this.receipts ? [this.receipts.job] : []),
      ...(this.akaunting
        ? [
            defineJob({
              name: 'ledger.akaunting-sync',
              cron: '15 6 * * *',
              handler: async () => {
                const day = await today();
                const result = await this.syncAkaunting(addDays(day, -7), addDays(day, -1));
                if (result.pushed) this.logger.info(result, 'daily summaries pushed to Akaunting');
              },
            }),
          ]
        : []),
      defineJob({
        name: 'ledger.stock-expiry',
        cron: '0 7 * * *',
        handler: async () => {
          const alerted = await this.stock.alertExpiring();
          if (alerted) this.logger.info({ lots: alerted }, 'stock close to its expiry date');
        },
      }),
      ...(this.notifications
        ? [
            defineJob({
              name: 'ledger.debt-reminders',
              cron: '0 9 * * 1',
              handler: async () => {
                const sent = await this.receivables.remind(await today(), this.notifications!);
                if (sent) this.logger.info({ debts: sent }, 'overdue debts: the owner was reminded');
              },
            }),
          ]
        : []),
      defineJob({
        name: 'ledger.recurring-journals',
        cron: '20 0 * * *',
        handler: async () => {
          const posted = await this.journals.postDue(await today());
          if (posted) this.logger.info({ journals: posted }, 'recurring journals posted');
        },
      }),
      defineJob({
        name: 'ledger.retry-reviews',
        cron: '*/15 * * * *',
        handler: async () => {
          const posted = await this.retryReviews();
          if (posted.entries) this.logger.info(posted, 'review items settled into the books');
        },
      }),
    ];
  }

  /** Books what the events say, in a transaction of its own (the CLI and tests; the feed uses its own). */
  post(events: ToBook[]): Promise<Posted> {
    return transaction(this.pool, (tx) => this.poster.post(tx, events), { retries: 3 });
  }

  /** Tries the retriable review items again (a payout whose transactions have arrived since). */
  async retryReviews(): Promise<Posted> {
    const events: ToBook[] = [];
    for (const [index, sourceKey] of (await this.reviewQueue.retriable()).entries()) {
      const [kind, id] = sourceKey.split(':');
      const retry = RETRY_EVENT[kind ?? ''];
      if (retry && id && /^\d+$/.test(id)) events.push(retry(-(index + 1), Number(id)));
    }
    return events.length ? this.post(events) : { entries: 0, reviews: 0, inserted: new Set() };
  }

  /** The gift-card liability over a period. */
  async giftCards(from: string, to: string): Promise<GiftCardReport> {
    return giftCardReport(this.pool, from, to, (await this.basics()).currency);
  }

  /** A customer's statement of what they owe, as a document (PDF). */
  async debtStatement(customer: string, at: string): Promise<ReportDocument> {
    const info = await this.shop.info().catch(() => undefined);
    return this.receivables.statement(customer, at, info?.name ?? 'Shop');
  }

  /**
   * A report as a document to download (PDF or CSV): over [from, to], or at `to` for the balance
   * sheet and stock.
   */
  async reportDocument(name: documents.ReportName, from: string, to: string): Promise<ReportDocument> {
    const info = await this.shop.info().catch(() => undefined);
    const shop = info?.name ?? 'Shop';
    switch (name) {
      case 'pnl':
        return documents.pnlDocument(
          await this.reports.profitAndLoss(from, to, previousPeriod(from, to)),
          shop,
        );
      case 'balance-sheet':
        return documents.balanceSheetDocument(await this.reports.balanceSheet(to), shop);
      case 'cash-flow':
        return documents.cashFlowDocument(await this.reports.cashFlow(from, to), shop);
      case 'trial-balance':
        return documents.trialBalanceDocument(await this.reports.trialBalance(from, to), shop);
      case 'sales-tax':
        return documents.salesTaxDocument(await this.reports.salesTax(from, to), shop);
      case 'margins':
        return documents.marginsDocument(await this.productMargins(from, to), shop);
      case 'stock':
        return documents.stockDocument(await this.stock.valuation(to), shop);
      case 'management-pack': {
        const [pnl, sheet, flow, vat, aged] = await Promise.all([
          this.reports.profitAndLoss(from, to, previousPeriod(from, to)),
          this.reports.balanceSheet(to),
          this.reports.cashFlow(from, to),
          this.vatReturns.forPeriod(from, to),
          this.receivables.aged(to),
        ]);
        return documents.managementPack({ pnl, sheet, flow, vat, aged }, shop);
      }
    }
  }

  /**
   * Pushes each day's summary in [from, to] to Akaunting. A refused login or permission is told to
   * the owner once a day (it will not mend itself), then thrown so the job shows it.
   */
  async syncAkaunting(from: string, to: string, onDay?: (day: string) => void) {
    if (!this.akaunting)
      throw invalid('Akaunting is not connected: set AKAUNTING_URL, AKAUNTING_EMAIL and AKAUNTING_PASSWORD');
    try {
      return await this.akaunting.sync(from, to, onDay);
    } catch (error) {
      if (error instanceof AkauntingError && error.kind !== 'unavailable')
        await this.notifications?.send({
          kind: 'ledger.akaunting_failed',
          severity: 'warning',
          title: 'Akaunting did not take the daily summary',
          body: error.message,
          dedupeKey: `akaunting:${dayIn(this.clock(), this.timezone)}`,
        });
      throw error;
    }
  }

  /** Each product's margin in a period: sales after discounts, less refunds, cost and its share of fees. */
  productMargins(from: string, to: string): Promise<MarginReport> {
    return this.margins.report(from, to);
  }

  /** The next 90 days of cash from today: payouts on their way, takings, monthly expenses, reorders. */
  /** The shop's next payout, for the home page's cash card. */
  nextPayout(): ReturnType<BooksShop['nextPayout']> {
    return this.shop.nextPayout();
  }

  async cashProjection(): Promise<CashProjection> {
    const { timezone } = await this.basics();
    const names = new Map((await this.stock.products()).map((product) => [product.variantId, product.name]));
    return this.projector.projection(dayIn(this.clock(), timezone), names);
  }

  /** The default chart of accounts, where it is missing (the server does this when it starts). */
  ensureChart(): Promise<void> {
    return this.poster.ensureChart(this.pool);
  }

  accounts(): Promise<Account[]> {
    return this.chart.list();
  }

  addAccount(code: string, name: string): Promise<Account> {
    return this.chart.add(code, name);
  }

  renameAccount(code: string, name: string): Promise<Account> {
    return this.chart.rename(code, name);
  }

  /** Books one expense; the same expense (day, supplier, amount, reference) twice is refused. */
  async addExpense(input: ExpenseInput): Promise<{ entryId: number }> {
    const { currency } = await this.basics();
    const read = readExpense(input, currency, await this.chart.types());
    if ('problems' in read) throw invalid(read.problems.join('; '));
    const draft = expenseEntry(read.expense, currency);
    return transaction(
      this.pool,
      async (tx) => {
        const posted = await this.poster.write(tx, [draft], []);
        if (!posted.entries)
          throw conflict('this expense is already in the books (same day, supplier, amount and reference)');
        const { rows } = await tx.query<{ id: string }>(
          'select id from ledger_entries where source_key = $1',
          [draft.sourceKey],
        );
        return { entryId: Number(rows[0]!.id) };
      },
      { retries: 3 },
    );
  }

  /**
   * Books every expense in a CSV file, or none: a file with a bad row is refused with every bad row
   * named. Expenses already in the books (an earlier import of the same file) are counted, not booked again.
   */
  async importExpenses(csv: string): Promise<{ imported: number; alreadyBooked: number }> {
    const { currency } = await this.basics();
    let drafts;
    try {
      drafts = readExpensesCsv(csv, currency, await this.chart.types()).map((expense) =>
        expenseEntry(expense, currency),
      );
    } catch (error) {
      if (!(error instanceof ExpenseError)) throw error;
      const shown = error.problems.slice(0, 20);
      const more = error.problems.length - shown.length;
      throw invalid(`nothing was imported: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`);
    }
    const posted = await transaction(this.pool, (tx) => this.poster.write(tx, drafts, []), { retries: 3 });
    return { imported: posted.entries, alreadyBooked: drafts.length - posted.entries };
  }

  review(status: ReviewStatus = 'open'): Promise<ReviewItem[]> {
    return this.reviewQueue.list(status);
  }

  /**
   * An exchange rate from the bank statement: how much one unit of `currency` was worth in the shop's
   * currency on a day. Payouts that waited for it are booked at once.
   */
  async setFxRate(currency: string, day: string, rate: string): Promise<{ posted: number }> {
    await this.rates.set(currency, day, rate, (await this.basics()).currency);
    const posted = await this.retryReviews();
    return { posted: posted.entries };
  }

  fxRates(): Promise<ExchangeRate[]> {
    return this.rates.list();
  }

  /** A receipt in review, booked with the owner's corrections and the expense account chosen. */
  async bookReceipt(id: number, input: ExpenseInput) {
    if (!this.receipts) throw invalid('receipts are read by the server');
    return this.receipts.book(id, input, await this.chart.types());
  }

  dismissReview(id: number): Promise<void> {
    return this.reviewQueue.dismiss(id);
  }

  periods(): Promise<Period[]> {
    return this.closed.list();
  }

  /** Closes the books up to a day before today (the shop's), sealing the period. */
  async closePeriod(endsOn: string, closedBy: string): Promise<Period> {
    return this.closed.close(endsOn, closedBy, dayIn(this.clock(), (await this.basics()).timezone));
  }

  /**
   * Closes a financial year: the books are closed up to its last day (if they are not already), and
   * the year's profit rolls into earnings of earlier years on the balance sheet. Years close in order.
   */
  async closeYear(
    endsOn: string,
    closedBy: string,
  ): Promise<{ endsOn: string; profit: number; currency: string }> {
    if (!isDate(endsOn)) throw invalid(`"${endsOn}" is not a date (YYYY-MM-DD)`);
    const { rows: last } = await this.pool.query<{ ends_on: string | null }>(
      "select to_char(max(ends_on), 'YYYY-MM-DD') as ends_on from ledger_year_ends",
    );
    const previous = last[0]?.ends_on ?? null;
    if (previous && endsOn <= previous)
      throw conflict(`the year to ${previous} is closed already; close the next one`);
    const closedUpTo = (await this.closed.list()).at(-1)?.endsOn;
    if (!closedUpTo || closedUpTo < endsOn) await this.closePeriod(endsOn, closedBy);
    const { currency } = await this.basics();
    const profit = (await this.reports.profitAndLoss(previous ? addDays(previous, 1) : '0001-01-01', endsOn))
      .net;
    await this.pool.query(
      `insert into ledger_year_ends (ends_on, profit_minor, currency, closed_by) values ($1, $2, $3, $4)`,
      [endsOn, profit, currency, closedBy],
    );
    return { endsOn, profit, currency };
  }

  /** Recomputes every seal; the periods whose entries no longer match their hash (none, unless tampered with). */
  verifyPeriods(): Promise<{ endsOn: string; ok: boolean }[]> {
    return this.closed.verify();
  }

  /** The books as a file: an hledger journal, CSV (a posting a row), or Xero's or QuickBooks' journal import. */
  exportBooks(format: ExportFormat, from: string, to: string): AsyncGenerator<string> {
    return EXPORTS[format](this.pool, from, to);
  }
}
