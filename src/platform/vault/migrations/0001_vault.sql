create table vault_secrets (
  name text primary key,
  key_id text not null,            -- which master key sealed it (a fingerprint, never the key)
  iv bytea not null,
  ciphertext bytea not null,
  auth_tag bytea not null,
  updated_at timestamptz not null default now()
);
