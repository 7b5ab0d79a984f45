// What other modules read of the books: the reports the owner's /today shows (the day's profit and
// loss), and the trial balance a test waits on to know the books hold something. Posting, stock,
// expenses and the rest stay inside the ledger module.
import type { LedgerReports, ProfitAndLoss, TrialBalance } from './reports.ts';

export interface LedgerReader {
  reports: {
    /** Over [from, to], days in the shop's time zone; beside `compare` when given. */
    profitAndLoss(from: string, to: string, compare?: { from: string; to: string }): Promise<ProfitAndLoss>;
    /** Debits and credits per account over [from, to]; from null: since the books began. */
    trialBalance(from: string | null, to: string): Promise<TrialBalance>;
  };
}

/** The face over the books' reports, and nothing else of them. */
export function ledgerReader(reports: LedgerReports): LedgerReader {
  return {
    reports: {
      profitAndLoss: (from, to, compare) => reports.profitAndLoss(from, to, compare),
      trialBalance: (from, to) => reports.trialBalance(from, to),
    },
  };
}
