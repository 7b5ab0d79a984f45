// A Facebook Page through the Graph API: a photo post (/photos) or a text post with its link (/feed).
// The Page gives no handle before a post is live, so after a crash the Page's published posts are read
// and the post found by its link (its utm_content names the post).
import type { Transport } from '../../../platform/integrations/transport.ts';
import { graphPages, graphTime } from './graph.ts';
import { graphMetrics } from './instagram.ts';
import {
  objectOf,
  stringIn,
  type AttemptRecord,
  type Finding,
  type OutgoingPost,
  type Publisher,
  type Progress,
  type Published,
} from './publisher.ts';

export class FacebookPublisher implements Publisher {
  readonly platform = 'facebook' as const;

  constructor(
    private readonly graph: Transport,
    private readonly pageId: string,
  ) {}

  async publish(post: OutgoingPost, progress: Progress): Promise<Published> {
    const [image] = post.mediaUrls;
    await progress.sending();
    const answer = objectOf(
      image
        ? await this.graph.json({
            method: 'POST',
            path: `/${this.pageId}/photos`,
            form: { url: image, caption: post.caption },
          })
        : await this.graph.json({
            method: 'POST',
            path: `/${this.pageId}/feed`,
            form: { message: post.caption, link: post.link },
          }),
      'Facebook post',
    );
    const id = typeof answer.post_id === 'string' ? answer.post_id : stringIn(answer, 'id', 'Facebook post');
    return { platformPostId: id, permalink: `https://www.facebook.com/${id}` };
  }

  async find(post: OutgoingPost, attempt: AttemptRecord, claimed: ReadonlySet<string>): Promise<Finding> {
    if (!attempt.sending) return { state: 'not_published' };
    const since = attempt.startedAt.getTime() - 60_000;
    for await (const item of graphPages(this.graph, `/${this.pageId}/published_posts`, {
      fields: 'id,message,created_time',
      limit: 25,
    })) {
      const at = graphTime(item.created_time);
      if (at && at.getTime() < since) break;
      const id = String(item.id ?? '');
      const message = typeof item.message === 'string' ? item.message : '';
      if (id && !claimed.has(id) && (message.includes(post.id) || message === post.caption))
        return {
          state: 'published',
          published: { platformPostId: id, permalink: `https://www.facebook.com/${id}` },
        };
    }
    return { state: 'not_published' };
  }

  async insights(post: { platformPostId: string }): Promise<Record<string, number>> {
    const answer = await this.graph.json<{ data?: unknown[] }>({
      path: `/${post.platformPostId}/insights`,
      query: { metric: 'post_total_media_view_unique,post_clicks' },
    });
    return graphMetrics(answer.data ?? []);
  }

  async followers(): Promise<number | undefined> {
    const answer = await this.graph.json<{ followers_count?: number }>({
      path: `/${this.pageId}`,
      query: { fields: 'followers_count' },
    });
    return typeof answer.followers_count === 'number' ? answer.followers_count : undefined;
  }
}
