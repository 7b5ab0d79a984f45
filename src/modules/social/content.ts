// The content side of the social module: the week planned from the slots and the catalog, each post
// written through the AI writer and its QA gate (to the owner on Telegram when the gate is unsure),
// posts the owner writes or imports taken through the same gate, and what the owner does to a post
// (retry, publish now, reschedule, cancel).
import type pg from 'pg';
import { transaction, type Queryable } from '../../platform/db/database.ts';
import { emit } from '../../platform/events/outbox.ts';
import { conflict, invalid } from '../../platform/errors.ts';
import { dayIn } from '../../platform/dates.ts';
import type { Catalog, CatalogProduct } from '../shop/index.ts';
import type { Writer } from '../ai/index.ts';
import { campaignOf, laneOf, pickProducts, slotTimes, type Slot } from './planner.ts';
import type { NewPost, Post, PostFacts, PostStatus, PostStore } from './posts.ts';
import type { Platform, PostFormat } from './publishers/publisher.ts';

/** What the owner may not do to a post in each state. */
const CANCELLABLE: PostStatus[] = ['planned', 'drafted', 'approved', 'scheduled', 'held', 'failed'];
const RESCHEDULABLE: PostStatus[] = ['planned', 'drafted', 'approved', 'scheduled', 'held', 'failed'];

const AUDIENCE_BRIEF = {
  shoppers: '',
  salons:
    'This post is for salon owners and stylists (B2B): speak to professionals, mention trade prices and wholesale orders for salons, no consumer slang.',
};

const THEME_BRIEF: Record<string, string> = {
  new: 'The product is new in the shop: say so.',
  overstock: 'The shop has plenty of it: make it the pick of the week.',
  seasonal: 'Tie it to the season.',
  salon: '',
  product: '',
};

export interface NewManualPost {
  channel: Platform;
  format?: PostFormat;
  caption: string;
  imageUrls?: string[];
  productId?: string;
  publishAt?: Date;
  recurringDays?: number;
}

export interface PlanSummary {
  planned: number;
  toWrite: number;
  stories: number;
}

export interface ContentOptions {
  db: pg.Pool;
  store: PostStore;
  catalog: Catalog;
  writer: Writer;
  timezone: string;
  now: () => Date;
  /** Which platforms are connected (the plan only fills their slots). */
  connected: () => Platform[];
  /** Queue work: write a post, prepare and schedule one, publish one (now or at its time). */
  queue: {
    write(postId: string, tx?: Queryable): Promise<void>;
    prepare(postId: string, tx?: Queryable): Promise<void>;
    publish(postId: string, at: Date | 'now', tx?: Queryable): Promise<void>;
  };
  /** What the writer should learn from finished A/B tests on this channel. */
  lessons: (channel: Platform) => Promise<string>;
  /** Refuses an image address inside the box's own network (unless the owner allows it). */
  checkImageSource: (url: string) => Promise<void>;
}

export class Content {
  constructor(private readonly o: ContentOptions) {}

  async slots(): Promise<Slot[]> {
    const { rows } = await this.o.db.query<{
      id: string;
      channel: Platform;
      format: PostFormat;
      weekdays: number[];
      local_time: string;
      audience: 'shoppers' | 'salons';
    }>(
      'select id, channel, format, weekdays, local_time, audience from social_slots where active order by channel, local_time',
    );
    return rows.map((row) => ({
      id: row.id,
      channel: row.channel,
      format: row.format,
      weekdays: row.weekdays,
      localTime: row.local_time,
      audience: row.audience,
    }));
  }

  /** Plans the coming `days` for the connected platforms: one post per slot time, written next. */
  async plan(days = 7): Promise<PlanSummary> {
    const now = this.o.now();
    const connected = new Set(this.o.connected());
    const slots = (await this.slots()).filter((slot) => connected.has(slot.channel));
    const times = slotTimes(slots, dayIn(now, this.o.timezone), days + 1, this.o.timezone, now).filter(
      (time) => time.at.getTime() <= now.getTime() + days * 86_400_000,
    );
    const recent = new Map<string, Map<string, Date>>();
    for (const shown of await this.o.store.recentProducts(new Date(now.getTime() - 3 * 86_400_000))) {
      const lane = laneOf(shown.channel, shown.format);
      const map = recent.get(lane) ?? new Map<string, Date>();
      map.set(shown.productId, shown.at);
      recent.set(lane, map);
    }
    const picks = pickProducts(times, await this.o.catalog.all(), recent);
    const summary: PlanSummary = { planned: 0, toWrite: 0, stories: 0 };
    for (const time of times) {
      const pick = picks.get(time.key);
      if (!pick) continue;
      const story = time.slot.format === 'story';
      const created = await transaction(this.o.db, async (tx) => {
        const post = await this.o.store.create(
          {
            channel: time.slot.channel,
            format: time.slot.format,
            status: story ? 'approved' : 'planned',
            sourceImageUrls: pick.product.imageUrl ? [pick.product.imageUrl] : [],
            productIds: [pick.product.id],
            theme: pick.theme,
            audience: time.slot.audience,
            publishAt: time.at,
            slotKey: time.key,
            facts: factsOf(pick.product, campaignOf(pick.theme, time.day)),
            createdBy: 'planner',
          },
          tx,
        );
        if (post && story) await this.o.queue.prepare(post.id, tx);
        else if (post) await this.o.queue.write(post.id, tx);
        return post;
      });
      if (!created) continue;
      summary.planned += 1;
      if (story) summary.stories += 1;
      else summary.toWrite += 1;
    }
    return summary;
  }

