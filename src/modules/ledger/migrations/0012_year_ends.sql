-- Financial years closed: the year's profit rolls into earnings of earlier years on the balance sheet
-- (no entry moves it: the reports keep each year's income and expenses as they were), and the books
-- are closed up to its last day.
create table ledger_year_ends (
  ends_on date primary key,
  profit_minor bigint not null,
  currency text not null,
  closed_by text not null,
  closed_at timestamptz not null default now()
);
