// shopkeep's own alerts against a real database: an alert is sent once while it lasts, worsens into
// a new critical one, is resolved aloud, escalates when a warning is left open, waits out a
// maintenance window; security events from the audit log become alerts; the nightly checks find a
// changed audit log and an old secret; warnings reach the owner by email through real SMTP.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startTestServer, type TestServer } from '../support/server.ts';
import { accountsOf, newToken, newUser } from '../support/accounts.ts';
import { mailEnv, startSmtp, type SmtpRecorder } from '../support/mail.ts';
import opsModule from '../../src/modules/ops/index.ts';
import mailModule from '../../src/modules/mail/index.ts';
import type { Finding } from '../../src/modules/ops/alerts/rules.ts';
import type { DomainEvent } from '../../src/platform/events/outbox.ts';

let server: TestServer;
let smtp: SmtpRecorder;
// Simulated time starts well before the wall clock, so its maintenance windows are over when the later
// tests switch to the wall clock (logins and the audit log are real).
let now = Date.parse('2026-01-05T10:00:00Z');

before(async () => {
  smtp = await startSmtp();
  server = await startTestServer({
    clock: () => new Date(now),
    env: mailEnv(1, smtp.port, { SHOPKEEP_ALERT_EMAIL: 'owner@salon.example' }),
  });
});
after(async () => {
  await server?.close();
  await smtp?.stop();
});

const ops = () => server.modules.get(opsModule);
/** Nothing found for long enough that every open alert is resolved. */
async function clear(): Promise<void> {
  await ops().alerts.reconcile([]);
  now += 3 * 60_000;
  await ops().alerts.reconcile([]);
  assert.equal((await ops().alerts.open()).length, 0);
}
const notices = (kind: string) => server.face('notifications').list({ kind });
const disk = (priority: 'warning' | 'critical'): Finding => ({
  rule: 'disk',
  priority,
  title: priority === 'critical' ? 'The disk is almost full' : 'The disk is filling up',
  body: 'some GB free',
});

test('an alert is sent once while it lasts, a worse one replaces it, and its end is announced', async () => {
  const { alerts } = ops();
  await alerts.reconcile([disk('warning')]);
  now += 60_000;
  await alerts.reconcile([disk('warning')]);
  let sent = await notices('ops.alert.disk');
  assert.deepEqual(
    sent.map((n) => [n.severity, n.title]),
    [['warning', 'The disk is filling up']],
  );
  now += 60_000;
  await alerts.reconcile([disk('critical')]);
  sent = await notices('ops.alert.disk');
  assert.deepEqual(
    sent.map((n) => n.severity),
    ['critical', 'warning'],
  );
  assert.equal((await alerts.open()).length, 1);
  // A reading that dips below the threshold for a round and comes back is the same alert.
  now += 60_000;
  await alerts.reconcile([]);
  now += 60_000;
  await alerts.reconcile([disk('critical')]);
  assert.equal((await notices('ops.alert.disk')).length, 2);
  assert.equal((await notices('ops.alert.disk.resolved')).length, 0);
  // Right for three rounds: resolved.
  await alerts.reconcile([]);
  now += 60_000;
  await alerts.reconcile([]);
  assert.equal((await alerts.open()).length, 1, 'not yet: one minute is not three');
  now += 2 * 60_000;
  await alerts.reconcile([]);
  assert.equal((await alerts.open()).length, 0);
  const resolved = await notices('ops.alert.disk.resolved');
  assert.equal(resolved.length, 1);
  assert.match(resolved[0]!.title, /^Resolved: The disk is almost full/);
});

test('a warning left open past the escalation time is sent again as critical, once', async () => {
  const { alerts } = ops();
  const clock: Finding = {
    rule: 'clock',
    priority: 'warning',
    title: 'The clock is not synchronised',
    body: 'b',
  };
  await alerts.reconcile([clock]);
  now += 13 * 3_600_000;
  await alerts.reconcile([clock]);
  now += 3_600_000;
  await alerts.reconcile([clock]);
  assert.deepEqual(
    (await notices('ops.alert.clock')).map((n) => [n.severity, n.title]),
    [
      ['critical', 'Still not fixed: The clock is not synchronised'],
      ['warning', 'The clock is not synchronised'],
    ],
  );
  await clear();
});

