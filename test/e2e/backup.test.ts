// The "done when", as a new user would try it with the real binary: the sandbox shop backs up
// on schedule to its off-site server; a restore drill runs and its figures appear at /metrics;
// pulling the backup server's network turns the next backup into an urgent alert in the Telegram
// chat; the data directory is deleted, and `backup restore` onto a new directory brings back the
// orders, the books, the owner and an API token made before the backup, within the objective.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embeddedServerEnv, freePort, runCli, startServe, type RunningServer } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';
import { currentStep, totpCode } from '../../src/platform/accounts/totp.ts';
import { SANDBOX_BACKUP_PASSPHRASE } from '../../src/sim/registry.ts';

let work: string;
let dataDir: string;
let server: RunningServer | undefined;
let base: string;
let env: Record<string, string>;

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'sk-backup-'));
  chmodSync(work, 0o755);
  dataDir = path.join(work, 'data');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // A backup every minute and a drill every other, so the schedule shows within the test.
  env = await embeddedServerEnv(dataDir, port, {
    SHOPKEEP_BACKUP_SCHEDULE: '* * * * *',
    SHOPKEEP_BACKUP_VERIFY_SCHEDULE: '*/2 * * * *',
  });
  server = await startServe(env, 90_000, 'sandbox');
});

after(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  rmSync(work, { recursive: true, force: true });
});

interface Backups {
  backups: { id: string; status: string; trigger: string; startedAt: string; error: string | null }[];
  drills: { status: string; restoreSeconds: number | null }[];
}

