-- An outgoing webhook may reach the box itself or the local network (n8n on the same Pi) only when the
-- owner said so. Endpoints made before this rule whose address plainly names such a place (localhost,
-- a private or link-local IP, a name without a dot, .local/.lan/.home.arpa/.internal) were made for
-- it knowingly and keep working; any other that turns out to resolve to a private address is refused
-- at delivery, saying so, until the owner ticks "private address" for it on Settings.
alter table events_webhook_endpoints add column allow_private_target boolean not null default false;
update events_webhook_endpoints set allow_private_target = true
where lower(substring(url from '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/]*@)?(\[[^]]*\]|[^:/?#]*)')) ~
  '^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|169\.254\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|0\.0\.0\.0$|\[(::1|f[cd]|fe[89ab])|[^.]+$|.*\.(local|lan|internal|home\.arpa)$)';