test('during maintenance alerts are kept but not sent; still open at its end, they are', async () => {
  const { alerts } = ops();
  const window = await alerts.startMaintenance(30, 'moving the Pi', 'owner@salon.example');
  assert.equal(window.reason, 'moving the Pi');
  const power: Finding = {
    rule: 'power',
    priority: 'critical',
    title: 'The power supply is too weak',
    body: 'b',
  };
  await alerts.reconcile([power]);
  assert.equal((await notices('ops.alert.power')).length, 0);
  assert.equal((await alerts.open())[0]?.rule, 'power');
  // A blip while held back changes nothing.
  now += 60_000;
  await alerts.reconcile([]);
  await alerts.reconcile([power]);
  now += 31 * 60_000;
  assert.equal(await alerts.maintenance(), undefined);
  await alerts.reconcile([power]);
  assert.equal((await notices('ops.alert.power')).length, 1);
  await assert.rejects(alerts.startMaintenance(0, 'x', 'o'), /1 minute to 7 days/);
  await assert.rejects(alerts.endMaintenance(), /no maintenance window/);
  await clear();
});

test('the API lists alerts; the owner starts and ends maintenance, with a session (API tokens may not)', async () => {
  // From here the clock is the wall clock: logins and the audit log's times are real.
  now = Date.now();
  const owner = await loginAs(server, 'owner');
  const staff = await loginAs(server, 'staff');
  const call = (who: typeof owner, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    server.app.inject({
      method,
      url,
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrf },
      ...(payload ? { payload } : {}),
    });
  const listed = await call(staff, 'GET', '/api/v1/ops/alerts');
  assert.equal(listed.statusCode, 200);
  assert.ok(listed.json().recent.some((a: { rule: string }) => a.rule === 'disk'));
  assert.equal(
    (await call(staff, 'POST', '/api/v1/ops/maintenance', { minutes: 10, reason: 'x' })).statusCode,
    403,
  );
  const bad = await call(owner, 'POST', '/api/v1/ops/maintenance', { minutes: 0, reason: 'x' });
  assert.equal(bad.statusCode, 400);
  const started = await call(owner, 'POST', '/api/v1/ops/maintenance', { minutes: 10, reason: 'new SSD' });
  assert.equal(started.statusCode, 201, started.body);
  assert.equal((await call(staff, 'GET', '/api/v1/ops/alerts')).json().maintenance.reason, 'new SSD');
  const page = await call(owner, 'GET', '/ops');
  assert.match(page.body, /Maintenance until .* \(new SSD, by owner\d+@example\.com\)/);
  assert.equal((await call(owner, 'DELETE', '/api/v1/ops/maintenance')).statusCode, 204);
  assert.equal((await call(owner, 'DELETE', '/api/v1/ops/maintenance')).statusCode, 404);
  const token = await newToken(accountsOf(server), { email: owner.email, scopes: ['read', 'admin'] });
  const byToken = await server.app.inject({
    method: 'POST',
    url: '/api/v1/ops/maintenance',
    headers: { authorization: `Bearer ${token.token}` },
    payload: { minutes: 10, reason: 'x' },
  });
  assert.equal(byToken.statusCode, 403);
});

