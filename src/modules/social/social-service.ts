// The social module put together: the plan and the writing (content.ts), publishing exactly once
// (publishing.ts), the connected platforms and their tokens (connections.ts), media, insights and
// A/B tests, and the jobs that drive them. Routes, pages and Telegram commands call this.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type pg from 'pg';
import client from 'prom-client';
import { defineJob, type AnyJob, type JobDefinition, type JobQueue } from '../../platform/jobs/job-queue.ts';
import { transaction, type Queryable } from '../../platform/db/database.ts';
import { conflict, invalid } from '../../platform/errors.ts';
import { checkTarget, TargetRefused } from '../../platform/net/guarded-post.ts';
import { instantAt, isDate } from '../../platform/dates.ts';
import { parseCsv, CsvError } from '../../platform/documents/csv-parser.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/http/metrics.ts';
import type { Notifier } from '../../platform/notify/face.ts';
import type { Secrets } from '../../platform/vault/face.ts';
import { subscription, type Subscription } from '../../platform/events/outbox.ts';
import type { Approvals } from '../approvals/index.ts';
import type { Catalog, ShopReader } from '../shop/index.ts';
import type { Writer } from '../ai/index.ts';
import { AbTests } from './ab-tests.ts';
import { Connections } from './connections.ts';
import { Content, type NewManualPost } from './content.ts';
import { Insights, type PostPerformance } from './insights.ts';
import { MediaLibrary } from './media-library.ts';
import { MediaStore, newMediaKey } from './media.ts';
import { PostStore, type Post } from './posts.ts';
import { Publishing } from './publishing.ts';
import {
  PLATFORMS,
  PostProblem,
  isPlatform,
  type Platform,
  type PostFormat,
} from './publishers/publisher.ts';
import type { SocialSettings } from './settings.ts';

export interface SocialServiceOptions {
  db: pg.Pool;
  settings: SocialSettings;
  jobs: JobQueue;
  catalog: Catalog;
  shop: ShopReader;
  writer: Writer;
  approvals: Approvals;
  notifications: Notifier;
  vault: Secrets;
  logger: Logger;
  metrics: Metrics;
  timezone: string;
  dataDir: string;
  publicUrl: string;
  now: () => Date;
}

const FORMATS: PostFormat[] = ['feed', 'carousel', 'story', 'text'];

function publishOutcomes(metrics: Metrics): client.Counter<'platform' | 'outcome'> {
  const outcomes = new client.Counter({
    name: 'shopkeep_social_publish_outcomes_total',
    help: 'Publishing runs by platform and outcome (published; waiting: a passing failure, tried again later; held for the owner; failed after every retry; skipped)',
    labelNames: ['platform', 'outcome'],
    registers: [metrics.registry],
  });
  // Failures start at 0, so Prometheus sees the first one as an increase.
  for (const platform of PLATFORMS) outcomes.inc({ platform, outcome: 'failed' }, 0);
  return outcomes;
}

export class SocialService {
  readonly store: PostStore;
  readonly content: Content;
  readonly publishing: Publishing;
  readonly connections: Connections;
  readonly media: MediaLibrary;
  readonly insights: Insights;
  readonly abTests: AbTests;
  readonly timezone: string;
  readonly now: () => Date;
  private readonly jobList: AnyJob[];
  private dueJob!: JobDefinition<{ sweep?: string }>;
  private readonly planJob = defineJob({
    name: 'social.plan',
    cron: '0 5 * * *',
    handler: async () => void (await this.content.plan()),
  });
  private mediaKey: Buffer | undefined;

