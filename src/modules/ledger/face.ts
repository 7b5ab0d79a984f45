// What other modules read of the books: the reports the owner's /today shows (the day's profit and
// loss), and the trial balance a test waits on to know the books hold something; and the one thing
// they hand in: a supplier's invoice that came by email, read and booked like an uploaded receipt.
// Posting, stock, expenses and the rest stay inside the ledger module.
import { AppError } from '../../platform/errors.ts';
import type { LedgerReports, ProfitAndLoss, TrialBalance } from './reports.ts';
import type { Receipts } from './receipts.ts';

export interface LedgerReader {
  reports: {
    /** Over [from, to], days in the shop's time zone; beside `compare` when given. */
    profitAndLoss(from: string, to: string, compare?: { from: string; to: string }): Promise<ProfitAndLoss>;
    /** Debits and credits per account over [from, to]; from null: since the books began. */
    trialBalance(from: string | null, to: string): Promise<TrialBalance>;
  };
  /**
   * A supplier's invoice (a PDF or photo) to read and book as a receipt; `duplicate` when the same file
   * came before. Undefined when the books read no receipts (no AI configured for them).
   */
  takeInvoice?(
    file: Buffer,
    from: string,
    fileName: string,
  ): Promise<{ receiptId: number | null; duplicate: boolean }>;
}

/** The face over the books' reports, and nothing else of them. */
export function ledgerReader(reports: LedgerReports, receipts?: Receipts): LedgerReader {
  return {
    ...(receipts
      ? {
          takeInvoice: async (file: Buffer, from: string, fileName: string) => {
            try {
              return {
                receiptId: (await receipts.upload(file, `email:${from}`, fileName)).id,
                duplicate: false,
              };
            } catch (error) {
              if (error instanceof AppError && error.kind === 'conflict')
                return { receiptId: null, duplicate: true };
              throw error;
            }
          },
        }
      : {}),
    reports: {
      profitAndLoss: (from, to, compare) => reports.profitAndLoss(from, to, compare),
      trialBalance: (from, to) => reports.trialBalance(from, to),
    },
  };
}
