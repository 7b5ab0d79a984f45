-- Supplier bills: several lines (each to an expense account, with its VAT), carriage, a due date;
-- owed to the supplier until paid. Aged payables read them.
create table ledger_bills (
  id bigserial primary key,
  supplier text not null,
  reference text not null,
  bill_date date not null,
  due_on date not null check (due_on >= bill_date),
  gross_minor bigint not null check (gross_minor > 0),
  entry_id bigint not null references ledger_entries (id),
  paid_on date,
  paid_entry_id bigint references ledger_entries (id),
  unique (supplier, reference)
);