  constructor(private readonly o: SocialServiceOptions) {
    this.timezone = o.timezone;
    this.now = o.now;
    this.store = new PostStore(o.db);
    this.connections = new Connections(o.settings, o.db, o.vault, o.notifications, o.logger, o.now);
    this.media = new MediaLibrary(
      o.db,
      new MediaStore(
        path.join(o.dataDir, 'media', 'social'),
        () => this.signingKey(),
        () => o.settings.mediaPublicUrl ?? o.publicUrl,
        o.now,
      ),
    );
    this.abTests = new AbTests(o.db);
    const write = defineJob<{ postId: string }>({
      name: 'social.write',
      // A week is some thirty drafts and a hundred images: a few at a time, not one a second.
      concurrency: 4,
      handler: async ({ postId }) => void (await this.content.write(postId)),
    });
    const prepare = defineJob<{ postId: string }>({
      name: 'social.prepare',
      concurrency: 4,
      handler: async ({ postId }) => this.prepare(postId),
    });
    const publish = defineJob<{ postId: string; now?: boolean }>({
      name: 'social.publish',
      retryLimit: 3,
      concurrency: 4,
      handler: async ({ postId, now }) => void (await this.publishing.publish(postId, { now: now === true })),
    });
    const send = (
      job: AnyJob,
      data: object,
      options: { key?: string; at?: Date; tx?: Queryable | undefined },
    ) =>
      o.jobs.send(job, data, {
        ...(options.key ? { idempotencyKey: options.key } : {}),
        ...(options.at
          ? { startAfterSeconds: Math.max(0, Math.ceil((options.at.getTime() - o.now().getTime()) / 1000)) }
          : {}),
        ...(options.tx ? { tx: options.tx } : {}),
      });
    this.content = new Content({
      db: o.db,
      store: this.store,
      catalog: o.catalog,
      writer: o.writer,
      timezone: o.timezone,
      now: o.now,
      connected: () => this.connections.connected(),
      queue: {
        write: async (postId, tx) => void (await send(write, { postId }, { key: `write:${postId}`, tx })),
        prepare: async (postId, tx) => void (await send(prepare, { postId }, { tx })),
        publish: async (postId, at, tx) =>
          void (await send(publish, at === 'now' ? { postId, now: true } : { postId }, {
            ...(at === 'now' ? {} : { key: `${postId}@${at.toISOString()}`, at }),
            tx,
          })),
      },
      lessons: (channel) => this.abTests.lessons(channel),
      checkImageSource: async (url) => {
        try {
          await checkTarget(url, o.settings.allowPrivateImageSources);
        } catch (error) {
          if (!(error instanceof TargetRefused)) throw error;
          throw invalid(
            `${new URL(url).hostname} is on this box's own network: give a public image address (or set SHOPKEEP_MEDIA_PRIVATE_SOURCES=allow)`,
          );
        }
      },
    });
    this.publishing = new Publishing({
      db: o.db,
      store: this.store,
      publishers: () => this.connections.publishers(),
      media: this.media,
      catalog: o.catalog,
      notifications: o.notifications,
      paused: async () => (await o.approvals.paused()).paused,
      shopDomain: async () => {
        try {
          return (await o.shop.info()).domain;
        } catch {
          return undefined;
        }
      },
      logger: o.logger,
      now: o.now,
      outcomes: publishOutcomes(o.metrics),
    });
    this.insights = new Insights({
      db: o.db,
      publishers: () => this.connections.publishers(),
      shop: o.shop,
      notifications: o.notifications,
      timezone: o.timezone,
      logger: o.logger,
      now: o.now,
    });
    this.jobList = [
      write,
      prepare,
      publish,
      (this.dueJob = defineJob<{ sweep?: string }>({
        name: 'social.due',
        cron: '* * * * *',
        handler: async ({ sweep }) => {
          // Once a minute, or at once after a start (its own keys: the dead process's are still taken).
          const minute = sweep ?? String(Math.floor(o.now().getTime() / 60_000));
          for (const post of await this.store.due(o.now()))
            await send(publish, { postId: post.id }, { key: `${post.id}:due:${minute}` });
          if (await this.planRunsDry()) await this.content.plan();
          for (const post of await this.stalled())
            await send(post.status === 'planned' ? write : prepare, { postId: post.id }, {});
        },
      })),
      this.planJob,
      defineJob({
        name: 'social.insights',
        cron: '20 * * * *',
        handler: async () => {
          await this.insights.collect();
          await this.abTests.evaluate(o.now());
        },
      }),
      defineJob({
        name: 'social.followers',
        cron: '50 23 * * *',
        handler: async () => void (await this.insights.followers()),
      }),
      defineJob({
        name: 'social.tokens',
        cron: '5 * * * *',
        handler: async () => void (await this.connections.check()),
      }),
      defineJob({
        name: 'social.weekly-report',
        cron: '0 9 * * 1',
        handler: async () => void (await this.insights.weeklyReport()),
      }),
    ];
  }

  jobs(): AnyJob[] {
    return this.jobList;
  }

  /** Right after a start: what came due while shopkeep was down goes now, not at the next minute. */
  async sweepSoon(): Promise<void> {
    await this.o.jobs.send(this.dueJob, { sweep: `start-${randomUUID()}` });
  }

  /** At start: the coming week planned soon (once an hour at most), not only at 05:00. */
  async planSoon(): Promise<void> {
    if (!this.connections.connected().length) return;
    await this.o.jobs.send(
      this.planJob,
      {},
      { idempotencyKey: `start:${this.o.now().toISOString().slice(0, 13)}` },
    );
  }