test('security events become alerts: a new token, a new user, a sign-in from a new address; failed logins are counted', async () => {
  const security = () => ops();
  const audit = server.face('audit');
  // The first round only marks where the watch starts: history is not news.
  await server.modules
    .get(opsModule)
    .jobList.find((job) => job.name === 'ops.alerts')!
    .handler({}, {} as never);
  const accounts = accountsOf(server);
  const staff = await newUser(accounts, { role: 'staff' });
  await newToken(accounts, { email: staff.email, scopes: ['read'], name: 'zapier' });
  await accounts.users.setRole(staff.email, 'viewer', 'owner@salon.example');
  for (const ip of ['192.0.2.10', '192.0.2.10', '198.51.100.7'])
    await audit.record({
      actor: 'user:1',
      actorLabel: staff.email,
      ip,
      action: 'auth.login',
      target: staff.email,
      outcome: 'ok',
    });
  for (let i = 0; i < 10; i++)
    await audit.record({
      actor: 'anonymous',
      actorLabel: 'x@y.z',
      ip: '203.0.113.9',
      action: 'auth.login',
      target: 'x@y.z',
      outcome: 'denied',
    });
  await server.modules
    .get(opsModule)
    .jobList.find((job) => job.name === 'ops.alerts')!
    .handler({}, {} as never);
  assert.equal((await notices('ops.security.user.add')).length, 1);
  const role = await notices('ops.security.user.role');
  assert.match(role[0]?.body ?? '', /owner@salon\.example made staff-\d+@salon\.example viewer/);
  const token = await notices('ops.security.token.create');
  assert.equal(token.length, 1);
  assert.match(token[0]!.body, /"zapier" \(read\)/);
  const device = await notices('ops.security.auth.login');
  assert.equal(device.length, 1, 'the first address is learnt quietly, the second is news');
  assert.match(
    device[0]!.body,
    /198\.51\.100\.7, an address not seen for them before \(earlier: 192\.0\.2\.10\)/,
  );
  assert.equal((await notices('ops.alert.failed-logins')).length, 1);
  void security;
});

test('the nightly checks: a changed audit log is critical, an old secret is a warning', async () => {
  const job = server.modules.get(opsModule).jobList.find((j) => j.name === 'ops.security-checks')!;
  await server.face('integrationSecrets').setIntegration('shopify.admin_token', 'shpat_old');
  await job.handler({}, {} as never);
  assert.equal((await notices('ops.security.audit-chain')).length, 0);
  assert.equal((await notices('ops.security.secret-age')).length, 0);
  await server.db.pool.query(`update vault_secrets set updated_at = now() - interval '400 days'`);
  await server.db.pool.query(
    `alter table ops_audit_log disable trigger user;
     update ops_audit_log set outcome = 'denied' where seq = (select min(seq) from ops_audit_log where action = 'token.create');
     alter table ops_audit_log enable trigger user`,
  );
  await job.handler({}, {} as never);
  const chain = await notices('ops.security.audit-chain');
  assert.equal(chain[0]?.severity, 'critical');
  const aged = await notices('ops.security.secret-age');
  assert.ok(aged.some((n) => /shopify\.admin_token/.test(n.title)));
});

test('warnings and critical alerts go to the owner by email once; information does not', async () => {
  const channel = server.modules.get(mailModule).alertEmail!;
  assert.ok(channel, 'SHOPKEEP_ALERT_EMAIL turns the channel on');
  const notify = server.face('notifications');
  const critical = (await notify.send({
    kind: 'ops.backup_failed',
    severity: 'critical',
    title: 'A backup failed',
    body: 'The target is full.',
  }))!;
  const info = (await notify.send({
    kind: 'ops.backup_resolved',
    severity: 'info',
    title: 'Backups work again',
    body: '…',
  }))!;
  const event = (notice: typeof critical) =>
    ({
      id: 1,
      type: 'notification.created',
      payload: { noticeId: notice.id, kind: notice.kind, severity: notice.severity, title: notice.title },
    }) as unknown as DomainEvent;
  const before = smtp.sent.length;
  await channel.handle(event(critical));
  await channel.handle(event(critical));
  await channel.handle(event(info));
  const mails = smtp.sent.slice(before);
  assert.equal(mails.length, 1);
  assert.deepEqual(mails[0]!.to, ['owner@salon.example']);
  const raw = mails[0]!.raw.toString();
  assert.match(raw, /Subject: \[urgent\] A backup failed/);
  assert.match(raw, /Auto-Submitted: auto-generated/);
  assert.match(raw, /The target is full\./);
});
