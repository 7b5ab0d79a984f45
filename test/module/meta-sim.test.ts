// The Meta simulator behaves like the Graph API shopkeep publishes through: Graph's error shape and
// token rules, Instagram containers that really download their image and are processed before they
// can be published, exactly one media per container, the rolling publishing quota, stories that
// vanish after 24 hours, cursor paging, insights shaped as Meta documents them, and a Facebook Page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetaSimulator, jpegSize, type MetaSimOptions } from '../../src/sim/meta.ts';

// Answers off the wire, checked field by field: typing them would only add casts.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const IG = '17841400000000042';
const PAGE = '104000000000042';
const IG_TOKEN = 'EAAGinstagramLongLivedToken000000000001';
const PAGE_TOKEN = 'EAAGpageToken00000000000000000000000001';
const APP_ID = '900000000000001';
const APP_SECRET = 'app-secret-for-tests';
const START = Date.parse('2026-06-15T12:00:00Z');
const HOUR = 3_600_000;

/** The smallest JPEG the simulator reads: SOI, a baseline SOF0 frame header with the size, EOI. */
function jpeg(width: number, height: number): Buffer {
  const sof = Buffer.from([
    0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
  ]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);

let images: Server;
let imageBase = '';
let deadUrl = '';

before(async () => {
  const files: Record<string, Buffer> = {
    '/square.jpg': jpeg(1080, 1080),
    '/portrait.jpg': jpeg(1080, 1350),
    '/tall.jpg': jpeg(1080, 1920),
    '/logo.png': PNG,
  };
  images = createServer((request, response) => {
    const file = files[request.url ?? ''];
    response.writeHead(file ? 200 : 404, { 'content-type': 'image/jpeg' });
    response.end(file ?? 'not found');
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  // A port that was free a moment ago: nothing answers there.
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  deadUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/product.jpg`;
  await new Promise<void>((resolve) => gone.close(() => resolve()));
});

after(async () => {
  images.closeAllConnections();
  await new Promise<void>((resolve) => images.close(() => resolve()));
});

interface Harness {
  sim: MetaSimulator;
  clock: { now: number };
  /** A Graph call: GET params go in the query, others in a form body; the token as a Bearer header. */
  graph(
    method: string,
    path: string,
    params?: Record<string, string>,
    token?: string | null,
  ): Promise<{ status: number; body: Json; headers: Headers }>;
}

async function simulator(options: Partial<MetaSimOptions> = {}): Promise<Harness> {
  const clock = { now: START };
  const sim = await MetaSimulator.start({
    instagramAccountId: IG,
    instagramToken: IG_TOKEN,
    facebookPageId: PAGE,
    pageToken: PAGE_TOKEN,
    appId: APP_ID,
    appSecret: APP_SECRET,
    now: () => clock.now,
    ...options,
  });
  const graph: Harness['graph'] = async (method, path, params = {}, token = IG_TOKEN) => {
    const url = new URL(path.startsWith('http') ? path : `${sim.baseUrl}/v23.0/${path}`);
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    let body: string | undefined;
    if (method === 'GET') for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(params).toString();
    }
    const response = await fetch(url, { method, headers, body });
    return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
  };
  return { sim, clock, graph };
}

async function withSim(options: Partial<MetaSimOptions>, run: (h: Harness) => Promise<void>): Promise<void> {
  const harness = await simulator(options);
  try {
    await run(harness);
  } finally {
    await harness.sim.stop();
  }
}

/** Creates a container and polls it until it leaves IN_PROGRESS; returns its id and final status. */
async function createAndWait(
  h: Harness,
  params: Record<string, string>,
): Promise<{ id: string; status: Json }> {
  const created = await h.graph('POST', `${IG}/media`, params);
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const id = created.body.id as string;
  for (let poll = 0; poll < 10; poll += 1) {
    const status = await h.graph('GET', id, { fields: 'status_code,status' });
    if (status.body.status_code !== 'IN_PROGRESS') return { id, status: status.body };
  }
  throw new Error('container never finished');
}

async function publishImage(h: Harness, caption: string, image = 'square.jpg'): Promise<string> {
  const { id } = await createAndWait(h, { image_url: `${imageBase}/${image}`, caption });
  const published = await h.graph('POST', `${IG}/media_publish`, { creation_id: id });
  assert.equal(published.status, 200, JSON.stringify(published.body));
  return published.body.id as string;
}

function assertGraphError(body: Json, code: number, subcode?: number): void {
  assert.equal(typeof body.error?.message, 'string', JSON.stringify(body));
  assert.equal(body.error.code, code, JSON.stringify(body));
  assert.equal(body.error.error_subcode, subcode, JSON.stringify(body));
  assert.equal(typeof body.error.type, 'string');
  assert.match(body.error.fbtrace_id, /^[\w-]{6,}$/);
}

test('the JPEG reader finds the size in the frame header, also behind the tables a real encoder writes', async () => {
  assert.deepEqual(jpegSize(jpeg(1080, 1350)), { width: 1080, height: 1350 });
  assert.equal(jpegSize(PNG), undefined);
  let sharp: ((input: object) => { jpeg(): { toBuffer(): Promise<Buffer> } }) | undefined;
  try {
    sharp = ((await import('sharp')) as unknown as { default: typeof sharp }).default;
  } catch {
    sharp = undefined; // optional: the hand-made JPEG above is the one every run checks
  }
  if (!sharp) return;
  const encoded = await sharp({
    create: { width: 64, height: 80, channels: 3, background: { r: 200, g: 120, b: 90 } },
  })
    .jpeg()
    .toBuffer();
  assert.deepEqual(jpegSize(encoded), { width: 64, height: 80 });
});

test('a missing, wrong or misused token is refused in Graph’s shape; unknown paths and objects too', async () => {
  await withSim({}, async (h) => {
    for (const token of [null, 'EAAGwrong', IG_TOKEN.replace(/1$/, '2')]) {
      const refused = await h.graph('GET', IG, { fields: 'id,username' }, token);
      assert.equal(refused.status, 400);
      assertGraphError(refused.body, 190);
      assert.equal(refused.body.error.type, 'OAuthException');
      assert.equal(refused.body.error.message, 'Invalid OAuth access token - Cannot parse access token');
    }
    // The token as a query parameter works as well as the header does.
    const byParam = await h.graph('GET', IG, { fields: 'id,username,name', access_token: IG_TOKEN }, null);
    assert.deepEqual(byParam.body, {
      username: 'sandbox.salon.supplies',
      name: 'Sandbox Salon Supplies',
      id: IG,
    });
    const usage = JSON.parse(byParam.headers.get('x-app-usage') ?? '{}');
    assert.deepEqual(Object.keys(usage).sort(), ['call_count', 'total_cputime', 'total_time']);
    assert.ok(usage.call_count > 0 && usage.call_count <= 100);

    const pageTokenOnInstagram = await h.graph('GET', IG, {}, PAGE_TOKEN);
    assertGraphError(pageTokenOnInstagram.body, 10);

    const nothing = await h.graph('GET', '17890000000000999', { fields: 'id' });
    assert.equal(nothing.status, 400);
    assertGraphError(nothing.body, 100, 33);
    assert.match(nothing.body.error.message, /Object with ID '17890000000000999' does not exist/);

    const noVersion = await fetch(`${h.sim.baseUrl}/${IG}/media`);
    assert.equal(noVersion.status, 404);
    assertGraphError((await noVersion.json()) as Json, 2500);

    const badField = await h.graph('GET', IG, { fields: 'id,password' });
    assertGraphError(badField.body, 100);
    assert.match(badField.body.error.message, /nonexisting field \(password\) on node type \(IGUser\)/);
  });
});

test('a container is processed, then published once; publishing it again makes no second media', async () => {
  await withSim({ processingPolls: 1 }, async (h) => {
    // JSON bodies are read like forms.
    const created = await fetch(`${h.sim.baseUrl}/v23.0/${IG}/media`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${IG_TOKEN}` },
      body: JSON.stringify({
        image_url: `${imageBase}/portrait.jpg`,
        caption: 'New in: argan oil #haircare',
      }),
    });
    const containerId = ((await created.json()) as Json).id as string;
    assert.match(containerId, /^\d{15,}$/);

    const early = await h.graph('POST', `${IG}/media_publish`, { creation_id: containerId });
    assert.equal(early.status, 400);
    assertGraphError(early.body, 9007, 2207027);
    assert.equal(
      early.body.error.error_user_msg,
      'The media is not ready for publishing, please wait for a moment',
    );

    const first = await h.graph('GET', containerId, { fields: 'status_code,status' });
    assert.equal(first.body.status_code, 'IN_PROGRESS');
    assert.equal(first.body.id, containerId);
    const second = await h.graph('GET', containerId, { fields: 'status_code' });
    assert.deepEqual(second.body, { status_code: 'FINISHED', id: containerId });

    const published = await h.graph('POST', `${IG}/media_publish`, { creation_id: containerId });
    assert.equal(published.status, 200);
    const mediaId = published.body.id as string;
    assert.notEqual(mediaId, containerId);
    assert.equal(
      (await h.graph('GET', containerId, { fields: 'status_code' })).body.status_code,
      'PUBLISHED',
    );

    const again = await h.graph('POST', `${IG}/media_publish`, { creation_id: containerId });
    assert.equal(again.status, 400);
    assertGraphError(again.body, 9007);
    const log = h.sim.published();
    assert.equal(log.length, 1);
    assert.deepEqual(
      { ...log[0], publishedAt: log[0]!.publishedAt.getTime() },
      {
        platform: 'instagram',
        id: mediaId,
        kind: 'IMAGE',
        caption: 'New in: argan oil #haircare',
        imageUrls: [`${imageBase}/portrait.jpg`],
        publishedAt: START,
        containerId,
      },
    );

    const media = await h.graph('GET', mediaId, {
      fields: 'id,caption,media_type,media_product_type,timestamp,permalink,like_count,comments_count',
    });
    assert.equal(media.body.caption, 'New in: argan oil #haircare');
    assert.equal(media.body.media_type, 'IMAGE');
    assert.equal(media.body.media_product_type, 'FEED');
    assert.equal(media.body.timestamp, '2026-06-15T12:00:00+0000');
    assert.match(media.body.permalink, /^https:\/\/www\.instagram\.com\/p\/[\w-]+\/$/);
    assert.equal(media.body.like_count, 0); // nobody has seen it yet

    const limit = await h.graph('GET', `${IG}/content_publishing_limit`, { fields: 'quota_usage,config' });
    assert.deepEqual(limit.body, {
      data: [{ quota_usage: 1, config: { quota_total: 100, quota_duration: 86400 } }],
    });
  });
});

