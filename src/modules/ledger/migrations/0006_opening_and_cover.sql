-- Opening stock is taken once: this row says when and what (its lots are keyed stock:opening:<variant>).
create table ledger_opening_stock (
  id boolean primary key default true check (id),
  taken_on date not null,                  -- the day the opening lots are dated (before the books' first entry)
  variants int not null,
  units int not null,
  value_minor bigint not null,
  taken_at timestamptz not null default now()
);

-- Goods received after the books sold them cover the shortfall with a pair of moves on the day they
-- arrive ('cover': the short sale made good, and the same units out of the new lot), so what the books
-- held on any earlier day stays as it was.
alter table ledger_stock_moves drop constraint ledger_stock_moves_reason_check;
alter table ledger_stock_moves add constraint ledger_stock_moves_reason_check
  check (reason in ('sale', 'return', 'cancel', 'cover'));
create index ledger_stock_moves_day on ledger_stock_moves (moved_on);

-- Units each variant sold with none on the books and not yet covered by goods received: what the
-- lot-less sale and cover moves add up to, kept as one number so a sale, the opening stock and the
-- projection read it at once instead of summing every such move (a shop that never records goods
-- sells everything short).
create table ledger_stock_short (
  variant_id bigint primary key,
  open int not null check (open >= 0)
);
