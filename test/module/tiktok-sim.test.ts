// The TikTok simulator behaves like the Content Posting and Display APIs shopkeep will post through:
// creator_info's privacy options, photo posts pulled from a URL, chunked uploads answered 206 then
// 201, status polls that end in PUBLISH_COMPLETE (a post goes live exactly once), inbox uploads
// that never count as published, the 6-a-minute init limit, and rotated refresh tokens.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TikTokSimulator, chunkProblem, type TikTokSimOptions } from '../../src/sim/tiktok.ts';
import { SIMULATED_NOW } from '../support/clock.ts';

// Answers off the wire, checked field by field: typing them would only add casts.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ACCESS = 'act.unit-test-access-token';
const REFRESH = 'rft.unit-test-refresh-token';
const CLIENT_KEY = 'sim-client-key';
const CLIENT_SECRET = 'sim-client-secret';
const MiB = 1024 * 1024;

/** The smallest honest JPEG header: SOI, JFIF APP0, a 16×16 SOF0, a comment for bulk, EOI. */
function jpeg(): Buffer {
  const app0 = [
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0, 0,
  ];
  const sof0 = [
    0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03,
    0x11, 0x01,
  ];
  const comment = [0xff, 0xfe, 0x01, 0x02, ...new Array<number>(256).fill(0x20)];
  return Buffer.from([0xff, 0xd8, ...app0, ...sof0, ...comment, 0xff, 0xd9]);
}

/** An MP4-shaped buffer: an ftyp box first, zeros after (the simulator reads only the magic bytes). */
function mp4(size: number): Buffer {
  const video = Buffer.alloc(size);
  video.writeUInt32BE(0x18, 0);
  video.write('ftypisom', 4, 'latin1');
  return video;
}

const PHOTO = jpeg();
const CLIP = mp4(64 * 1024);
let media: Server;
let mediaUrl: string;

before(async () => {
  const files: Record<string, [string, Buffer]> = {
    '/a.jpg': ['image/jpeg', PHOTO],
    '/b.jpg': ['image/jpeg', PHOTO],
    '/shop/a.jpg': ['image/jpeg', PHOTO],
    '/notes.txt': ['text/plain', Buffer.from('not a picture at all')],
    '/clip.mp4': ['video/mp4', CLIP],
  };
  media = createServer((request, response) => {
    const file = files[request.url ?? ''];
    response.writeHead(file ? 200 : 404, { 'content-type': file?.[0] ?? 'text/plain' });
    response.end(file?.[1] ?? 'no such file');
  });
  await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
  mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => media.close(() => resolve())));

/** A simulator of its own per test (quotas and caps are per token and per day), stopped after it. */
async function tiktok(t: TestContext, options: Partial<TikTokSimOptions> = {}) {
  const clock = { now: SIMULATED_NOW };
  const sim = await TikTokSimulator.start({
    accessToken: ACCESS,
    refreshToken: REFRESH,
    clientKey: CLIENT_KEY,
    clientSecret: CLIENT_SECRET,
    now: () => clock.now,
    ...options,
  });
  t.after(() => sim.stop());
  return { sim, clock };
}

