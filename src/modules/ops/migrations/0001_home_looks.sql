-- When each person last opened the home page: "since you last looked" starts there.
create table ops_home_looks (
  user_id uuid primary key references auth_users (id) on delete cascade,
  looked_at timestamptz not null
);
