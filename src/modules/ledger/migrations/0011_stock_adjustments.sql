-- Stock that leaves other than by a sale: written off (expired, damaged) or found missing at a count;
-- and stock a count finds beyond the books.
alter table ledger_stock_moves drop constraint ledger_stock_moves_reason_check;
alter table ledger_stock_moves add constraint ledger_stock_moves_reason_check
  check (reason in ('sale', 'return', 'cancel', 'cover', 'write_off', 'count'));
