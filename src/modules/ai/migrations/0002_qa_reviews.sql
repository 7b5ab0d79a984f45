-- Every QA decision with its breakdown, shown wherever the draft is shown.
create table ai_qa_reviews (
  id uuid primary key default gen_random_uuid(),
  at timestamptz not null default now(),
  channel text not null,
  text text not null,
  product_ids text[] not null default '{}',
  attempt int not null,
  score int not null check (score between 0 and 100),
  decision text not null check (decision in ('auto_approve', 'owner_approval', 'regenerate')),
  low_confidence boolean not null,
  findings jsonb not null,
  criteria jsonb not null,
  reviewer text not null
);
create index ai_qa_reviews_channel_at on ai_qa_reviews (channel, at desc);
