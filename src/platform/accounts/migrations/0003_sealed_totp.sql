-- Two-factor secrets move into the vault (sealed under the master key as auth.totp.<user id>); only
-- the state stays here. The state is set from the old clear columns now, so an account with two-factor
-- keeps requiring it; the clear secrets themselves are sealed and emptied at start-up, which needs
-- the master key the database never sees.
alter table auth_users add column totp_state text check (totp_state in ('pending', 'on'));
update auth_users
   set totp_state = case when totp_secret is not null then 'on' when totp_pending_secret is not null then 'pending' end;
