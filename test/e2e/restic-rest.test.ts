// The restic REST server simulator against the real restic client (Debian's restic 0.14): a
// repository under a sub-path with HTTP Basic auth is initialised, backed up (a folder and stdin),
// listed, restored, dumped and checked with --read-data; then the failures shopkeep's backups must
// survive: append-only refusing a prune, a wrong password, the network pulled (before and during a
// backup) and a full disk.
//
// How restic 0.14 reacts, found by running it (it matters for how long these tests take):
// - Opening a repository (reading its config) is not retried: a 401 or a refused connection fails the
//   command at once with exit code 1.
// - Everything after that goes through restic's retrying backend: 10 tries with exponential backoff
//   (0.5 s, ×1.5, ±50 %), whatever the error, 403 and 507 included. restic 0.14 is built with Go 1.19,
//   whose math/rand is seeded the same every run, so the waits are always 0.55, 1.08, 1.31, 1.58,
//   2.34, 4.51, 3.22, 5.61, 7.65 and 15.39 s: a refused write or delete fails the command after about
//   43 s. restic 0.14 has no option to shorten this, so the two tests that need it (append-only prune,
//   full disk) wait for restic's real exit and run side by side.
// - A short outage in the middle of a backup is ridden out by those retries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ResticRestServer } from '../../src/sim/restic-rest.ts';
import { waitFor } from '../support/wait.ts';

const USER = 'pi-backup';
const PASSWORD = 'correct horse battery staple';
const REPO_PASSWORD = 'repository secret';

let root: string;
let source: string;
let server: ResticRestServer;
let baseUrl: string;

before(async () => {
  const probe = spawnSync('restic', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('restic not found (these tests run the real client): apt-get install restic');
  }
  root = mkdtempSync(path.join(tmpdir(), 'sk-restic-rest-'));
  source = path.join(root, 'source');
  mkdirSync(path.join(source, 'invoices', '2024'), { recursive: true });
  writeFileSync(path.join(source, 'notes.txt'), 'Shop notes: order more lavender soap.\n');
  writeFileSync(path.join(source, 'invoices', '2024', 'INV-0001.pdf'), randomBytes(150_000));
  // Bigger than a pack, so restore and check read packs in parts (Range requests).
  writeFileSync(path.join(source, 'photos.bin'), randomBytes(12 * 1024 * 1024));
  server = new ResticRestServer({ dir: path.join(root, 'server'), user: USER, password: PASSWORD });
  baseUrl = await server.start();
});

after(async () => {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  /** stdout as bytes (`dump` of a binary file). */
  output: Buffer;
  stderr: string;
}

function resticEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('RESTIC_')) env[key] = value;
  return { ...env, RESTIC_PASSWORD: REPO_PASSWORD, RESTIC_CACHE_DIR: path.join(root, 'cache') };
}

function repoUrl(base: string, repo: string, password = PASSWORD): string {
  const { host } = new URL(base);
  return `rest:http://${USER}:${encodeURIComponent(password)}@${host}/${repo}/`;
}

