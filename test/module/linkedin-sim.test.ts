// The LinkedIn simulator behaves like the versioned Community Management API shopkeep will post
// through: the LinkedIn-Version header (missing, retired, not yet released), posts created with 201
// and their URN in x-restli-id, a 201 whose post never appears (read it back!), LinkedIn's duplicate
// refusal naming the live post, posts by author newest first, the image upload flow, share
// statistics, and the 401 bodies of an expired or unknown token.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { LinkedInSimulator, versionMonths, type LinkedInSimOptions } from '../../src/sim/linkedin.ts';
import { SIMULATED_NOW } from '../support/clock.ts';

// Answers off the wire, checked field by field: typing them would only add casts.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TOKEN = 'AQV-unit-test-linkedin-token';
const ORG_ID = '90210';
const ORG = `urn:li:organization:${ORG_ID}`;
const VERSION = '202606'; // the simulated clock stands in June 2026

async function linkedin(t: TestContext, options: Partial<LinkedInSimOptions> = {}) {
  const clock = { now: SIMULATED_NOW };
  const sim = await LinkedInSimulator.start({
    accessToken: TOKEN,
    organizationId: ORG_ID,
    organizationName: 'Argan & Oak',
    now: () => clock.now,
    ...options,
  });
  t.after(() => sim.stop());
  return { sim, clock };
}

interface Call {
  body?: unknown;
  version?: string | null;
  token?: string | null;
  protocol?: boolean;
}