test('the rolling 24-hour publishing quota refuses with 9 / 2207042 and frees up a day later', async () => {
  await withSim({ publishLimit: 2, processingPolls: 0 }, async (h) => {
    await publishImage(h, 'one');
    h.clock.now += HOUR;
    await publishImage(h, 'two');
    const { id } = await createAndWait(h, { image_url: `${imageBase}/square.jpg`, caption: 'three' });
    const refused = await h.graph('POST', `${IG}/media_publish`, { creation_id: id });
    assert.equal(refused.status, 400);
    assertGraphError(refused.body, 9, 2207042);
    assert.equal(h.sim.published().length, 2);
    const limit = await h.graph('GET', `${IG}/content_publishing_limit`, { fields: 'quota_usage,config' });
    assert.equal(limit.body.data[0].quota_usage, 2);
    assert.equal(limit.body.data[0].config.quota_total, 2);

    h.clock.now = START + 24 * HOUR; // the first publish has left the window
    const later = await h.graph('POST', `${IG}/media_publish`, { creation_id: id });
    assert.equal(later.status, 200);
    assert.deepEqual(
      h.sim.published().map((each) => each.caption),
      ['one', 'two', 'three'],
    );
  });
});

test('a carousel publishes its items as one CAROUSEL_ALBUM, and needs 2 to 10 carousel items', async () => {
  await withSim({ processingPolls: 0 }, async (h) => {
    const item = async (image: string) =>
      (await h.graph('POST', `${IG}/media`, { image_url: `${imageBase}/${image}`, is_carousel_item: 'true' }))
        .body.id as string;
    const a = await item('square.jpg');
    const b = await item('portrait.jpg');

    const tooFew = await h.graph('POST', `${IG}/media`, {
      media_type: 'CAROUSEL',
      children: a,
      caption: 'x',
    });
    assertGraphError(tooFew.body, 100, 2207028);
    const plain = (await h.graph('POST', `${IG}/media`, { image_url: `${imageBase}/square.jpg` })).body.id;
    const notItem = await h.graph('POST', `${IG}/media`, {
      media_type: 'CAROUSEL',
      children: `${a},${plain}`,
    });
    assertGraphError(notItem.body, 100);
    assert.match(notItem.body.error.message, /is_carousel_item/);

    const { id, status } = await createAndWait(h, {
      media_type: 'CAROUSEL',
      children: `${a},${b}`,
      caption: 'Two new shades',
    });
    assert.equal(status.status_code, 'FINISHED');
    const published = await h.graph('POST', `${IG}/media_publish`, { creation_id: id });
    const media = await h.graph('GET', published.body.id, {
      fields: 'media_type,media_product_type,children',
    });
    assert.equal(media.body.media_type, 'CAROUSEL_ALBUM');
    assert.equal(media.body.media_product_type, 'FEED');
    assert.equal(media.body.children.data.length, 2);
    const [entry] = h.sim.published();
    assert.equal(entry!.kind, 'CAROUSEL_ALBUM');
    assert.deepEqual(entry!.imageUrls, [`${imageBase}/square.jpg`, `${imageBase}/portrait.jpg`]);
    assert.equal(entry!.containerId, id);
    const item0 = await h.graph('POST', `${IG}/media_publish`, { creation_id: a });
    assertGraphError(item0.body, 100);
    assert.equal(h.sim.published().length, 1);
  });
});

