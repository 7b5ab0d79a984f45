// A week of content: planned from the slots and the catalog, written through the offline writer and
// the QA gate (the owner approving what it sends them), its images prepared, and Monday published on
// all four simulated platforms; then the insights come in, a story's completion and a post's revenue
// (an order that came by its link) show in the analytics, and the pages show it all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSocialWorld, type SocialWorld } from '../support/social.ts';
import { loginAs, type LoggedIn } from '../support/server.ts';
import { sampleOrder, storeOrders } from '../support/shop.ts';
import type { Post } from '../../src/modules/social/posts.ts';

const MONDAY = new Date('2026-12-07T06:00:00Z');
let world: SocialWorld;
let owner: LoggedIn;
let clock = MONDAY.getTime();
/** How far the platforms' clocks are ahead of the wall clock. */
let platformAhead = 0;

before(async () => {
  world = await startSocialWorld({
    clock: () => new Date(clock),
    platformClock: () => Date.now() + platformAhead,
  });
  owner = await loginAs(world.server, 'owner');
});
after(() => world.close());

const all = () => world.social.store.list({ limit: 500 });

test('the week is planned once per slot: 3 feed posts and 15 stories a day on Instagram, Facebook daily, TikTok 4 times, LinkedIn weekly', async () => {
  const summary = await world.social.content.plan();
  assert.deepEqual(summary, { planned: 21 + 105 + 7 + 4 + 1, toWrite: 21 + 7 + 4 + 1, stories: 105 });
  assert.deepEqual(
    await world.social.content.plan(),
    { planned: 0, toWrite: 0, stories: 0 },
    'planning again adds nothing',
  );
  const posts = await all();
  const linkedin = posts.filter((p) => p.channel === 'linkedin');
  assert.equal(linkedin[0]?.audience, 'salons');
  assert.equal(linkedin[0]?.facts.title, 'Salon Colour Kit 1L');
  assert.ok(!posts.some((p) => p.productIds.includes('9100000000005')), 'the low-stock spray is held back');
  const nineAm = posts.find((p) => p.channel === 'instagram' && p.format === 'feed');
  assert.equal(nineAm?.publishAt.toISOString(), '2026-12-07T09:00:00.000Z');
});

test('every post is written through the gate; what it sends to the owner waits, approved it goes on', async () => {
  for (const post of (await all()).filter((p) => p.status === 'planned'))
    await world.social.content.write(post.id);
  const afterWriting = await all();
  assert.ok(!afterWriting.some((p) => p.status === 'planned'), 'nothing left unwritten');
  const approvals = world.server.face('approvals');
  for (const post of afterWriting.filter((p) => p.status === 'drafted')) {
    assert.ok(post.approvalId, 'a draft for the owner has its approval');
    await approvals.decide(post.approvalId!, { action: 'approve' }, { actor: 'user:1', label: 'owner' });
    await world.social.content.decided(post.approvalId!, 'approved', null);
  }
  const written = (await all()).filter((p) => p.format !== 'story');
  assert.ok(
    written.every((p) => p.caption.length > 20 && p.status === 'approved'),
    'every post has a caption and is approved',
  );
  const linkedin = written.find((p) => p.channel === 'linkedin')!;
  assert.ok(linkedin.caption.length <= 3000);
});

test('Monday goes out on all four platforms, each post exactly once', async () => {
  const monday = (await all()).filter((p) => p.publishAt < new Date('2026-12-08T00:00:00Z'));
  for (const post of monday) await world.social.prepare(post.id);
  const scheduled = (await all()).filter((p) => p.publishAt < new Date('2026-12-08T00:00:00Z'));
  assert.ok(
    scheduled.every((p) => p.status === 'scheduled'),
    scheduled
      .filter((p) => p.status !== 'scheduled')
      .map((p) => `${p.status}: ${p.error}`)
      .join('; '),
  );
  // The day passes: each post goes out at its time.
  for (const post of [...scheduled].sort((a, b) => a.publishAt.getTime() - b.publishAt.getTime())) {
    clock = post.publishAt.getTime() + 60_000;
    const due = await world.social.store.due(new Date(clock));
    assert.ok(
      due.some((p) => p.id === post.id),
      `${post.id} is due at its time`,
    );
    assert.equal(await world.social.publishing.publish(post.id), 'published', post.id);
  }
  clock = Date.parse('2026-12-07T23:00:00Z');
  const counts = (channel: string, format?: string) =>
    monday.filter((p) => p.channel === channel && (!format || p.format === format)).length;
  assert.deepEqual(world.published(), {
    instagram: counts('instagram'),
    facebook: counts('facebook'),
    tiktok: counts('tiktok'),
    linkedin: counts('linkedin'),
  });
  assert.equal(counts('instagram', 'story'), 15);
  assert.deepEqual(await world.social.store.due(new Date(clock)), [], 'nothing is left due');
  const stories = world.meta.published().filter((m) => m.kind === 'STORY');
  assert.equal(stories.length, 15);
});

