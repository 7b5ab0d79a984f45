// The social module over the API: posts in (through the QA gate like any draft) and out with their
// state, what the owner does to a post, the plan, a CSV import, A/B tests and the analytics; and the
// public, signed media URLs the platforms fetch images from.
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Nullable, responses, ShopifyId, Timestamp } from '../../platform/http/schemas.ts';
import { actorOf } from '../../platform/accounts/roles.ts';
import { notFound } from '../../platform/errors.ts';
import type { SocialService } from './social-service.ts';
import { STATUSES, type Post } from './posts.ts';
import { PLATFORMS } from './publishers/publisher.ts';
import type { PostPerformance } from './insights.ts';

const tags = ['social'];
const Channel = Type.Enum([...PLATFORMS], { description: 'instagram, facebook, tiktok or linkedin' });
const Format = Type.Enum(['feed', 'carousel', 'story', 'text']);
const PostOut = Type.Object({
  id: Type.String({ format: 'uuid' }),
  channel: Channel,
  format: Format,
  status: Type.Enum([...STATUSES]),
  caption: Type.String(),
  productIds: Type.Array(ShopifyId('a product the post is about')),
  theme: Type.String(),
  publishAt: Timestamp('when it is (or was) to go out'),
  platformPostId: Nullable(Type.String()),
  permalink: Nullable(Type.String()),
  publishedAt: Nullable(Timestamp()),
  attempts: Type.Integer(),
  approvalId: Nullable(Type.String({ format: 'uuid' })),
  abTestId: Nullable(Type.String({ format: 'uuid' })),
  variant: Nullable(Type.String()),
  error: Type.Optional(Type.String({ description: 'why it is held or failed, or what it waits for' })),
});

export function postOut(post: Post) {
  return {
    id: post.id,
    channel: post.channel,
    format: post.format,
    status: post.status,
    caption: post.caption,
    productIds: post.productIds.map(Number),
    theme: post.theme,
    publishAt: post.publishAt,
    platformPostId: post.platformPostId,
    permalink: post.permalink,
    publishedAt: post.publishedAt,
    attempts: post.attempts,
    approvalId: post.approvalId,
    abTestId: post.abTestId,
    variant: post.variant,
    ...(post.error ? { error: post.error } : {}),
  };
}

const NewPost = Type.Object(
  {
    channel: Channel,
    caption: Type.String({ maxLength: 5000 }),
    imageUrls: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 10 })),
    productId: Type.Optional(ShopifyId('the Shopify product it is about')),
    publishAt: Type.Optional(Type.String({ format: 'date-time', description: 'when; now when left out' })),
    format: Type.Optional(Format),
    recurringDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 365,
        description: 'evergreen: again this many days after it goes out',
      }),
    ),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Money = Type.Object({ currency: Type.String(), amountMinor: Type.Integer() });
/** Posts taken together (by theme, by product). */
const Breakdown = Type.Object({
  key: Type.String(),
  posts: Type.Integer(),
  reach: Type.Integer(),
  orders: Type.Integer(),
  revenue: Type.Array(Money),
});

function performanceOut(post: PostPerformance) {
  return {
    postId: post.postId,
    channel: post.channel,
    format: post.format,
    theme: post.theme,
    publishedAt: post.publishedAt,
    reach: post.reach,
    interactions: post.interactions,
    ...(post.completion === undefined ? {} : { completion: post.completion }),
    orders: post.orders,
    revenue: post.revenue,
  };
}

