// What the posts did: each post's metrics read from its platform (stories every hour until their 24 h
// are up, after which the platform forgets them), followers once a day, and the orders the posts'
// links brought (UTM tags on the orders' visits) — revenue per post, per theme and per product, story
// completion, the hours that work best, and the weekly report for the owner.
import type pg from 'pg';
import { hourIn } from '../../platform/dates.ts';
import { formatMoney } from '../../platform/money.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Notifier } from '../../platform/notify/face.ts';
import type { ShopReader } from '../shop/index.ts';
import { interactionsOf, reachOf } from './ab-tests.ts';
import type { Platform, PostFormat, Publisher } from './publishers/publisher.ts';
import { postIdOf } from './utm.ts';

const HOUR = 3_600_000;
const STORY_LIFE = 24 * HOUR;
/** Feed posts are read for a week (their numbers lag up to 48 h, then settle). */
const FEED_WINDOW = 7 * 24 * HOUR;

export interface Money {
  currency: string;
  amountMinor: number;
}

export interface PostPerformance {
  postId: string;
  channel: Platform;
  format: PostFormat;
  theme: string;
  productIds: string[];
  caption: string;
  publishedAt: Date;
  permalink: string | null;
  metrics: Record<string, number>;
  reach: number;
  interactions: number;
  /** Stories: the share of those reached who neither skipped nor left (0-1). */
  completion: number | undefined;
  orders: number;
  revenue: Money[];
}

export interface Breakdown {
  key: string;
  posts: number;
  reach: number;
  orders: number;
  revenue: Money[];
}

export function storyCompletion(metrics: Record<string, number>): number | undefined {
  const reach = metrics.reach;
  if (!reach) return undefined;
  const left = (metrics.tap_forward ?? 0) + (metrics.tap_exit ?? 0) + (metrics.swipe_forward ?? 0);
  return Math.max(0, Math.min(1, 1 - left / reach));
}

function addMoney(into: Money[], currency: string, amountMinor: number): void {
  const found = into.find((m) => m.currency === currency);
  if (found) found.amountMinor += amountMinor;
  else into.push({ currency, amountMinor });
}

export const moneyText = (money: Money[]) =>
  money.length ? money.map((m) => formatMoney(m.amountMinor, m.currency)).join(' + ') : '';

export interface InsightsOptions {
  db: pg.Pool;
  publishers: () => ReadonlyMap<Platform, Publisher>;
  shop: ShopReader;
  notifications: Notifier;
  timezone: string;
  logger: Logger;
  now: () => Date;
}

export class Insights {
  constructor(private readonly o: InsightsOptions) {}

  /** Reads the metrics of recent posts; a story is read until its 24 h are up, and then no more. */
  async collect(): Promise<{ read: number; failed: number }> {
    const now = this.o.now();
    const { rows } = await this.o.db.query<{
      id: string;
      channel: Platform;
      format: PostFormat;
      platform_post_id: string;
      published_at: Date;
    }>(
      `select p.id, p.channel, p.format, p.platform_post_id, p.published_at from social_posts p
       left join social_insights i on i.post_id = p.id
       where p.status = 'published' and p.platform_post_id is not null and p.platform_post_id not like 'container:%'
         and p.published_at > $1 and coalesce(i.final, false) = false
       order by p.published_at`,
      [new Date(now.getTime() - FEED_WINDOW)],
    );
    let read = 0;
    let failed = 0;
    for (const row of rows) {
      const age = now.getTime() - row.published_at.getTime();
      const story = row.format === 'story';
      if (story && age >= STORY_LIFE) {
        await this.o.db.query('update social_insights set final = true where post_id = $1', [row.id]);
        continue;
      }
      const publisher = this.o.publishers().get(row.channel);
      if (!publisher) continue;
      try {
        const metrics = await publisher.insights({
          platformPostId: row.platform_post_id,
          format: row.format,
          publishedAt: row.published_at,
        });
        // The last reading of a story falls in its last hours; a post settles after a week.
        const final = story ? age >= STORY_LIFE - 2 * HOUR : age >= FEED_WINDOW - 2 * HOUR;
        if (!Object.keys(metrics).length) continue;
        await this.o.db.query(
          `insert into social_insights (post_id, collected_at, metrics, final) values ($1, $2, $3, $4)
           on conflict (post_id) do update set collected_at = excluded.collected_at, metrics = excluded.metrics, final = excluded.final`,
          [row.id, now, metrics, final],
        );
        read += 1;
      } catch (error) {
        failed += 1;
        this.o.logger.warn(
          { post: row.id, err: (error as Error).message },
          'could not read a post’s insights',
        );
      }
    }
    return { read, failed };
  }

  /** Today's followers on each connected platform that tells. */
  async followers(): Promise<number> {
    const day = this.o.now().toISOString().slice(0, 10);
    let read = 0;
    for (const [channel, publisher] of this.o.publishers()) {
      if (!publisher.followers) continue;
      try {
        const count = await publisher.followers();
        if (count === undefined) continue;
        await this.o.db.query(
          `insert into social_followers (channel, day, followers) values ($1, $2, $3)
           on conflict (channel, day) do update set followers = excluded.followers`,
          [channel, day, count],
        );
        read += 1;
      } catch (error) {
        this.o.logger.warn({ channel, err: (error as Error).message }, 'could not read followers');
      }
    }
    return read;
  }

