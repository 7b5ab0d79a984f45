-- Every backup run, whatever became of it: the page, the API and /metrics read it, and a failed or
-- missed run is found here (a run that never ended is 'running' with no process holding its lock).
create table ops_backups (
  id text primary key,                      -- 'b-20261207-214815': also the tag of its restic snapshot
  started_at timestamptz not null,
  finished_at timestamptz,
  status text not null check (status in ('running', 'succeeded', 'failed')),
  trigger text not null check (trigger in ('schedule', 'manual', 'catch-up')),
  target text,                              -- where it went, as the owner sees it (no password)
  snapshot_id text,                         -- restic's snapshot
  bytes bigint,                             -- what the backup holds (the dump and the files)
  added_bytes bigint,                       -- what it added at the target, compressed and deduplicated
  tables int,
  rows bigint,
  files int,
  error text,
  forgotten_at timestamptz                  -- retention removed it from the target
);
create index ops_backups_started on ops_backups (started_at desc);

-- Restore drills: the newest backup restored into a scratch database and checked.
create table ops_backup_drills (
  id bigserial primary key,
  backup_id text,                           -- the backup it restored (its tag), when known
  snapshot_id text,
  started_at timestamptz not null,
  finished_at timestamptz,
  status text not null check (status in ('running', 'succeeded', 'failed')),
  restore_seconds double precision,         -- from the first byte read to the checks passed
  rows bigint,
  checks jsonb not null default '[]',       -- [{ name, problems: [] }]
  error text
);
create index ops_backup_drills_started on ops_backup_drills (started_at desc);