test('the sandbox backs up on schedule, drills a restore, alerts when the target is unplugged, and a new box gets everything back', async () => {
  const added = await runCli(
    ['user', 'add', '--email', 'owner@salon.example', '--role', 'owner', '--json'],
    env,
    'a long owner password\n',
  );
  assert.equal(added.code, 0, added.stderr);
  const { totpSecret } = JSON.parse(added.stdout) as { totpSecret: string };
  const login = async (at: string) => {
    const response = await fetch(`${at}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'owner@salon.example',
        password: 'a long owner password',
        totp: totpCode(totpSecret, currentStep(Date.now())),
      }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    return { cookie: response.headers.get('set-cookie')!.split(';')[0]!, csrf: csrfToken };
  };
  const owner = await login(base);
  const made = await fetch(`${base}/api/v1/tokens`, {
    method: 'POST',
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'n8n', scopes: ['read', 'admin'] }),
  });
  assert.equal(made.status, 201, await made.clone().text());
  const { token } = (await made.json()) as { token: string };
  const api = (at: string, url: string) =>
    fetch(`${at}${url}`, { headers: { authorization: `Bearer ${token}` } });

  // The year of orders is imported and booked; then a scheduled backup holds them.
  await waitFor(
    async () =>
      ((await (await api(base, '/api/v1/shop/sync')).json()) as { lastImport: { status: string } | null })
        .lastImport?.status === 'done',
    180_000,
    'the sandbox shop to be imported',
  );
  const importedAt = Date.now();
  const scheduled = await waitFor(
    async () => {
      const { backups } = (await (await api(base, '/api/v1/ops/backups')).json()) as Backups;
      return backups.find(
        (b) =>
          b.status === 'succeeded' &&
          b.trigger === 'schedule' &&
          Date.parse(b.startedAt) > importedAt + 20_000,
      );
    },
    180_000,
    'a scheduled backup after the import',
  );

  // The drill runs on its schedule too, and its figures reach /metrics.
  await waitFor(
    async () => {
      const { drills } = (await (await api(base, '/api/v1/ops/backups')).json()) as Backups;
      return drills.some((d) => d.status === 'succeeded');
    },
    180_000,
    'a restore drill to pass',
  );
  const metrics = await (await fetch(`${base}/metrics`)).text();
  for (const name of [
    'shopkeep_backup_last_success_timestamp_seconds',
    'shopkeep_backup_last_verified_timestamp_seconds',
    'shopkeep_backup_restore_duration_seconds',
  ])
    assert.match(metrics, new RegExp(`^${name}\\{[^}]*\\} [0-9.e+]+$`, 'm'), name);

  // What the restored box must show: last week's orders and books (today's keep arriving live).
  const to = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const from = new Date(Date.now() - 8 * 86_400_000).toISOString().slice(0, 10);
  const expected = async (at: string) => ({
    orders: (
      (await (await api(at, `/api/v1/shop/orders?from=${from}&to=${to}&limit=250`)).json()) as {
        orders: { name: string }[];
      }
    ).orders.map((o) => o.name),
    pnl: await (await api(at, `/api/v1/ledger/reports/pnl?from=${from}&to=${to}`)).json(),
  });
  const before = await expected(base);
  assert.ok(before.orders.length > 20, `${before.orders.length} orders last week`);

  // The backup server's cable is pulled: the next backup fails and the owner hears it on Telegram.
  const page = (url: string) =>
    fetch(`${base}${url}`, { headers: { cookie: owner.cookie, accept: 'text/html' } });
  const form = (url: string) =>
    fetch(`${base}${url}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: owner.csrf }).toString(),
    });
  assert.equal((await form('/sandbox/backups/unplug')).status, 303);
  const failed = await waitFor(
    async () => {
      const { backups } = (await (await api(base, '/api/v1/ops/backups')).json()) as Backups;
      return backups.find(
        (b) => b.status === 'failed' && Date.parse(b.startedAt) > Date.parse(scheduled.startedAt),
      );
    },
    120_000,
    'a backup to fail with the server unplugged',
  );
  assert.match(failed.error ?? '', /cannot be reached/);
  await waitFor(
    async () => /🚨 A backup failed/.test(await (await page('/sandbox/telegram')).text()),
    60_000,
    'the urgent alert in the Telegram chat',
  );
  assert.equal((await form('/sandbox/backups/plug-in')).status, 303);
  const newest = await waitFor(
    async () => {
      const { backups } = (await (await api(base, '/api/v1/ops/backups')).json()) as Backups;
      return backups.find(
        (b) => b.status === 'succeeded' && Date.parse(b.startedAt) > Date.parse(failed.startedAt),
      );
    },
    120_000,
    'backups to work again',
  );
  await waitFor(
    async () => /Backups work again/.test(await (await page('/sandbox/telegram')).text()),
    60_000,
    'the all-clear in the Telegram chat',
  );

  // The SSD dies: the server stops and its data directory is gone. The backups are off the box.
  server!.child.kill('SIGTERM');
  await server!.exited;
  server = undefined;
  rmSync(dataDir, { recursive: true, force: true });
  const backupDir = `${dataDir}.backups`;
  assert.ok(existsSync(path.join(backupDir, 'shopkeep', 'config')));

  const newDir = path.join(work, 'new-box');
  const restoreEnv = {
    ...env,
    SHOPKEEP_DATA_DIR: newDir,
    SHOPKEEP_BACKUP_TARGET: path.join(backupDir, 'shopkeep'),
    SHOPKEEP_BACKUP_PASSPHRASE: 'not the passphrase of these backups',
  };
  const wrong = await runCli(['backup', 'restore', '--latest', '--data-dir', newDir], restoreEnv);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /passphrase does not open the backups/);
  assert.equal(existsSync(path.join(newDir, 'master.key')), false);

  const restored = await runCli(['backup', 'restore', '--latest', '--data-dir', newDir, '--json'], {
    ...restoreEnv,
    SHOPKEEP_BACKUP_PASSPHRASE: SANDBOX_BACKUP_PASSPHRASE,
  });
  assert.equal(restored.code, 0, restored.stderr);
  const report = JSON.parse(restored.stdout) as {
    backupId: string;
    seconds: number;
    withinObjective: boolean;
  };
  assert.equal(report.backupId, newest.id);
  assert.equal(report.withinObjective, true);
  assert.match(restored.stderr, /building the schema|loading/);

  // The restored box starts (the sandbox again: its state came back with the data) and has it all.
  const port = await freePort();
  const restoredBase = `http://127.0.0.1:${port}`;
  const newBoxEnv = { ...(await embeddedServerEnv(newDir, port)), SHOPKEEP_BACKUP_SCHEDULE: '0 3 * * *' };
  server = await startServe(newBoxEnv, 90_000, 'sandbox');
  assert.equal(
    (await api(restoredBase, '/api/v1/ops/backups')).status,
    200,
    'the token made before the backup works',
  );
  await login(restoredBase);
  assert.deepEqual(await expected(restoredBase), before);
  const audit = await runCli(['audit', 'verify'], newBoxEnv);
  assert.equal(audit.code, 0, `${audit.stdout}${audit.stderr}`);

  // The new box backs up from the command line too, to the same backups: {id, bytes, seconds}.
  const cliEnv = {
    ...newBoxEnv,
    SHOPKEEP_BACKUP_TARGET: path.join(backupDir, 'shopkeep'),
    SHOPKEEP_BACKUP_PASSPHRASE: SANDBOX_BACKUP_PASSPHRASE,
  };
  const run = await runCli(['backup', 'run', '--json'], cliEnv);
  assert.equal(run.code, 0, run.stderr);
  const byCli = JSON.parse(run.stdout) as { id: string; bytes: number; seconds: number };
  assert.match(byCli.id, /^b-\d{8}-\d{6}$/);
  assert.ok(byCli.bytes > 1_000_000 && byCli.seconds > 0, run.stdout);
  assert.match(run.stderr, /database: \d+\/\d+ tables/);
  const listed = await runCli(['backup', 'list', '--json'], cliEnv);
  const { atTarget } = JSON.parse(listed.stdout) as { atTarget: { backupId: string }[] };
  assert.equal(atTarget.at(-1)?.backupId, byCli.id);
  // Reached as a folder, the target is thinned by retention (7 daily, …): of today's backups, the newest.
  assert.equal(
    atTarget.some((b) => b.backupId === newest.id),
    false,
  );
});
