// Which kind of expense a receipt is (the expense account it is booked in), from the receipt itself:
// the account this supplier's expenses went to before, else words on the receipt (a courier is
// postage, an ad platform advertising). When neither says, nobody guesses: the owner is asked.
import type pg from 'pg';
import type { ReceiptFields } from './receipt-text.ts';

/** Words on a receipt, and the kind of expense they mean (accounts of the default chart). */
const WORDS: [RegExp, string][] = [
  [
    /\b(royal mail|parcelforce|dpd|evri|hermes|ups|fedex|dhl|yodel|postage|courier|shipping labels?)\b/i,
    'Expenses:Postage',
  ],
  [
    /\b(packaging|mailers?|mailing bags?|bubble wrap|boxes|cartons?|tissue paper|packing tape)\b/i,
    'Expenses:Packaging',
  ],
  [
    /\b(facebook ads|meta ads|meta platforms|instagram ads|google ads|tiktok ads|advertising|sponsored|boosted post)\b/i,
    'Expenses:Advertising',
  ],
  [
    /\b(canva|adobe|microsoft 365|google workspace|shopify (plan|subscription)|subscription|software|licen[cs]e)\b/i,
    'Expenses:Software',
  ],
];

export class ExpenseKinds {
  constructor(private readonly pool: pg.Pool) {}

  /** The expense account for a receipt, or undefined when the receipt does not say (ask the owner). */
  async of(fields: Pick<ReceiptFields, 'supplier' | 'lines'>): Promise<string | undefined> {
    const known = await this.accounts();
    const supplier = fields.supplier?.trim();
    if (supplier) {
      const before = await this.usedBefore(supplier);
      if (before && known.has(before)) return before;
    }
    const words = [supplier ?? '', ...fields.lines.map((line) => line.description)].join('\n');
    return WORDS.find(([pattern, account]) => known.has(account) && pattern.test(words))?.[1];
  }

  /** The expense account this supplier's latest expense was booked in. */
  private async usedBefore(supplier: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ account_code: string }>(
      `select p.account_code from ledger_entries e join ledger_postings p on p.entry_id = e.id
       where e.source_type in ('receipt', 'manual') and p.account_code like 'Expenses:%'
         and lower(split_part(e.description, ':', 1)) = lower($1)
       order by e.id desc limit 1`,
      [supplier],
    );
    return rows[0]?.account_code;
  }

  private async accounts(): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ code: string }>(
      "select code from ledger_accounts where type = 'expense'",
    );
    return new Set(rows.map((row) => row.code));
  }
}
