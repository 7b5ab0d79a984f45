-- shopkeep's own alerts: one row per time a rule found something wrong, open until it is right again.
create table ops_alerts (
  id bigserial primary key,
  rule text not null,                       -- 'disk', 'temperature', 'dead-letters', …
  priority text not null check (priority in ('info', 'warning', 'critical')),
  title text not null,
  body text not null,
  opened_at timestamptz not null,
  notified_at timestamptz,                  -- null while a maintenance window holds it back
  escalated_at timestamptz,                 -- a warning left open too long was sent again as critical
  clear_since timestamptz,                  -- found right again: resolved once it stays so for a few rounds
  resolved_at timestamptz
);
create unique index ops_alerts_open on ops_alerts (rule) where resolved_at is null;
create index ops_alerts_opened on ops_alerts (opened_at desc);

-- Maintenance windows: alerts found during one are kept but not sent; still open at its end, they are.
create table ops_maintenance (
  id bigserial primary key,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  reason text not null,
  created_by text not null,
  check (ends_at >= starts_at)            -- ended at once: as long as nothing
);

-- How far the security watch has read the audit log, and the addresses each person has signed in from.
create table ops_watch_cursor (
  name text primary key,
  position bigint not null
);
create table ops_known_devices (
  person text not null,
  ip text not null,
  first_seen timestamptz not null,
  primary key (person, ip)
);
