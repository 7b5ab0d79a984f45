// Ledger: the books. Double-entry accounts posted from the shop's events, stock at cost, expenses and
// receipts, reports (P&L, balance sheet, cash flow, VAT, margins, projection), briefings and alerts,
// exports for hledger and spreadsheets, daily summaries to Akaunting. Others read its reports through
// the `ledger` face (face.ts).
import { ledgerHome } from './home.ts';
import { defineModule } from '../../platform/kit/module.ts';
import { booksBalance } from './restore-check.ts';
import { sourcePath } from '../../platform/paths.ts';
import { LedgerService } from './ledger-service.ts';
import { ReceiptReader } from './ocr.ts';
import { ledgerSettings, type LedgerSettings } from './settings.ts';
import { akauntingCredentials } from './akaunting-credentials.ts';
import * as tables from './schema.ts';
import { ledgerEvents } from './events.ts';
import { ledgerReader, type LedgerReader } from './face.ts';
import { reportRoutes } from './api/reports.ts';
import { exportRoutes } from './api/exports.ts';
import { expenseRoutes } from './api/expenses.ts';
import { stockRoutes } from './api/stock.ts';
import { accountRoutes } from './api/accounts.ts';
import { reviewRoutes } from './api/review.ts';
import { periodRoutes } from './api/periods.ts';
import { fxRateRoutes } from './api/fx-rates.ts';
import { journalRoutes } from './api/journals.ts';
import { vatReturnRoutes } from './api/vat-returns.ts';
import { bankRoutes } from './api/bank.ts';
import { receivableRoutes } from './api/receivables.ts';
import { billRoutes } from './api/bills.ts';
import { vatPage } from './pages/vat.ts';
import { expensesPage } from './pages/expenses.ts';
import { reviewPage } from './pages/review.ts';
import { periodsPage } from './pages/periods.ts';
import { settingsPage } from './pages/settings.ts';
import { booksPage } from './pages/books.ts';
import { bookForms } from './pages/forms.ts';
import { stockPages } from './pages/stock.ts';
import { cashPages } from './pages/cash.ts';
import { marginPages } from './pages/margins.ts';
import { accountPages } from './pages/account.ts';
import { journalPages } from './pages/journals.ts';
import { bankPages } from './pages/bank.ts';
import { hmrcPages } from './pages/hmrc.ts';
import { owedPage } from './pages/owed.ts';
import { ledgerTelegramCommands } from './telegram.ts';
import { ledgerCommands } from './commands.ts';
import type { HmrcConnection } from './hmrc.ts';

export type { LedgerReader } from './face.ts';
export type { LedgerSettings } from './settings.ts';
export type { ProfitAndLoss, TrialBalance } from './reports.ts';

export interface LedgerParts {
  ledger: LedgerService;
  timezone: string;
  now: () => Date;
  /** Set when HMRC_CLIENT_ID is: VAT returns go to HMRC's Making Tax Digital API. */
  hmrc?: HmrcConnection | undefined;
  publicUrl?: string;
  version?: string;
}

declare module '../../platform/kit/faces.ts' {
  interface Faces {
    ledger: LedgerReader;
  }
}

const API = '/api/v1/ledger';

const definition = defineModule<LedgerSettings, LedgerParts>({
  name: 'ledger',
  migrations: { dir: sourcePath('modules/ledger/migrations') },
  tables,
  events: ledgerEvents,
  settings: ledgerSettings,
  needs: ['shop', 'ai', 'notifications', 'vault'],
  credentials: ({ akaunting }) => [akauntingCredentials(akaunting)],
  async build({ db, settings, logger, config, jobs, use, now, version }) {
    const ledger = new LedgerService({
      db,
      clock: now,
      shop: use('shop'),
      logger,
      timezone: config.timezone,
      akaunting: settings.akaunting,
      costing: settings.costing,
      vatQuarterEnd: settings.vatQuarterEnd,
      vatScheme: settings.vatScheme,
      receipts: { ai: use('ai'), jobs, reader: new ReceiptReader() },
      notifications: use('notifications'),
    });
    // The chart of accounts exists before anything posts to it (the feed, a job, a command).
    await ledger.ensureChart();
    // Making Tax Digital loads only where it is set up.
    const hmrc = settings.hmrc
      ? new (await import('./hmrc.ts')).HmrcConnection(settings.hmrc, use('vault'), version, now)
      : undefined;
    return { ledger, timezone: config.timezone, now, hmrc, publicUrl: config.publicUrl, version };
  },
  provides: { ledger: ({ ledger }) => ledgerReader(ledger.reports, ledger.receipts) },
  restoreChecks: [booksBalance],
  home: ({ ledger, timezone }) => ledgerHome(ledger, timezone),
  jobs: ({ ledger }) => ledger.jobs(),
  feeds: ({ ledger }) => [ledger.feed()],
  subscriptions: ({ ledger }) => ledger.subscriptions(),
  http: [
    { prefix: `${API}/reports`, register: reportRoutes },
    { prefix: API, register: exportRoutes },
    { prefix: API, register: expenseRoutes },
    { prefix: `${API}/stock`, register: stockRoutes },
    { prefix: `${API}/accounts`, register: accountRoutes },
    { prefix: `${API}/review`, register: reviewRoutes },
    { prefix: `${API}/periods`, register: periodRoutes },
    { prefix: `${API}/fx-rates`, register: fxRateRoutes },
    { prefix: API, register: journalRoutes },
    { prefix: API, register: vatReturnRoutes },
    { prefix: `${API}/bank`, register: bankRoutes },
    { prefix: `${API}/reports`, register: receivableRoutes },
    { prefix: `${API}/bills`, register: billRoutes },
    { prefix: '/books', register: booksPage },
    { prefix: '/books', register: vatPage },
    { prefix: '/books', register: expensesPage },
    { prefix: '/books', register: reviewPage },
    { prefix: '/books', register: periodsPage },
    { prefix: '/books', register: settingsPage },
    { prefix: '/books', register: bookForms },
    { prefix: '/books', register: stockPages },
    { prefix: '/books', register: cashPages },
    { prefix: '/books', register: marginPages },
    { prefix: '/books', register: accountPages },
    { prefix: '/books', register: journalPages },
    { prefix: '/books', register: bankPages },
    { prefix: '/books', register: hmrcPages },
    { prefix: '/books', register: owedPage },
  ],
  menu: [{ href: '/books', label: 'Books', position: 50 }],
  telegram: ({ ledger, timezone, now }) => ledgerTelegramCommands({ reports: ledger.reports, timezone, now }),
  commands: ledgerCommands,
});

export default definition;
