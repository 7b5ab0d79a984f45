-- The books: a chart of accounts, entries of postings in integer minor units, balanced per currency
-- (checked when the transaction commits), immutable (a correction is a reversal), each tied to its
-- source; periods that, once closed, are sealed with a hash and take no more entries.

create table ledger_accounts (
  code text primary key,                 -- 'Assets:Bank', also the hledger account name
  name text not null,                    -- what the owner reads
  type text not null check (type in ('asset', 'liability', 'equity', 'income', 'expense')),
  system boolean not null default false, -- the posting rules use it; it can be renamed, not removed
  created_at timestamptz not null default now(),
  check (code ~ '^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Za-z0-9][A-Za-z0-9 &/-]*)+$')
);

create table ledger_entries (
  id bigserial primary key,
  entry_date date not null,
  description text not null,
  source_type text not null check (source_type in ('order', 'payment', 'refund', 'payout', 'receipt', 'manual', 'reversal')),
  source_id text,                        -- the Shopify id (or receipt id) it came from
  source_key text not null unique,       -- what makes posting the same source twice a no-op
  reverses bigint references ledger_entries (id),
  created_at timestamptz not null default now()
);
create index ledger_entries_date on ledger_entries (entry_date);
create index ledger_entries_source on ledger_entries (source_type, source_id);

create table ledger_postings (
  id bigserial primary key,
  entry_id bigint not null,              -- an entry of the same transaction, checked by the trigger below
  account_code text not null,            -- an account of the chart, checked by the trigger below
  amount_minor bigint not null,          -- debit positive, credit negative
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  jurisdiction text,                     -- sales tax: where it is owed
  memo text
);
create index ledger_postings_entry on ledger_postings (entry_id);
create index ledger_postings_account on ledger_postings (account_code);

-- Postings summed per day, account, currency, jurisdiction and source: what the reports read, so a
-- year's profit and loss adds up a few thousand rows instead of a million postings. Kept by the
-- postings trigger below, in the transaction that books them.
create table ledger_day_totals (
  day date not null,
  account_code text not null,
  currency text not null,
  jurisdiction text not null,            -- '' when the postings have none
  source_type text not null,
  total bigint not null,
  debits bigint not null,
  credits bigint not null,
  primary key (day, account_code, currency, jurisdiction, source_type)
);

-- Balanced per currency with at least two postings: an entry's postings go in with one statement,
-- checked when it ends (all of them, for every entry the statement touched).
create function ledger_postings_balanced() returns trigger language plpgsql as $$
declare
  ids bigint[];
  bad record;
begin
  -- An array, not a subquery: the checks below then use the entry_id index however big the books are.
  select array_agg(distinct entry_id) into ids from inserted;
  select p.entry_id, string_agg(p.currency || ' ' || p.total, ', ') as totals
  into bad
  from (
    select entry_id, currency, sum(amount_minor) as total, count(*) as n from ledger_postings
    where entry_id = any(ids) group by entry_id, currency
  ) p
  group by p.entry_id
  having bool_or(p.total <> 0) or sum(p.n) < 2
  limit 1;
  if found then
    raise exception 'ledger entry % does not balance or has fewer than two postings: %', bad.entry_id, bad.totals;
  end if;
  -- Each posting's entry exists and was written by this transaction (created_at is its start): an
  -- older entry takes no more postings. Checked here once per statement rather than by a foreign key
  -- per row (a year of orders is millions of postings); entries are never deleted.
  if (select count(*) from ledger_entries e where e.id = any(ids) and e.created_at = now()) <> cardinality(ids) then
    select i.id as entry_id into bad from unnest(ids) as i(id)
    where not exists (select 1 from ledger_entries e where e.id = i.id and e.created_at = now()) limit 1;
    raise exception 'ledger entry % is not a new entry of this transaction: postings go in with their entry', bad.entry_id;
  end if;
  select i.account_code into bad from (select distinct account_code from inserted) i
  where not exists (select 1 from ledger_accounts a where a.code = i.account_code) limit 1;
  if found then
    raise exception 'the chart has no account %', bad.account_code;
  end if;
  -- The day totals the reports read (a year of postings summed per day, account and source).
  insert into ledger_day_totals (day, account_code, currency, jurisdiction, source_type, total, debits, credits)
  select e.entry_date, i.account_code, i.currency, coalesce(i.jurisdiction, ''), e.source_type,
    sum(i.amount_minor), sum(greatest(i.amount_minor, 0)), sum(greatest(-i.amount_minor, 0))
  from inserted i join ledger_entries e on e.id = i.entry_id and e.id = any(ids)
  group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
  on conflict (day, account_code, currency, jurisdiction, source_type) do update
    set total = ledger_day_totals.total + excluded.total,
        debits = ledger_day_totals.debits + excluded.debits,
        credits = ledger_day_totals.credits + excluded.credits;
  return null;