test('insights come in: a story’s completion, a post’s orders and revenue in the shop’s money', async () => {
  const posts = await all();
  const post = posts.find((p) => p.status === 'published' && p.channel === 'facebook')!;
  await storeOrders(world.server.db.pool, {
    order: sampleOrder({
      id: 5_550_000_000_777,
      name: '#7777',
      createdAt: '2026-12-07T20:00:00.000Z',
      lastVisit: {
        source: 'facebook',
        medium: 'social',
        campaign: post.facts.campaign ?? 'always-on',
        content: post.id,
        term: null,
        landingPage: null,
        referrer: null,
      },
    }),
  });
  platformAhead = 6 * 3_600_000; // six hours on: the posts have been seen
  const read = await world.social.insights.collect();
  const failures = world.server.logLines().filter((line) => line.msg === 'could not read a post’s insights');
  assert.deepEqual(
    failures.map((line) => line.err),
    [],
    'every post’s insights were read',
  );
  // Every Meta post of Monday (3 feed posts, 15 stories, the Page's post); the TikTok post is private
  // (an unaudited app) and TikTok gives no numbers for it.
  assert.equal(read.read, 19);
  const response = await world.server.app.inject({
    method: 'GET',
    url: '/api/v1/social/analytics?days=7',
    headers: { cookie: owner.cookie },
  });
  assert.equal(response.statusCode, 200, response.body);
  const analytics = response.json() as {
    posts: {
      postId: string;
      format: string;
      completion?: number;
      orders: number;
      revenue: { currency: string; amountMinor: number }[];
      reach: number;
    }[];
  };
  const sold = analytics.posts.find((p) => p.postId === post.id)!;
  assert.equal(sold.orders, 1);
  assert.deepEqual(sold.revenue, [{ currency: 'GBP', amountMinor: 3394 }]);
  const story = analytics.posts.find((p) => p.format === 'story')!;
  assert.ok(
    story.completion !== undefined && story.completion >= 0 && story.completion <= 1,
    `completion ${story.completion}`,
  );
  assert.ok(analytics.posts.some((p) => p.reach > 0));
});

test('the pages show the queue, the week, a post and the analytics', async () => {
  const get = (url: string) =>
    world.server.app.inject({ method: 'GET', url, headers: { cookie: owner.cookie } });
  const queue = await get('/social');
  assert.equal(queue.statusCode, 200);
  assert.match(queue.body, /Instagram: <strong>connected<\/strong>/);
  const calendar = await get('/social/calendar?view=week&start=2026-12-07');
  assert.equal(calendar.statusCode, 200);
  assert.match(calendar.body, /data-day="2026-12-07"/);
  assert.match(calendar.body, /15 stories \(15 out\)/);
  const month = await get('/social/calendar?view=month&start=2026-12-07');
  assert.equal(month.statusCode, 200);
  const [post] = (await all()).filter((p: Post) => p.status === 'published' && p.format === 'feed');
  const detail = await get(`/social/posts/${post!.id}`);
  assert.equal(detail.statusCode, 200);
  assert.match(detail.body, /data-platform="instagram"|data-platform="facebook"/);
  const analytics = await get('/social/analytics?days=7');
  assert.equal(analytics.statusCode, 200);
  assert.match(analytics.body, /£33\.94/);
  const editor = await get('/social/new');
  assert.equal(editor.statusCode, 200);
});

test('the owner moves, cancels and retries from Telegram and the API', async () => {
  const tuesday = (await all()).find(
    (p) => p.status === 'approved' && p.channel === 'instagram' && p.format === 'feed',
  )!;
  const moved = await world.server.app.inject({
    method: 'POST',
    url: `/api/v1/social/posts/${tuesday.id}/reschedule`,
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
    payload: { publishAt: '2026-12-09T17:30:00Z' },
  });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.equal(moved.json().post.publishAt, '2026-12-09T17:30:00.000Z');
  // Dropped on another day in the calendar: the same time of day there.
  const other = (await all()).find(
    (p) => p.status === 'approved' && p.format === 'feed' && p.id !== tuesday.id,
  )!;
  const dropped = await world.server.app.inject({
    method: 'POST',
    url: `/social/posts/${other.id}/reschedule`,
    headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      _csrf: owner.csrf,
      day: '2026-12-12',
      back: '/social/calendar?view=week',
    }).toString(),
  });
  assert.equal(dropped.statusCode, 303);
  assert.match(dropped.headers.location ?? '', /^\/social\/calendar\?view=week&notice=Moved/);
  const movedOther = await world.social.store.get(other.id);
  assert.equal(movedOther.publishAt.toISOString().slice(0, 10), '2026-12-12');
  assert.equal(movedOther.publishAt.toISOString().slice(11), other.publishAt.toISOString().slice(11));
  const commands = world.server.modules.telegramCommands();
  const cancel = commands.find((c) => c.name === 'cancelpost')!;
  assert.match(await cancel.answer(`/cancelpost ${tuesday.id.slice(0, 8)}`), /cancelled/);
  assert.equal((await world.social.store.get(tuesday.id)).status, 'cancelled');
  assert.match(await cancel.answer('/cancelpost'), /Say which post/);
  const posts = commands.find((c) => c.name === 'posts')!;
  assert.match(await posts.answer('/posts'), /Today:|No posts today/);
  const twice = await world.server.app.inject({
    method: 'POST',
    url: `/api/v1/social/posts/${tuesday.id}/cancel`,
    headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
  });
  assert.equal(twice.statusCode, 409);
  assert.match(twice.json().error.message, /cancelled now/);
});
