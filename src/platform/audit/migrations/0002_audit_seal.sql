-- Each entry is sealed: an HMAC-SHA-256 of its number and hash under a key derived from the master
-- key (never stored), so a chain recomputed by someone with database access alone no longer checks.
-- key_id names the derived key (a fingerprint), so entries sealed before a key rotation are known.
-- Entries written before this release stay unsealed (seal is null).
alter table ops_audit_log add column seal text, add column key_id text;
-- sealed_from is the first sealed entry (1 on a new install). audit-head.json in the data directory
-- repeats it, so it cannot be moved later to pass rewritten entries off as old unsealed ones.
alter table ops_audit_head add column sealed_from bigint, add column key_id text;