function restic(args: string[], stdin?: Buffer | string): Promise<Run> {
  return new Promise((resolve, reject) => {
    // Never spawnSync: the simulator answers restic from this same process.
    const child = spawn('restic', args, { env: resticEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const output = Buffer.concat(chunks);
      resolve({ code: code ?? 1, stdout: output.toString(), output, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

async function snapshotCount(repo: string): Promise<number> {
  const run = await restic(['-r', repo, 'snapshots', '--json']);
  assert.equal(run.code, 0, run.stderr);
  return (JSON.parse(run.stdout) as unknown[]).length;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A raw request, so that paths like `/../` reach the server as written (fetch would normalise them). */
function raw(
  method: string,
  rawPath: string,
  options: { body?: Buffer; headers?: Record<string, string>; auth?: boolean } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { port } = new URL(baseUrl);
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth !== false)
    headers.authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: rawPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

test('restic initialises a repository under a sub-path, backs up a folder and stdin, restores and checks', async () => {
  const repo = repoUrl(baseUrl, 'shop');
  const init = await restic(['-r', repo, 'init']);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /created restic repository/);

  // rest-server's layout on disk, under the sub-path.
  const repoDir = path.join(root, 'server', 'shop');
  for (const entry of ['config', 'keys', 'locks', 'snapshots', 'index', 'data']) {
    assert.ok(existsSync(path.join(repoDir, entry)), `${entry} exists`);
  }
  assert.equal(readdirSync(path.join(repoDir, 'keys')).length, 1);
  assert.ok(!existsSync(path.join(root, 'server', 'config')), 'nothing is written at the root');

  const folder = await restic(['-r', repo, 'backup', source]);
  assert.equal(folder.code, 0, folder.stderr);
  const orders = 'order,total\n1001,24.50\n1002,13.00\n'.repeat(2000);
  const stdin = await restic(['-r', repo, 'backup', '--stdin', '--stdin-filename', 'orders.csv'], orders);
  assert.equal(stdin.code, 0, stdin.stderr);

  // Pack files sit in data/<first two hex digits>/, each named by the sha256 of its content.
  const packs = readdirSync(path.join(repoDir, 'data')).flatMap((sub) =>
    readdirSync(path.join(repoDir, 'data', sub)).map((name) => ({ sub, name })),
  );
  assert.ok(packs.length >= 2, `packs: ${packs.length}`);
  for (const { sub, name } of packs) {
    assert.equal(name.slice(0, 2), sub);
    assert.equal(sha256(readFileSync(path.join(repoDir, 'data', sub, name))), name);
  }

  const list = await restic(['-r', repo, 'snapshots', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const snapshots = JSON.parse(list.stdout) as { id: string; paths: string[] }[];
  assert.equal(snapshots.length, 2);
  const folderSnapshot = snapshots.find((s) => s.paths.includes(source));
  const stdinSnapshot = snapshots.find((s) => s.paths.includes('/orders.csv'));
  assert.ok(folderSnapshot && stdinSnapshot, list.stdout);

  const target = path.join(root, 'restored');
  const restore = await restic(['-r', repo, 'restore', folderSnapshot.id, '--target', target]);
  assert.equal(restore.code, 0, restore.stderr);
  for (const file of ['notes.txt', 'photos.bin', path.join('invoices', '2024', 'INV-0001.pdf')]) {
    assert.ok(
      readFileSync(path.join(target, source, file)).equals(readFileSync(path.join(source, file))),
      `${file} restored as it was`,
    );
  }

  const dump = await restic(['-r', repo, 'dump', stdinSnapshot.id, 'orders.csv']);
  assert.equal(dump.code, 0, dump.stderr);
  assert.equal(dump.stdout, orders);

  const check = await restic(['-r', repo, 'check', '--read-data']);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /no errors were found/);
});

test('a wrong password or none is refused with 401, and restic fails at once', async () => {
  const wrong = await restic(['-r', repoUrl(baseUrl, 'shop', 'not the password'), 'snapshots']);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /401 Unauthorized/);

  const { host } = new URL(baseUrl);
  const anonymous = await restic(['-r', `rest:http://${host}/shop/`, 'snapshots']);
  assert.notEqual(anonymous.code, 0);
  assert.match(anonymous.stderr, /401 Unauthorized/);

  const answer = await raw('GET', '/shop/keys/', { auth: false });
  assert.equal(answer.status, 401);
  assert.match(String(answer.headers['www-authenticate']), /^Basic /);
});

test('the protocol: hash check, no overwrite, ranges, list versions, deletes and safe paths', async () => {
  assert.equal((await raw('POST', '/proto/?create=true')).status, 200);
  assert.equal((await raw('POST', '/proto/?create=true')).status, 200, 'creating again is fine');
  const repoDir = path.join(root, 'server', 'proto');

  const content = randomBytes(5000);
  const name = sha256(content);
  const other = sha256('something else');
  const mismatch = await raw('POST', `/proto/data/${other}`, { body: content });
  assert.equal(mismatch.status, 400, 'a name that is not the content’s sha256');
  assert.ok(!existsSync(path.join(repoDir, 'data', other.slice(0, 2), other)));
  assert.deepEqual(readdirSync(path.join(repoDir, 'data', other.slice(0, 2))), [], 'no temporary file left');

  assert.equal((await raw('POST', `/proto/data/${name}`, { body: content })).status, 200);
  assert.ok(readFileSync(path.join(repoDir, 'data', name.slice(0, 2), name)).equals(content));
  assert.equal(
    (await raw('POST', `/proto/data/${name}`, { body: content })).status,
    403,
    'never overwritten',
  );

  const head = await raw('HEAD', `/proto/data/${name}`);
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '5000');
  const part = await raw('GET', `/proto/data/${name}`, { headers: { range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], 'bytes 100-199/5000');
  assert.ok(part.body.equals(content.subarray(100, 200)));
  const tail = await raw('GET', `/proto/data/${name}`, { headers: { range: 'bytes=4990-' } });
  assert.equal(tail.status, 206);
  assert.ok(tail.body.equals(content.subarray(4990)));
  assert.equal((await raw('GET', `/proto/data/${name}`, { headers: { range: 'bytes=6000-' } })).status, 416);
  assert.equal((await raw('GET', `/proto/data/${other}`)).status, 404);

  const v1 = await raw('GET', '/proto/data/');
  assert.equal(v1.headers['content-type'], 'application/vnd.x.restic.rest.v1');
  assert.deepEqual(JSON.parse(v1.body.toString()), [name]);
  const v2 = await raw('GET', '/proto/data/', { headers: { accept: 'application/vnd.x.restic.rest.v2' } });
  assert.equal(v2.headers['content-type'], 'application/vnd.x.restic.rest.v2');
  assert.deepEqual(JSON.parse(v2.body.toString()), [{ name, size: 5000 }]);

  // config is not named by its hash; it too is written once.
  assert.equal((await raw('POST', '/proto/config', { body: Buffer.from('a config') })).status, 200);
  assert.equal((await raw('POST', '/proto/config', { body: Buffer.from('another') })).status, 403);
  assert.equal((await raw('GET', '/proto/config')).body.toString(), 'a config');

  assert.equal((await raw('DELETE', `/proto/data/${name}`)).status, 200);
  assert.equal((await raw('DELETE', `/proto/data/${name}`)).status, 404);

  // Nothing can reach outside the folder: dot segments, encoded ones and non-hex names are refused.
  writeFileSync(path.join(root, 'outside'), 'secret');
  for (const bad of [
    '/../config',
    '/proto/../../config',
    '/%2e%2e/config',
    '/proto/..%2f..%2f/config',
    '/.hidden/config',
    '/proto/keys/..%2f..%2f..%2foutside',
    `/proto/keys/${name.toUpperCase()}`,
    '/proto/keys/abc',
  ]) {
    const answer = await raw('GET', bad);
    assert.ok([400, 404].includes(answer.status), `${bad}: ${answer.status}`);
    assert.notEqual(answer.body.toString(), 'secret');
  }
  assert.equal((await raw('GET', '/nowhere/keys/')).status, 404, 'no such repository');
});

test('with the network pulled restic fails at once; back online a backup works', async () => {
  const repo = repoUrl(baseUrl, 'shop');
  const before = await snapshotCount(repo);
  server.setOnline(false);
  try {
    const run = await restic(['-r', repo, 'backup', source]);
    assert.notEqual(run.code, 0, 'the backup did not succeed');
    assert.match(run.stderr, /connection reset by peer|EOF|connection refused|server closed idle connection/);
  } finally {
    server.setOnline(true);
  }
  assert.equal(await snapshotCount(repo), before, 'no snapshot was saved');
  const run = await restic(['-r', repo, 'backup', source]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await snapshotCount(repo), before + 1);
});

test('a short outage in the middle of a backup is ridden out by restic’s retries', async () => {
  const repo = repoUrl(baseUrl, 'shop');
  const locks = path.join(root, 'server', 'shop', 'locks');
  const data = randomBytes(6 * 1024 * 1024);
  const child = spawn('restic', ['-r', repo, 'backup', '--stdin', '--stdin-filename', 'stream.bin'], {
    env: resticEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  try {
    // restic has opened the repository and holds its lock, and waits for the rest of stdin.
    child.stdin.write(data.subarray(0, 1024));
    await waitFor(() => readdirSync(locks).length > 0, 30_000, 'restic’s lock');
    server.setOnline(false);
    child.stdin.end(data.subarray(1024));
    await waitFor(() => /retrying after/.test(stderr), 30_000, 'restic to retry');
    server.setOnline(true);
    assert.equal(await exited, 0, stderr);
  } finally {
    server.setOnline(true);
    child.kill('SIGKILL');
  }
  const dumped = await restic(['-r', repo, 'dump', 'latest', 'stream.bin']);
  assert.equal(dumped.code, 0, dumped.stderr);
  assert.ok(dumped.output.equals(data), 'the stream was saved whole');
});

// These two wait for restic 0.14 to give up after its ~43 s of retries (see the top of the file).
describe('refusals restic retries before it fails', { concurrency: 2 }, () => {
  test('append-only: forget --prune fails and every snapshot stays', { timeout: 180_000 }, async () => {
    const appendOnly = new ResticRestServer({
      dir: path.join(root, 'append-only'),
      appendOnly: true,
      user: USER,
      password: PASSWORD,
    });
    const url = await appendOnly.start();
    try {
      const repo = repoUrl(url, 'vault');
      assert.equal((await restic(['-r', repo, 'init'])).code, 0, 'append-only allows creating');
      for (let i = 0; i < 2; i += 1) {
        const run = await restic(['-r', repo, 'backup', source]);
        assert.equal(run.code, 0, run.stderr);
      }
      assert.equal(await snapshotCount(repo), 2);
      const forget = await restic(['-r', repo, 'forget', '--keep-last', '1', '--prune']);
      assert.notEqual(forget.code, 0, 'forget --prune did not succeed');
      assert.match(forget.stderr, /403 Forbidden/);
      assert.equal(await snapshotCount(repo), 2, 'no snapshot was removed');
      // Lock files are the exception: restic could remove its own.
      assert.deepEqual(readdirSync(path.join(root, 'append-only', 'vault', 'locks')), []);
    } finally {
      await appendOnly.stop();
    }
  });

  test('a full disk (507) makes a backup fail; with space again it works', { timeout: 180_000 }, async () => {
    const repo = repoUrl(baseUrl, 'shop');
    const before = await snapshotCount(repo);
    server.setFull(true);
    try {
      const run = await restic(['-r', repo, 'backup', source]);
      assert.notEqual(run.code, 0, 'the backup did not succeed');
      assert.match(run.stderr, /507 Insufficient Storage/);
    } finally {
      server.setFull(false);
    }
    assert.equal(await snapshotCount(repo), before, 'no snapshot was saved');
    const run = await restic(['-r', repo, 'backup', source]);
    assert.equal(run.code, 0, run.stderr);
  });
});
