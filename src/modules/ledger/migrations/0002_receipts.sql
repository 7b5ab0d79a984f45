-- Receipt photos the owner uploads: kept with what was read from them and where they went (an expense
-- in the books, or the review queue).
create table ledger_receipts (
  id bigserial primary key,
  uploaded_at timestamptz not null default now(),
  uploaded_by text not null,
  file_name text,
  content_type text not null,
  image bytea not null,
  sha256 text not null unique,            -- the same file twice is the same receipt
  status text not null default 'reading' check (status in ('reading', 'booked', 'review', 'failed')),
  text text,                              -- what OCR read
  fields jsonb,                           -- supplier, date, total, VAT, lines
  read_by text,                           -- 'ocr' or the model that read it
  problem text,                           -- why it is in review, or why reading failed
  entry_id bigint references ledger_entries (id),
  review_id bigint references ledger_review (id)
);