async function call(
  sim: TikTokSimulator,
  path: string,
  body: unknown = {},
  token = ACCESS,
): Promise<{ status: number; body: Json; text: string }> {
  const response = await fetch(`${sim.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Json, text };
}

const status = (sim: TikTokSimulator, publishId: string) =>
  call(sim, '/v2/post/publish/status/fetch/', { publish_id: publishId });

function photoPost(privacy: string | undefined, images = [`${mediaUrl}/a.jpg`, `${mediaUrl}/b.jpg`]) {
  return {
    post_info: {
      title: 'Argan oil is back',
      description: 'Restocked today #skincare',
      ...(privacy ? { privacy_level: privacy } : {}),
      disable_comment: false,
      auto_add_music: true,
    },
    source_info: { source: 'PULL_FROM_URL', photo_cover_index: 0, photo_images: images },
    post_mode: 'DIRECT_POST',
    media_type: 'PHOTO',
  };
}

function videoPost(privacy: string, source_info: Record<string, unknown>) {
  return {
    post_info: {
      title: 'How we pack an order #smallbusiness',
      privacy_level: privacy,
      disable_duet: false,
      disable_comment: false,
      disable_stitch: false,
      video_cover_timestamp_ms: 1000,
    },
    source_info,
  };
}

const wholeUpload = (size: number) => ({
  source: 'FILE_UPLOAD',
  video_size: size,
  chunk_size: size,
  total_chunk_count: 1,
});

function put(url: string, bytes: Buffer, first: number, total: number) {
  return fetch(url, {
    method: 'PUT',
    headers: {
      'content-type': 'video/mp4',
      'content-range': `bytes ${first}-${first + bytes.length - 1}/${total}`,
    },
    body: new Uint8Array(bytes),
  });
}

test('creator_info offers SELF_ONLY to an unaudited app and a public account’s three levels once audited', async (t) => {
  const { sim } = await tiktok(t);
  const unaudited = await call(sim, '/v2/post/publish/creator_info/query/');
  assert.equal(unaudited.status, 200);
  assert.deepEqual(unaudited.body.data.privacy_level_options, ['SELF_ONLY']);
  assert.equal(unaudited.body.data.duet_disabled, true, 'an unaudited app posts to a private account');
  assert.equal(unaudited.body.data.max_video_post_duration_sec, 300);
  assert.equal(unaudited.body.error.code, 'ok');
  assert.match(unaudited.body.error.log_id, /^20260615120000[0-9A-F]{18}$/);

  const { sim: audited } = await tiktok(t, { audited: true });
  const info = await call(audited, '/v2/post/publish/creator_info/query/');
  assert.deepEqual(info.body.data.privacy_level_options, [
    'PUBLIC_TO_EVERYONE',
    'MUTUAL_FOLLOW_FRIENDS',
    'SELF_ONLY',
  ]);
  assert.equal(info.body.data.stitch_disabled, false);
});

test('a public photo post: downloads, processes, goes live once, and video/list shows it', async (t) => {
  const { sim } = await tiktok(t, { audited: true });
  const init = await call(sim, '/v2/post/publish/content/init/', photoPost('PUBLIC_TO_EVERYONE'));
  assert.equal(init.status, 200, init.text);
  const publishId = init.body.data.publish_id as string;
  assert.match(publishId, /^p_pub_url~v2\.\d+$/);

  const first = await status(sim, publishId);
  assert.equal(first.body.data.status, 'PROCESSING_DOWNLOAD');
  assert.equal(first.body.data.downloaded_bytes, PHOTO.length * 2);
  assert.deepEqual(sim.published(), [], 'nothing is live while processing');

  const done = await status(sim, publishId);
  assert.equal(done.body.data.status, 'PUBLISH_COMPLETE');
  const [post] = sim.published();
  assert.ok(post);
  assert.equal(post.kind, 'PHOTO');
  assert.equal(post.mode, 'DIRECT_POST');
  assert.equal(post.title, 'Argan oil is back');
  assert.equal(post.description, 'Restocked today #skincare');
  assert.equal(post.privacyLevel, 'PUBLIC_TO_EVERYONE');
  assert.deepEqual(post.imageUrls, [`${mediaUrl}/a.jpg`, `${mediaUrl}/b.jpg`]);
  assert.equal(post.publishedAt.getTime(), SIMULATED_NOW);
  // list<int64>, as documented: bare 19-digit numbers that JSON.parse would round.
  assert.match(post.postId, /^\d{19}$/);
  assert.ok(done.text.includes(`"publicaly_available_post_id":[${post.postId}]`), done.text);
  assert.notEqual(String(done.body.data.publicaly_available_post_id[0]), post.postId, 'JSON.parse rounds it');

  const again = await status(sim, publishId);
  assert.equal(again.body.data.status, 'PUBLISH_COMPLETE');
  assert.equal(sim.published().length, 1, 'polling again publishes nothing more');

  const list = await call(sim, '/v2/video/list/?fields=id,title,video_description,create_time,share_url', {
    max_count: 20,
  });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.data.videos, [
    {
      id: post.postId,
      title: 'Argan oil is back',
      video_description: 'Restocked today #skincare',
      create_time: SIMULATED_NOW / 1000,
      share_url: `https://www.tiktok.com/@shopkeep.sim/photo/${post.postId}`,
    },
  ]);
  assert.equal(list.body.data.has_more, false);
  assert.equal(list.body.data.cursor, SIMULATED_NOW);
});

