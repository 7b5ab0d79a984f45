-- The home page asks what was booked since the owner last looked.
create index ledger_entries_created on ledger_entries (created_at);
