// The operations side over HTTP: the status API, the job queues, and a job that failed every attempt
// as the owner meets it (the start page, the operations page, the job API), retried and dismissed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { defineModule } from '../../src/platform/kit/module.ts';
import { defineJob } from '../../src/platform/jobs/job-queue.ts';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

/** A job of a throwaway module that always fails, and at once: no retry to wait for. */
const countCrate = defineJob<{ crate: string }>({
  name: 'crates.count',
  retryLimit: 0,
  handler: async ({ crate }) => {
    throw new Error(`the scale for crate ${crate} is offline`);
  },
});
const crates = defineModule({ name: 'crates', build: () => ({}), jobs: () => [countCrate] });

let server: TestServer;
let staff: LoggedIn;
let viewer: LoggedIn;

before(async () => {
  server = await startTestServer({ work: true, extraModules: [crates] });
  staff = await loginAs(server, 'staff');
  viewer = await loginAs(server, 'viewer');
});
after(() => server.close());

interface DeadLetter {
  id: string;
  queue: string;
  data: { crate: string };
  error: string;
  attempts: number;
}

const get = (url: string, who: LoggedIn) => server.app.inject({ url, headers: { cookie: who.cookie } });

/** The dead letter of crate `crate`'s count, once its only attempt has failed. */
async function failedCount(crate: string): Promise<DeadLetter> {
  await server.kernel.jobs.send(countCrate, { crate });
  return waitFor(
    async () =>
      ((await get('/api/v1/jobs/dead-letters', staff)).json().deadLetters as DeadLetter[]).find(
        (letter) => letter.data.crate === crate,
      ),
    60_000,
    `the dead letter of crate ${crate}`,
  );
}

test('the status API says the version, the time zone, and that the database and the jobs work', async () => {
  const status = await get('/api/v1/status', viewer);
  assert.equal(status.statusCode, 200);
  assert.equal(status.json().version, server.kernel.version);
  assert.equal(status.json().timezone, 'Europe/London');
  assert.equal(status.json().database, true);
  assert.equal(status.json().jobs, true);
  assert.equal((await server.app.inject('/api/v1/status')).statusCode, 401);
});

test('a job that failed every attempt is shown with its error, and is dismissed from the dashboard', async () => {
  const letter = await failedCount('c-17');
  assert.equal(letter.queue, 'crates.count');
  assert.equal(letter.attempts, 1);
  assert.match(letter.error, /scale for crate c-17 is offline/);
  const queues = (await get('/api/v1/jobs', viewer)).json().queues as { queue: string; state: string }[];
  assert.ok(
    queues.some((row) => row.queue === 'crates.count' && row.state === 'failed'),
    JSON.stringify(queues),
  );

  const home = await get('/', staff);
  assert.match(home.body, /Needs a look: 1 job failed every attempt\. <a href="\/ops">Operations<\/a>/);
  const ops = await get('/ops', staff);
  assert.match(ops.body, /scale for crate c-17 is offline/);
  assert.match(ops.body, new RegExp(`/ops/dead-letters/${letter.id}/dismiss`));
  const asViewer = await get('/ops', viewer);
  assert.doesNotMatch(asViewer.body, /scale for crate/, 'a viewer sees how many, not the errors');
  assert.match(asViewer.body, /failed job\(s\); staff or an owner can see and retry them/);
  assert.equal(
    (await get('/api/v1/jobs/dead-letters', viewer)).statusCode,
    403,
    'nor the dead letters over the API',
  );

  const dismissed = await server.app.inject({
    method: 'POST',
    url: `/ops/dead-letters/${letter.id}/dismiss`,
    headers: { cookie: staff.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(staff.csrf)}`,
  });
  assert.equal(dismissed.statusCode, 303);
  assert.equal(dismissed.headers.location, '/ops');
  const left = (await get('/api/v1/jobs/dead-letters', staff)).json().deadLetters as DeadLetter[];
  assert.ok(!left.some((each) => each.id === letter.id), 'dismissed');
  const again = await server.app.inject({
    method: 'POST',
    url: `/api/v1/jobs/dead-letters/${letter.id}/dismiss`,
    headers: { cookie: staff.cookie, 'x-csrf-token': staff.csrf },
  });
  assert.equal(again.statusCode, 404, 'a dead letter is resolved once');
});

test('a dead letter retried over the API runs its job again with the same data', async () => {
  const letter = await failedCount('c-42');
  const retried = await server.app.inject({
    method: 'POST',
    url: `/api/v1/jobs/dead-letters/${letter.id}/retry`,
    headers: { cookie: staff.cookie, 'x-csrf-token': staff.csrf },
  });
  assert.equal(retried.statusCode, 204);
  // The scale is still offline: the job ran again and failed again, a new dead letter of its own.
  const next = await waitFor(
    async () =>
      ((await get('/api/v1/jobs/dead-letters', staff)).json().deadLetters as DeadLetter[]).find(
        (each) => each.data.crate === 'c-42' && each.id !== letter.id,
      ),
    60_000,
    'the retried job failing again',
  );
  assert.match(next.error, /scale for crate c-42 is offline/);
  const open = (await get('/api/v1/jobs/dead-letters', staff)).json().deadLetters as DeadLetter[];
  assert.ok(!open.some((each) => each.id === letter.id), 'the retried one is resolved');
});