test('an unaudited SELF_ONLY post goes live without a public id, and the Display API does not list it', async (t) => {
  const { sim } = await tiktok(t);
  const init = await call(sim, '/v2/post/publish/content/init/', photoPost('SELF_ONLY'));
  assert.equal(init.status, 200, init.text);
  await status(sim, init.body.data.publish_id);
  const done = await status(sim, init.body.data.publish_id);
  assert.equal(done.body.data.status, 'PUBLISH_COMPLETE');
  assert.deepEqual(done.body.data.publicaly_available_post_id, []);
  assert.equal(sim.published().length, 1);
  assert.equal(sim.published()[0]!.privacyLevel, 'SELF_ONLY');
  const list = await call(sim, '/v2/video/list/?fields=id', {});
  assert.deepEqual(list.body.data.videos, [], 'video/list returns public posts only');
});

test('privacy: not among creator_info’s options, missing, or public from an unaudited app', async (t) => {
  const { sim: audited } = await tiktok(t, { audited: true });
  const mismatch = await call(audited, '/v2/post/publish/content/init/', photoPost('FOLLOWER_OF_CREATOR'));
  assert.equal(mismatch.status, 403);
  assert.equal(mismatch.body.error.code, 'privacy_level_option_mismatch');
  assert.deepEqual(mismatch.body.data, {});
  const missing = await call(audited, '/v2/post/publish/content/init/', photoPost(undefined));
  assert.equal(missing.status, 403);
  assert.equal(missing.body.error.code, 'privacy_level_option_mismatch');

  const { sim: unaudited } = await tiktok(t);
  const refused = await call(
    unaudited,
    '/v2/post/publish/video/init/',
    videoPost('PUBLIC_TO_EVERYONE', wholeUpload(MiB)),
  );
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'unaudited_client_can_only_post_to_private_accounts');
  assert.deepEqual(audited.published().concat(unaudited.published()), []);
});

test('photos that cannot be fetched, are not JPEG/WebP, or come from an unverified URL fail', async (t) => {
  const { sim } = await tiktok(t, { verifiedPrefixes: [`${mediaUrl}/shop/`, '127.0.0.1'] });
  const gone = await call(
    sim,
    '/v2/post/publish/content/init/',
    photoPost('SELF_ONLY', [`${mediaUrl}/gone.jpg`]),
  );
  const pulled = await status(sim, gone.body.data.publish_id);
  assert.equal(pulled.body.data.status, 'FAILED');
  assert.equal(pulled.body.data.fail_reason, 'photo_pull_failed');

  const text = await call(
    sim,
    '/v2/post/publish/content/init/',
    photoPost('SELF_ONLY', [`${mediaUrl}/notes.txt`]),
  );
  const checked = await status(sim, text.body.data.publish_id);
  assert.equal(checked.body.data.fail_reason, 'file_format_check_failed');
  assert.deepEqual(sim.published(), []);

  const { sim: strict } = await tiktok(t, { verifiedPrefixes: [`${mediaUrl}/shop/`] });
  const outside = await call(
    strict,
    '/v2/post/publish/content/init/',
    photoPost('SELF_ONLY', [`${mediaUrl}/a.jpg`]),
  );
  assert.equal(outside.status, 403);
  assert.equal(outside.body.error.code, 'url_ownership_unverified');
  const inside = await call(
    strict,
    '/v2/post/publish/content/init/',
    photoPost('SELF_ONLY', [`${mediaUrl}/shop/a.jpg`]),
  );
  assert.equal(inside.status, 200, inside.text);
});