  /** Queues the writing of a planned post (inside `tx`: it exists only if the post does). */
  queueWrite(postId: string, tx: Queryable): Promise<void> {
    return this.o.queue.write(postId, tx);
  }

  /** Writes a planned post (or writes it again, with the owner's reason): to scheduled, or to the owner. */
  async write(postId: string, feedback?: string): Promise<Post> {
    const post = await this.o.store.get(postId);
    if (post.status !== 'planned') return post;
    const [productId] = post.productIds;
    if (!productId) throw invalid('a planned post needs a product to write about');
    const brief = [
      AUDIENCE_BRIEF[post.audience],
      THEME_BRIEF[post.theme] ?? '',
      await this.o.lessons(post.channel),
    ]
      .filter(Boolean)
      .join(' ');
    const outcome = await this.o.writer.draft({
      channel: post.channel,
      productId,
      brief,
      ...(feedback ? { feedback } : {}),
    });
    return this.settled(post, outcome);
  }

  private async settled(
    post: Post,
    outcome: {
      outcome: 'approved' | 'awaiting_owner';
      text: string;
      review: { id: string };
      approvalId?: string;
    },
  ): Promise<Post> {
    if (outcome.outcome === 'approved')
      return transaction(this.o.db, async (tx) => {
        const approved = await this.o.store.move(
          post.id,
          ['planned'],
          'approved',
          {
            caption: outcome.text,
            qa_review_id: outcome.review.id,
            error: null,
          },
          tx,
        );
        await this.o.queue.prepare(post.id, tx);
        return approved;
      });
    return this.o.store.move(post.id, ['planned'], 'drafted', {
      caption: outcome.text,
      qa_review_id: outcome.review.id,
      approval_id: outcome.approvalId ?? null,
    });
  }

  /** The owner decided on a draft (on Telegram or the dashboard). */
  async decided(approvalId: string, status: string, finalText: string | null): Promise<void> {
    const post = await this.o.store.byApproval(approvalId);
    if (!post || post.status !== 'drafted') return;
    if (status === 'approved' || status === 'edited') {
      await transaction(this.o.db, async (tx) => {
        await this.o.store.move(
          post.id,
          ['drafted'],
          'approved',
          { caption: finalText ?? post.caption, error: null },
          tx,
        );
        await this.o.queue.prepare(post.id, tx);
      });
    } else if (status === 'rejected' || status === 'expired') {
      await this.o.store.move(post.id, ['drafted'], 'cancelled', {
        error: status === 'rejected' ? 'you rejected the draft' : 'nobody approved the draft in time',
      });
    }
  }

  /** The owner asked for the draft again: it goes back to planned and is written with their reason. */
  async rewrite(approvalId: string, reason: string): Promise<boolean> {
    const post = await this.o.store.byApproval(approvalId);
    if (!post) return false;
    if (post.status !== 'drafted') return true;
    await this.o.store.move(post.id, ['drafted'], 'planned', { approval_id: null });
    await this.write(post.id, reason);
    return true;
  }

  /** Images prepared (a problem holds the post now, not at its time), then scheduled for its time. */
  async scheduled(post: Post, tx: Queryable): Promise<void> {
    const moved = await this.o.store.move(post.id, ['approved'], 'scheduled', { error: null }, tx);
    await emit(tx as pg.PoolClient, 'post.scheduled', {
      postId: moved.id,
      channel: moved.channel,
      format: moved.format,
      publishAt: moved.publishAt.toISOString(),
    });
    await this.o.queue.publish(moved.id, moved.publishAt, tx);
  }

