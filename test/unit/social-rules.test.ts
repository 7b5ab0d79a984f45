// The social module's rules, without a database: slot times across the clock changes, the content
// mix, the UTM link and its way back from an order, the A/B verdict, story completion, Graph insights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  pickProducts,
  promotable,
  slotTimes,
  campaignOf,
  type Slot,
} from '../../src/modules/social/planner.ts';
import { postIdOf, postLink } from '../../src/modules/social/utm.ts';
import { confidenceOfDifference, judge, MIN_SAMPLE, normalCdf } from '../../src/modules/social/ab-tests.ts';
import { storyCompletion } from '../../src/modules/social/insights.ts';
import { graphMetrics } from '../../src/modules/social/publishers/instagram.ts';
import { recentLinkedInVersion } from '../../src/modules/social/settings.ts';
import type { CatalogProduct } from '../../src/modules/shop/index.ts';

const slot = (over: Partial<Slot>): Slot => ({
  id: 's',
  channel: 'instagram',
  format: 'feed',
  weekdays: [1, 2, 3, 4, 5, 6, 7],
  localTime: '09:00',
  audience: 'shoppers',
  ...over,
});

test('09:00 stays 09:00 in London across the October clock change', () => {
  const times = slotTimes([slot({})], '2026-10-24', 3, 'Europe/London', new Date('2026-10-01T00:00:00Z'));
  assert.deepEqual(
    times.map((t) => t.at.toISOString()),
    ['2026-10-24T08:00:00.000Z', '2026-10-25T09:00:00.000Z', '2026-10-26T09:00:00.000Z'],
  );
  // And in March, the other way.
  const spring = slotTimes([slot({})], '2026-03-28', 2, 'Europe/London', new Date('2026-03-01T00:00:00Z'));
  assert.deepEqual(
    spring.map((t) => t.at.toISOString()),
    ['2026-03-28T09:00:00.000Z', '2026-03-29T08:00:00.000Z'],
  );
});

test('slots keep to their weekdays, skip times already past, and name each time once', () => {
  const weekly = slot({
    channel: 'linkedin',
    format: 'text',
    weekdays: [2],
    localTime: '10:00',
    audience: 'salons',
  });
  const times = slotTimes(
    [weekly, slot({})],
    '2026-12-07',
    7,
    'Europe/London',
    new Date('2026-12-07T09:30:00Z'),
  );
  assert.equal(times.filter((t) => t.slot.channel === 'linkedin').length, 1);
  assert.equal(times.find((t) => t.slot.channel === 'linkedin')?.day, '2026-12-08');
  assert.equal(times.filter((t) => t.slot.channel === 'instagram').length, 6, 'today’s 09:00 is past');
  assert.equal(new Set(times.map((t) => t.key)).size, times.length);
});

const product = (id: string, over: Partial<CatalogProduct> = {}): CatalogProduct => ({
  id,
  title: `Product ${id}`,
  priceMinor: 1000,
  currency: 'GBP',
  available: true,
  stock: 20,
  createdAt: '2025-01-01T00:00:00Z',
  tags: [],
  ...over,
});

test('the mix holds back what is sold out, low or a gift card', () => {
  assert.equal(promotable(product('1')), true);
  assert.equal(promotable(product('2', { available: false })), false);
  assert.equal(promotable(product('3', { stock: 4 })), false);
  assert.equal(promotable(product('4', { title: 'Gift Card' })), false);
  assert.equal(promotable(product('5', { stock: null })), true, 'stock Shopify does not count is not low');
});