test('bad images end the container in ERROR with Meta’s words; the same can be asked at creation', async () => {
  await withSim({ processingPolls: 1 }, async (h) => {
    const tall = await createAndWait(h, {
      image_url: `${imageBase}/tall.jpg`,
      caption: 'too tall for the feed',
    });
    assert.equal(tall.status.status_code, 'ERROR');
    assert.match(
      tall.status.status,
      /^Error: The submitted image with aspect ratio 0\.56 cannot be published/,
    );
    assert.match(tall.status.status, /2207009/);
    const publishTall = await h.graph('POST', `${IG}/media_publish`, { creation_id: tall.id });
    assertGraphError(publishTall.body, 36003, 2207009);

    const png = await createAndWait(h, { image_url: `${imageBase}/logo.png` });
    assert.equal(png.status.status_code, 'ERROR');
    assert.match(png.status.status, /The image format PNG is not supported\. Supported formats are: JPEG\./);

    const unreachable = await createAndWait(h, { image_url: deadUrl });
    assert.equal(unreachable.status.status_code, 'ERROR');
    assert.match(
      unreachable.status.status,
      /^Error: Media download has failed\. The media URI doesn’t meet our requirements\. \(error code 2207052\)$/,
    );
    const missing = await createAndWait(h, { image_url: `${imageBase}/nowhere.jpg` });
    assert.equal(missing.status.status_code, 'ERROR');
    const publishMissing = await h.graph('POST', `${IG}/media_publish`, { creation_id: missing.id });
    assertGraphError(publishMissing.body, 9004, 2207052);
    assert.equal(
      publishMissing.body.error.error_user_msg,
      `The media could not be fetched from this uri: ${imageBase}/nowhere.jpg`,
    );

    // A story may be any shape.
    const story = await createAndWait(h, { media_type: 'STORIES', image_url: `${imageBase}/tall.jpg` });
    assert.equal(story.status.status_code, 'FINISHED');
    assert.equal(h.sim.published().length, 0);
  });
  await withSim({ mediaErrorsAtCreation: true }, async (h) => {
    const refused = await h.graph('POST', `${IG}/media`, { image_url: `${imageBase}/tall.jpg` });
    assert.equal(refused.status, 400);
    assertGraphError(refused.body, 36003, 2207009);
    assert.match(refused.body.error.error_user_msg, /aspect ratio 0\.56/);
  });
});