  /** A post the owner (or a CSV, or the API) wrote: checked, then through the QA gate. */
  async create(input: NewManualPost, createdBy: string): Promise<Post> {
    const checked = await this.checked(input);
    const post = await this.o.store.create({ ...checked, createdBy });
    if (!post) throw conflict('the post could not be stored');
    const outcome = await this.o.writer.review({
      channel: post.channel,
      text: post.caption,
      productIds: post.productIds,
      title: `${post.channel}: ${post.facts.title ?? 'your post'}`,
    });
    return this.settled(post, outcome);
  }

  /** Checks every row before any is stored: a file with a bad row stores nothing and names the row. */
  async importCsv(rows: { line: number; input: NewManualPost }[], createdBy: string): Promise<Post[]> {
    const problems: string[] = [];
    for (const row of rows) {
      try {
        await this.checked(row.input);
      } catch (error) {
        problems.push(`line ${row.line}: ${(error as Error).message}`);
      }
    }
    if (problems.length) throw invalid(`nothing was imported: ${problems.slice(0, 10).join('; ')}`);
    const created: Post[] = [];
    for (const row of rows) created.push(await this.create(row.input, createdBy));
    return created;
  }

  private async checked(input: NewManualPost): Promise<NewPost> {
    let product: CatalogProduct | undefined;
    if (input.productId) {
      [product] = await this.o.catalog.products([input.productId]);
      if (!product) throw invalid(`there is no product ${input.productId} in the shop`);
    }
    const images = input.imageUrls?.length ? input.imageUrls : product?.imageUrl ? [product.imageUrl] : [];
    // Facebook and LinkedIn take a post without a picture; the others need one.
    const format = input.format ?? (images.length ? 'feed' : 'text');
    for (const url of images) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw invalid(`"${url}" is not an image address`);
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
        throw invalid(`"${url}" is not an http(s) address`);
      // An address the owner typed is fetched by this box: never one inside its own network.
      if (input.imageUrls?.includes(url)) await this.o.checkImageSource(url);
    }
    if ((input.channel === 'instagram' || input.channel === 'tiktok') && !images.length)
      throw invalid(`${input.channel} posts need an image: give imageUrls or a productId with a photo`);
    if (format === 'carousel' && images.length < 2) throw invalid('a carousel needs 2 to 10 images');
    if (images.length > 10) throw invalid('a post takes at most 10 images');
    if (!input.caption.trim() && format !== 'story') throw invalid('the caption is empty');
    const publishAt = input.publishAt ?? this.o.now();
    if (Number.isNaN(publishAt.getTime())) throw invalid('publishAt is not a date');
    return {
      channel: input.channel,
      format,
      status: 'planned',
      caption: input.caption.trim(),
      sourceImageUrls: images,
      productIds: product ? [product.id] : [],
      theme: 'manual',
      publishAt,
      facts: product ? factsOf(product, 'manual') : { campaign: 'manual' },
      ...(input.recurringDays ? { recurringDays: input.recurringDays } : {}),
      createdBy: 'owner',
    };
  }

  async retry(id: string): Promise<Post> {
    const post = await this.o.store.move(id, ['held', 'failed'], 'scheduled', {
      error: null,
      next_attempt_at: null,
    });
    await this.o.queue.publish(post.id, 'now');
    return post;
  }

  async publishNow(id: string): Promise<Post> {
    const post = await this.o.store.get(id);
    if (post.status === 'approved') throw conflict('its images are being prepared: try again in a moment');
    const moved = await this.o.store.move(id, ['scheduled', 'held', 'failed'], 'scheduled', {
      error: null,
      next_attempt_at: null,
      publish_at: this.o.now(),
    });
    await this.o.queue.publish(moved.id, 'now');
    return moved;
  }

  async reschedule(id: string, at: Date): Promise<Post> {
    if (Number.isNaN(at.getTime())) throw invalid('the new time is not a date');
    if (at.getTime() < this.o.now().getTime() - 60_000) throw invalid('the new time is in the past');
    const post = await this.o.store.get(id);
    if (!RESCHEDULABLE.includes(post.status))
      throw conflict(`the post is ${post.status}, so it cannot be moved`);
    const to = post.status === 'held' || post.status === 'failed' ? 'scheduled' : post.status;
    const moved = await this.o.store.move(id, [post.status], to, {
      publish_at: at,
      next_attempt_at: null,
      error: null,
    });
    if (to === 'scheduled') await this.o.queue.publish(moved.id, at);
    return moved;
  }

  async cancel(id: string): Promise<Post> {
    return this.o.store.move(id, CANCELLABLE, 'cancelled', { error: 'cancelled by you' });
  }
}

export function factsOf(product: CatalogProduct, campaign: string): PostFacts {
  return {
    title: product.title,
    priceMinor: product.priceMinor,
    currency: product.currency,
    ...(product.handle ? { handle: product.handle } : {}),
    campaign,
  };
}