test('a chunked FILE_UPLOAD: 206 for the first chunk, 416 for a repeat, 201 for the last, then live once', async (t) => {
  const { sim } = await tiktok(t, { audited: true });
  const size = 11 * MiB + 123;
  const video = mp4(size);
  const plan = { source: 'FILE_UPLOAD', video_size: size, chunk_size: 5 * MiB, total_chunk_count: 2 };
  const wrong = await call(
    sim,
    '/v2/post/publish/video/init/',
    videoPost('PUBLIC_TO_EVERYONE', { ...plan, total_chunk_count: 3 }),
  );
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error.code, 'invalid_param');
  assert.match(wrong.body.error.message, /rounded down \(2\)/);

  const init = await call(sim, '/v2/post/publish/video/init/', videoPost('PUBLIC_TO_EVERYONE', plan));
  assert.equal(init.status, 200, init.text);
  const { publish_id: publishId, upload_url: uploadUrl } = init.body.data as {
    publish_id: string;
    upload_url: string;
  };
  assert.match(publishId, /^v_pub_file~v2\.\d+$/);
  assert.ok(uploadUrl.startsWith(`${sim.baseUrl}/upload/video/?upload_id=`));

  const firstChunk = await put(uploadUrl, video.subarray(0, 5 * MiB), 0, size);
  assert.equal(firstChunk.status, 206);
  assert.equal(firstChunk.headers.get('content-range'), `bytes 0-${5 * MiB - 1}/${size}`);
  const halfway = await status(sim, publishId);
  assert.equal(halfway.body.data.status, 'PROCESSING_UPLOAD');
  assert.equal(halfway.body.data.uploaded_bytes, 5 * MiB);

  const repeat = await put(uploadUrl, video.subarray(0, 5 * MiB), 0, size);
  assert.equal(repeat.status, 416, 'a chunk already received does not match the progress');
  sim.failures.add('server-error');
  const broken = await put(uploadUrl, video.subarray(5 * MiB), 5 * MiB, size);
  assert.equal(broken.status, 500, 'TikTok’s 5xx: the client retries the same chunk');

  const last = await put(uploadUrl, video.subarray(5 * MiB), 5 * MiB, size);
  assert.equal(last.status, 201);
  const processing = await status(sim, publishId);
  assert.equal(processing.body.data.status, 'PROCESSING_UPLOAD');
  assert.equal(processing.body.data.uploaded_bytes, size);
  assert.deepEqual(sim.published(), []);

  const done = await status(sim, publishId);
  assert.equal(done.body.data.status, 'PUBLISH_COMPLETE');
  await status(sim, publishId);
  assert.equal(sim.published().length, 1);
  assert.equal(sim.published()[0]!.kind, 'VIDEO');
  assert.equal(sim.published()[0]!.videoBytes, size);
  assert.equal(sim.published()[0]!.title, 'How we pack an order #smallbusiness');
});

test('the chunk rules follow the media-transfer guide', () => {
  assert.equal(chunkProblem(4 * MiB, 4 * MiB, 1), undefined, 'under 5 MB: whole');
  assert.match(chunkProblem(4 * MiB, 2 * MiB, 2)!, /uploaded whole/);
  assert.equal(chunkProblem(50_000_123, 10_000_000, 5), undefined, 'the guide’s own example');
  assert.match(chunkProblem(50_000_123, 4 * MiB, 11)!, /between 5 MB and 64 MB/);
  assert.match(chunkProblem(100 * MiB, 64 * MiB, 1)!, /several chunks/);
  assert.equal(chunkProblem(300 * MiB, 64 * MiB, 4), undefined, 'the last chunk takes 108 MB');
  assert.match(chunkProblem(4097 * MiB, 64 * MiB, 64)!, /4 GB/);
});

test('an inbox upload ends in SEND_TO_USER_INBOX and is not published until the owner posts it', async (t) => {
  const { sim } = await tiktok(t);
  const init = await call(sim, '/v2/post/publish/inbox/video/init/', { source_info: wholeUpload(MiB) });
  assert.equal(init.status, 200, init.text);
  assert.match(init.body.data.publish_id, /^v_inbox_file~v2\.\d+$/);
  const whole = await put(init.body.data.upload_url, mp4(MiB), 0, MiB);
  assert.equal(whole.status, 201);
  assert.equal((await status(sim, init.body.data.publish_id)).body.data.status, 'PROCESSING_UPLOAD');
  assert.equal((await status(sim, init.body.data.publish_id)).body.data.status, 'SEND_TO_USER_INBOX');
  assert.equal((await status(sim, init.body.data.publish_id)).body.data.status, 'SEND_TO_USER_INBOX');
  assert.deepEqual(sim.published(), []);

  const post = sim.ownerPostsFromInbox(init.body.data.publish_id);
  assert.equal(post.mode, 'MEDIA_UPLOAD');
  assert.equal((await status(sim, init.body.data.publish_id)).body.data.status, 'PUBLISH_COMPLETE');
  assert.equal(sim.published().length, 1);
});

