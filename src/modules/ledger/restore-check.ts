// What a restore drill asks of the books in a restored copy of the database: every entry balances in
// each currency and has postings, and the day totals the reports read agree with the postings. The
// restore loads rows without the triggers that check them as they are booked, so this is where a
// damaged backup of the books would show.
import type { RestoreCheck } from '../../platform/kit/module.ts';

export const booksBalance: RestoreCheck = {
  name: 'the books balance',
  async check(db) {
    const { rows } = await db.query<{ unbalanced: string; empty: string; totals: string }>(`
      select
        (select count(*) from (select entry_id from ledger_postings group by entry_id, currency
                               having sum(amount_minor) <> 0) u) as unbalanced,
        (select count(*) from ledger_entries e
         where not exists (select 1 from ledger_postings p where p.entry_id = e.id)) as empty,
        (select count(*) from (
           select e.entry_date as day, p.account_code, p.currency, coalesce(p.jurisdiction, '') as jurisdiction,
                  e.source_type, sum(p.amount_minor) as total
           from ledger_postings p join ledger_entries e on e.id = p.entry_id
           group by 1, 2, 3, 4, 5) sums
         full join ledger_day_totals t using (day, account_code, currency, jurisdiction, source_type)
         where sums.total is distinct from t.total) as totals`);
    const found = rows[0]!;
    const problems: string[] = [];
    if (Number(found.unbalanced)) problems.push(`${found.unbalanced} ledger entries do not balance`);
    if (Number(found.empty)) problems.push(`${found.empty} ledger entries have no postings`);
    if (Number(found.totals)) problems.push(`${found.totals} day totals disagree with the postings`);
    return problems;
  },
};