  /**
   * Whether nothing is planned for the next two days (a first start before the catalog arrived, a
   * platform connected since): then the plan is made now rather than at 05:00.
   */
  private async planRunsDry(): Promise<boolean> {
    if (!this.connections.connected().length) return false;
    const { rows } = await this.o.db.query(
      `select 1 from social_posts where publish_at > $1 and publish_at < $1::timestamptz + interval '2 days' limit 1`,
      [this.o.now()],
    );
    return rows.length === 0;
  }

  /** Posts whose writing or preparing job was lost (a queue wiped in a restore): queued again. */
  private async stalled(): Promise<Post[]> {
    const { rows } = await this.o.db.query<{ id: string; status: Post['status'] }>(
      `select id, status from social_posts
       where status in ('planned', 'approved') and updated_at < $1::timestamptz - interval '10 minutes'
         and publish_at < $1::timestamptz + interval '8 days' limit 20`,
      [this.o.now()],
    );
    return rows.map((row) => ({ id: row.id, status: row.status }) as Post);
  }

  private async signingKey(): Promise<Buffer> {
    if (this.mediaKey) return this.mediaKey;
    let key = await this.o.vault.get('social.media-signing-key');
    if (!key) {
      key = newMediaKey();
      await this.o.vault.set('social.media-signing-key', key);
      key = (await this.o.vault.get('social.media-signing-key')) ?? key;
    }
    this.mediaKey = Buffer.from(key, 'base64');
    return this.mediaKey;
  }

  /** An approved post's images prepared; a problem holds it now, with the reason, not at its time. */
  async prepare(postId: string): Promise<void> {
    const post = await this.store.get(postId);
    if (post.status !== 'approved') return;
    if (post.format !== 'text' || post.sourceImageUrls.length)
      try {
        await this.media.ensure(post);
      } catch (error) {
        if (error instanceof PostProblem) {
          await this.publishing.hold(post, error.message);
          return;
        }
        throw error;
      }
    await transaction(this.o.db, (tx) => this.content.scheduled(post, tx));
  }

  subscriptions(): Subscription[] {
    return [
      subscription({
        name: 'social.owner-decided',
        types: ['approval.decided', 'approval.expired'],
        handle: async ({ type, payload }) => {
          if (payload.kind !== 'social.post') return;
          if (type === 'approval.expired') return this.content.decided(payload.approvalId, 'expired', null);
          const approval = await this.o.approvals.get(payload.approvalId);
          await this.content.decided(approval.id, approval.status, approval.finalText);
        },
      }),
      subscription({
        name: 'social.rewrite-post',
        types: ['approval.regenerate_requested'],
        handle: async ({ payload: { approvalId, kind, channel, productIds, reason } }) => {
          if (kind !== 'social.post') return;
          if (await this.content.rewrite(approvalId, reason)) return;
          // A draft written outside the plan (Write a post now): written again as it was asked.
          if (isPlatform(channel) && productIds[0])
            await this.o.writer.draft({ channel, productId: productIds[0], feedback: reason });
        },
      }),
    ];
  }

  /** Reads a CSV of posts (channel, publish_at, caption, image_url, product_id, format), all or nothing. */
  async importCsv(text: string, createdBy: string): Promise<Post[]> {
    let rows;
    try {
      rows = parseCsv(text);
    } catch (error) {
      if (error instanceof CsvError) throw invalid(`the file is not CSV: ${error.message}`);
      throw error;
    }
    const [header, ...body] = rows;
    if (!header) throw invalid('the file is empty');
    const columns = header.fields.map((field) => field.trim().toLowerCase());
    for (const needed of ['channel', 'caption'])
      if (!columns.includes(needed))
        throw invalid(`the first line must name the columns; "${needed}" is missing`);
    const cell = (fields: string[], name: string) => {
      const i = columns.indexOf(name);
      return i >= 0 ? (fields[i] ?? '').trim() : '';
    };
    const inputs = body
      .filter((row) => row.fields.some((field) => field.trim()))
      .map((row) => {
        const channel = cell(row.fields, 'channel').toLowerCase();
        const format = cell(row.fields, 'format').toLowerCase();
        const at = cell(row.fields, 'publish_at');
        const image = cell(row.fields, 'image_url');
        const product = cell(row.fields, 'product_id');
        const input: NewManualPost = {
          channel: isPlatform(channel) ? channel : (`?${channel}` as Platform),
          caption: cell(row.fields, 'caption'),
          ...(format ? { format: format as PostFormat } : {}),
          ...(at ? { publishAt: this.csvTime(at) } : {}),
          ...(image ? { imageUrls: image.split(/\s*;\s*/) } : {}),
          ...(product ? { productId: product } : {}),
        };
        return { line: row.line, input };
      });
    if (!inputs.length) throw invalid('the file has no posts under its header line');
    for (const { line, input } of inputs) {
      if (!isPlatform(input.channel))
        throw invalid(`line ${line}: channel must be instagram, facebook, tiktok or linkedin`);
      if (input.format && !FORMATS.includes(input.format))
        throw invalid(`line ${line}: format must be feed, carousel, story or text`);
      if (input.publishAt && Number.isNaN(input.publishAt.getTime()))
        throw invalid(
          `line ${line}: publish_at is not a date and time (2026-12-24 09:00 in the shop's time zone, or 2026-12-24T09:00:00Z)`,
        );
    }
    return this.content.importCsv(inputs, createdBy);
  }

