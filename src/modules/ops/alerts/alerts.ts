// The alerts shopkeep raises itself, every minute: each rule's finding opens an alert (sent once, with
// its priority: critical reaches Telegram at once, warnings also go by email when an address is set,
// everything is in the inbox), an alert stays open while the finding lasts (no repeats), a warning
// left open too long is sent again as critical, and a resolved notice says when it is right again.
// During a maintenance window alerts are kept but not sent; still open when it ends, they are.
import { and, desc, eq, gt, isNull, lte } from 'drizzle-orm';
import type pg from 'pg';
import { orm, type Orm } from '../../../platform/db/orm.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Notifier } from '../../../platform/notify/face.ts';
import { opsAlerts, opsMaintenance } from '../schema.ts';
import type { Finding, Reading } from './rules.ts';
import { findings } from './rules.ts';

export type OpenAlert = typeof opsAlerts.$inferSelect;

/** How long a rule must find nothing before its alert is resolved (three rounds). */
export const CLEAR_FOR_MS = 3 * 60_000;
export type MaintenanceWindow = typeof opsMaintenance.$inferSelect;

export interface AlertsOptions {
  pool: pg.Pool;
  notifications: Notifier;
  now: () => Date;
  read: () => Promise<Reading>;
  /** A warning open this long is sent again as critical. */
  escalateAfterHours: number;
}

export class Alerts {
  private readonly db: Orm;

  constructor(private readonly options: AlertsOptions) {
    this.db = orm(options.pool);
  }

  /** One round: read, compare with what is open, send what changed. Answers the rules firing. */
  async evaluate(): Promise<Finding[]> {
    const found = findings(await this.options.read());
    await this.reconcile(found);
    return found;
  }

  /** Opens, escalates and resolves alerts so that exactly the findings are open. */
  async reconcile(found: Finding[]): Promise<void> {
    const now = this.options.now();
    const quiet = (await this.maintenance()) !== undefined;
    const open = await this.open();
    const byRule = new Map(open.map((alert) => [alert.rule, alert]));
    for (const finding of found) {
      const alert = byRule.get(finding.rule);
      if (!alert || (alert.priority !== 'critical' && finding.priority === 'critical')) {
        // New, or worse than it was (a disk from filling up to full): a new alert in its place.
        if (alert) await this.close(alert, now, false);
        const [opened] = await this.db
          .insert(opsAlerts)
          .values({ ...finding, openedAt: now })
          .onConflictDoNothing()
          .returning();
        if (opened && !quiet) await this.notify(opened, finding.priority, now);
        continue;
      }
      if (!alert.notifiedAt && !quiet) await this.notify(alert, alert.priority, now);
      const hours = (now.getTime() - alert.openedAt.getTime()) / 3_600_000;
      if (
        alert.priority === 'warning' &&
        !alert.escalatedAt &&
        hours >= this.options.escalateAfterHours &&
        !quiet
      ) {
        await this.options.notifications.send({
          kind: `ops.alert.${alert.rule}`,
          severity: 'critical',
          title: `Still not fixed: ${alert.title}`,
          body: `Open since ${alert.openedAt.toISOString()} (${Math.floor(hours)} hours).\n\n${finding.body}`,
          dedupeKey: `ops.alert.escalated:${alert.id}`,
        });
        await this.db.update(opsAlerts).set({ escalatedAt: now }).where(eq(opsAlerts.id, alert.id));
      }
    }
    const firing = new Set(found.map((finding) => finding.rule));
    for (const alert of open) {
      if (firing.has(alert.rule)) {
        if (alert.clearSince)
          await this.db.update(opsAlerts).set({ clearSince: null }).where(eq(opsAlerts.id, alert.id));
        continue;
      }
      // Right again only once it stays so: a reading that hovers at a threshold is one alert, not one
      // a minute.
      if (!alert.clearSince)
        await this.db.update(opsAlerts).set({ clearSince: now }).where(eq(opsAlerts.id, alert.id));
      else if (now.getTime() - alert.clearSince.getTime() >= CLEAR_FOR_MS)
        await this.close(alert, now, !quiet);
    }
  }

  async open(): Promise<OpenAlert[]> {
    return this.db
      .select()
      .from(opsAlerts)
      .where(isNull(opsAlerts.resolvedAt))
      .orderBy(desc(opsAlerts.openedAt));
  }

  async recent(limit = 20): Promise<OpenAlert[]> {
    return this.db.select().from(opsAlerts).orderBy(desc(opsAlerts.openedAt)).limit(limit);
  }

  /** The window in force now, if any. */
  async maintenance(): Promise<MaintenanceWindow | undefined> {
    const now = this.options.now();
    const [window] = await this.db
      .select()
      .from(opsMaintenance)
      .where(and(lte(opsMaintenance.startsAt, now), gt(opsMaintenance.endsAt, now)))
      .orderBy(desc(opsMaintenance.endsAt))
      .limit(1);
    return window;
  }

  /** A maintenance window from now: alerts are kept but not sent until it ends. */
  async startMaintenance(minutes: number, reason: string, by: string): Promise<MaintenanceWindow> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 7 * 24 * 60)
      throw new AppError('invalid_request', 'a maintenance window lasts 1 minute to 7 days');
    if (!reason.trim()) throw new AppError('invalid_request', 'say why (the reason is shown while it lasts)');
    const now = this.options.now();
    const [window] = await this.db
      .insert(opsMaintenance)
      .values({
        startsAt: now,
        endsAt: new Date(now.getTime() + minutes * 60_000),
        reason: reason.trim().slice(0, 200),
        createdBy: by,
      })
      .returning();
    return window!;
  }

  /** Ends the window in force now; alerts still open are sent at the next round. */
  async endMaintenance(): Promise<void> {
    const window = await this.maintenance();
    if (!window) throw new AppError('not_found', 'no maintenance window is in force');
    await this.db
      .update(opsMaintenance)
      .set({ endsAt: this.options.now() })
      .where(eq(opsMaintenance.id, window.id));
  }

  private async notify(alert: OpenAlert, priority: Finding['priority'], now: Date): Promise<void> {
    await this.options.notifications.send({
      kind: `ops.alert.${alert.rule}`,
      severity: priority,
      title: alert.title,
      body: alert.body,
      dedupeKey: `ops.alert:${alert.id}`,
    });
    await this.db.update(opsAlerts).set({ notifiedAt: now }).where(eq(opsAlerts.id, alert.id));
  }

  private async close(alert: OpenAlert, now: Date, announce: boolean): Promise<void> {
    await this.db.update(opsAlerts).set({ resolvedAt: now }).where(eq(opsAlerts.id, alert.id));
    // Only what the owner was told about is resolved aloud.
    if (!announce || !alert.notifiedAt) return;
    await this.options.notifications.send({
      kind: `ops.alert.${alert.rule}.resolved`,
      severity: 'info',
      title: `Resolved: ${alert.title}`,
      body: `Right again since ${now.toISOString()} (open since ${alert.openedAt.toISOString()}).`,
      dedupeKey: `ops.alert.resolved:${alert.id}`,
    });
  }
}
