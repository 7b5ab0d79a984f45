-- The deliveries still waiting to be applied, by arrival: /metrics reads the oldest one's age at every
-- scrape (shopkeep_shop_webhook_lag_seconds), which must not walk every delivery ever applied.
create index shop_webhook_deliveries_waiting on shop_webhook_deliveries (received_at)
  where applied_at is null and set_aside_at is null;
