// `shopkeep sandbox` as a newcomer meets it: sample products, the QA gate, and the simulated
// Telegram chat in the dashboard where they play the owner and approve a post.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embeddedServerEnv, freePort, runCli, startServe, type RunningServer } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';
import { currentStep, totpCode } from '../../src/platform/accounts/totp.ts';

let dataDir: string;
let server: RunningServer;
let base: string;
let env: Record<string, string>;

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-sandbox-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = await embeddedServerEnv(dataDir, port);
  server = await startServe(env, 60_000, 'sandbox');
});
after(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

test('in the sandbox, a post written for a sample product reaches the simulated Telegram chat and is approved there', async () => {
  assert.match(server.output(), /Sandbox: nothing leaves this machine/);
  const added = await runCli(
    ['user', 'add', '--email', 'owner@salon.example', '--role', 'owner', '--json'],
    env,
    'a long owner password\n',
  );
  const { totpSecret } = JSON.parse(added.stdout);
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'owner@salon.example',
      password: 'a long owner password',
      totp: totpCode(totpSecret, currentStep(Date.now())),
    }),
  });
  assert.equal(login.status, 200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    redirect: 'manual' as const,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfToken, ...fields }).toString(),
  });

  const drafted = await fetch(
    `${base}/approvals/draft`,
    form({ channel: 'instagram', productId: 'prod-bond-mask' }),
  );
  assert.equal(drafted.status, 303);
  const chatPage = () =>
    fetch(`${base}/sandbox/telegram`, { headers: { cookie, accept: 'text/html' } }).then((r) => r.text());
  const page = await waitFor(
    async () => {
      const body = await chatPage();
      return body.includes('Bond Builder Mask') ? body : undefined;
    },
    30_000,
    'the card in the simulated chat',
  );
  const [, messageId, data] = page.match(
    /name="messageId" value="(\d+)" \/><input type="hidden" name="data" value="(ap:[0-9a-f-]+:y)"/,
  )!;
  const pressed = await fetch(`${base}/sandbox/telegram/press`, form({ messageId: messageId!, data: data! }));
  assert.equal(pressed.status, 303);
  await waitFor(
    async () => (await chatPage()).includes('✅ Approved by'),
    30_000,
    'the card to show the approval',
  );
  const approvals = await fetch(`${base}/api/v1/approvals?status=approved`, { headers: { cookie } }).then(
    (r) => r.json(),
  );
  assert.equal((approvals as { approvals: unknown[] }).approvals.length, 1);
});

test('the sandbox stops cleanly: the bot, the simulators and the embedded PostgreSQL', async () => {
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
  assert.equal(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), false, 'PostgreSQL was stopped');
});
