// A LinkedIn organization page through the versioned Posts API (LinkedIn-Version and Restli 2.0
// headers on every call). A 201 is not proof: the post is read back before it counts as published,
// and after a crash the organization's recent posts are read and the post found by its link.
import { readFile } from 'node:fs/promises';
import { Transport, type FailedAnswer } from '../../../platform/integrations/transport.ts';
import { IntegrationError } from '../../../platform/integrations/integration-error.ts';
import type { Logger } from '../../../platform/logger.ts';
import {
  UnexpectedAnswer,
  numbers,
  objectOf,
  sleep,
  type AttemptRecord,
  type Finding,
  type OutgoingPost,
  type Publisher,
  type Progress,
  type Published,
} from './publisher.ts';

const READ_BACK_MS = [0, 1000, 2000, 4000];

export function linkedinTransport(
  baseUrl: string,
  token: string,
  version: string,
  logger?: Logger,
): Transport {
  return new Transport({
    integration: 'linkedin',
    label: 'LinkedIn',
    baseUrl,
    headers: {
      authorization: `Bearer ${token}`,
      'linkedin-version': version,
      'x-restli-protocol-version': '2.0.0',
    },
    secrets: [token],
    explain: ({ body, status }: FailedAnswer) => {
      const said = (body as { message?: string } | undefined)?.message;
      if (status === 401)
        return {
          kind: 'auth',
          message: `LinkedIn refused the token: reconnect LinkedIn on Settings (${said ?? 'no message'})`,
        };
      if (status === 403)
        return {
          kind: 'auth',
          message: `LinkedIn: the account may not post for this organization (needs w_organization_social and an admin role) (${said ?? ''})`,
        };
      if (status === 426)
        return {
          kind: 'rejected',
          message: `LinkedIn no longer serves API version set in LINKEDIN_API_VERSION: set a recent month (${said ?? ''})`,
        };
      return said ? { message: `LinkedIn: ${said}` } : undefined;
    },
    timeoutMs: 30_000,
    deadlineMs: 90_000,
    ...(logger ? { logger } : {}),
  });
}

export class LinkedInPublisher implements Publisher {
  readonly platform = 'linkedin' as const;
  private readonly author: string;

  constructor(
    private readonly api: Transport,
    organizationId: string,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {
    this.author = `urn:li:organization:${organizationId}`;
  }

  async publish(post: OutgoingPost, progress: Progress): Promise<Published> {
    const image = post.mediaFiles[0] ? await this.upload(post.mediaFiles[0]) : undefined;
    let response: Response;
    try {
      await progress.sending();
      response = await this.create(post, image);
    } catch (error) {
      // LinkedIn refuses the same content twice, naming the post already live: that is this one.
      const live = /duplicate of (urn:li:(?:share|ugcPost):\d+)/.exec((error as Error).message)?.[1];
      if (live && (await this.exists(live))) {
        await progress.named(live);
        return { platformPostId: live, permalink: `https://www.linkedin.com/feed/update/${live}/` };
      }
      throw error;
    }
    const urn = response.headers.get('x-restli-id');
    await response.body?.cancel();
    if (!urn) throw new UnexpectedAnswer('LinkedIn answered without x-restli-id');
    await progress.named(urn);
    for (const delay of READ_BACK_MS) {
      if (delay) await this.wait(delay);
      if (await this.exists(urn))
        return { platformPostId: urn, permalink: `https://www.linkedin.com/feed/update/${urn}/` };
    }
    // Nothing went live: the attempt is over, and the post is tried again after a wait.
    throw new IntegrationError(
      'linkedin',
      'unavailable',
      'LinkedIn answered 201 but the post never appeared on the page: it is tried again',
      {
        status: 404,
      },
    );
  }

  private create(post: OutgoingPost, image: string | undefined): Promise<Response> {
    return this.api.response({
      method: 'POST',
      path: '/rest/posts',
      json: {
        author: this.author,
        commentary: post.caption,
        visibility: 'PUBLIC',
        distribution: {
          feedDistribution: 'MAIN_FEED',
          targetEntities: [],
          thirdPartyDistributionChannels: [],
        },
        ...(image ? { content: { media: { id: image } } } : {}),
        lifecycleState: 'PUBLISHED',
        isReshareDisabledByAuthor: false,
      },
    });
  }

  private async upload(file: string): Promise<string> {
    const started = objectOf(
      await this.api.json({
        method: 'POST',
        path: '/rest/images',
        query: { action: 'initializeUpload' },
        json: { initializeUploadRequest: { owner: this.author } },
      }),
      'LinkedIn image upload',
    );
    const value = objectOf(started.value, 'LinkedIn image upload');
    if (typeof value.uploadUrl !== 'string' || typeof value.image !== 'string')
      throw new UnexpectedAnswer('LinkedIn image upload: no uploadUrl or image');
    await this.api.text({
      method: 'PUT',
      url: value.uploadUrl,
      body: (await readFile(file)) as unknown as string,
      headers: { 'content-type': 'image/jpeg' },
    });
    return value.image;
  }

  private async exists(urn: string): Promise<boolean> {
    try {
      const post = await this.api.json<{ lifecycleState?: string }>({
        path: `/rest/posts/${encodeURIComponent(urn)}`,
      });
      return post.lifecycleState === undefined || post.lifecycleState === 'PUBLISHED';
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw error;
    }
  }

  async find(post: OutgoingPost, attempt: AttemptRecord, claimed: ReadonlySet<string>): Promise<Finding> {
    if (attempt.remoteId && (await this.exists(attempt.remoteId)))
      return { state: 'published', published: { platformPostId: attempt.remoteId } };
    const page = await this.api.json<{
      elements?: { id?: string; commentary?: string; createdAt?: number }[];
    }>({
      path: '/rest/posts',
      query: { author: this.author, q: 'author', count: 20, sortBy: 'LAST_MODIFIED' },
    });
    const since = attempt.startedAt.getTime() - 60_000;
    const found = (page.elements ?? []).find(
      (item) =>
        item.id &&
        !claimed.has(item.id) &&
        (item.createdAt ?? Infinity) >= since &&
        (item.commentary ?? '').includes(post.id),
    );
    return found?.id
      ? { state: 'published', published: { platformPostId: found.id } }
      : { state: 'not_published' };
  }

  async insights(post: { platformPostId: string }): Promise<Record<string, number>> {
    const kind = post.platformPostId.startsWith('urn:li:ugcPost:') ? 'ugcPosts' : 'shares';
    const answer = await this.api.json<{ elements?: { totalShareStatistics?: Record<string, unknown> }[] }>({
      path: '/rest/organizationalEntityShareStatistics',
      query: {
        q: 'organizationalEntity',
        organizationalEntity: this.author,
        [kind]: `List(${encodeURIComponent(post.platformPostId)})`,
      },
    });
    return numbers(Object.entries(answer.elements?.[0]?.totalShareStatistics ?? {}));
  }
}
