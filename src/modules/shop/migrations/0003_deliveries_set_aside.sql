-- A delivery that cannot be applied is set aside with its reason (after its retries, or at once when
-- retrying cannot help) and waits on the operations page for the owner, who is told once; the rest
-- flow past it. Its next_attempt_at goes to infinity so the applier's index never walks over it again.
alter table shop_webhook_deliveries
  add column set_aside_at timestamptz,
  add column notified_at timestamptz,        -- the owner was told it was set aside (once per delivery)
  add column confirmed_at timestamptz;       -- a delete, cancellation or uninstall Shopify's API confirmed

-- Deliveries that waited for the owner before this migration ('failed') are set aside like the new ones.
update shop_webhook_deliveries
  set set_aside_at = coalesce(next_attempt_at, received_at), outcome = 'set_aside', next_attempt_at = 'infinity'
  where outcome = 'failed' and applied_at is null;

create index shop_webhook_deliveries_set_aside on shop_webhook_deliveries (received_at desc)
  where set_aside_at is not null and applied_at is null;
create index shop_webhook_deliveries_untold on shop_webhook_deliveries (set_aside_at)
  where set_aside_at is not null and notified_at is null;
