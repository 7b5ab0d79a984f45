-- The social module: the plan's slots, the posts and their life (planned → drafted → approved →
-- scheduled → publishing → published | failed | held | cancelled), every publish attempt recorded
-- before the platform is called, the media prepared for them, what the platforms said about each
-- post, followers by day, token expiry, and A/B tests.

create table social_slots (
  id uuid primary key default gen_random_uuid(),
  channel text not null,                  -- instagram, facebook, tiktok, linkedin
  format text not null,                   -- feed, story, text
  weekdays int[] not null,                -- ISO weekdays 1 (Monday) … 7
  local_time text not null,               -- HH:MM in the shop's time zone
  audience text not null default 'shoppers', -- shoppers, salons (the B2B voice)
  active boolean not null default true,
  unique (channel, format, local_time, audience)
);

create table social_posts (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  channel text not null,
  format text not null,                   -- feed, carousel, story, text
  status text not null,
  caption text not null default '',
  source_image_urls text[] not null default '{}',
  product_ids text[] not null default '{}',
  theme text not null default 'product',  -- product, overstock, new, seasonal, salon, evergreen, manual
  audience text not null default 'shoppers',
  publish_at timestamptz not null,
  slot_key text unique,                   -- channel|format|slot time: planning a slot twice makes one post
  facts jsonb not null default '{}',      -- the price and stock the caption was written with
  approval_id uuid,
  qa_review_id uuid,
  ab_test_id uuid,
  variant text,                           -- 'a' or 'b' in an A/B test
  recurring_days int,                     -- evergreen: planned again this many days after it goes out
  platform_post_id text,
  permalink text,
  published_at timestamptz,
  attempts int not null default 0,
  next_attempt_at timestamptz,
  error text,                             -- what went wrong, in words the owner can act on
  created_by text not null default 'planner'
);
create index social_posts_due on social_posts (status, publish_at);
create index social_posts_approval on social_posts (approval_id);

create table social_attempts (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references social_posts(id),
  started_at timestamptz not null default now(),
  sending_at timestamptz,                 -- the request that can publish was about to be sent
  remote_id text,                         -- container id (Instagram), publish id (TikTok): known before it goes live
  finished_at timestamptz,
  outcome text,                           -- published, failed, reconciled, abandoned
  detail text
);
create index social_attempts_open on social_attempts (post_id) where finished_at is null;

create table social_media (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references social_posts(id),
  position int not null,
  source_url text not null,
  crop text not null,                     -- feed (4:5) or story (9:16)
  file_name text not null,
  width int not null,
  height int not null,
  bytes int not null,
  created_at timestamptz not null default now(),
  unique (post_id, position)
);

create table social_insights (
  post_id uuid primary key references social_posts(id),
  collected_at timestamptz not null,
  metrics jsonb not null,                 -- reach, views, likes, … as the platform names them
  final boolean not null default false    -- stories: collected before their 24 h were up
);

create table social_followers (
  channel text not null,
  day date not null,
  followers int not null,
  primary key (channel, day)
);

create table social_tokens (
  channel text primary key,
  expires_at timestamptz,
  checked_at timestamptz not null,
  warned_at timestamptz
);

create table social_ab_tests (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now(),
  channel text not null,
  product_id text not null,
  kind text not null,                     -- caption or image
  status text not null default 'running', -- running, decided, inconclusive
  winner text,
  confidence numeric(20, 10),
  decided_at timestamptz,
  lesson text                             -- what the writer is told next time
);

insert into social_slots (channel, format, weekdays, local_time, audience) values
  ('instagram', 'feed', '{1,2,3,4,5,6,7}', '09:00', 'shoppers'),
  ('instagram', 'feed', '{1,2,3,4,5,6,7}', '14:00', 'shoppers'),
  ('instagram', 'feed', '{1,2,3,4,5,6,7}', '19:00', 'shoppers'),
  ('facebook', 'feed', '{1,2,3,4,5,6,7}', '14:30', 'shoppers'),
  ('tiktok', 'feed', '{1,3,5,6}', '18:00', 'shoppers'),
  ('linkedin', 'text', '{2}', '10:00', 'salons');
insert into social_slots (channel, format, weekdays, local_time, audience)
  select 'instagram', 'story', '{1,2,3,4,5,6,7}', lpad(h::text, 2, '0') || ':00', 'shoppers'
  from generate_series(8, 22) as h;
