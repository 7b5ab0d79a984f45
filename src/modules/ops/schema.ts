import {
  bigint,
  bigserial,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

export const opsHomeLooks = pgTable('ops_home_looks', {
  userId: uuid('user_id').primaryKey(),
  lookedAt: timestamp('looked_at', { withTimezone: true }).notNull(),
});

export const opsBackups = pgTable('ops_backups', {
  id: text('id').primaryKey(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  status: text('status').$type<'running' | 'succeeded' | 'failed'>().notNull(),
  trigger: text('trigger').$type<'schedule' | 'manual' | 'catch-up'>().notNull(),
  target: text('target'),
  snapshotId: text('snapshot_id'),
  bytes: bigint('bytes', { mode: 'number' }),
  addedBytes: bigint('added_bytes', { mode: 'number' }),
  tables: integer('tables'),
  rows: bigint('rows', { mode: 'number' }),
  files: integer('files'),
  error: text('error'),
  forgottenAt: timestamp('forgotten_at', { withTimezone: true }),
});

export const opsBackupDrills = pgTable('ops_backup_drills', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  backupId: text('backup_id'),
  snapshotId: text('snapshot_id'),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  status: text('status').$type<'running' | 'succeeded' | 'failed'>().notNull(),
  restoreSeconds: doublePrecision('restore_seconds'),
  rows: bigint('rows', { mode: 'number' }),
  checks: jsonb('checks').$type<{ name: string; problems: string[] }[]>().notNull().default([]),
  error: text('error'),
});

export const opsAlerts = pgTable('ops_alerts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  rule: text('rule').notNull(),
  priority: text('priority').$type<'info' | 'warning' | 'critical'>().notNull(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
  notifiedAt: timestamp('notified_at', { withTimezone: true }),
  escalatedAt: timestamp('escalated_at', { withTimezone: true }),
  clearSince: timestamp('clear_since', { withTimezone: true }),
  resolvedAt: timestamp('resolved_at', { withTimezone: true }),
});

export const opsMaintenance = pgTable('ops_maintenance', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
  reason: text('reason').notNull(),
  createdBy: text('created_by').notNull(),
});

export const opsWatchCursor = pgTable('ops_watch_cursor', {
  name: text('name').primaryKey(),
  position: bigint('position', { mode: 'number' }).notNull(),
});

export const opsKnownDevices = pgTable(
  'ops_known_devices',
  {
    person: text('person').notNull(),
    ip: text('ip').notNull(),
    firstSeen: timestamp('first_seen', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.person, table.ip] })],
);
