-- Critical: what must reach the owner at once (a failed backup, a restore drill that did not work).
alter table notify_inbox drop constraint notify_inbox_severity_check;
alter table notify_inbox add constraint notify_inbox_severity_check
  check (severity in ('info', 'warning', 'critical'));
