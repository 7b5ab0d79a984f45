-- Where each notice was delivered besides the inbox (a Telegram chat, an email address): a channel's
-- delivery job that runs again after a failure skips the targets it reached.
create table notify_deliveries (
  notice_id bigint not null references notify_inbox (id),
  channel text not null,              -- 'telegram', 'email'
  target text not null,               -- the chat id, the address
  delivered_at timestamptz not null default now(),
  primary key (notice_id, channel, target)
);
