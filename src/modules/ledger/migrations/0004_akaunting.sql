-- What has been pushed to Akaunting: per day, a summary line of sales and one of expenses, and any
-- correction when a day's figures change afterwards (a late refund). The number is also the
-- transaction's number and reference in Akaunting, so a push after a crash finds it there first.
create table ledger_akaunting_pushes (
  number text primary key,                 -- 'SK-2026-11-25-SALES', 'SK-2026-11-25-SALES-2', ...
  day date not null,
  line text not null check (line in ('sales', 'expenses')),
  amount_minor bigint not null,            -- what this push added to the line (negative: a correction down)
  akaunting_id bigint not null,
  pushed_at timestamptz not null default now()
);
create index ledger_akaunting_pushes_day on ledger_akaunting_pushes (day);
