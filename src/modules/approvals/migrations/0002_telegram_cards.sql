-- Which Telegram message shows which approval request, so every card can show the outcome.
create table approvals_telegram_cards (
  approval_id uuid not null references approvals_requests (id) on delete cascade,
  chat_id bigint not null,
  message_id bigint not null,
  primary key (approval_id, chat_id)
);
