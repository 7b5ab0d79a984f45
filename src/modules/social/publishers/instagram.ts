// Instagram through the Graph API, as Meta documents content publishing: a container per image (and
// a carousel container over them), its status polled until FINISHED, then media_publish. The
// container id is recorded before publishing, so after a crash its status says whether it went live
// (PUBLISHED), may still go (FINISHED: published with the same container, never a second one), or not.
import type { Transport } from '../../../platform/integrations/transport.ts';
import { IntegrationError } from '../../../platform/integrations/integration-error.ts';
import { graphPages, graphTime } from './graph.ts';
import {
  PostProblem,
  UnexpectedAnswer,
  numbers,
  objectOf,
  sleep,
  stringIn,
  type AttemptRecord,
  type Finding,
  type OutgoingPost,
  type Publisher,
  type Progress,
  type Published,
  type PostFormat,
  type Quota,
} from './publisher.ts';

/** Waits between status polls: about half a minute in all, then the next run looks again. */
const POLLS_MS = [500, 1000, 2000, 3000, 5000, 8000, 10_000];
const FEED_METRICS = 'views,reach,saved,likes,comments,shares,total_interactions';
const STORY_METRICS = 'reach,replies,follows,profile_visits';

export class InstagramPublisher implements Publisher {
  readonly platform = 'instagram' as const;