test('captions are held to 2,200 characters and 5 hashtags; unknown media types are refused', async () => {
  await withSim({}, async (h) => {
    const long = await h.graph('POST', `${IG}/media`, {
      image_url: `${imageBase}/square.jpg`,
      caption: 'a'.repeat(2201),
    });
    assertGraphError(long.body, 36004, 2207010);
    assert.match(long.body.error.error_user_msg, /2201 characters long/);
    const tags = await h.graph('POST', `${IG}/media`, {
      image_url: `${imageBase}/square.jpg`,
      caption: 'Sale #one #two #three #four #five #six',
    });
    assertGraphError(tags.body, 100);
    assert.match(tags.body.error.message, /6 hashtags/);
    const fine = await h.graph('POST', `${IG}/media`, {
      image_url: `${imageBase}/square.jpg`,
      caption: `${'b'.repeat(2180)} #one #two`,
    });
    assert.equal(fine.status, 200);
    const video = await h.graph('POST', `${IG}/media`, {
      media_type: 'VIDEOS',
      video_url: `${imageBase}/x.mp4`,
    });
    assertGraphError(video.body, 100, 2207023);
  });
});

test('an unpublished container expires after 24 hours and cannot be published', async () => {
  await withSim({ processingPolls: 0 }, async (h) => {
    const { id } = await createAndWait(h, { image_url: `${imageBase}/square.jpg` });
    h.clock.now += 24 * HOUR;
    assert.equal((await h.graph('GET', id, { fields: 'status_code' })).body.status_code, 'EXPIRED');
    const refused = await h.graph('POST', `${IG}/media_publish`, { creation_id: id });
    assertGraphError(refused.body, -2, 2207020);
    const unknown = await h.graph('POST', `${IG}/media_publish`, { creation_id: '999' });
    assertGraphError(unknown.body, 24, 2207008);
  });
});

