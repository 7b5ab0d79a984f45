-- An API token may stop working at a set time (null: until revoked).
alter table auth_api_tokens add column expires_at timestamptz;
