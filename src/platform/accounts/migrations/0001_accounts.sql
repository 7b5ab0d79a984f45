create table auth_users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  role text not null check (role in ('owner', 'staff', 'viewer')),
  password_hash text not null,
  totp_secret text,                -- base32; null until enrolment is confirmed
  totp_pending_secret text,        -- offered at enrolment, not yet confirmed
  totp_last_step bigint not null default 0,  -- each code is single-use
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index auth_users_email on auth_users (lower(email));

create table auth_recovery_codes (
  user_id uuid not null references auth_users (id) on delete cascade,
  code_hash text not null,
  used_at timestamptz,
  primary key (user_id, code_hash)
);

create table auth_sessions (
  id_hash text primary key,        -- sha256 of the cookie value; the value itself is never stored
  user_id uuid not null references auth_users (id) on delete cascade,
  csrf_token text not null,
  -- 'enrolling': password checked, second factor not yet set up; 'active': fully logged in
  stage text not null check (stage in ('enrolling', 'active')),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text
);
create index auth_sessions_user on auth_sessions (user_id);

create table auth_api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth_users (id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  prefix text not null,            -- first characters, shown in lists so the owner can tell tokens apart
  scopes text[] not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table auth_login_failures (
  key text primary key,            -- 'account:<email>' or 'ip:<address>'
  failures int not null,
  window_started_at timestamptz not null,
  locked_until timestamptz
);

create table auth_setup_tokens (
  token_hash text primary key,
  expires_at timestamptz not null,
  used_at timestamptz
);