test('the media list is newest first, paged with Graph cursors and a full next URL', async () => {
  await withSim({ processingPolls: 0 }, async (h) => {
    const ids: string[] = [];
    for (let n = 1; n <= 5; n += 1) {
      ids.push(await publishImage(h, `post ${n}`));
      h.clock.now += 60_000;
    }
    const story = await createAndWait(h, { media_type: 'STORIES', image_url: `${imageBase}/tall.jpg` });
    await h.graph('POST', `${IG}/media_publish`, { creation_id: story.id });

    const first = await h.graph('GET', `${IG}/media`, { fields: 'id,caption,timestamp', limit: '2' });
    assert.deepEqual(
      first.body.data.map((each: Json) => each.caption),
      ['post 5', 'post 4'],
    );
    assert.equal(first.body.data[0].timestamp, '2026-06-15T12:04:00+0000');
    assert.equal(typeof first.body.paging.cursors.before, 'string');
    const next = new URL(first.body.paging.next);
    assert.equal(next.origin + next.pathname, `${h.sim.baseUrl}/v23.0/${IG}/media`);
    assert.equal(next.searchParams.get('after'), first.body.paging.cursors.after);
    assert.equal(next.searchParams.get('fields'), 'id,caption,timestamp');
    assert.equal(next.searchParams.get('access_token'), IG_TOKEN);

    // The next URL works on its own, token and all.
    const second = await h.graph('GET', first.body.paging.next, {}, null);
    assert.deepEqual(
      second.body.data.map((each: Json) => each.id),
      [ids[2], ids[1]],
    );
    assert.equal(typeof second.body.paging.previous, 'string');
    const third = await h.graph('GET', second.body.paging.next, {}, null);
    assert.deepEqual(
      third.body.data.map((each: Json) => each.id),
      [ids[0]],
    );
    assert.equal(third.body.paging.next, undefined);
    const account = await h.graph('GET', IG, { fields: 'media_count' });
    assert.equal(account.body.media_count, 5);
  });
});

test('a story is listed for 24 hours, with navigation insights broken down as Meta documents them', async () => {
  await withSim({ processingPolls: 0 }, async (h) => {
    const { id } = await createAndWait(h, { media_type: 'STORIES', image_url: `${imageBase}/tall.jpg` });
    const storyId = (await h.graph('POST', `${IG}/media_publish`, { creation_id: id })).body.id as string;
    assert.equal(h.sim.published()[0]!.kind, 'STORY');

    h.clock.now += 12 * HOUR;
    const stories = await h.graph('GET', `${IG}/stories`, {
      fields: 'id,media_type,media_product_type,timestamp',
    });
    assert.deepEqual(stories.body.data, [
      {
        media_type: 'IMAGE',
        media_product_type: 'STORY',
        timestamp: '2026-06-15T12:00:00+0000',
        id: storyId,
      },
    ]);
    assert.deepEqual((await h.graph('GET', `${IG}/media`)).body.data, []);

    const navigation = await h.graph('GET', `${storyId}/insights`, {
      metric: 'navigation',
      breakdown: 'story_navigation_action_type',
    });
    const [metric] = navigation.body.data as Json[];
    assert.equal(metric!.name, 'navigation');
    assert.equal(metric!.period, 'lifetime');
    assert.equal(metric!.id, `${storyId}/insights/navigation/lifetime`);
    const breakdown = metric!.total_value.breakdowns[0];
    assert.deepEqual(breakdown.dimension_keys, ['story_navigation_action_type']);
    assert.deepEqual(
      breakdown.results.map((result: Json) => result.dimension_values[0]),
      ['tap_forward', 'tap_back', 'tap_exit', 'swipe_forward'],
    );
    const sum = breakdown.results.reduce((total: number, result: Json) => total + result.value, 0);
    assert.ok(sum > 0);
    assert.equal(metric!.total_value.value, sum);
    assert.equal(metric!.values[0].value, sum);

    const plain = await h.graph('GET', `${storyId}/insights`, {
      metric: 'reach,replies,follows,profile_visits',
    });
    assert.deepEqual(
      plain.body.data.map((each: Json) => each.name),
      ['reach', 'replies', 'follows', 'profile_visits'],
    );
    assert.ok(plain.body.data[0].values[0].value > 0);
    const feedMetric = await h.graph('GET', `${storyId}/insights`, { metric: 'saved' });
    assertGraphError(feedMetric.body, 100);

    h.clock.now += 12 * HOUR + 1;
    assert.deepEqual((await h.graph('GET', `${IG}/stories`)).body, { data: [] });
    // Story insights are kept 24 hours; after that Graph has nothing to give.
    assert.deepEqual((await h.graph('GET', `${storyId}/insights`, { metric: 'reach' })).body, { data: [] });
  });
});

