// Publishing a post exactly once. One process at a time holds a post (a database lock that a crash
// lets go); an attempt is recorded before the platform is called, and the handle the platform gives
// (a container, a publish id) as soon as it gives it. An attempt not seen to finish is looked up on
// the platform before anything is sent again: found, it is published; still processing, it waits;
// ready and never published, it is finished with the same handle; otherwise it is tried afresh.
// Right before sending, the product is checked again: sold out, gone, or a price the caption states
// that changed, and the post is held and the owner told. A platform error never loses the post: a
// passing one waits and tries again with backoff, a refusal holds it with the reason in plain words,
// an answer nobody understands holds it too (it may have gone live), never retried blindly.
import type pg from 'pg';
import type client from 'prom-client';
import { transaction } from '../../platform/db/database.ts';
import { emit } from '../../platform/events/outbox.ts';
import { IntegrationError } from '../../platform/integrations/integration-error.ts';
import { toDecimal } from '../../platform/money.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Notifier } from '../../platform/notify/face.ts';
import type { Catalog } from '../shop/index.ts';
import type { MediaLibrary } from './media-library.ts';
import type { Attempt, Post, PostStore } from './posts.ts';
import { postLink } from './utm.ts';
import {
  PostProblem,
  UnexpectedAnswer,
  refused,
  type OutgoingPost,
  type Platform,
  type Publisher,
  type Published,
} from './publishers/publisher.ts';

/** A story more than this past its hour is not sent late (after a stop, fifteen at once would flood). */
const STORY_LATE_MS = 2 * 3_600_000;
/** Minutes to wait after the 1st, 2nd, … failure that may pass; after the last the post has failed. */
const BACKOFF_MINUTES = [1, 2, 5, 15, 30, 60];
const CLICKABLE: Record<Platform, boolean> = {
  instagram: false,
  facebook: true,
  tiktok: false,
  linkedin: true,
};
const PLATFORM_NAMES: Record<Platform, string> = {
  instagram: 'Instagram',
  facebook: 'Facebook',
  tiktok: 'TikTok',
  linkedin: 'LinkedIn',
};

export type PublishOutcome = 'published' | 'waiting' | 'held' | 'failed' | 'skipped' | 'busy';

export interface PublishingOptions {
  db: pg.Pool;
  store: PostStore;
  publishers: () => ReadonlyMap<Platform, Publisher>;
  media: MediaLibrary;
  catalog: Catalog;
  notifications: Notifier;
  paused: () => Promise<boolean>;
  shopDomain: () => Promise<string | undefined>;
  logger: Logger;
  now: () => Date;
  /** Counts each run's outcome per platform for /metrics. */
  outcomes: client.Counter<'platform' | 'outcome'>;
}

export class Publishing {
  constructor(private readonly o: PublishingOptions) {}

  /**
   * Publishes the post if its time has come (or `now` is asked), at most once however often called.
   * One post per platform at a time, across processes: a post found on the account after a crash is
   * then told apart from the others, and the quota is read as it stands.
   */
  async publish(postId: string, { now = false } = {}): Promise<PublishOutcome> {
    const { channel } = await this.o.store.get(postId);
    const client = await this.o.db.connect();
    let locked = false;
    try {
      // Wait for the platform's turn, a minute at most; the next run tries again after that.
      await client.query(`set lock_timeout = '60s'`);
      try {
        await client.query(`select pg_advisory_lock(hashtext('social.publish:' || $1))`, [channel]);
        locked = true;
      } catch (error) {
        if ((error as { code?: string }).code === '55P03') return 'busy';
        throw error;
      }
      const outcome = await this.publishHeld(postId, now);
      this.o.outcomes.inc({ platform: channel, outcome });
      return outcome;
    } finally {
      if (locked)
        await client.query(`select pg_advisory_unlock(hashtext('social.publish:' || $1))`, [channel]);
      await client.query('reset lock_timeout').catch(() => undefined);
      client.release();
    }
  }