test('a pulled video processes on its own: finishProcessing() stands for the time a crashed client missed', async (t) => {
  const { sim } = await tiktok(t, { audited: true });
  const init = await call(
    sim,
    '/v2/post/publish/video/init/',
    videoPost('PUBLIC_TO_EVERYONE', { source: 'PULL_FROM_URL', video_url: `${mediaUrl}/clip.mp4` }),
  );
  assert.equal(init.status, 200, init.text);
  assert.match(init.body.data.publish_id, /^v_pub_url~v2\.\d+$/);
  assert.equal(init.body.data.upload_url, undefined);
  await sim.finishProcessing();
  assert.equal(sim.published().length, 1);
  const done = await status(sim, init.body.data.publish_id);
  assert.equal(done.body.data.status, 'PUBLISH_COMPLETE');
  assert.equal(done.body.data.downloaded_bytes, CLIP.length);
  await sim.finishProcessing();
  assert.equal(sim.published().length, 1, 'still once');
});

test('the 7th init in a minute on one token is refused 429; a refreshed token has its own budget', async (t) => {
  const { sim } = await tiktok(t);
  for (let i = 0; i < 6; i += 1) {
    const init = await call(sim, '/v2/post/publish/video/init/', videoPost('SELF_ONLY', wholeUpload(MiB)));
    assert.equal(init.status, 200, init.text);
  }
  const seventh = await call(sim, '/v2/post/publish/video/init/', videoPost('SELF_ONLY', wholeUpload(MiB)));
  assert.equal(seventh.status, 429);
  assert.equal(seventh.body.error.code, 'rate_limit_exceeded');

  const refreshed = await refresh(sim, REFRESH);
  const fresh = await call(
    sim,
    '/v2/post/publish/video/init/',
    videoPost('SELF_ONLY', wholeUpload(MiB)),
    refreshed.body.access_token,
  );
  assert.equal(fresh.status, 200);
});

test('the daily post cap: init refused 403, creator_info answers 200 with the code', async (t) => {
  const { sim } = await tiktok(t, { dailyPostCap: 1 });
  assert.equal((await call(sim, '/v2/post/publish/content/init/', photoPost('SELF_ONLY'))).status, 200);
  const capped = await call(sim, '/v2/post/publish/content/init/', photoPost('SELF_ONLY'));
  assert.equal(capped.status, 403);
  assert.equal(capped.body.error.code, 'spam_risk_too_many_posts');
  const info = await call(sim, '/v2/post/publish/creator_info/query/');
  assert.equal(info.status, 200);
  assert.equal(info.body.error.code, 'spam_risk_too_many_posts');
});