test('post insights have Graph’s shape, repeat for the same media and grow for 48 hours', async () => {
  await withSim({ processingPolls: 0 }, async (h) => {
    const mediaId = await publishImage(h, 'insights');
    const metrics = 'views,reach,saved,likes,comments,shares,total_interactions';
    const read = async () => {
      const answer = await h.graph('GET', `${mediaId}/insights`, { metric: metrics });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return Object.fromEntries(
        answer.body.data.map((each: Json) => [each.name, each.values[0].value]),
      ) as Record<string, number>;
    };
    h.clock.now += 12 * HOUR;
    const early = await read();
    assert.deepEqual(await read(), early);
    h.clock.now += 36 * HOUR;
    const grown = await read();
    assert.ok(grown.reach! > early.reach! && grown.views! >= grown.reach!);
    assert.equal(grown.total_interactions, grown.likes! + grown.comments! + grown.saved! + grown.shares!);
    h.clock.now += 72 * HOUR;
    assert.deepEqual(await read(), grown); // capped at 48 hours

    const shape = (await h.graph('GET', `${mediaId}/insights`, { metric: 'reach' })).body.data[0];
    assert.deepEqual(Object.keys(shape).sort(), ['description', 'id', 'name', 'period', 'title', 'values']);
    assert.equal(shape.id, `${mediaId}/insights/reach/lifetime`);
    assert.equal(shape.period, 'lifetime');

    const impressions = await h.graph('GET', `${mediaId}/insights`, { metric: 'impressions,reach' });
    assertGraphError(impressions.body, 100);
    assert.match(impressions.body.error.message, /impressions metric is no longer supported/);

    h.sim.setInsights(mediaId, { likes: 40, reach: 900 });
    const fixed = await read();
    assert.equal(fixed.likes, 40);
    assert.equal(fixed.reach, 900);
    assert.equal(fixed.total_interactions, 40 + fixed.comments! + fixed.saved! + fixed.shares!);
    assert.equal((await h.graph('GET', mediaId, { fields: 'like_count' })).body.like_count, 40);

    const followers = await h.graph('GET', `${IG}/insights`, { metric: 'follower_count', period: 'day' });
    const [daily] = followers.body.data as Json[];
    assert.equal(daily!.name, 'follower_count');
    assert.equal(daily!.period, 'day');
    assert.equal(daily!.values.length, 2);
    for (const value of daily!.values) {
      assert.ok(Number.isInteger(value.value));
      assert.match(value.end_time, /^\d{4}-\d\d-\d\dT0[78]:00:00\+0000$/);
    }
  });
});

