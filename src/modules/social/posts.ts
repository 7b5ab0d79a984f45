// The posts and their life, stored: planned → drafted (waiting for the owner) → approved → scheduled
// → publishing → published, or failed, held (the owner must look) or cancelled. Every change of state
// goes through here; the publish attempts beside them are what make a crash safe.
import type pg from 'pg';
import type { Queryable } from '../../platform/db/database.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import type { Platform, PostFormat } from './publishers/publisher.ts';

export const STATUSES = [
  'planned',
  'drafted',
  'approved',
  'scheduled',
  'publishing',
  'published',
  'failed',
  'held',
  'cancelled',
] as const;
export type PostStatus = (typeof STATUSES)[number];

/** The catalog facts a caption was written with, checked again just before publishing. */
export interface PostFacts {
  title?: string;
  priceMinor?: number;
  currency?: string;
  handle?: string;
  campaign?: string;
}

export interface Post {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  channel: Platform;
  format: PostFormat;
  status: PostStatus;
  caption: string;
  sourceImageUrls: string[];
  productIds: string[];
  theme: string;
  audience: 'shoppers' | 'salons';
  publishAt: Date;
  facts: PostFacts;
  approvalId: string | null;
  qaReviewId: string | null;
  abTestId: string | null;
  variant: string | null;
  recurringDays: number | null;
  platformPostId: string | null;
  permalink: string | null;
  publishedAt: Date | null;
  attempts: number;
  nextAttemptAt: Date | null;
  error: string | null;
  createdBy: string;
}

export interface NewPost {
  channel: Platform;
  format: PostFormat;
  status: PostStatus;
  caption?: string;
  sourceImageUrls?: string[];
  productIds?: string[];
  theme?: string;
  audience?: 'shoppers' | 'salons';
  publishAt: Date;
  slotKey?: string;
  facts?: PostFacts;
  abTestId?: string;
  variant?: string;
  recurringDays?: number;
  createdBy: string;
}

interface Row {
  id: string;
  created_at: Date;
  updated_at: Date;
  channel: Platform;
  format: PostFormat;
  status: PostStatus;
  caption: string;
  source_image_urls: string[];
  product_ids: string[];
  theme: string;
  audience: 'shoppers' | 'salons';
  publish_at: Date;
  facts: PostFacts;
  approval_id: string | null;
  qa_review_id: string | null;
  ab_test_id: string | null;
  variant: string | null;
  recurring_days: number | null;
  platform_post_id: string | null;
  permalink: string | null;
  published_at: Date | null;
  attempts: number;
  next_attempt_at: Date | null;
  error: string | null;
  created_by: string;
}

const fromRow = (row: Row): Post => ({
  id: row.id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  channel: row.channel,
  format: row.format,
  status: row.status,
  caption: row.caption,
  sourceImageUrls: row.source_image_urls,
  productIds: row.product_ids,
  theme: row.theme,
  audience: row.audience,
  publishAt: row.publish_at,
  facts: row.facts,
  approvalId: row.approval_id,
  qaReviewId: row.qa_review_id,
  abTestId: row.ab_test_id,
  variant: row.variant,
  recurringDays: row.recurring_days,
  platformPostId: row.platform_post_id,
  permalink: row.permalink,
  publishedAt: row.published_at,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  error: row.error,
  createdBy: row.created_by,
});

export interface PostFilter {
  status?: PostStatus;
  channel?: Platform;
  from?: Date;
  to?: Date;
  limit?: number;
}

export interface Attempt {
  id: string;
  postId: string;
  startedAt: Date;
  remoteId: string | null;
  /** The request that can publish was about to be sent. */
  sending: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id that cannot be a post's is simply no post (never a database error). */
function checkId(id: string): void {
  if (!UUID.test(id)) throw notFound(`no post ${id.slice(0, 40)}`);
}

export class PostStore {
  constructor(private readonly db: pg.Pool) {}