function refresh(sim: TikTokSimulator, refreshToken: string, secret = CLIENT_SECRET) {
  return fetch(`${sim.baseUrl}/v2/oauth/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_key: CLIENT_KEY,
      client_secret: secret,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    }),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as Json }));
}

test('a refresh rotates the refresh token: the old one is refused, the newest works', async (t) => {
  const { sim } = await tiktok(t);
  const badClient = await refresh(sim, REFRESH, 'wrong-secret');
  assert.equal(badClient.status, 401);
  assert.equal(badClient.body.error, 'invalid_client');

  const first = await refresh(sim, REFRESH);
  assert.equal(first.status, 200);
  assert.equal(first.body.token_type, 'Bearer');
  assert.equal(first.body.expires_in, 7200);
  assert.equal(first.body.refresh_expires_in, 15_552_000);
  assert.equal(first.body.scope, 'user.info.basic,video.publish,video.upload,video.list');
  assert.match(first.body.open_id, /^-000sim[0-9a-f]{20}$/);
  assert.notEqual(first.body.refresh_token, REFRESH);
  assert.notEqual(first.body.access_token, ACCESS);

  const reused = await refresh(sim, REFRESH);
  assert.equal(reused.status, 400);
  assert.equal(reused.body.error, 'invalid_grant');
  assert.equal(typeof reused.body.error_description, 'string');
  assert.match(reused.body.log_id, /^\d{14}[0-9A-F]{18}$/);

  const second = await refresh(sim, first.body.refresh_token);
  assert.equal(second.status, 200);
  const info = await call(sim, '/v2/post/publish/creator_info/query/', {}, second.body.access_token);
  assert.equal(info.status, 200);
});

test('an expired access token: 401 access_token_invalid in the envelope; a refreshed one works', async (t) => {
  const { sim } = await tiktok(t);
  sim.expireAccessToken();
  const refused = await call(sim, '/v2/post/publish/creator_info/query/');
  assert.equal(refused.status, 401);
  assert.deepEqual(refused.body.data, {});
  assert.equal(refused.body.error.code, 'access_token_invalid');
  assert.match(refused.body.error.log_id, /^\d{14}[0-9A-F]{18}$/);
  const renewed = await refresh(sim, REFRESH);
  assert.equal(
    (await call(sim, '/v2/post/publish/creator_info/query/', {}, renewed.body.access_token)).status,
    200,
  );
});

test('the access token also lapses by the clock, after expires_in', async (t) => {
  const { sim, clock } = await tiktok(t);
  clock.now += 7200 * 1000 + 1;
  assert.equal(
    (await call(sim, '/v2/post/publish/creator_info/query/')).body.error.code,
    'access_token_invalid',
  );
});

test('scopes: a token without video.publish may upload to the inbox but not query creator_info', async (t) => {
  const { sim } = await tiktok(t, { scopes: ['user.info.basic', 'video.upload'] });
  const info = await call(sim, '/v2/post/publish/creator_info/query/');
  assert.equal(info.status, 401);
  assert.equal(info.body.error.code, 'scope_not_authorized');
  const inbox = await call(sim, '/v2/post/publish/inbox/video/init/', { source_info: wholeUpload(MiB) });
  assert.equal(inbox.status, 200);
});

test('video/query counts come from the id and grow with the post’s age; list pages newest first', async (t) => {
  const { sim, clock } = await tiktok(t, { audited: true, processingPolls: 0 });
  for (const title of ['first', 'second']) {
    const body = photoPost('PUBLIC_TO_EVERYONE');
    body.post_info.title = title;
    const init = await call(sim, '/v2/post/publish/content/init/', body);
    assert.equal((await status(sim, init.body.data.publish_id)).body.data.status, 'PUBLISH_COMPLETE');
  }
  const [older, newer] = sim.published();
  assert.ok(older && newer);
  assert.ok(newer.publishedAt > older.publishedAt);

  const page1 = await call(sim, '/v2/video/list/?fields=id,title', { max_count: 1 });
  assert.deepEqual(page1.body.data.videos, [{ id: newer.postId, title: 'second' }]);
  assert.equal(page1.body.data.has_more, true);
  const page2 = await call(sim, '/v2/video/list/?fields=id,title', {
    max_count: 1,
    cursor: page1.body.data.cursor,
  });
  assert.deepEqual(page2.body.data.videos, [{ id: older.postId, title: 'first' }]);
  assert.equal(page2.body.data.has_more, false);

  const fields = '/v2/video/query/?fields=id,view_count,like_count,comment_count,share_count';
  const fresh = await call(sim, fields, { filters: { video_ids: [older.postId] } });
  assert.equal(fresh.body.data.videos[0].view_count, 0, 'no views at the moment of posting');
  clock.now += 60 * 60_000;
  const later = await call(sim, fields, { filters: { video_ids: [older.postId] } });
  const again = await call(sim, fields, { filters: { video_ids: [older.postId] } });
  const video = later.body.data.videos[0] as Json;
  assert.equal(video.id, older.postId);
  assert.ok(video.view_count > 0);
  assert.ok(video.like_count <= video.view_count && video.share_count <= video.view_count);
  assert.deepEqual(again.body.data.videos, later.body.data.videos, 'the same moment, the same counts');
  clock.now += 30 * 60_000; // still inside the access token's two hours
  const older2 = await call(sim, fields, { filters: { video_ids: [older.postId] } });
  assert.ok(older2.body.data.videos[0].view_count > video.view_count);
  const unknown = await call(sim, '/v2/video/list/?fields=id,nope', {});
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.code, 'invalid_params');
});

test('injected failures: 429 and 500 in TikTok’s envelope, and a malformed body', async (t) => {
  const { sim } = await tiktok(t);
  sim.failures.add('rate-limit');
  sim.failures.add('server-error');
  sim.failures.add('malformed');
  const limited = await call(sim, '/v2/post/publish/creator_info/query/');
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error.code, 'rate_limit_exceeded');
  const broken = await call(sim, '/v2/post/publish/creator_info/query/');
  assert.equal(broken.status, 500);
  assert.equal(broken.body.error.code, 'internal_error');
  await assert.rejects(call(sim, '/v2/post/publish/creator_info/query/'), SyntaxError);
  assert.equal(
    (await call(sim, '/v2/post/publish/status/fetch/', { publish_id: 'nope' })).body.error.code,
    'invalid_publish_id',
  );
});