  async followerHistory(days = 30): Promise<{ channel: Platform; day: string; followers: number }[]> {
    const { rows } = await this.o.db.query<{ channel: Platform; day: string; followers: number }>(
      `select channel, to_char(day, 'YYYY-MM-DD') as day, followers from social_followers
       where day > current_date - $1::int order by day, channel`,
      [days],
    );
    return rows;
  }

  /** Every post published since `since`, with its metrics and the orders its link brought. */
  async performance(since: Date): Promise<PostPerformance[]> {
    const { rows } = await this.o.db.query<{
      id: string;
      channel: Platform;
      format: PostFormat;
      theme: string;
      product_ids: string[];
      caption: string;
      published_at: Date;
      permalink: string | null;
      metrics: Record<string, number> | null;
    }>(
      `select p.id, p.channel, p.format, p.theme, p.product_ids, p.caption, p.published_at, p.permalink, i.metrics
       from social_posts p left join social_insights i on i.post_id = p.id
       where p.status = 'published' and p.published_at >= $1 order by p.published_at desc`,
      [since],
    );
    const sales = new Map<string, { orders: number; revenue: Money[] }>();
    for (const row of await this.o.shop.campaignSales('social', since)) {
      const postId = postIdOf(row.content);
      if (!postId) continue;
      const entry = sales.get(postId) ?? { orders: 0, revenue: [] };
      entry.orders += row.orders;
      addMoney(entry.revenue, row.currency, row.totalMinor);
      sales.set(postId, entry);
    }
    return rows.map((row) => {
      const metrics = row.metrics ?? {};
      const sold = sales.get(row.id);
      return {
        postId: row.id,
        channel: row.channel,
        format: row.format,
        theme: row.theme,
        productIds: row.product_ids,
        caption: row.caption,
        publishedAt: row.published_at,
        permalink: row.permalink,
        metrics,
        reach: reachOf(metrics),
        interactions: interactionsOf(metrics),
        completion: row.format === 'story' ? storyCompletion(metrics) : undefined,
        orders: sold?.orders ?? 0,
        revenue: sold?.revenue ?? [],
      };
    });
  }

  /** Posts taken together by a key (theme, product, channel). */
  static breakdown(posts: PostPerformance[], keyOf: (post: PostPerformance) => string[]): Breakdown[] {
    const map = new Map<string, Breakdown>();
    for (const post of posts)
      for (const key of keyOf(post)) {
        const entry = map.get(key) ?? { key, posts: 0, reach: 0, orders: 0, revenue: [] };
        entry.posts += 1;
        entry.reach += post.reach;
        entry.orders += post.orders;
        for (const money of post.revenue) addMoney(entry.revenue, money.currency, money.amountMinor);
        map.set(key, entry);
      }
    return [...map.values()].sort((a, b) => b.orders - a.orders || b.reach - a.reach);
  }

  /** The local hours whose feed posts engaged best (interactions per person reached), best first. */
  bestHours(posts: PostPerformance[], channel: Platform): { hour: number; posts: number; rate: number }[] {
    const byHour = new Map<number, { posts: number; reach: number; interactions: number }>();
    for (const post of posts) {
      if (post.channel !== channel || post.format === 'story' || !post.reach) continue;
      const hour = hourIn(post.publishedAt, this.o.timezone);
      const entry = byHour.get(hour) ?? { posts: 0, reach: 0, interactions: 0 };
      entry.posts += 1;
      entry.reach += post.reach;
      entry.interactions += post.interactions;
      byHour.set(hour, entry);
    }
    return [...byHour.entries()]
      .map(([hour, e]) => ({ hour, posts: e.posts, rate: e.interactions / e.reach }))
      .filter((e) => e.posts >= 2)
      .sort((a, b) => b.rate - a.rate)
      .slice(0, 3);
  }

  /** The week's social report, to the Inbox and Telegram. */
  async weeklyReport(): Promise<string> {
    const now = this.o.now();
    const posts = await this.performance(new Date(now.getTime() - 7 * 24 * HOUR));
    const revenue: Money[] = [];
    for (const post of posts)
      for (const money of post.revenue) addMoney(revenue, money.currency, money.amountMinor);
    const orders = posts.reduce((sum, post) => sum + post.orders, 0);
    const best = [...posts].sort((a, b) => b.orders - a.orders || b.reach - a.reach)[0];
    const stories = posts.filter((post) => post.completion !== undefined);
    const completion = stories.length
      ? stories.reduce((sum, post) => sum + (post.completion ?? 0), 0) / stories.length
      : undefined;
    const themes = Insights.breakdown(posts, (post) => [post.theme]).slice(0, 3);
    const lines = [
      `${posts.length} posts went out this week; their links brought ${orders} order${orders === 1 ? '' : 's'}${revenue.length ? ` worth ${moneyText(revenue)}` : ''}.`,
      best
        ? `Best post: ${best.channel} ${best.format}, “${best.caption.slice(0, 60)}${best.caption.length > 60 ? '…' : ''}” (${best.orders} orders, ${best.reach} reached).`
        : '',
      completion !== undefined
        ? `Stories were watched to the end by ${Math.round(completion * 100)} % of viewers.`
        : '',
      themes.length ? `By theme: ${themes.map((t) => `${t.key} ${t.orders} orders`).join(', ')}.` : '',
    ].filter(Boolean);
    const body = lines.join('\n');
    await this.o.notifications.send({
      kind: 'social.weekly_report',
      severity: 'info',
      title: 'Social media this week',
      body,
      dedupeKey: `social.weekly:${now.toISOString().slice(0, 10)}`,
    });
    return body;
  }
}
