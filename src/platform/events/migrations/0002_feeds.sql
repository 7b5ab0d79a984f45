-- Feeds: a module that must see every event of some types, in order and exactly once in effect,
-- and work on many at a time (the books post a first import's 50,000 orders in batches). The
-- dispatcher adds an item per matching event in the transaction that dispatches it; the feed's
-- consumer handles a batch and deletes its items in one transaction.
create table events_feed_items (
  feed text not null,
  event_id bigint not null references events_outbox (id),
  primary key (feed, event_id)
);
