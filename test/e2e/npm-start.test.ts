// `npm start` is how the README starts shopkeep, and systemd, Docker and `kill` stop it with SIGTERM
// sent to npm. npm must hand the signal to the server, which stops with its embedded PostgreSQL.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embeddedServerEnv, freePort, startWithNpm } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

// The data directory does not exist yet, as on a fresh clone: shopkeep makes it.
const parent = mkdtempSync(path.join(tmpdir(), 'sk-npm-start-'));
const dataDir = path.join(parent, 'data');
chmodSync(parent, 0o755);
after(() => {
  // Should the test fail, the server it left behind is found by its data directory and stopped.
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`SHOPKEEP_DATA_DIR=${dataDir}\0`))
        process.kill(Number(pid), 'SIGTERM');
    } catch {
      // gone already, or not ours to read
    }
  }
  rmSync(parent, { recursive: true, force: true });
});

test('SIGTERM to `npm start` stops the server and its PostgreSQL', async () => {
  const port = await freePort();
  const server = await startWithNpm(await embeddedServerEnv(dataDir, port));
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(ready.status, 200);
  assert.ok(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), 'the embedded PostgreSQL runs');

  server.child.kill('SIGTERM');
  await server.exited;
  await waitFor(
    async () => !existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')),
    30_000,
    'the embedded PostgreSQL to stop after npm was stopped',
  );
  const refused = await fetch(`http://127.0.0.1:${port}/readyz`).then(
    () => false,
    () => true,
  );
  assert.ok(refused, 'the server stopped listening');
  assert.match(server.output(), /SIGTERM received, shutting down/, 'the server got the signal');
});