test('tokens: exchange for a long-lived one, debug_token, and code 190 / 463 once they expire', async () => {
  await withSim({ processingPolls: 0 }, async (h) => {
    const exchange = (token: string, secret = APP_SECRET) =>
      h.graph(
        'GET',
        'oauth/access_token',
        {
          grant_type: 'fb_exchange_token',
          client_id: APP_ID,
          client_secret: secret,
          fb_exchange_token: token,
        },
        null,
      );
    const wrongSecret = await exchange(IG_TOKEN, 'nope');
    assertGraphError(wrongSecret.body, 1);

    const fresh = await exchange(IG_TOKEN);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body.token_type, 'bearer');
    assert.equal(fresh.body.expires_in, 5183944);
    const newToken = fresh.body.access_token as string;
    assert.notEqual(newToken, IG_TOKEN);
    const withNew = await h.graph('GET', IG, { fields: 'username' }, newToken);
    assert.equal(withNew.body.username, 'sandbox.salon.supplies');

    const debug = await h.graph(
      'GET',
      'debug_token',
      { input_token: IG_TOKEN, access_token: `${APP_ID}|${APP_SECRET}` },
      null,
    );
    assert.equal(debug.body.data.is_valid, true);
    assert.equal(debug.body.data.expires_at, START / 1000 + 60 * 24 * 3600);
    assert.ok(debug.body.data.scopes.includes('instagram_content_publish'));
    const pageDebug = await h.graph(
      'GET',
      'debug_token',
      { input_token: PAGE_TOKEN, access_token: PAGE_TOKEN },
      null,
    );
    assert.equal(pageDebug.body.data.type, 'PAGE');
    assert.equal(pageDebug.body.data.expires_at, 0); // Page tokens from a long-lived user token never expire

    h.sim.setTokenExpiry(newToken, new Date(START + HOUR));
    h.clock.now += 2 * HOUR;
    const lapsed = await h.graph('GET', IG, { fields: 'username' }, newToken);
    assertGraphError(lapsed.body, 190, 463);
    assert.equal((await h.graph('GET', IG, { fields: 'username' })).status, 200); // the old one still works

    h.sim.expireTokens();
    const expired = await h.graph('POST', `${IG}/media`, { image_url: `${imageBase}/square.jpg` });
    assert.equal(expired.status, 400);
    assertGraphError(expired.body, 190, 463);
    assert.match(
      expired.body.error.message,
      /^Error validating access token: Session has expired on \w+day, /,
    );
    assertGraphError((await h.graph('GET', PAGE, {}, PAGE_TOKEN)).body, 190, 463);
    assertGraphError((await exchange(IG_TOKEN)).body, 190, 463);
    const debugExpired = await h.graph(
      'GET',
      'debug_token',
      { input_token: IG_TOKEN, access_token: `${APP_ID}|${APP_SECRET}` },
      null,
    );
    assert.equal(debugExpired.body.data.is_valid, false);
    assert.equal(debugExpired.body.data.error.subcode, 463);
  });
});

test('the Page takes photo and feed posts, lists them newest first and gives their insights', async () => {
  await withSim({}, async (h) => {
    const photo = await h.graph(
      'POST',
      `${PAGE}/photos`,
      { url: `${imageBase}/tall.jpg`, caption: 'Back in stock' },
      PAGE_TOKEN,
    );
    assert.equal(photo.status, 200, JSON.stringify(photo.body));
    assert.match(photo.body.id, /^\d+$/);
    assert.match(photo.body.post_id, new RegExp(`^${PAGE}_\\d+$`));
    h.clock.now += 60_000;
    const feed = await h.graph(
      'POST',
      `${PAGE}/feed`,
      { message: 'Open on Sunday', link: 'https://shop.example/hours' },
      PAGE_TOKEN,
    );
    assert.equal(feed.status, 200);
    assert.match(feed.body.id, new RegExp(`^${PAGE}_\\d+$`));
    const duplicate = await h.graph(
      'POST',
      `${PAGE}/feed`,
      { message: 'Open on Sunday', link: 'https://shop.example/hours' },
      PAGE_TOKEN,
    );
    assertGraphError(duplicate.body, 506);
    const draft = await h.graph(
      'POST',
      `${PAGE}/photos`,
      { url: `${imageBase}/square.jpg`, published: 'false' },
      PAGE_TOKEN,
    );
    assert.equal(draft.body.post_id, undefined);
    const badPhoto = await h.graph('POST', `${PAGE}/photos`, { url: `${imageBase}/logo.png` }, PAGE_TOKEN);
    assertGraphError(badPhoto.body, 324);

    const listed = await h.graph(
      'GET',
      `${PAGE}/published_posts`,
      { fields: 'id,message,created_time', limit: '10' },
      PAGE_TOKEN,
    );
    assert.deepEqual(listed.body.data, [
      { message: 'Open on Sunday', created_time: '2026-06-15T12:01:00+0000', id: feed.body.id },
      { message: 'Back in stock', created_time: '2026-06-15T12:00:00+0000', id: photo.body.post_id },
    ]);
    assert.equal(listed.body.paging.next, undefined);
    assert.deepEqual((await h.graph('GET', `${PAGE}/feed`, { fields: 'id' }, PAGE_TOKEN)).body.data, [
      { id: feed.body.id },
      { id: photo.body.post_id },
    ]);
    assert.deepEqual(
      h.sim.published().map((each) => [each.platform, each.kind, each.id, each.caption]),
      [
        ['facebook', 'PHOTO', photo.body.post_id, 'Back in stock'],
        ['facebook', 'FEED', feed.body.id, 'Open on Sunday'],
      ],
    );

    h.clock.now += 24 * HOUR;
    const insights = await h.graph(
      'GET',
      `${feed.body.id}/insights`,
      { metric: 'post_total_media_view_unique,post_clicks' },
      PAGE_TOKEN,
    );
    assert.deepEqual(
      insights.body.data.map((each: Json) => [each.name, each.period, each.id]),
      [
        [
          'post_total_media_view_unique',
          'lifetime',
          `${feed.body.id}/insights/post_total_media_view_unique/lifetime`,
        ],
        ['post_clicks', 'lifetime', `${feed.body.id}/insights/post_clicks/lifetime`],
      ],
    );
    assert.ok(insights.body.data[0].values[0].value > insights.body.data[1].values[0].value);
    const withdrawn = await h.graph(
      'GET',
      `${feed.body.id}/insights`,
      { metric: 'post_impressions_unique' },
      PAGE_TOKEN,
    );
    assertGraphError(withdrawn.body, 100);

    const page = await h.graph('GET', PAGE, { fields: 'id,name' }, PAGE_TOKEN);
    assert.deepEqual(page.body, { name: 'Sandbox Salon Supplies', id: PAGE });
    assertGraphError((await h.graph('POST', `${PAGE}/feed`, { message: 'x' }, IG_TOKEN)).body, 10);
  });
});

