// The embedded PostgreSQL as a shop owner meets it: first start, kill -9 of shopkeep, a power cut,
// a stale pid file pointing at an unrelated process, and a clean stop.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embeddedServerEnv, freePort, runCli, startServe } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

let dataDir: string;
let env: Record<string, string>;
let baseUrl: string;

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-embedded-'));
  const port = await freePort();
  env = await embeddedServerEnv(dataDir, port);
  baseUrl = `http://127.0.0.1:${port}`;
});
after(() => {
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const postmasterPid = () =>
  Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
/** The postmaster's pid, or 0 while PostgreSQL is between a crash and its restart. */
const currentPid = () => {
  try {
    return postmasterPid();
  } catch {
    return 0;
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const ready = async () => (await fetch(`${baseUrl}/readyz`)).status;

async function ownerExists(): Promise<boolean> {
  const listed = await runCli(['user', 'list', '--json'], env);
  assert.equal(listed.code, 0, listed.stderr);
  return JSON.parse(listed.stdout).users.some(
    (user: { email: string }) => user.email === 'owner@salon.example',
  );
}

test('first start initialises the cluster, prints a setup link and serves', async () => {
  const server = await startServe(env);
  assert.match(server.output(), /setup\?token=[\w-]{20,}/);
  assert.equal(await ready(), 200);
  const added = await runCli(
    ['user', 'add', '--email', 'owner@salon.example', '--role', 'owner', '--json'],
    env,
    'a long owner password\n',
  );
  assert.equal(added.code, 0, added.stderr);
  assert.match(JSON.parse(added.stdout).totpSecret, /^[A-Z2-7]{32}$/);
  server.child.kill('SIGKILL');
  await server.exited;
  assert.ok(alive(postmasterPid()), 'PostgreSQL outlives a kill -9 of shopkeep');
});

test('after kill -9 of shopkeep, the next start adopts the running server and has all data', async () => {
  const orphan = postmasterPid();
  const server = await startServe(env);
  assert.equal(await ready(), 200);
  assert.equal(postmasterPid(), orphan, 'the orphaned server was adopted');
  // A second serve on the same data dir is refused and leaves the first one's database alone.
  const second = await runCli(['serve'], { ...env, SHOPKEEP_PORT: String(await freePort()) });
  assert.equal(second.code, 1);
  assert.match(second.stderr, /already running with the data directory/);
  assert.equal(postmasterPid(), orphan);
  assert.equal(await ready(), 200);
  assert.ok(await ownerExists());
  assert.doesNotMatch(server.output(), /setup\?token/, 'no setup link once the owner exists');
  // The adopted server is not our child, yet its crash is noticed and it is started again.
  process.kill(orphan, 'SIGKILL');
  await waitFor(
    async () => (await ready().catch(() => 0)) === 200 && currentPid() !== orphan,
    30_000,
    'PostgreSQL to come back',
  );
  assert.ok(await ownerExists());
  server.child.kill('SIGKILL');
  await server.exited;
});

test('after a power cut (shopkeep and PostgreSQL killed), the stale pid file is handled and data survives', async () => {
  const pid = postmasterPid();
  process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), 'the pid file is stale now');
  const server = await startServe(env);
  assert.equal(await ready(), 200);
  assert.ok(await ownerExists());
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
  assert.ok(!existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), 'a clean stop stops PostgreSQL');
});

test('a pid file naming an unrelated live process does not block the start', async () => {
  writeFileSync(
    path.join(dataDir, 'postgres', 'postmaster.pid'),
    `${process.pid}\n${dataDir}/postgres\n0\n${env.SHOPKEEP_EMBEDDED_PG_PORT}\n`,
  );
  const server = await startServe(env);
  assert.equal(await ready(), 200);
  assert.ok(await ownerExists());
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
});
