-- Bank statements imported, each line matched to the entry that booked it (a payout, an expense, a
-- journal, a salon's payment) or booked from the line, or set aside. A line seen again in a later file
-- (statements overlap) is the same line. The column mapping of a bank's CSV is remembered by its header.
create table ledger_bank_statements (
  id bigserial primary key,
  account_code text not null,
  name text not null,
  format text not null check (format in ('csv', 'ofx', 'camt053')),
  lines int not null,
  imported_at timestamptz not null default now(),
  imported_by text not null
);

create table ledger_bank_lines (
  id bigserial primary key,
  statement_id bigint not null references ledger_bank_statements (id),
  account_code text not null,
  day date not null,
  amount_minor bigint not null,
  description text not null,
  reference text,
  fingerprint text not null unique,       -- account, day, amount, text and its place among equal lines
  status text not null default 'open' check (status in ('open', 'matched', 'ignored')),
  entry_id bigint unique references ledger_entries (id),
  matched_by text,
  matched_at timestamptz
);
create index ledger_bank_lines_open on ledger_bank_lines (account_code, day) where status = 'open';

create table ledger_bank_csv_mappings (
  header text primary key,                -- the header row as the bank writes it
  mapping jsonb not null,
  saved_at timestamptz not null default now()
);