  constructor(
    private readonly graph: Transport,
    private readonly accountId: string,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  async publish(post: OutgoingPost, progress: Progress, resume?: AttemptRecord): Promise<Published> {
    let container = resume?.remoteId ?? undefined;
    if (!container) {
      container = await this.container(post);
      await progress.named(container);
    }
    const status = await this.settled(container);
    if (status === 'PUBLISHED') {
      const found = await this.find(
        post,
        { startedAt: resume?.startedAt ?? new Date(0), remoteId: container },
        new Set(),
      );
      if (found.state === 'published') return found.published;
    }
    // From here the post may go live: a crash now is looked for on the account before any retry.
    await progress.sending();
    const answer = objectOf(
      await this.graph.json({
        method: 'POST',
        path: `/${this.accountId}/media_publish`,
        form: { creation_id: container },
      }),
      'Instagram media_publish',
    );
    const id = stringIn(answer, 'id', 'Instagram media_publish');
    return { platformPostId: id, permalink: await this.permalink(id) };
  }

  /** Creates the container(s) for the post and returns the one to publish. */
  private async container(post: OutgoingPost): Promise<string> {
    const [first] = post.mediaUrls;
    if (!first) throw new PostProblem('an Instagram post needs an image');
    if (post.format === 'story') return this.create({ image_url: first, media_type: 'STORIES' });
    if (post.format === 'carousel' && post.mediaUrls.length > 1) {
      const children: string[] = [];
      for (const url of post.mediaUrls.slice(0, 10))
        children.push(await this.create({ image_url: url, is_carousel_item: 'true' }));
      return this.create({ media_type: 'CAROUSEL', children: children.join(','), caption: post.caption });
    }
    return this.create({ image_url: first, caption: post.caption });
  }

  private async create(values: Record<string, string>): Promise<string> {
    const answer = objectOf(
      await this.graph.json({ method: 'POST', path: `/${this.accountId}/media`, form: values }),
      'Instagram media container',
    );
    return stringIn(answer, 'id', 'Instagram media container');
  }

  /** Polls the container until it is ready or published; a refusal says why in the owner's words. */
  private async settled(container: string): Promise<'FINISHED' | 'PUBLISHED'> {
    for (const delay of [0, ...POLLS_MS]) {
      if (delay) await this.wait(delay);
      const { status_code: code, status } = await this.status(container);
      if (code === 'FINISHED' || code === 'PUBLISHED') return code;
      if (code === 'ERROR')
        throw new PostProblem(`Instagram could not prepare the media: ${status ?? 'no reason given'}`);
      if (code === 'EXPIRED')
        throw new PostProblem('the Instagram container expired before it was published');
      if (code !== 'IN_PROGRESS') throw new UnexpectedAnswer(`Instagram container status "${String(code)}"`);
    }
    throw new IntegrationError(
      'instagram',
      'unavailable',
      'Instagram is still processing the media: it is checked again shortly',
      { retryable: true },
    );
  }

  private async status(container: string): Promise<{ status_code?: unknown; status?: string }> {
    return objectOf(
      await this.graph.json({ path: `/${container}`, query: { fields: 'status_code,status' } }),
      'Instagram container status',
    );
  }

  private async permalink(id: string): Promise<string | undefined> {
    try {
      const media = await this.graph.json<{ permalink?: string }>({
        path: `/${id}`,
        query: { fields: 'permalink' },
      });
      return typeof media.permalink === 'string' ? media.permalink : undefined;
    } catch {
      return undefined; // stories have none; the post is out either way
    }
  }

  async find(post: OutgoingPost, attempt: AttemptRecord, claimed: ReadonlySet<string>): Promise<Finding> {
    if (!attempt.remoteId) return { state: 'not_published' }; // nothing can go live without a container
    const { status_code: code } = await this.status(attempt.remoteId);
    if (code === 'FINISHED') return { state: 'resumable' };
    if (code === 'IN_PROGRESS') return { state: 'pending' };
    if (code !== 'PUBLISHED') return { state: 'not_published' };
    const since = attempt.startedAt.getTime() - 60_000;
    const edge = post.format === 'story' ? 'stories' : 'media';
    for await (const media of graphPages(this.graph, `/${this.accountId}/${edge}`, {
      fields: 'id,caption,timestamp,permalink',
      limit: 25,
    })) {
      const at = graphTime(media.timestamp);
      if (at && at.getTime() < since) break;
      const id = String(media.id ?? '');
      if (!id || claimed.has(id)) continue;
      if (post.format === 'story' || (media.caption ?? '') === post.caption)
        return {
          state: 'published',
          published: {
            platformPostId: id,
            permalink: typeof media.permalink === 'string' ? media.permalink : undefined,
          },
        };
    }
    // Instagram says it went live but the media is not in the first pages: the container stands for it.
    return { state: 'published', published: { platformPostId: `container:${attempt.remoteId}` } };
  }

  async quota(): Promise<Quota> {
    const answer = await this.graph.json<{
      data?: { quota_usage?: number; config?: { quota_total?: number } }[];
    }>({
      path: `/${this.accountId}/content_publishing_limit`,
      query: { fields: 'quota_usage,config' },
    });
    const row = answer.data?.[0];
    if (typeof row?.quota_usage !== 'number')
      throw new UnexpectedAnswer('Instagram content_publishing_limit has no quota_usage');
    return { used: row.quota_usage, limit: row.config?.quota_total ?? 100 };
  }

  async insights(post: { platformPostId: string; format: PostFormat }): Promise<Record<string, number>> {
    const read = async (query: Record<string, string>) =>
      graphMetrics(
        (await this.graph.json<{ data?: unknown[] }>({ path: `/${post.platformPostId}/insights`, query }))
          .data ?? [],
      );
    if (post.format !== 'story') return read({ metric: FEED_METRICS });
    // A breakdown applies to every metric asked with it: navigation is asked on its own.
    return {
      ...(await read({ metric: STORY_METRICS })),
      ...(await read({ metric: 'navigation', breakdown: 'story_navigation_action_type' })),
    };
  }

  async followers(): Promise<number | undefined> {
    const answer = await this.graph.json<{ followers_count?: number }>({
      path: `/${this.accountId}`,
      query: { fields: 'followers_count' },
    });
    return typeof answer.followers_count === 'number' ? answer.followers_count : undefined;
  }
}

/** Graph's insight rows as name → number: a lifetime value, a total, or a breakdown's parts. */
export function graphMetrics(rows: unknown[]): Record<string, number> {
  const entries: [string, unknown][] = [];
  for (const row of rows) {
    const item = row as {
      name?: string;
      values?: { value?: unknown }[];
      total_value?: {
        value?: unknown;
        breakdowns?: { results?: { dimension_values?: string[]; value?: unknown }[] }[];
      };
    };
    if (!item.name) continue;
    entries.push([item.name, item.values?.[0]?.value ?? item.total_value?.value]);
    for (const result of item.total_value?.breakdowns?.[0]?.results ?? [])
      if (result.dimension_values?.[0]) entries.push([result.dimension_values[0], result.value]);
  }
  return numbers(entries);
}
