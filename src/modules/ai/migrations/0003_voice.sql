-- The shop's brand voice, edited in the dashboard; the QA gate and the writer read it.
create table ai_voice (
  id boolean primary key default true check (id),
  profile jsonb not null,
  updated_at timestamptz not null default now(),
  updated_by text not null
);