end $$;
create trigger ledger_postings_balanced after insert on ledger_postings
  referencing new table as inserted for each statement execute function ledger_postings_balanced();

-- An entry without postings is refused when its transaction commits.
create function ledger_entry_has_postings() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from ledger_postings where entry_id = new.id) then
    raise exception 'ledger entry % has no postings', new.id;
  end if;
  return null;
end $$;
create constraint trigger ledger_entries_have_postings after insert on ledger_entries
  deferrable initially deferred for each row execute function ledger_entry_has_postings();

-- Entries and postings never change: corrections are reversals.
create function ledger_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'the books are append-only: % on % is refused (post a reversal instead)', tg_op, tg_table_name;
end $$;
create trigger ledger_entries_immutable before update or delete on ledger_entries
  for each row execute function ledger_immutable();
create trigger ledger_postings_immutable before update or delete on ledger_postings
  for each row execute function ledger_immutable();

-- An account with postings stays (it is what they point at); renaming is the way to change it.
create function ledger_account_kept() returns trigger language plpgsql as $$
begin
  if exists (select 1 from ledger_postings where account_code = old.code) then
    raise exception 'account % has postings and cannot be removed or recoded (rename it instead)', old.code;
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger ledger_accounts_kept before delete or update of code on ledger_accounts
  for each row execute function ledger_account_kept();

create table ledger_periods (
  id bigserial primary key,
  starts_on date not null,
  ends_on date not null unique,
  closed_at timestamptz not null default now(),
  closed_by text not null,
  entries int not null,
  hash text not null,                    -- sha256 of the previous period's hash and every entry in this one
  check (ends_on >= starts_on)
);
create trigger ledger_periods_immutable before update or delete on ledger_periods
  for each row execute function ledger_immutable();

-- A closed period takes no new entries (checked once per statement, for all of its rows).
create function ledger_entry_open_period() returns trigger language plpgsql as $$
declare
  closed date;
  earliest date;
begin
  select max(ends_on) into closed from ledger_periods;
  if closed is null then
    return null;
  end if;
  select min(entry_date) into earliest from inserted;
  if earliest <= closed then
    raise exception 'the books are closed up to %: an entry dated % cannot be added', closed, earliest;
  end if;
  return null;
end $$;
create trigger ledger_entries_open_period after insert on ledger_entries
  referencing new table as inserted for each statement execute function ledger_entry_open_period();

-- What the rules could not book: an unknown kind of transaction, a payout whose transactions have not
-- all arrived. Nothing here is in the books until it is settled; retriable items are tried again.
create table ledger_review (
  id bigserial primary key,
  source_key text not null unique,
  kind text not null,                    -- 'unknown_transaction_kind', 'payout_incomplete', ...
  detail jsonb not null,
  reason text not null,
  retriable boolean not null default false,
  status text not null default 'open' check (status in ('open', 'resolved', 'dismissed')),
  created_at timestamptz not null default now(),
  resolved_at timestamptz
);
create index ledger_review_open on ledger_review (created_at) where status = 'open';
