-- Exchange rates for payouts to a bank account in another currency than the books': how many units
-- of the shop's currency one unit of the other was worth on a day (from the bank statement).
create table ledger_fx_rates (
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  day date not null,
  rate numeric(20, 10) not null check (rate > 0),
  created_at timestamptz not null default now(),
  primary key (currency, day)
);
