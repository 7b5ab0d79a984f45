-- Reports by day (product margins) find a period's orders and refunds by these, not by reading all.
create index shop_orders_processed on shop_orders ((coalesce(processed_at, created_at)));
create index shop_refunds_created on shop_refunds (created_at);
