-- Append-only, hash-chained: each row's hash covers its content and the previous row's hash,
-- so an edited or deleted row breaks the chain that `shopkeep audit verify` walks.
create table ops_audit_log (
  seq bigint primary key,
  at timestamptz not null,
  actor text not null,             -- 'user:<id>', 'token:<id>', 'cli', 'system', 'anonymous'
  actor_label text not null,
  ip text,
  action text not null,
  target text,
  outcome text not null,
  details jsonb not null default '{}',
  prev_hash text not null,
  hash text not null
);
-- The head records the last link, so removing rows from the end is detected too.
create table ops_audit_head (
  id boolean primary key default true check (id),
  seq bigint not null,
  hash text not null
);
