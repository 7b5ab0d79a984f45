// The dead-man's switch: while shopkeep works it calls the heartbeat URL every minute, so a service
// off the box (Uptime Kuma, healthchecks.io) notices when the calls stop; a heartbeat service that is
// down itself is logged, never a failed job.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../support/server.ts';
import opsModule from '../../src/modules/ops/index.ts';

let server: TestServer;
let monitor: Server;
let pings: string[] = [];
let answer = 200;

before(async () => {
  monitor = createServer((request, response) => {
    pings.push(request.url ?? '');
    response.writeHead(answer).end('OK');
  });
  await new Promise<void>((resolve) => monitor.listen(0, '127.0.0.1', resolve));
  const { port } = monitor.address() as AddressInfo;
  server = await startTestServer({
    env: { SHOPKEEP_HEARTBEAT_URL: `http://127.0.0.1:${port}/api/push/shopkeep-pi?status=up` },
  });
});
after(async () => {
  await server?.close();
  await new Promise((resolve) => monitor.close(resolve));
});

const heartbeat = () => {
  const job = server.modules.get(opsModule).jobList.find((j) => j.name === 'ops.heartbeat');
  assert.ok(job, 'SHOPKEEP_HEARTBEAT_URL schedules the heartbeat');
  assert.equal(job.cron, '* * * * *');
  return job.handler({}, {} as never);
};

test('the heartbeat calls the URL while the database and the jobs work', async () => {
  pings = [];
  await heartbeat();
  assert.deepEqual(pings, ['/api/push/shopkeep-pi?status=up']);
});

test('a heartbeat service that refuses or is gone is logged, and the job does not fail', async () => {
  answer = 500;
  await heartbeat();
  assert.ok(server.logLines().some((line) => line.msg === 'the heartbeat URL refused the ping'));
  answer = 200;
  const port = (monitor.address() as AddressInfo).port;
  await new Promise((resolve) => monitor.close(resolve));
  await heartbeat();
  assert.ok(server.logLines().some((line) => line.msg === 'the heartbeat URL could not be reached'));
  // Its address (a push token in it) is never logged.
  assert.doesNotMatch(server.logText(), /shopkeep-pi/);
  await new Promise<void>((resolve) => monitor.listen(port, '127.0.0.1', resolve));
});

test('without SHOPKEEP_HEARTBEAT_URL there is no heartbeat job', async () => {
  const plain = await startTestServer();
  try {
    assert.equal(
      plain.modules.get(opsModule).jobList.some((j) => j.name === 'ops.heartbeat'),
      false,
    );
  } finally {
    await plain.close();
  }
});