async function rest(
  sim: LinkedInSimulator,
  method: string,
  path: string,
  { body, version = VERSION, token = TOKEN, protocol = true }: Call = {},
): Promise<{ status: number; body: Json; text: string; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (version) headers['linkedin-version'] = version;
  if (protocol) headers['x-restli-protocol-version'] = '2.0.0';
  const response = await fetch(`${sim.baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Json) : {},
    text,
    headers: response.headers,
  };
}

function post(commentary: string, extra: Record<string, unknown> = {}) {
  return {
    author: ORG,
    commentary,
    visibility: 'PUBLIC',
    distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
    lifecycleState: 'PUBLISHED',
    isReshareDisabledByAuthor: false,
    ...extra,
  };
}

const create = (sim: LinkedInSimulator, body: unknown) => rest(sim, 'POST', '/rest/posts', { body });
const read = (sim: LinkedInSimulator, urn: string) =>
  rest(sim, 'GET', `/rest/posts/${encodeURIComponent(urn)}`);

function jpeg(): Buffer {
  const sof0 = [
    0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03,
    0x11, 0x01,
  ];
  return Buffer.from([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0x00,
    0x10,
    0x4a,
    0x46,
    0x49,
    0x46,
    0,
    1,
    1,
    0,
    0,
    1,
    0,
    1,
    0,
    0,
    ...sof0,
    0xff,
    0xd9,
  ]);
}

test('LinkedIn-Version: missing is 400, retired or unreleased is 426; the Rest.li 2.0 header is required', async (t) => {
  const { sim } = await linkedin(t);
  const org = `/rest/organizations/${ORG_ID}`;
  const missing = await rest(sim, 'GET', org, { version: null });
  assert.equal(missing.status, 400);
  assert.deepEqual(missing.body, {
    status: 400,
    code: 'VERSION_MISSING',
    message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
  });
  const retired = await rest(sim, 'GET', org, { version: '202505' });
  assert.equal(retired.status, 426);
  assert.deepEqual(retired.body, {
    status: 426,
    code: 'NONEXISTENT_VERSION',
    message: 'Requested version 20250501 is not active',
  });
  assert.equal((await rest(sim, 'GET', org, { version: '202607' })).status, 426, 'not released yet');
  assert.equal(
    (await rest(sim, 'GET', org, { version: '202506' })).status,
    200,
    'twelve months back still served',
  );
  assert.equal((await rest(sim, 'GET', org, { protocol: false })).status, 400);

  const { sim: pinned } = await linkedin(t, { minVersion: '202410' });
  assert.equal((await rest(pinned, 'GET', org, { version: '202410' })).status, 200);
  assert.equal((await rest(pinned, 'GET', org, { version: '202409' })).status, 426);
  assert.equal(versionMonths('202508.02'), 2025 * 12 + 7);
  assert.equal(versionMonths('2025-08'), undefined);
});

test('a post: 201 with an empty body and the URN in x-restli-id, then GET returns it', async (t) => {
  const { sim } = await linkedin(t);
  const created = await create(sim, post('Fresh argan oil, pressed this week.'));
  assert.equal(created.status, 201);
  assert.equal(created.text, '');
  const urn = created.headers.get('x-restli-id')!;
  assert.match(urn, /^urn:li:share:\d{19}$/);

  const got = await read(sim, urn);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, {
    id: urn,
    author: ORG,
    commentary: 'Fresh argan oil, pressed this week.',
    visibility: 'PUBLIC',
    distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
    lifecycleState: 'PUBLISHED',
    lifecycleStateInfo: { isEditedByAuthor: false },
    isReshareDisabledByAuthor: false,
    createdAt: SIMULATED_NOW,
    lastModifiedAt: SIMULATED_NOW,
    publishedAt: SIMULATED_NOW,
  });
  assert.deepEqual(sim.published(), [
    {
      urn,
      author: ORG,
      commentary: 'Fresh argan oil, pressed this week.',
      publishedAt: new Date(SIMULATED_NOW),
    },
  ]);
});

test('dropNextPost: 201 with an id, but the post never appears; a retry of the same content goes live', async (t) => {
  const { sim } = await linkedin(t);
  sim.dropNextPost();
  const ghost = await create(sim, post('Our winter opening hours'));
  assert.equal(ghost.status, 201);
  const ghostUrn = ghost.headers.get('x-restli-id')!;
  assert.match(ghostUrn, /^urn:li:share:\d+$/);
  const missing = await read(sim, ghostUrn);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'NOT_FOUND');
  assert.deepEqual(sim.published(), []);

  const retry = await create(sim, post('Our winter opening hours'));
  assert.equal(retry.status, 201, 'the ghost is not live, so this is no duplicate');
  const urn = retry.headers.get('x-restli-id')!;
  assert.notEqual(urn, ghostUrn);
  assert.equal((await read(sim, urn)).status, 200);
  assert.deepEqual(
    sim.published().map((each) => each.urn),
    [urn],
  );
});

test('the same content twice: 422 naming the live post, which proves the first attempt worked', async (t) => {
  const { sim } = await linkedin(t);
  const first = await create(sim, post('Gift cards are back in stock'));
  const urn = first.headers.get('x-restli-id')!;
  const again = await create(sim, post('Gift cards are back in stock'));
  assert.equal(again.status, 422);
  assert.equal(again.body.code, 'DUPLICATE_POST');
  assert.equal(again.body.message, `Content is a duplicate of ${urn}`);
  assert.equal(sim.published().length, 1);
});

test('posts by author, newest first, paged with start and count', async (t) => {
  const { sim, clock } = await linkedin(t);
  const urns: string[] = [];
  for (const text of ['one', 'two', 'three']) {
    urns.push((await create(sim, post(text))).headers.get('x-restli-id')!);
    clock.now += 60_000;
  }
  const author = encodeURIComponent(ORG);
  const page = await rest(
    sim,
    'GET',
    `/rest/posts?author=${author}&q=author&count=2&start=0&sortBy=LAST_MODIFIED`,
  );
  assert.equal(page.status, 200);
  assert.deepEqual(
    page.body.elements.map((each: Json) => [each.id, each.commentary]),
    [
      [urns[2], 'three'],
      [urns[1], 'two'],
    ],
  );
  assert.deepEqual(page.body.paging, { start: 0, count: 2, links: [], total: 3 });
  const rest2 = await rest(sim, 'GET', `/rest/posts?author=${author}&q=author&count=2&start=2`);
  assert.deepEqual(
    rest2.body.elements.map((each: Json) => [each.id, each.publishedAt]),
    [[urns[0], SIMULATED_NOW]],
  );
  const other = await rest(
    sim,
    'GET',
    `/rest/posts?author=${encodeURIComponent('urn:li:organization:1')}&q=author`,
  );
  assert.equal(other.status, 403);
  assert.equal(other.body.code, 'ACCESS_DENIED');
});

test('images: initializeUpload, PUT the bytes, PROCESSING then AVAILABLE, then a post that shows it', async (t) => {
  const { sim } = await linkedin(t);
  const init = await rest(sim, 'POST', '/rest/images?action=initializeUpload', {
    body: { initializeUploadRequest: { owner: ORG } },
  });
  assert.equal(init.status, 200, init.text);
  const { image, uploadUrl, uploadUrlExpiresAt } = init.body.value as Json;
  assert.match(image, /^urn:li:image:D4E10AQ[\w-]+$/);
  assert.equal(uploadUrlExpiresAt, SIMULATED_NOW + 24 * 3600_000);
  assert.equal(
    (await rest(sim, 'GET', `/rest/images/${encodeURIComponent(image)}`)).body.status,
    'WAITING_UPLOAD',
  );

  const early = await create(
    sim,
    post('Our new label', { content: { media: { id: image, altText: 'A bottle' } } }),
  );
  assert.equal(early.status, 422, 'an image not uploaded yet cannot be posted');
  assert.equal(early.body.errorDetails.inputErrors[0].input.inputPath.fieldPath, '/content/media/id');

  const upload = await fetch(uploadUrl, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: new Uint8Array(jpeg()),
  });
  assert.equal(upload.status, 201);
  const processing = await rest(sim, 'GET', `/rest/images/${encodeURIComponent(image)}`);
  assert.deepEqual(processing.body, { id: image, owner: ORG, status: 'PROCESSING' });
  const available = await rest(sim, 'GET', `/rest/images/${encodeURIComponent(image)}`);
  assert.equal(available.body.status, 'AVAILABLE');
  assert.ok(String(available.body.downloadUrl).startsWith(sim.baseUrl));

  const created = await create(
    sim,
    post('Our new label', { content: { media: { id: image, altText: 'A bottle' } } }),
  );
  assert.equal(created.status, 201, created.text);
  const urn = created.headers.get('x-restli-id')!;
  assert.deepEqual((await read(sim, urn)).body.content, { media: { id: image, altText: 'A bottle' } });
  assert.equal(sim.published()[0]!.imageUrn, image);

  const other = await rest(sim, 'POST', '/rest/images?action=initializeUpload', {
    body: { initializeUploadRequest: { owner: ORG } },
  });
  await fetch(other.body.value.uploadUrl, { method: 'PUT', body: '<html>not an image</html>' });
  const failed = await rest(sim, 'GET', `/rest/images/${encodeURIComponent(other.body.value.image)}`);
  assert.equal(failed.body.status, 'PROCESSING_FAILED');
});

test('validation: another author is 403, long commentary and missing fields are 422 with field errors', async (t) => {
  const { sim } = await linkedin(t);
  const stranger = await create(sim, post('hello', { author: 'urn:li:organization:1' }));
  assert.equal(stranger.status, 403);
  assert.deepEqual(stranger.body, {
    status: 403,
    serviceErrorCode: 100,
    code: 'ACCESS_DENIED',
    message: 'Not enough permissions to access: partnerApiPostsExternal.CREATE.20260601',
  });
  const long = await create(sim, post('x'.repeat(3001)));
  assert.equal(long.status, 422);
  assert.equal(long.body.errorDetailType, 'com.linkedin.common.error.BadRequest');
  assert.deepEqual(long.body.errorDetails.inputErrors, [
    {
      description: 'length of string 3001 is not in range [0, 3000]',
      input: { inputPath: { fieldPath: '/commentary' } },
      code: 'FIELD_LENGTH_TOO_LONG',
    },
  ]);
  assert.equal((await create(sim, post('x'.repeat(3000)))).status, 201, '3,000 characters is allowed');
  const bare: Record<string, unknown> = post('bare');
  delete bare.distribution;
  delete bare.visibility;
  const incomplete = await create(sim, bare);
  assert.equal(incomplete.status, 422);
  assert.deepEqual(
    incomplete.body.errorDetails.inputErrors.map((each: Json) => each.input.inputPath.fieldPath),
    ['/visibility', '/distribution/feedDistribution'],
  );
  const article = await create(
    sim,
    post('Read our guide', {
      content: { article: { source: 'https://shop.example/guide', title: 'Guide' } },
    }),
  );
  assert.equal(article.status, 201);
  assert.equal(sim.published().at(-1)!.articleUrl, 'https://shop.example/guide');
});

test('share statistics: one element per share, deterministic, growing with age; totals without shares', async (t) => {
  const { sim, clock } = await linkedin(t);
  const first = (await create(sim, post('Statistic one'))).headers.get('x-restli-id')!;
  const second = (await create(sim, post('Statistic two'))).headers.get('x-restli-id')!;
  const path = (urns: string[]) =>
    `/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${encodeURIComponent(ORG)}` +
    (urns.length ? `&shares=List(${urns.map(encodeURIComponent).join(',')})` : '');

  const fresh = await rest(sim, 'GET', path([first]));
  assert.equal(fresh.body.elements[0].totalShareStatistics.impressionCount, 0, 'nobody has seen it yet');
  clock.now += 6 * 3600_000;
  const stats = await rest(sim, 'GET', path([first, second]));
  assert.equal(stats.status, 200, stats.text);
  assert.deepEqual(
    stats.body.elements.map((each: Json) => [each.organizationalEntity, each.share]),
    [
      [ORG, first],
      [ORG, second],
    ],
  );
  const totals = stats.body.elements[0].totalShareStatistics as Json;
  assert.deepEqual(Object.keys(totals).sort(), [
    'clickCount',
    'commentCount',
    'engagement',
    'impressionCount',
    'likeCount',
    'shareCount',
    'uniqueImpressionsCount',
  ]);
  assert.ok(totals.impressionCount > 0);
  assert.ok(totals.uniqueImpressionsCount <= totals.impressionCount);
  const interactions = totals.clickCount + totals.likeCount + totals.commentCount + totals.shareCount;
  assert.equal(totals.engagement, interactions / totals.impressionCount);
  assert.deepEqual(
    (await rest(sim, 'GET', path([first, second]))).body,
    stats.body,
    'same moment, same numbers',
  );

  const page = await rest(sim, 'GET', path([]));
  const sum = page.body.elements[0].totalShareStatistics as Json;
  assert.equal(
    sum.impressionCount,
    stats.body.elements.reduce(
      (acc: number, each: Json) => acc + each.totalShareStatistics.impressionCount,
      0,
    ),
  );
  clock.now += 24 * 3600_000;
  const later = await rest(sim, 'GET', path([first]));
  assert.ok(later.body.elements[0].totalShareStatistics.impressionCount > totals.impressionCount);
});

test('tokens: an expired one is 401 65602, an unknown one 401 65600, none at all "Empty oauth2_access_token"', async (t) => {
  const { sim } = await linkedin(t);
  const unknown = await rest(sim, 'GET', `/rest/organizations/${ORG_ID}`, { token: 'someone-else' });
  assert.deepEqual(unknown.body, {
    status: 401,
    serviceErrorCode: 65600,
    code: 'INVALID_ACCESS_TOKEN',
    message: 'Invalid access token',
  });
  const none = await rest(sim, 'GET', `/rest/organizations/${ORG_ID}`, { token: null });
  assert.deepEqual(none.body, { status: 401, serviceErrorCode: 401, message: 'Empty oauth2_access_token' });
  sim.expireToken();
  const expired = await create(sim, post('after expiry'));
  assert.equal(expired.status, 401);
  assert.deepEqual(expired.body, {
    status: 401,
    serviceErrorCode: 65602,
    code: 'EXPIRED_ACCESS_TOKEN',
    message: 'The token used in the request has expired',
  });
  assert.deepEqual(sim.published(), []);
});

test('connection test: the organization’s localizedName and /v2/userinfo; an injected 429 body', async (t) => {
  const { sim } = await linkedin(t);
  const org = await rest(sim, 'GET', `/rest/organizations/${ORG_ID}`);
  assert.equal(org.status, 200);
  assert.equal(org.body.localizedName, 'Argan & Oak');
  assert.equal(org.body.id, 90210);
  assert.equal((await rest(sim, 'GET', '/rest/organizations/1')).status, 404);
  const me = await rest(sim, 'GET', '/v2/userinfo', { version: null, protocol: false });
  assert.equal(me.status, 200);
  assert.equal(me.body.name, 'Sam Keeper');

  sim.failures.add('rate-limit');
  const limited = await create(sim, post('throttled'));
  assert.equal(limited.status, 429);
  assert.deepEqual(limited.body, {
    status: 429,
    serviceErrorCode: 101,
    code: 'TOO_MANY_REQUESTS',
    message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
  });
  assert.deepEqual(sim.published(), []);
  assert.equal((await create(sim, post('throttled'))).status, 201, 'the next call goes through');
});
