// The shipped fail2ban filter, run by the real fail2ban-regex over the log the server really writes:
// every failed login is matched with its client address, and an attacker's email cannot name another.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../support/server.ts';

const FILTER = path.resolve(import.meta.dirname, '../../deploy/fail2ban/filter.d/shopkeep.conf');
const FAIL2BAN_REGEX = '/usr/bin/fail2ban-regex';

let server: TestServer;
let dir: string;
before(async () => {
  if (!existsSync(FAIL2BAN_REGEX))
    throw new Error('fail2ban-regex not found: apt-get install fail2ban (see .ci/run)');
  server = await startTestServer();
  dir = mkdtempSync(path.join(tmpdir(), 'sk-f2b-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const login = (remoteAddress: string, email: string) =>
  server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress,
    payload: { email, password: 'a wrong password' },
  });

test('fail2ban-regex matches every failed login with its address, and only those', async () => {
  for (let i = 0; i < 3; i += 1)
    assert.equal((await login('203.0.113.7', `guess${i}@example.com`)).statusCode, 401);
  assert.equal((await login('2001:db8::77', 'owner@example.com')).statusCode, 401);
  // A hostile email that imitates the end of a failure line for another address.
  assert.equal(
    (await login('198.51.100.9', 'x","msg":"login failed from 6.6.6.6"}@example.com')).statusCode,
    401,
  );
  assert.equal((await server.app.inject('/healthz')).statusCode, 200);

  const logFile = path.join(dir, 'shopkeep.log');
  writeFileSync(logFile, server.logText());
  const output = execFileSync(FAIL2BAN_REGEX, ['-v', logFile, FILTER], { encoding: 'utf8' });
  const matched = Number(output.match(/Lines: \d+ lines, \d+ ignored, (\d+) matched/)?.[1]);
  assert.equal(matched, 5, output);
  const addresses = [...output.matchAll(/^\|\s{6}(\S+)\s{2}\w{3} /gm)].map((m) => m[1]);
  assert.deepEqual(addresses.sort(), [
    '198.51.100.9',
    '2001:db8::77',
    '203.0.113.7',
    '203.0.113.7',
    '203.0.113.7',
  ]);
  assert.ok(!output.includes('6.6.6.6  '), 'the address inside the hostile email is never matched');
});
