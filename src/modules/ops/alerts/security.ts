// Security events become alerts: read from the audit log as it grows (a new API token, a new user, a
// role changed, a second factor reset, someone signing in from an address they never used), counted for the alert
// rules (failed logins), and checked daily (the audit chain verifies; no secret is older than its
// rotation period).
import { existsSync, statSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type pg from 'pg';
import type { AuditTrail } from '../../../platform/audit/face.ts';
import type { AuditEntry } from '../../../platform/audit/audit-log.ts';
import { orm, type Orm } from '../../../platform/db/orm.ts';
import type { Notifier } from '../../../platform/notify/face.ts';
import type { IntegrationSecrets } from '../../../platform/vault/face.ts';
import { opsKnownDevices, opsWatchCursor } from '../schema.ts';

export interface SecurityWatchOptions {
  pool: pg.Pool;
  audit: AuditTrail;
  secrets: IntegrationSecrets;
  /** master.key, when the key is kept in the data directory (its age is the key's). */
  masterKeyFile: string | undefined;
  notifications: Notifier;
  now: () => Date;
  rotationDays: number;
}

const PAGE = 200;

export class SecurityWatch {
  private readonly db: Orm;

  constructor(private readonly options: SecurityWatchOptions) {
    this.db = orm(options.pool);
  }

  /** Alerts for the audit entries written since the last call; answers how many were read. */
  async scan(): Promise<number> {
    const [cursor] = await this.db.select().from(opsWatchCursor).where(eq(opsWatchCursor.name, 'audit'));
    const newest = await this.options.audit.recent(PAGE);
    const head = newest[0]?.seq ?? 0;
    if (!cursor) {
      // The first watch starts from now: the log's history was never news.
      await this.db.insert(opsWatchCursor).values({ name: 'audit', position: head }).onConflictDoNothing();
      return 0;
    }
    const fresh: AuditEntry[] = [];
    for (let page = newest; page.length;) {
      fresh.push(...page.filter((entry) => entry.seq > cursor.position));
      const oldest = page.at(-1)!.seq;
      if (oldest <= cursor.position + 1) break;
      page = await this.options.audit.recent(PAGE, oldest);
    }
    for (const entry of fresh.sort((a, b) => a.seq - b.seq)) await this.consider(entry);
    if (head > cursor.position)
      await this.db.update(opsWatchCursor).set({ position: head }).where(eq(opsWatchCursor.name, 'audit'));
    return fresh.length;
  }

  /** Failed logins in the last `minutes`, with where they came from. */
  async failedLogins(minutes = 15): Promise<{ count: number; ips: string[] }> {
    const since = this.options.now().getTime() - minutes * 60_000;
    const failed: AuditEntry[] = [];
    for (let page = await this.options.audit.recent(PAGE); page.length;) {
      const recent = page.filter((entry) => entry.at.getTime() >= since);
      failed.push(...recent.filter((entry) => entry.action === 'auth.login' && entry.outcome === 'denied'));
      if (recent.length < page.length) break;
      page = await this.options.audit.recent(PAGE, page.at(-1)!.seq);
    }
    return { count: failed.length, ips: [...new Set(failed.map((entry) => entry.ip ?? 'unknown'))] };
  }

  private async consider(entry: AuditEntry): Promise<void> {
    if (entry.outcome !== 'ok') return;
    const from = entry.ip ? ` from ${entry.ip}` : '';
    const details = entry.details ?? {};
    const warn = (title: string, body: string) =>
      this.options.notifications.send({
        kind: `ops.security.${entry.action}`,
        severity: 'warning',
        title,
        body: `${body}\n\nIf this was not you or someone you trust, revoke it on Settings and change your password.`,
        dedupeKey: `ops.security:${entry.seq}`,
      });
    if (entry.action === 'token.create')
      await warn(
        'A new API token',
        `${entry.actorLabel} made the token "${String(details.name ?? entry.target)}" (${[details.scopes].flat().join(', ')}) for ${String(details.user ?? '')}${from}.`,
      );
    else if (entry.action === 'user.add')
      await warn(
        'A new user',
        `${entry.actorLabel} added ${entry.target ?? 'a user'} as ${String(details.role ?? '?')}${from}.`,
      );
    else if (entry.action === 'user.role')
      await warn(
        'A role changed',
        `${entry.actorLabel} made ${entry.target ?? 'a user'} ${String(details.role ?? '?')}${from}.`,
      );
    else if (entry.action === 'user.reset-2fa')
      await warn(
        'A second factor was reset',
        `${entry.actorLabel} reset the two-factor login of ${entry.target ?? 'a user'}${from}.`,
      );
    else if ((entry.action === 'auth.login' || entry.action === 'auth.unlock') && entry.ip)
      await this.signedIn(entry, entry.ip, warn);
  }

  /** The first address a person signs in from is learnt quietly; any later new one is an alert. */
  private async signedIn(
    entry: AuditEntry,
    ip: string,
    warn: (title: string, body: string) => Promise<unknown>,
  ): Promise<void> {
    const person = entry.target ?? entry.actorLabel;
    const known = await this.db.select().from(opsKnownDevices).where(eq(opsKnownDevices.person, person));
    if (known.some((device) => device.ip === ip)) return;
    // Told first, then remembered: a send that fails is tried again with the next round.
    if (known.length)
      await warn(
        'A sign-in from a new address',
        `${person} signed in from ${ip}, an address not seen for them before (earlier: ${known
          .slice(0, 3)
          .map((device) => device.ip)
          .join(', ')}).`,
      );
    await this.db.insert(opsKnownDevices).values({ person, ip, firstSeen: entry.at }).onConflictDoNothing();
  }

  /** Daily: the audit chain verifies end to end; a problem is critical (someone may have changed the log). */
  async checkAuditChain(): Promise<boolean> {
    const verification = await this.options.audit.verify();
    if (verification.ok) return true;
    const day = this.options.now().toISOString().slice(0, 10);
    await this.options.notifications.send({
      kind: 'ops.security.audit-chain',
      severity: 'critical',
      title: 'The audit log does not verify',
      body: `${verification.problems.length} problem(s), the first: ${verification.problems[0]?.problem ?? 'unknown'}.\n\nSomeone may have changed or cut the log. Run \`shopkeep audit verify\` for the details, and compare with your daily digests.`,
      dedupeKey: `ops.security.audit-chain:${day}`,
    });
    return false;
  }

  /** Daily: secrets (and the master key) older than the rotation period, each once a month. */
  async checkSecretAges(): Promise<string[]> {
    const now = this.options.now();
    const limit = this.options.rotationDays * 86_400_000;
    const aged: { name: string; updatedAt: Date }[] = (await this.options.secrets.list()).filter(
      (secret) => now.getTime() - secret.updatedAt.getTime() > limit,
    );
    const keyFile = this.options.masterKeyFile;
    if (keyFile && existsSync(keyFile)) {
      const changed = statSync(keyFile).mtime;
      if (now.getTime() - changed.getTime() > limit)
        aged.push({ name: 'the master key', updatedAt: changed });
    }
    const month = now.toISOString().slice(0, 7);
    for (const secret of aged)
      await this.options.notifications.send({
        kind: 'ops.security.secret-age',
        severity: 'warning',
        title: `Time to change ${secret.name}`,
        body: `It was last set on ${secret.updatedAt.toISOString().slice(0, 10)}, over ${this.options.rotationDays} days ago. Make a new one where it comes from and save it on Settings${secret.name === 'the master key' ? ' (for the master key: `shopkeep secrets rotate-key`)' : ''}.`,
        dedupeKey: `ops.security.secret-age:${secret.name}:${month}`,
      });
    return aged.map((secret) => secret.name);
  }
}
