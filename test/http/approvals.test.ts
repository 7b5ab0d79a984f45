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

test('a draft waiting for the owner shows its score breakdown and must-fix findings on the Approvals page and on Home, as on Telegram', async () => {
  const { approvalId, review } = await server.face('writer').draft({
    channel: 'instagram',
    productId: '8800000000004', // out of stock: the gate will not pass it by itself
  });
  const mustFix = review.hardFails.map((fail) => fail.message);
  assert.ok(mustFix.length > 0, 'the draft has something that must be fixed');
  const page = await server.app.inject({ url: '/approvals', headers: { cookie: owner.cookie } });
  const card = page.body.match(
    new RegExp(`<article class="card" data-testid="approval" id="${approvalId}">([\\s\\S]*?)</article>`),
  )?.[1];
  assert.ok(card, 'the draft is on the Approvals page');
  assert.match(card, new RegExp(`Score ${review.score}/100`));
  for (const criterion of review.criteria)
    assert.ok(card.includes(`${criterion.name.replace(/_/g, ' ')} ${criterion.score}`), criterion.name);
  for (const message of mustFix)
    assert.ok(
      card.includes(
        `<strong>Must fix:</strong> ${message.replaceAll('&', '&amp;').replaceAll("'", '&#39;').replaceAll('"', '&quot;')}`,
      ),
      message,
    );
  const home = await server.app.inject({ url: '/', headers: { cookie: owner.cookie } });
  assert.match(home.body, new RegExp(`href="/approvals#${approvalId}"`));
  assert.match(home.body, /<strong>Must fix:<\/strong>/);
});

test('content history lists every draft, those the gate approved by itself too, with score, decision and outcome', async () => {
  const writer = server.face('writer');
  const approved = await writer.draft({ channel: 'instagram', productId: '8800000000001' });
  const held = await writer.draft({ channel: 'facebook', productId: '8800000000004' });
  await server.app.inject({
    method: 'POST',
    url: `/api/v1/approvals/${held.approvalId}/decision`,
    headers: as(owner),
    payload: { action: 'reject', reason: 'not now' },
  });
  const history = await server.app.inject({ url: '/ai/history', headers: { cookie: owner.cookie } });
  assert.equal(history.statusCode, 200);
  const drafts = [
    ...history.body.matchAll(/<article class="card" data-testid="draft">([\s\S]*?)<\/article>/g),
  ].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));
  const text = (words: string) => words.replaceAll('&', '&amp;').replaceAll("'", '&#39;');
  const of = (words: string) => drafts.find((draft) => draft.includes(text(words).slice(0, 40)));
  if (approved.outcome === 'approved')
    assert.match(of(approved.text) ?? '', /Approved by the QA gate itself/);
  assert.match(of(held.text) ?? '', /Sent to you : rejected by/);
  assert.match(of(held.text) ?? '', new RegExp(`Score ${held.review.score}/100`));
});