  private async publishHeld(postId: string, now: boolean): Promise<PublishOutcome> {
    const post = await this.o.store.get(postId);
    if (post.status !== 'scheduled' && post.status !== 'publishing') return 'skipped';
    const clock = this.o.now();
    if (
      post.status === 'scheduled' &&
      !now &&
      (post.publishAt > clock || (post.nextAttemptAt && post.nextAttemptAt > clock))
    )
      return 'skipped';
    if (await this.o.paused()) return 'waiting';
    if (
      post.format === 'story' &&
      !now &&
      clock.getTime() - post.publishAt.getTime() > STORY_LATE_MS &&
      !(await this.o.store.openAttempt(post.id))
    )
      return this.tooLate(post);
    const publisher = this.o.publishers().get(post.channel);
    if (!publisher)
      return this.hold(
        post,
        `${PLATFORM_NAMES[post.channel]} is not connected: connect it on Settings, then retry the post`,
      );

    let resume: Attempt | undefined;
    const open = await this.o.store.openAttempt(post.id);
    let outgoing: OutgoingPost | undefined;
    if (open) {
      outgoing = await this.outgoing(post);
      const claimed = await this.o.store.claimed(post.channel, post.id);
      let finding;
      try {
        finding = await publisher.find(outgoing, open, claimed);
      } catch (error) {
        this.o.logger.warn(
          { post: post.id, err: (error as Error).message },
          'could not look for an unfinished attempt',
        );
        const said = `could not check on ${PLATFORM_NAMES[post.channel]} whether the last try went out: ${(error as Error).message}`;
        // A refused token will not mend by waiting: the owner reconnects, then retries (it looks first).
        if (error instanceof IntegrationError && error.kind === 'auth') return this.hold(post, said);
        return this.later(post, said, true);
      }
      if (finding.state === 'published')
        return this.published(post, open.id, finding.published, 'reconciled');
      if (finding.state === 'pending')
        return this.later(post, `${PLATFORM_NAMES[post.channel]} is still processing it`, false);
      if (finding.state === 'resumable') resume = open;
      else await this.o.store.finishAttempt(open.id, 'abandoned', 'not found on the platform');
    }

    const changed = await this.factsChanged(post);
    if (changed) return this.hold(post, changed);
    if (!resume && publisher.quota) {
      try {
        const quota = await publisher.quota();
        if (quota.used >= quota.limit)
          return this.later(
            post,
            `${PLATFORM_NAMES[post.channel]}’s limit of ${quota.limit} posts a day is used up: it goes when the window allows`,
            false,
            60,
          );
      } catch (error) {
        this.o.logger.warn(
          { post: post.id, err: (error as Error).message },
          'could not read the publishing quota',
        );
      }
    }
    try {
      outgoing ??= await this.outgoing(post);
    } catch (error) {
      if (error instanceof PostProblem) return this.hold(post, error.message);
      throw error;
    }
    const attempt = resume ?? (await transaction(this.o.db, (tx) => this.o.store.startAttempt(post, tx)));
    try {
      const result = await publisher.publish(
        outgoing,
        {
          sending: () => this.o.store.sendingAttempt(attempt.id),
          named: (remoteId) => this.o.store.nameAttempt(attempt.id, remoteId),
        },
        resume,
      );
      return await this.published(post, attempt.id, result, 'published');
    } catch (error) {
      return this.failed(post, attempt.id, error);
    }
  }

  /** The post as the platform gets it: the link in the text where links are clickable, the media's URLs. */
  private async outgoing(post: Post): Promise<OutgoingPost> {
    const link = postLink({
      shopDomain: await this.o.shopDomain(),
      handle: post.facts.handle,
      channel: post.channel,
      campaign: post.facts.campaign ?? 'always-on',
      postId: post.id,
      variant: post.variant,
    });
    const media =
      post.format === 'text' && !post.sourceImageUrls.length
        ? { urls: [], files: [] }
        : await this.o.media.ensure(post);
    const caption = CLICKABLE[post.channel] && link ? `${post.caption}\n\n${link}` : post.caption;
    return {
      id: post.id,
      format: post.format,
      caption,
      link,
      mediaUrls: media.urls,
      mediaFiles: media.files,
    };
  }

  /** What changed about the product since the caption was written, in words; undefined when nothing did. */
  private async factsChanged(post: Post): Promise<string | undefined> {
    const [productId] = post.productIds;
    if (!productId) return undefined;
    const [product] = await this.o.catalog.products([productId]);
    const name = post.facts.title ?? 'the product';
    if (!product) return `${name} is no longer in the shop, so the post was held`;
    if (!product.available || (product.stock !== null && product.stock !== undefined && product.stock <= 0))
      return `${product.title} sold out since the post was written, so it was held`;
    const before = post.facts.priceMinor;
    if (before !== undefined && before !== product.priceMinor && post.format === 'story') {
      // A story's card shows the price: made again with today's.
      await this.o.media.forget(post.id);
      await this.o.store.refreshFacts(post.id, {
        ...post.facts,
        priceMinor: product.priceMinor,
        currency: product.currency,
      });
      post.facts = { ...post.facts, priceMinor: product.priceMinor, currency: product.currency };
      return undefined;
    }
    if (before !== undefined && before !== product.priceMinor) {
      const old = toDecimal(before, product.currency);
      if (post.caption.includes(old))
        return `${product.title}’s price changed from ${old} to ${toDecimal(product.priceMinor, product.currency)} ${product.currency} since the post was written, so it was held: edit the price and retry`;
    }
    return undefined;
  }

