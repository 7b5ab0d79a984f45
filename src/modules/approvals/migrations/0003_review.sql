-- What the reviewer said of a draft, as the owner sees it beside the draft (the score's breakdown and
-- what must be fixed): kept with the request, so every place that shows it shows the same.
alter table approvals_requests add column review jsonb;
