-- The Telegram bot became a module of its own; the table of which message shows which approval is its.
alter table approvals_telegram_cards rename to telegram_cards;
alter table telegram_cards rename constraint approvals_telegram_cards_pkey to telegram_cards_pkey;
alter table telegram_cards rename constraint approvals_telegram_cards_approval_id_fkey to telegram_cards_approval_id_fkey;