  /** A CSV time: with an offset (Z, +01:00) as written, without one in the shop's time zone. */
  private csvTime(text: string): Date {
    const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::00)?$/.exec(text);
    if (local && isDate(local[1]!)) return instantAt(local[1]!, local[2]!, this.o.timezone);
    return /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? new Date(text) : new Date(NaN);
  }

  /** Starts an A/B test of a planned post's caption: a second version of it, written differently, a day later. */
  async abTest(postId: string): Promise<{ testId: string; variantB: Post }> {
    const post = await this.store.get(postId);
    if (!['planned', 'drafted', 'approved', 'scheduled'].includes(post.status))
      throw conflict(`the post is ${post.status}: only a post still to go out can be tested`);
    if (post.abTestId) throw conflict('the post is in a test already');
    const [productId] = post.productIds;
    if (!productId || post.format === 'story')
      throw invalid('only a post about a product, not a story, can be tested');
    const testId = await this.abTests.start(post.channel, productId, 'caption');
    const variantB = await transaction(this.o.db, async (tx) => {
      await tx.query(`update social_posts set ab_test_id = $2, variant = 'a' where id = $1`, [
        post.id,
        testId,
      ]);
      const created = await this.store.create(
        {
          channel: post.channel,
          format: post.format,
          status: 'planned',
          sourceImageUrls: post.sourceImageUrls,
          productIds: post.productIds,
          theme: post.theme,
          audience: post.audience,
          publishAt: new Date(post.publishAt.getTime() + 86_400_000),
          slotKey: `ab|${testId}|b`,
          facts: post.facts,
          abTestId: testId,
          variant: 'b',
          createdBy: 'ab-test',
        },
        tx,
      );
      await this.content.queueWrite(created!.id, tx);
      return created!;
    });
    return { testId, variantB };
  }

  /** How many posts went out on each platform since a moment (the home page's activity). */
  activitySince(since: Date) {
    return this.o.db
      .query<{ channel: string; n: number }>(
        `select channel, count(*)::int as n from social_posts where status = 'published' and published_at > $1 group by channel order by channel`,
        [since],
      )
      .then(({ rows }) => ({ rows }));
  }

  /** Signed URLs of the images already prepared for a post (none are made here). */
  async previewImages(post: Post): Promise<string[]> {
    const { rows } = await this.o.db.query<{ id: string }>(
      'select id from social_media where post_id = $1 order by position',
      [post.id],
    );
    // Shown from this server itself, whatever public address the platforms use.
    return Promise.all(
      rows.map(async (row) => {
        const url = new URL(await this.media.store.signedUrl(row.id, 1));
        return `${url.pathname}${url.search}`;
      }),
    );
  }

  /** Posts taken together by theme or by product (named by the catalog). */
  insightsBreakdown(posts: PostPerformance[], by: 'theme' | 'product') {
    return Insights.breakdown(posts, (post) => (by === 'theme' ? [post.theme] : post.productIds));
  }

  /** What the dashboard and the API show about the platforms: connected or not, token expiry. */
  async platforms(): Promise<{ platform: Platform; connected: boolean; expiresAt: Date | null }[]> {
    const connected = new Set(this.connections.connected());
    const tokens = new Map(
      (await this.connections.states()).map((state) => [state.channel, state.expiresAt]),
    );
    return (['instagram', 'facebook', 'tiktok', 'linkedin'] as Platform[]).map((platform) => ({
      platform,
      connected: connected.has(platform),
      expiresAt: tokens.get(platform) ?? null,
    }));
  }
}
