-- Failed logins are counted per address, per account from one address (a lock of that pair only) and
-- per account from addresses not known for it (a growing delay, never a lock). The rows of one
-- account carry its email, so a burst against it can be read whole for the owner's alert.
alter table auth_login_failures add column account text;
alter table auth_login_failures add column address text;
alter table auth_login_failures add column last_attempt_at timestamptz;
create index auth_login_failures_account on auth_login_failures (account) where account is not null;

-- Addresses a user fully logged in from lately: others' failures elsewhere never slow these down.
create table auth_known_addresses (
  user_id uuid not null references auth_users (id) on delete cascade,
  address text not null,
  last_login_at timestamptz not null,
  primary key (user_id, address)
);

-- One-time links (`shopkeep user unlock`) that lift the login locks on the address that opens them.
create table auth_unlock_tokens (
  token_hash text primary key,     -- sha256 of the token; the token itself is never stored
  user_id uuid not null references auth_users (id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz
);
