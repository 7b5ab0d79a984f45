-- VAT returns as filed: the nine boxes as they were sent, never recomputed; HMRC's period key and
-- receipt (form bundle number) when sent through Making Tax Digital.
create table ledger_vat_returns (
  id bigserial primary key,
  from_day date not null,
  to_day date not null check (to_day >= from_day),
  currency text not null,
  scheme text not null check (scheme in ('standard', 'flat-rate')),
  boxes jsonb not null,
  filed_at timestamptz not null default now(),
  filed_by text not null,
  period_key text unique,
  receipt text,
  exclude using gist (daterange(from_day, to_day, '[]') with &&)
);
