-- Requests for the owner's decision: a draft the QA gate could not approve by itself.
create table approvals_requests (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now(),
  kind text not null,                     -- 'social.post', 'mail.reply', ...
  channel text not null,
  title text not null,                    -- one line for lists and cards
  text text not null,
  product_ids text[] not null default '{}',
  qa_review_id uuid,                      -- the QA gate's decision, with its breakdown
  score int,
  low_confidence boolean not null default false,
  status text not null default 'pending' check (status in ('pending', 'approved', 'edited', 'rejected', 'expired')),
  expires_at timestamptz not null,
  on_expiry text not null default 'skip' check (on_expiry in ('skip', 'evergreen')),
  decided_at timestamptz,
  decided_by text,
  final_text text,                        -- what goes out: the draft, or the owner's edit
  note text                               -- the owner's reason for a rejection or a rewrite
);
create index approvals_requests_pending on approvals_requests (created_at) where status = 'pending';

-- One switch that stops all publishing and sending until the owner resumes.
create table approvals_pause (
  id boolean primary key default true check (id),
  paused boolean not null,
  changed_at timestamptz not null default now(),
  changed_by text not null
);