test('a week of picks rests each product three days on a channel, prefers new and overstocked, and gives salons salon products', () => {
  const catalog = [
    product('old1'),
    product('old2'),
    product('new', { createdAt: '2026-12-01T00:00:00Z' }),
    product('over', { stock: 500 }),
    product('pro', { title: 'Backbar Shampoo 1L', tags: ['salon'] }),
    product('low', { stock: 1 }),
  ];
  const slots = [
    slot({}),
    slot({ channel: 'linkedin', format: 'text', weekdays: [2], localTime: '10:00', audience: 'salons' }),
  ];
  const times = slotTimes(slots, '2026-12-07', 7, 'Europe/London', new Date('2026-12-06T00:00:00Z'));
  const picks = pickProducts(times, catalog, new Map());
  const feed = times.filter((t) => t.slot.channel === 'instagram').map((t) => picks.get(t.key)!.product.id);
  assert.ok(!feed.includes('low'), 'low stock is held back');
  for (let i = 0; i < feed.length; i += 1)
    for (let j = i + 1; j < Math.min(feed.length, i + 3); j += 1)
      assert.notEqual(feed[i], feed[j], `days ${i} and ${j}`);
  assert.equal(
    feed[0] === 'new' || feed[0] === 'over',
    true,
    `the first post promotes a new or overstocked product, not ${feed[0]}`,
  );
  const salon = times.find((t) => t.slot.channel === 'linkedin')!;
  assert.deepEqual([picks.get(salon.key)?.product.id, picks.get(salon.key)?.theme], ['pro', 'salon']);
  assert.equal(campaignOf('new', '2026-12-08'), 'new-arrivals-2026-12');
});

test('every link carries the platform, social, the campaign and the post, and an order finds its way back', () => {
  const id = '3f9c2a10-5b7e-4c1d-9a8b-0123456789ab';
  const link = postLink({
    shopDomain: 'shop.example',
    handle: 'argan-oil',
    channel: 'instagram',
    campaign: 'always-on',
    postId: id,
    variant: 'b',
  });
  assert.equal(
    link,
    `https://shop.example/products/argan-oil?utm_source=instagram&utm_medium=social&utm_campaign=always-on&utm_content=${id}-b`,
  );
  assert.equal(postIdOf(`${id}-b`), id);
  assert.equal(postIdOf('post-1234-a'), undefined, 'someone else’s tag is not ours');
  assert.equal(
    postLink({ shopDomain: undefined, handle: 'x', channel: 'x', campaign: 'x', postId: id, variant: null }),
    undefined,
  );
});

test('an A/B test names a winner only past the minimum sample and at 95 % confidence', () => {
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  const a = { variant: 'a', reach: MIN_SAMPLE - 1, interactions: 100, caption: 'Short and sweet' };
  const b = { variant: 'b', reach: MIN_SAMPLE - 1, interactions: 10, caption: 'A long story' };
  assert.equal(judge('instagram', 'caption', a, b).status, 'running', 'below the sample, however clear');
  const decided = judge(
    'instagram',
    'caption',
    { ...a, reach: 1000, interactions: 90 },
    { ...b, reach: 1000, interactions: 40 },
  );
  assert.equal(decided.status, 'decided');
  assert.equal(decided.winner, 'a');
  assert.ok(decided.confidence > 0.99);
  assert.match(decided.lesson ?? '', /Short and sweet/);
  const close = { variant: 'a', reach: 600, interactions: 30, caption: 'x' };
  assert.equal(
    judge('instagram', 'caption', close, { ...close, variant: 'b', interactions: 32 }).status,
    'running',
  );
  assert.equal(
    judge(
      'instagram',
      'caption',
      { ...close, reach: 900 },
      { ...close, variant: 'b', reach: 900, interactions: 32 },
    ).status,
    'inconclusive',
  );
  assert.ok(confidenceOfDifference(close, close) < 0.01);
});

test('story completion and Graph’s insight rows, breakdowns included', () => {
  const metrics = graphMetrics([
    { name: 'reach', period: 'lifetime', values: [{ value: 200 }] },
    {
      name: 'navigation',
      total_value: {
        value: 60,
        breakdowns: [
          {
            results: [
              { dimension_values: ['tap_forward'], value: 30 },
              { dimension_values: ['tap_exit'], value: 20 },
              { dimension_values: ['swipe_forward'], value: 10 },
            ],
          },
        ],
      },
    },
  ]);
  assert.deepEqual(metrics, { reach: 200, navigation: 60, tap_forward: 30, tap_exit: 20, swipe_forward: 10 });
  assert.equal(storyCompletion(metrics), 0.7);
  assert.equal(storyCompletion({}), undefined);
});

test('LinkedIn’s default version is last month’s', () => {
  assert.equal(recentLinkedInVersion(new Date('2026-12-07T00:00:00Z')), '202611');
  assert.equal(recentLinkedInVersion(new Date('2027-01-03T00:00:00Z')), '202612');
});
