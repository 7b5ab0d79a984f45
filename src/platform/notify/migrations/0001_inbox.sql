-- What shopkeep tells the owner (daily summaries, alerts): kept in the dashboard's inbox. Telegram and
-- email deliver the same notifications when their modules plug in as channels.
create table notify_inbox (
  id bigserial primary key,
  created_at timestamptz not null default now(),
  kind text not null,                 -- 'ledger.daily_summary', 'ledger.refund_spike', ...
  severity text not null check (severity in ('info', 'warning')),
  title text not null,
  body text not null,
  dedupe_key text unique,             -- the same notice is kept once (a job that runs twice)
  read_at timestamptz
);
create index notify_inbox_unread on notify_inbox (created_at desc) where read_at is null;
