-- What a refund gives back besides its lines: shipping (with its tax), the difference between the
-- refund Shopify worked out and the one made (a restocking fee, a goodwill amount), and duties.
alter table shop_refunds
  add column money jsonb not null
    default '{"shipping": [], "adjustments": [], "duties": {"shop": 0, "presentment": 0}}';
