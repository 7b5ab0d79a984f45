-- Manual journals: the owner's (or accountant's) own entries with balanced lines, a memo and perhaps a
-- document (a bill, a loan agreement); journals that repeat each month (rent, depreciation, a loan
-- repayment) post themselves on their day.
alter table ledger_entries drop constraint ledger_entries_source_type_check;
alter table ledger_entries add constraint ledger_entries_source_type_check
  check (source_type in ('order', 'payment', 'refund', 'payout', 'receipt', 'manual', 'reversal', 'stock', 'journal'));

create table ledger_journal_documents (
  entry_id bigint primary key references ledger_entries (id),
  name text not null,
  content_type text not null,
  content bytea not null
);

create table ledger_recurring_journals (
  id bigserial primary key,
  memo text not null,
  lines jsonb not null,                  -- [{account, amount}] in minor units, debits positive; balanced
  day_of_month int not null check (day_of_month between 1 and 28),
  starts_on date not null,
  ends_on date,                          -- the last day one may fall on; null: until stopped
  stopped_at timestamptz,
  created_by text not null,
  created_at timestamptz not null default now()
);