export function socialRoutes(app: FastifyInstance, { social }: { social: SocialService }): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const one = { response: responses({ 200: Type.Object({ post: PostOut }) }) };

  api.post(
    '/posts',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'A post of your own: checked, then through the QA gate (to you on Telegram when it is unsure)',
        body: NewPost,
        response: responses({ 201: Type.Object({ post: PostOut }) }),
      },
    },
    async (request, reply) => {
      const { publishAt, productId, ...rest } = request.body;
      const post = await social.content.create(
        {
          ...rest,
          ...(productId ? { productId: String(productId) } : {}),
          ...(publishAt ? { publishAt: new Date(publishAt) } : {}),
        },
        actorOf(request.principal).actor,
      );
      return reply.code(201).send({ post: postOut(post) });
    },
  );

  api.get(
    '/posts',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Posts by state and time, in time order',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum([...STATUSES])),
          channel: Type.Optional(Channel),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1 to 500' })),
        }),
        response: responses({ 200: Type.Object({ posts: Type.Array(PostOut) }) }),
      },
    },
    async (request) => {
      const { status, channel, from, to, limit } = request.query;
      const posts = await social.store.list({
        ...(status ? { status } : {}),
        ...(channel ? { channel } : {}),
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
        ...(limit ? { limit: Math.min(500, Math.max(1, Number(limit))) } : {}),
      });
      return { posts: posts.map(postOut) };
    },
  );

  api.get(
    '/posts/:id',
    { config: { access: 'read' }, schema: { tags, summary: 'One post', params: IdParams, ...one } },
    async (request) => ({ post: postOut(await social.store.get(request.params.id)) }),
  );

  const action = (name: string, summary: string, act: (id: string) => Promise<Post>) =>
    api.post(
      `/posts/:id/${name}`,
      { config: { access: 'write' }, schema: { tags, summary, params: IdParams, ...one } },
      async (request) => ({ post: postOut(await act(request.params.id)) }),
    );
  action('publish-now', 'Publish a scheduled, held or failed post now', (id) =>
    social.content.publishNow(id),
  );
  action(
    'retry',
    'Try a held or failed post again (the platform is checked first: it never goes twice)',
    (id) => social.content.retry(id),
  );
  action('cancel', 'Cancel a post that has not gone out', (id) => social.content.cancel(id));

  api.post(
    '/posts/:id/reschedule',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Move a post to another time',
        params: IdParams,
        body: Type.Object(
          { publishAt: Type.String({ format: 'date-time' }) },
          { additionalProperties: false },
        ),
        ...one,
      },
    },
    async (request) => ({
      post: postOut(await social.content.reschedule(request.params.id, new Date(request.body.publishAt))),
    }),
  );

  api.post(
    '/posts/:id/ab-test',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Test this post’s caption against a second version, written differently, a day later',
        params: IdParams,
        response: responses({
          201: Type.Object({ testId: Type.String({ format: 'uuid' }), variantB: PostOut }),
        }),
      },
    },
    async (request, reply) => {
      const { testId, variantB } = await social.abTest(request.params.id);
      return reply.code(201).send({ testId, variantB: postOut(variantB) });
    },
  );

  api.post(
    '/posts/import',
    {
      config: { access: 'write' },
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        tags,
        summary:
          'Import posts from CSV (channel, caption, publish_at, image_url, product_id, format): all rows or none',
        body: Type.Object(
          { csv: Type.String({ minLength: 1, maxLength: 2_000_000 }) },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ posts: Type.Array(PostOut) }) }),
      },
    },
    async (request, reply) => {
      const posts = await social.importCsv(request.body.csv, actorOf(request.principal).actor);
      return reply.code(201).send({ posts: posts.map(postOut) });
    },
  );

  api.post(
    '/plan',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Plan the coming days now (a slot already planned is left as it is)',
        body: Type.Object(
          {
            days: Type.Integer({ minimum: 1, maximum: 31, description: 'how many days ahead: 7 for a week' }),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({ planned: Type.Integer(), toWrite: Type.Integer(), stories: Type.Integer() }),
        }),
      },
    },
    async (request) => social.content.plan(request.body.days),
  );

  api.get(
    '/analytics',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'What the posts did and the orders their links brought, per post, theme and product',
        querystring: Type.Object({
          days: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1 to 365, default 30' })),
        }),
        response: responses({
          200: Type.Object({
            posts: Type.Array(
              Type.Object({
                postId: Type.String(),
                channel: Channel,
                format: Format,
                theme: Type.String(),
                publishedAt: Timestamp(),
                reach: Type.Integer(),
                interactions: Type.Integer(),
                completion: Type.Optional(
                  Type.Number({ description: 'stories: share watched through (0-1)' }),
                ),
                orders: Type.Integer(),
                revenue: Type.Array(Money),
              }),
            ),
            themes: Type.Array(Breakdown),
            products: Type.Array(Breakdown),
          }),
        }),
      },
    },
    async (request) => {
      const since = new Date(
        social.now().getTime() - Math.min(365, Math.max(1, Number(request.query.days ?? 30))) * 86_400_000,
      );
      const posts = await social.insights.performance(since);
      return {
        posts: posts.map(performanceOut),
        themes: social.insightsBreakdown(posts, 'theme'),
        products: social.insightsBreakdown(posts, 'product'),
      };
    },
  );
}

/** The images the platforms fetch: public, but only at a signed URL that has not expired. */
export function mediaRoutes(app: FastifyInstance, { social }: { social: SocialService }): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/media/social/:file',
    {
      config: { access: 'public', audit: false },
      schema: {
        hide: true,
        params: Type.Object({ file: Type.String({ pattern: '^[0-9a-f-]{36}\\.jpg$' }) }),
        querystring: Type.Object({
          expires: Type.String({ pattern: '^[0-9]{1,12}$' }),
          signature: Type.String({ maxLength: 100 }),
        }),
      },
    },
    async (request, reply) => {
      const id = request.params.file.slice(0, 36);
      const file =
        (await social.media.store.verify(id, Number(request.query.expires), request.query.signature)) &&
        (await social.media.fileOf(id));
      if (!file) throw notFound('no such image, or its link expired');
      return reply
        .header('content-type', 'image/jpeg')
        .header('cache-control', 'private, max-age=3600')
        .send(createReadStream(file));
    },
  );
}
