// Ledger: the books. Double-entry accounts posted from the shop's events, stock at cost, expenses and
// receipts, reports (P&L, balance sheet, cash flow, VAT, margins, projection), briefings and alerts,
// exports for hledger and spreadsheets, daily summaries to Akaunting.
import { defineModule } from '../../platform/kit/module.ts';
import { sourcePath } from '../../platform/paths.ts';
import { LedgerService } from './ledger-service.ts';
import { ReceiptReader } from './ocr.ts';
import { ledgerSettings, type LedgerSettings } from './settings.ts';
import { akauntingCredentials } from './akaunting-credentials.ts';
import * as tables from './schema.ts';
import { ledgerEvents } from './events.ts';
import { ledgerRoutes } from './routes.ts';
import { ledgerPages } from './pages.ts';
import { stockPages } from './stock-pages.ts';
import { cashPages } from './cash-pages.ts';
import { marginPages } from './margin-pages.ts';
import { ledgerAccountPages } from './account-pages.ts';
import { ledgerTelegramCommands } from './telegram.ts';
import { ledgerCommands } from './commands.ts';

export interface LedgerParts {
  ledger: LedgerService;
  timezone: string;
}

declare module '../../platform/kit/faces.ts' {
  interface Faces {
    ledger: LedgerService;
  }
}

export default defineModule<LedgerSettings, LedgerParts>({
  name: 'ledger',
  migrations: { dir: sourcePath('modules/ledger/migrations') },
  tables,
  events: ledgerEvents,
  settings: ledgerSettings,
  needs: ['shop', 'ai', 'notifications'],
  credentials: ({ akaunting }) => [akauntingCredentials(akaunting)],
  async build({ db, settings, logger, config, jobs, use }) {
    const ledger = new LedgerService(db, use('shop'), logger, config.timezone, {
      akaunting: settings.akaunting,
      costing: settings.costing,
      receipts: { ai: use('ai'), jobs, reader: new ReceiptReader() },
      notifications: use('notifications'),
    });
    // The chart of accounts exists before anything posts to it (the feed, a job, a command).
    await ledger.ensureChart();
    return { ledger, timezone: config.timezone };
  },
  provides: { ledger: ({ ledger }) => ledger },
  jobs: ({ ledger }) => ledger.jobs(),
  feeds: ({ ledger }) => [ledger.feed()],
  subscriptions: ({ ledger }) => ledger.subscriptions(),
  http: [
    { prefix: '', register: ledgerRoutes },
    { prefix: '', register: ledgerPages },
    { prefix: '', register: stockPages },
    { prefix: '', register: cashPages },
    { prefix: '', register: marginPages },
    { prefix: '', register: ledgerAccountPages },
  ],
  menu: [{ href: '/books', label: 'Books', position: 50 }],
  telegram: ({ ledger, timezone }) => ledgerTelegramCommands(ledger, timezone),
  commands: ledgerCommands,
});
