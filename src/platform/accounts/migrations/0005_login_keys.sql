-- Failed-login counts are keyed by the SHA-256 of the account's email, never the email itself: the
-- email is a stranger's input, and a few KB of it went past PostgreSQL's index row limit (a 500 on
-- the login form). An IPv6 client is counted, and known to its account, by its /64 (client-key.ts).
-- Counts in the old form are dropped: they are short-lived counters, and at worst a wave of guesses
-- starts counting again. IPv4 address counts keep their form and stay.
delete from auth_login_failures where key not like 'ip:%' or key like 'ip:%:%';

-- Known IPv6 addresses become their /64 (in the form client-key.ts writes, which is PostgreSQL's
-- own); two addresses of one /64 become one row with the later login.
do $$
declare
  old record;
  client inet;
begin
  for old in delete from auth_known_addresses where address like '%:%' returning * loop
    begin
      client := split_part(old.address, '%', 1)::inet;
    exception when invalid_text_representation then
      continue; -- not an address at all: forgotten
    end;
    insert into auth_known_addresses (user_id, address, last_login_at)
    values (
      old.user_id,
      case
        when client << '::ffff:0.0.0.0/96'::inet then host('0.0.0.0'::inet + (client - '::ffff:0.0.0.0'::inet))
        else host(network(set_masklen(client, 64))) || '/64'
      end,
      old.last_login_at
    )
    on conflict (user_id, address) do update
      set last_login_at = greatest(auth_known_addresses.last_login_at, excluded.last_login_at);
  end loop;
end $$;
