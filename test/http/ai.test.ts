// The AI module over HTTP: usage and cost after a post was written, and the brand voice edited on the
// dashboard's AI page (the API's voice, status and QA check are in test/http/api.test.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { sandboxCatalog } from '../support/ai.ts';

let server: TestServer;
let owner: LoggedIn;

before(async () => {
  server = await startTestServer({ catalog: sandboxCatalog() });
  owner = await loginAs(server, 'owner');
});
after(() => server.close());

test('GET /api/v1/ai/usage counts the calls a written post made, per provider and feature', async () => {
  const { attempts } = await server.face('writer').draft({ channel: 'facebook', productId: '8800000000005' });
  const response = await server.app.inject({ url: '/api/v1/ai/usage', headers: { cookie: owner.cookie } });
  assert.equal(response.statusCode, 200, response.body);
  const usage = response.json().usage as {
    provider: string;
    feature: string;
    calls: number;
    costMicros: number;
  }[];
  const calls = (feature: string) =>
    usage.find((line) => line.feature === feature && line.provider === 'offline');
  assert.equal(calls('social.caption')?.calls, attempts, 'one caption per attempt');
  assert.equal(calls('qa.rubric')?.calls, attempts, 'one review per attempt');
  assert.equal(calls('social.caption')?.costMicros, 0, 'the offline provider costs nothing');
});

test('the AI page saves the brand voice from its form; a viewer may not', async () => {
  const form = (user: LoggedIn, fields: Record<string, string>) =>
    server.app.inject({
      method: 'POST',
      url: '/ai/voice',
      headers: { cookie: user.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: user.csrf, ...fields }).toString(),
    });
  const saved = await form(owner, {
    tone: 'calm and expert',
    wordsToUse: 'glossy, salon-quality',
    wordsToAvoid: 'cheap',
    emojiPolicy: 'none',
    languages: 'en, de',
  });
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, '/ai');
  const voice = (
    await server.app.inject({ url: '/api/v1/ai/voice', headers: { cookie: owner.cookie } })
  ).json().voice;
  assert.deepEqual(voice, {
    tone: 'calm and expert',
    wordsToUse: ['glossy', 'salon-quality'],
    wordsToAvoid: ['cheap'],
    emojiPolicy: 'none',
    languages: ['en', 'de'],
  });
  const viewer = await loginAs(server, 'viewer');
  assert.equal((await form(viewer, { tone: 'loud' })).statusCode, 403);
  const audit = await server.face('audit').recent(20);
  assert.ok(audit.some((entry) => entry.action === 'ai.voice' && entry.actorLabel === owner.email));
});
