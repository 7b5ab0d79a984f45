// The approvals contract over HTTP, and the dashboard queue with its actions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { StaticCatalog } from '../../src/modules/shop/index.ts';
import { SANDBOX_PRODUCTS } from '../../src/sim/catalog.ts';

let server: TestServer;
let owner: LoggedIn;

before(async () => {
  server = await startTestServer({ catalog: new StaticCatalog(SANDBOX_PRODUCTS) });
  owner = await loginAs(server, 'owner');
});
after(() => server.close());

const as = (user: LoggedIn) => ({ cookie: user.cookie, 'x-csrf-token': user.csrf });

test('GET /api/v1/approvals?status=pending lists open requests; POST .../decision decides once', async () => {
  const { approvalId } = await server.face('writer').draft({
    channel: 'instagram',
    productId: '8800000000004',
  });
  const listed = await server.app.inject({ url: '/api/v1/approvals?status=pending', headers: as(owner) });
  assert.equal(listed.statusCode, 200);
  const pending = listed.json().approvals.find((one: { id: string }) => one.id === approvalId);
  assert.equal(pending.status, 'pending');
  assert.equal(pending.title, 'instagram: Bond Builder Mask');
  assert.equal(pending.lowConfidence, true);
  assert.equal(
    (await server.app.inject({ url: '/api/v1/approvals?status=maybe', headers: as(owner) })).statusCode,
    400,
  );

  const viewer = await loginAs(server, 'viewer');
  const refused = await server.app.inject({
    method: 'POST',
    url: `/api/v1/approvals/${approvalId}/decision`,
    headers: as(viewer),
    payload: { action: 'approve' },
  });
  assert.equal(refused.statusCode, 403);

  const decided = await server.app.inject({
    method: 'POST',
    url: `/api/v1/approvals/${approvalId}/decision`,
    headers: as(owner),
    payload: { action: 'reject', reason: 'out of stock' },
  });
  assert.equal(decided.statusCode, 200, decided.body);
  assert.equal(decided.json().approval.status, 'rejected');
  const again = await server.app.inject({
    method: 'POST',
    url: `/api/v1/approvals/${approvalId}/decision`,
    headers: as(owner),
    payload: { action: 'approve' },
  });
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error.message, /already rejected by/);
});

test('the dashboard queue writes a post for a product, shows it with its score, and takes a decision', async () => {
  const waiting = async () => (await server.face('approvals').list('pending')).map((one) => one.id);
  const before = new Set(await waiting());
  const draft = await server.app.inject({
    method: 'POST',
    url: '/approvals/draft',
    headers: { ...as(owner), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      _csrf: owner.csrf,
      channel: 'instagram',
      productId: '8800000000004',
    }).toString(),
  });
  assert.equal(draft.statusCode, 303);
  assert.match(decodeURIComponent(String(draft.headers.location)), /waits for your decision/);
  const [id] = (await waiting()).filter((one) => !before.has(one));
  assert.ok(id, 'the draft waits for the owner');
  const page = await server.app.inject({
    url: '/approvals',
    headers: { cookie: owner.cookie, accept: 'text/html' },
  });
  assert.match(page.body, /Bond Builder Mask/);
  assert.match(page.body, /low confidence/);
  assert.ok(page.body.includes(`/approvals/${id}/approve`), 'the draft has its buttons');
  const approve = await server.app.inject({
    method: 'POST',
    url: `/approvals/${id}/approve`,
    headers: { ...as(owner), 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${owner.csrf}`,
  });
  assert.equal(approve.statusCode, 303);
  assert.equal((await server.face('approvals').get(id)).status, 'approved');

  const pause = await server.app.inject({ method: 'POST', url: '/api/v1/pause', headers: as(owner) });
  assert.equal(pause.statusCode, 204);
  assert.equal((await server.app.inject({ url: '/api/v1/pause', headers: as(owner) })).json().paused, true);
  assert.match(
    (await server.app.inject({ url: '/approvals', headers: { cookie: owner.cookie, accept: 'text/html' } }))
      .body,
    /Resume everything/,
  );
  const form = { ...as(owner), 'content-type': 'application/x-www-form-urlencoded' };
  const resume = await server.app.inject({
    method: 'POST',
    url: '/approvals/resume',
    headers: form,
    payload: `_csrf=${owner.csrf}`,
  });
  assert.equal(resume.statusCode, 303);
  assert.equal(resume.headers.location, '/approvals');
  assert.equal((await server.face('approvals').paused()).paused, false);
});

test('pause and resume take no input: a body with fields is refused, nothing else changes', async () => {
  await server.face('approvals').setPaused(true, { actor: 'test', label: 'test' });
  const junk = await server.app.inject({
    method: 'POST',
    url: '/api/v1/resume',
    headers: as(owner),
    payload: { reason: 'x' },
  });
  assert.equal(junk.statusCode, 400);
  assert.equal((await server.app.inject({ url: '/api/v1/pause', headers: as(owner) })).json().paused, true);
  assert.equal(
    (await server.app.inject({ method: 'POST', url: '/api/v1/resume', headers: as(owner) })).statusCode,
    204,
  );
  assert.equal((await server.app.inject({ url: '/api/v1/pause', headers: as(owner) })).json().paused, false);
});
