-- The shop's data from Shopify. Each row keeps Shopify's updated_at so an older payload never
-- overwrites a newer one; `source` says whether the stored version came by webhook or from the API.
create table shop_orders (
  id bigint primary key,
  name text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  processed_at timestamptz,
  cancelled_at timestamptz,
  paid_at timestamptz,                       -- when shopkeep first saw it paid (order.paid fires once)
  financial_status text,
  fulfillment_status text,
  currency text not null,
  presentment_currency text not null,
  customer_id bigint,
  email text,
  total_minor bigint not null,               -- shop money
  tax_minor bigint not null,
  discounts_minor bigint not null,
  test boolean not null default false,
  first_visit jsonb,                         -- UTM parameters of the first and last visit
  last_visit jsonb,
  data jsonb not null,                       -- the whole order in shopkeep's model
  content_hash text not null,                -- what changes between versions; tells two same-second versions apart
  source text not null check (source in ('webhook', 'api')),
  stored_at timestamptz not null default now()
);
create index shop_orders_created on shop_orders (created_at desc);
create index shop_orders_customer on shop_orders (customer_id, created_at desc);
create index shop_orders_name on shop_orders (lower(name));
create index shop_orders_email on shop_orders (lower(email));

-- Orders whose webhook version had the stored updated_at but other content (two changes in one
-- second): the API is asked which is current.
create table shop_order_refresh (
  order_id bigint primary key,
  requested_at timestamptz not null default now()
);

create table shop_transactions (
  id bigint primary key,
  order_id bigint not null,
  refund_id bigint,
  kind text not null,
  status text not null,
  gateway text not null,
  processed_at timestamptz not null,
  parent_id bigint,
  test boolean not null default false,
  currency text not null,
  amount_shop_minor bigint,                  -- null until known (a foreign-currency webhook)
  amount_presentment_minor bigint not null,
  fee_minor bigint
);
create index shop_transactions_order on shop_transactions (order_id);

create table shop_refunds (
  id bigint primary key,
  order_id bigint not null,
  created_at timestamptz not null,
  note text,
  lines jsonb not null
);
create index shop_refunds_order on shop_refunds (order_id);

create table shop_products (
  id bigint primary key,
  title text not null,
  handle text not null,
  status text not null,
  vendor text,
  product_type text,
  tags text[] not null default '{}',
  image_url text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  deleted_at timestamptz
);

create table shop_variants (
  id bigint primary key,
  product_id bigint not null,
  title text not null,
  sku text,
  price_minor bigint not null,
  compare_at_minor bigint,
  inventory_item_id bigint,
  inventory_quantity int,                    -- Shopify's total; levels per location below
  unit_cost_minor bigint,
  low_stock_threshold int,                   -- null: the shop's default
  low_stock_since timestamptz                -- set while at or below the threshold (stock.low fires once)
);
create index shop_variants_product on shop_variants (product_id);
create index shop_variants_item on shop_variants (inventory_item_id);

create table shop_locations (
  id bigint primary key,
  name text not null,
  active boolean not null default true
);

create table shop_inventory_levels (
  inventory_item_id bigint not null,
  location_id bigint not null,
  available int not null,
  updated_at timestamptz not null,
  primary key (inventory_item_id, location_id)
);

create table shop_customers (
  id bigint primary key,
  email text,
  first_name text,
  last_name text,
  phone text,
  tags text[] not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table shop_balance_transactions (
  id bigint primary key,
  type text not null,
  test boolean not null default false,
  transaction_date timestamptz not null,
  currency text not null,
  amount_minor bigint not null,
  fee_minor bigint not null,
  net_minor bigint not null,
  source_type text,
  source_id bigint,
  order_id bigint,
  payout_id bigint,
  payout_status text
);
create index shop_balance_transactions_payout on shop_balance_transactions (payout_id);

create table shop_payouts (
  id bigint primary key,
  status text not null,
  issued_at timestamptz not null,
  currency text not null,
  net_minor bigint not null,
  summary jsonb not null,
  paid_seen_at timestamptz                   -- payout.paid fires once
);

create table shop_disputes (
  id bigint primary key,
  order_id bigint,
  status text not null,
  reason text,
  currency text not null,
  amount_minor bigint not null,
  initiated_at timestamptz not null,
  evidence_due_by timestamptz,
  finalized_on timestamptz
);

-- Every signed webhook delivery, kept until applied (and a week after, to recognise a redelivery).
create table shop_webhook_deliveries (
  webhook_id text primary key,
  topic text not null,
  received_at timestamptz not null default now(),
  body text not null,
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  applied_at timestamptz,
  outcome text,                              -- 'applied', 'stale' (older than what is stored), 'ignored', 'failed'
  last_error text
);
create index shop_webhook_deliveries_pending on shop_webhook_deliveries (next_attempt_at) where applied_at is null;
create index shop_webhook_deliveries_received on shop_webhook_deliveries (received_at);

-- Import and reconciliation runs: what was fetched, what webhooks had missed, where to resume.
create table shop_sync_runs (
  id bigserial primary key,
  kind text not null check (kind in ('import', 'reconcile')),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running' check (status in ('running', 'done', 'failed')),
  step text,                                 -- the step in progress, or where a crashed import resumes
  progress jsonb not null default '{}',      -- counts per step; for an import also its cursors
  repaired int not null default 0,           -- changes webhooks had not delivered
  error text
);
create index shop_sync_runs_recent on shop_sync_runs (kind, started_at desc);

-- Cursors between runs: the last updated_at seen per resource.
create table shop_sync_cursors (
  resource text primary key,
  cursor text not null,
  updated_at timestamptz not null default now()
);