  private async published(
    post: Post,
    attemptId: string,
    result: Published,
    outcome: string,
  ): Promise<PublishOutcome> {
    const at = this.o.now();
    await transaction(this.o.db, async (tx) => {
      await this.o.store.finishAttempt(attemptId, outcome, result.platformPostId, tx);
      const done = await this.o.store.move(
        post.id,
        ['publishing', 'scheduled'],
        'published',
        {
          platform_post_id: result.platformPostId,
          permalink: result.permalink ?? null,
          published_at: at,
          error: null,
        },
        tx,
      );
      await emit(tx, 'post.published', {
        postId: post.id,
        channel: post.channel,
        format: post.format,
        platformPostId: result.platformPostId,
        permalink: result.permalink ?? null,
        publishedAt: at.toISOString(),
      });
      if (done.recurringDays)
        await this.o.store.create(
          {
            channel: done.channel,
            format: done.format,
            status: 'scheduled',
            caption: done.caption,
            sourceImageUrls: done.sourceImageUrls,
            productIds: done.productIds,
            theme: done.theme,
            audience: done.audience,
            publishAt: new Date(done.publishAt.getTime() + done.recurringDays * 86_400_000),
            slotKey: `recurring|${done.id}`,
            facts: done.facts,
            recurringDays: done.recurringDays,
            createdBy: 'evergreen',
          },
          tx,
        );
    });
    this.o.logger.info(
      { post: post.id, channel: post.channel, platformPostId: result.platformPostId },
      'post published',
    );
    return 'published';
  }

  private async failed(post: Post, attemptId: string, error: unknown): Promise<PublishOutcome> {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UnexpectedAnswer) {
      this.o.logger.error({ post: post.id, err: message }, 'a platform answer shopkeep does not understand');
      // The attempt stays open: a retry looks on the platform first.
      return this.hold(
        post,
        `${PLATFORM_NAMES[post.channel]} gave an answer shopkeep does not understand (${message}); it may have gone out: check the account, then retry or cancel`,
      );
    }
    if (refused(error)) {
      await this.o.store.finishAttempt(attemptId, 'failed', message);
      if (error instanceof IntegrationError && error.kind === 'rate_limited')
        return this.later(post, message, true, 60);
      if (error instanceof IntegrationError && error.kind === 'unavailable')
        return this.later(post, message, true);
      return this.hold(post, message);
    }
    // It may or may not have been acted on: the attempt stays open, and the next run looks first.
    return this.later(post, message, true);
  }

  /** Back to scheduled, to be tried again after a wait; after the last retry, failed. */
  private async later(
    post: Post,
    reason: string,
    counts: boolean,
    minutes?: number,
  ): Promise<PublishOutcome> {
    const fresh = await this.o.store.get(post.id);
    const failures = fresh.attempts;
    if (counts && failures >= BACKOFF_MINUTES.length) return this.giveUp(fresh, reason);
    const wait = minutes ?? BACKOFF_MINUTES[Math.max(0, Math.min(failures, BACKOFF_MINUTES.length) - 1)]!;
    await this.o.store.move(post.id, ['publishing', 'scheduled'], 'scheduled', {
      next_attempt_at: new Date(this.o.now().getTime() + wait * 60_000),
      error: reason,
    });
    return 'waiting';
  }

  /** A story whose hour passed while shopkeep was stopped: cancelled, with one notice a day for all. */
  private async tooLate(post: Post): Promise<PublishOutcome> {
    await this.o.store.move(post.id, ['scheduled', 'publishing'], 'cancelled', {
      error: 'its hour passed while shopkeep was not running; stories are not sent late',
    });
    await this.o.notifications.send({
      kind: 'social.stories_skipped',
      severity: 'info',
      title: 'Stories skipped',
      body: 'Some stories’ hours passed while shopkeep was not running, so they were not sent late. The next ones go as planned.',
      dedupeKey: `social.stories-skipped:${this.o.now().toISOString().slice(0, 10)}`,
    });
    return 'skipped';
  }

  private async giveUp(post: Post, reason: string): Promise<PublishOutcome> {
    await this.tellOwner(
      post,
      'failed',
      `${reason}. It was tried ${post.attempts} times; retry it from Social or Telegram.`,
    );
    return 'failed';
  }

  /** Holds the post for the owner with the reason, and tells them. */
  async hold(post: Post, reason: string): Promise<PublishOutcome> {
    await this.tellOwner(post, 'held', reason);
    return 'held';
  }

  private async tellOwner(post: Post, status: 'held' | 'failed', reason: string): Promise<void> {
    await transaction(this.o.db, async (tx) => {
      await this.o.store.move(
        post.id,
        ['publishing', 'scheduled', 'approved'],
        status,
        { error: reason },
        tx,
      );
      await emit(tx, 'post.failed', {
        postId: post.id,
        channel: post.channel,
        format: post.format,
        status,
        reason,
      });
    });
    await this.o.notifications.send({
      kind: 'social.post_held',
      severity: 'warning',
      title: `${PLATFORM_NAMES[post.channel]} ${post.format} ${status === 'held' ? 'held' : 'did not go out'}`,
      body: `${reason}\nOn the dashboard: /social/posts/${post.id} · on Telegram: /retrypost ${post.id.slice(0, 8)} or /cancelpost ${post.id.slice(0, 8)}`,
      dedupeKey: `social.${status}:${post.id}:${post.attempts}:${post.updatedAt.getTime()}`,
    });
  }
}
