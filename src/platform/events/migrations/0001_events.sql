create table events_outbox (
  id bigserial primary key,
  type text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  dispatched_at timestamptz
);
create index events_outbox_pending on events_outbox (id) where dispatched_at is null;

-- Wake the dispatcher as soon as the transaction that wrote an event commits.
create function events_outbox_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('events_outbox', '');
  return null;
end $$;
create trigger events_outbox_notify after insert on events_outbox
  for each statement execute function events_outbox_notify();

create table events_webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  url text not null,
  event_types text[] not null,     -- '*' matches every event
  secret_name text not null,       -- the signing secret lives in the vault under this name
  active boolean not null default true,
  created_at timestamptz not null default now()
);
