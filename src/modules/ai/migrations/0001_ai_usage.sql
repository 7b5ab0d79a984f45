-- One row per model call (including failures), for usage and cost per provider and per feature.
create table ai_usage (
  id bigserial primary key,
  at timestamptz not null default now(),
  feature text not null,
  provider text not null,
  model text not null,
  input_tokens int not null default 0,
  output_tokens int not null default 0,
  cost_micros bigint not null default 0,   -- estimated cost in millionths of a US dollar
  latency_ms int not null,
  outcome text not null check (outcome in ('ok', 'failed', 'invalid-output'))
);
create index ai_usage_at on ai_usage (at);