  /** Creates a post; with a slot key already planned, nothing (and undefined). */
  async create(post: NewPost, tx: Queryable = this.db): Promise<Post | undefined> {
    const { rows } = await tx.query<Row>(
      `insert into social_posts (channel, format, status, caption, source_image_urls, product_ids, theme, audience,
         publish_at, slot_key, facts, ab_test_id, variant, recurring_days, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       on conflict (slot_key) do nothing returning *`,
      [
        post.channel,
        post.format,
        post.status,
        post.caption ?? '',
        post.sourceImageUrls ?? [],
        post.productIds ?? [],
        post.theme ?? 'product',
        post.audience ?? 'shoppers',
        post.publishAt,
        post.slotKey ?? null,
        post.facts ?? {},
        post.abTestId ?? null,
        post.variant ?? null,
        post.recurringDays ?? null,
        post.createdBy,
      ],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async get(id: string, tx: Queryable = this.db): Promise<Post> {
    checkId(id);
    const { rows } = await tx.query<Row>('select * from social_posts where id = $1', [id]);
    if (!rows[0]) throw notFound(`no post ${id}`);
    return fromRow(rows[0]);
  }

  /** The post whose id starts with these characters (Telegram commands carry 8); one, or a clear no. */
  async byPrefix(prefix: string): Promise<Post> {
    if (!/^[0-9a-f-]{4,36}$/i.test(prefix)) throw notFound(`"${prefix}" is not a post id`);
    const { rows } = await this.db.query<Row>(
      "select * from social_posts where id::text like $1 || '%' order by publish_at desc limit 2",
      [prefix.toLowerCase()],
    );
    if (!rows[0]) throw notFound(`no post starts with ${prefix}`);
    if (rows[1]) throw conflict(`more than one post starts with ${prefix}: give more of its id`);
    return fromRow(rows[0]);
  }

  async byApproval(approvalId: string): Promise<Post | undefined> {
    const { rows } = await this.db.query<Row>('select * from social_posts where approval_id = $1', [
      approvalId,
    ]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async list(filter: PostFilter = {}): Promise<Post[]> {
    const { rows } = await this.db.query<Row>(
      `select * from social_posts
       where ($1::text is null or status = $1) and ($2::text is null or channel = $2)
         and ($3::timestamptz is null or publish_at >= $3) and ($4::timestamptz is null or publish_at < $4)
       order by publish_at, channel, format limit $5`,
      [
        filter.status ?? null,
        filter.channel ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.limit ?? 500,
      ],
    );
    return rows.map(fromRow);
  }

  /** How many posts each state holds. */
  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ status: string; n: string }>(
      'select status, count(*) as n from social_posts group by status',
    );
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  }

  /**
   * Moves a post from one of `from` to `to` with the changes given; a post in another state is a
   * conflict naming where it is (the owner pressed twice, or it went out meanwhile).
   */
  async move(
    id: string,
    from: readonly PostStatus[],
    to: PostStatus,
    changes: Partial<
      Record<
        | 'caption'
        | 'error'
        | 'approval_id'
        | 'qa_review_id'
        | 'next_attempt_at'
        | 'publish_at'
        | 'platform_post_id'
        | 'permalink'
        | 'published_at'
        | 'facts',
        unknown
      >
    > = {},
    tx: Queryable = this.db,
  ): Promise<Post> {
    checkId(id);
    const keys = Object.keys(changes);
    const sets = keys.map((key, i) => `${key} = $${i + 4}`);
    const { rows } = await tx.query<Row>(
      `update social_posts set status = $3, updated_at = now()${sets.length ? `, ${sets.join(', ')}` : ''}
       where id = $1 and status = any($2) returning *`,
      [id, from, to, ...keys.map((key) => (changes as Record<string, unknown>)[key])],
    );
    if (rows[0]) return fromRow(rows[0]);
    const post = await this.get(id, tx);
    throw conflict(`the post is ${post.status} now, so it cannot become ${to}`);
  }

  /**
   * Posts whose time has come (or whose retry is due), and those a crash left publishing (one still
   * being published by a live process is skipped there: it holds the post's lock).
   */
  async due(now: Date, limit = 50): Promise<Post[]> {
    const { rows } = await this.db.query<Row>(
      `select * from social_posts
       where (status = 'scheduled' and publish_at <= $1 and (next_attempt_at is null or next_attempt_at <= $1))
          or status = 'publishing'
       order by publish_at limit $2`,
      [now, limit],
    );
    return rows.map(fromRow);
  }

  /** Platform ids other posts of the channel already hold (a found post must not be claimed twice). */
  async claimed(channel: Platform, except: string): Promise<Set<string>> {
    const { rows } = await this.db.query<{ platform_post_id: string }>(
      `select platform_post_id from social_posts
       where channel = $1 and id <> $2 and platform_post_id is not null and published_at > now() - interval '3 days'`,
      [channel, except],
    );
    return new Set(rows.map((row) => row.platform_post_id));
  }

  async openAttempt(postId: string): Promise<Attempt | undefined> {
    const { rows } = await this.db.query<{
      id: string;
      post_id: string;
      started_at: Date;
      remote_id: string | null;
      sending_at: Date | null;
    }>(
      'select id, post_id, started_at, remote_id, sending_at from social_attempts where post_id = $1 and finished_at is null order by started_at desc limit 1',
      [postId],
    );
    const row = rows[0];
    return row
      ? {
          id: row.id,
          postId: row.post_id,
          startedAt: row.started_at,
          remoteId: row.remote_id,
          sending: row.sending_at !== null,
        }
      : undefined;
  }

  /** Records an attempt before the platform is called, and the post as publishing, together. */
  async startAttempt(post: Post, tx: Queryable): Promise<Attempt> {
    const { rows } = await tx.query<{ id: string; started_at: Date }>(
      'insert into social_attempts (post_id) values ($1) returning id, started_at',
      [post.id],
    );
    await tx.query(
      `update social_posts set status = 'publishing', attempts = attempts + 1, updated_at = now() where id = $1`,
      [post.id],
    );
    return {
      id: rows[0]!.id,
      postId: post.id,
      startedAt: rows[0]!.started_at,
      remoteId: null,
      sending: false,
    };
  }

  async refreshFacts(postId: string, facts: PostFacts): Promise<void> {
    await this.db.query('update social_posts set facts = $2, updated_at = now() where id = $1', [
      postId,
      facts,
    ]);
  }

  async sendingAttempt(attemptId: string): Promise<void> {
    await this.db.query(
      'update social_attempts set sending_at = now() where id = $1 and sending_at is null',
      [attemptId],
    );
  }

  async nameAttempt(attemptId: string, remoteId: string): Promise<void> {
    await this.db.query('update social_attempts set remote_id = $2 where id = $1', [attemptId, remoteId]);
  }

  async finishAttempt(
    attemptId: string,
    outcome: string,
    detail: string | null,
    tx: Queryable = this.db,
  ): Promise<void> {
    await tx.query(
      'update social_attempts set finished_at = now(), outcome = $2, detail = $3 where id = $1 and finished_at is null',
      [attemptId, outcome, detail],
    );
  }

  async attempts(postId: string): Promise<
    {
      startedAt: Date;
      finishedAt: Date | null;
      outcome: string | null;
      detail: string | null;
      remoteId: string | null;
    }[]
  > {
    const { rows } = await this.db.query<{
      started_at: Date;
      finished_at: Date | null;
      outcome: string | null;
      detail: string | null;
      remote_id: string | null;
    }>(
      'select started_at, finished_at, outcome, detail, remote_id from social_attempts where post_id = $1 order by started_at',
      [postId],
    );
    return rows.map((row) => ({
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      outcome: row.outcome,
      detail: row.detail,
      remoteId: row.remote_id,
    }));
  }

  /** What each channel showed lately, product by product, for the planner's rests. */
  async recentProducts(
    since: Date,
  ): Promise<{ channel: Platform; format: PostFormat; productId: string; at: Date }[]> {
    const { rows } = await this.db.query<{
      channel: Platform;
      format: PostFormat;
      product_id: string;
      at: Date;
    }>(
      `select channel, format, unnest(product_ids) as product_id, publish_at as at from social_posts
       where publish_at >= $1 and status <> 'cancelled' order by publish_at`,
      [since],
    );
    return rows.map((row) => ({
      channel: row.channel,
      format: row.format,
      productId: row.product_id,
      at: row.at,
    }));
  }
}
