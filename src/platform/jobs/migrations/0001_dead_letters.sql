-- Jobs that failed their last attempt. Kept until the owner retries or dismisses them.
create table jobs_dead_letters (
  id uuid primary key default gen_random_uuid(),
  queue text not null,
  job_id text not null unique,
  data jsonb not null,
  error text not null,
  attempts int not null,
  failed_at timestamptz not null default now(),
  resolved_at timestamptz,
  resolution text check (resolution in ('retried', 'dismissed'))
);
create index jobs_dead_letters_open on jobs_dead_letters (failed_at desc) where resolved_at is null;
