-- Stock on the books: lots received (with unit cost to the millionth and an optional expiry date)
-- and every movement out (a sale) or back (a return, a cancelled order), each tied to the entry that
-- booked its cost. Lots change (what is left of them); entries never do.
alter table ledger_entries drop constraint ledger_entries_source_type_check;
alter table ledger_entries add constraint ledger_entries_source_type_check
  check (source_type in ('order', 'payment', 'refund', 'payout', 'receipt', 'manual', 'reversal', 'stock'));

create table ledger_lots (
  id bigserial primary key,
  variant_id bigint not null,
  received_on date not null,
  quantity int not null check (quantity > 0),
  left_quantity int not null check (left_quantity >= 0 and left_quantity <= quantity),
  unit_cost_micros bigint not null check (unit_cost_micros >= 0), -- millionths of the currency unit
  expires_on date,
  supplier text,
  source_key text not null unique,
  expiry_alerted_at timestamptz,
  created_at timestamptz not null default now()
);
create index ledger_lots_open on ledger_lots (variant_id) where left_quantity > 0;

create table ledger_stock_moves (
  id bigserial primary key,
  variant_id bigint not null,
  lot_id bigint references ledger_lots (id),   -- null: sold while the books had none (negative stock)
  moved_on date not null,
  quantity int not null,                       -- out negative, back positive
  cost_minor bigint not null,
  reason text not null check (reason in ('sale', 'return', 'cancel')),
  order_id bigint,
  order_line_id bigint,
  entry_id bigint references ledger_entries (id)
);
create index ledger_stock_moves_line on ledger_stock_moves (order_line_id);
create index ledger_stock_moves_order on ledger_stock_moves (order_id);
create index ledger_stock_moves_short on ledger_stock_moves (variant_id) where lot_id is null;
