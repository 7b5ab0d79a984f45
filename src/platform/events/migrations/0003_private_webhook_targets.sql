-- An outgoing webhook may reach the box itself or the local network (n8n on the same Pi) only when the
-- owner said so. Endpoints made before this rule existed were made knowingly and keep working.
alter table events_webhook_endpoints add column allow_private_target boolean not null default false;
update events_webhook_endpoints set allow_private_target = true;