test('injected failures: throttling and outages do nothing, a lost or broken answer still published', async () => {
  await withSim({ processingPolls: 0 }, async (h) => {
    h.sim.failures.add('rate-limit');
    const throttled = await h.graph('GET', IG, { fields: 'id' });
    assert.equal(throttled.status, 400);
    assertGraphError(throttled.body, 4);
    assert.equal(throttled.body.error.is_transient, true);
    assert.equal(JSON.parse(throttled.headers.get('x-app-usage')!).call_count, 100);
    h.sim.failures.add('server-error');
    const down = await h.graph('GET', IG, { fields: 'id' });
    assert.equal(down.status, 500);
    assertGraphError(down.body, 2);
    assert.equal(down.body.error.is_transient, true);

    const { id } = await createAndWait(h, { image_url: `${imageBase}/square.jpg`, caption: 'once' });
    h.sim.failures.add('malformed');
    const broken = await fetch(`${h.sim.baseUrl}/v23.0/${IG}/media_publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${IG_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `creation_id=${id}`,
    });
    assert.equal(broken.status, 200);
    const text = await broken.text();
    assert.throws(() => JSON.parse(text));
    assert.equal(h.sim.published().length, 1); // it went live although the answer was garbage
    const retried = await h.graph('POST', `${IG}/media_publish`, { creation_id: id });
    assertGraphError(retried.body, 9007);
    assert.equal(h.sim.published().length, 1);

    const second = await createAndWait(h, { image_url: `${imageBase}/square.jpg`, caption: 'lost answer' });
    h.sim.failures.add('hang');
    await assert.rejects(
      fetch(`${h.sim.baseUrl}/v23.0/${IG}/media_publish?creation_id=${second.id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${IG_TOKEN}` },
        signal: AbortSignal.timeout(300),
      }),
    );
    assert.deepEqual(
      h.sim.published().map((each) => each.caption),
      ['once', 'lost answer'],
    );

    const third = await createAndWait(h, { image_url: `${imageBase}/square.jpg`, caption: 'forced' });
    h.sim.failNextPublish(4, 2207051, 'We restrict certain activity to protect our community.');
    const forced = await h.graph('POST', `${IG}/media_publish`, { creation_id: third.id });
    assertGraphError(forced.body, 4, 2207051);
    assert.equal(h.sim.published().length, 2);
    assert.equal((await h.graph('POST', `${IG}/media_publish`, { creation_id: third.id })).status, 200);
    assert.equal(h.sim.published().length, 3);
  });
});
