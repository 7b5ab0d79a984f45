// TikTok's Content Posting API, in the order TikTok's audit rules ask: creator_info first, a privacy
// level from the ones it offers, interactions off unless the owner turns them on, then a photo post
// pulled from the shop's media URL, its status polled until PUBLISH_COMPLETE. The publish id is
// recorded before the post can go live; a crash in the instant before that is covered by reading the
// account's video list (and by waiting ten minutes before concluding it never went).
import { Transport, type FailedAnswer } from '../../../platform/integrations/transport.ts';
import { IntegrationError } from '../../../platform/integrations/integration-error.ts';
import type { Logger } from '../../../platform/logger.ts';
import {
  PostProblem,
  UnexpectedAnswer,
  numbers,
  sleep,
  type AttemptRecord,
  type Finding,
  type OutgoingPost,
  type Publisher,
  type Progress,
  type Published,
} from './publisher.ts';

const POLLS_MS = [500, 1000, 2000, 3000, 5000, 8000, 10_000];
/** How long a publish TikTok may still be processing is looked for before it counts as never sent. */
const UNSEEN_GRACE_MS = 10 * 60_000;

interface Envelope<T> {
  data?: T;
  error?: { code?: string; message?: string };
}

const CODES: Record<string, { kind: 'auth' | 'rejected' | 'rate_limited'; message: string }> = {
  access_token_invalid: {
    kind: 'auth',
    message: 'the access token expired or was revoked: it is refreshed, or reconnect TikTok on Settings',
  },
  scope_not_authorized: {
    kind: 'auth',
    message: 'the app was not granted video.publish: reconnect TikTok and allow posting',
  },
  rate_limit_exceeded: {
    kind: 'rate_limited',
    message: 'TikTok’s limit of about 6 posts started a minute was reached: it goes shortly',
  },
  spam_risk_too_many_posts: {
    kind: 'rate_limited',
    message: 'TikTok’s daily post limit for the account was reached: it goes tomorrow',
  },
  spam_risk_user_banned_from_posting: {
    kind: 'rejected',
    message: 'TikTok has stopped this account from posting',
  },
  unaudited_client_can_only_post_to_private_accounts: {
    kind: 'rejected',
    message:
      'the TikTok app is not audited yet: the account must be private and posts are visible only to you (see docs/social.md)',
  },
  privacy_level_option_mismatch: {
    kind: 'rejected',
    message: 'TikTok does not offer that privacy level for this account',
  },
  url_ownership_unverified: {
    kind: 'rejected',
    message:
      'TikTok only pulls media from a verified domain: verify SHOPKEEP_MEDIA_PUBLIC_URL’s domain in the TikTok developer portal',
  },
};

export function tiktokTransport(baseUrl: string, token: string, logger?: Logger): Transport {
  return new Transport({
    integration: 'tiktok',
    label: 'TikTok',
    baseUrl,
    headers: { authorization: `Bearer ${token}` },
    secrets: [token],
    explain: ({ body }: FailedAnswer) => {
      const code = (body as Envelope<unknown> | undefined)?.error?.code;
      if (!code) return undefined;
      const known = CODES[code];
      const said = (body as Envelope<unknown>).error?.message ?? '';
      return known
        ? { kind: known.kind, message: `TikTok: ${known.message} (${code})` }
        : { kind: 'rejected', message: `TikTok refused it (${code}${said ? `: ${said}` : ''})` };
    },
    timeoutMs: 30_000,
    deadlineMs: 90_000,
    ...(logger ? { logger } : {}),
  });
}

export class TikTokPublisher implements Publisher {
  readonly platform = 'tiktok' as const;

  constructor(
    private readonly api: () => Transport,
    private readonly preferredPrivacy: string,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
    private readonly now: () => number = Date.now,
    /** Renews the access token; false when it cannot. */
    private readonly renew?: () => Promise<boolean>,
  ) {}

  private async call<T>(path: string, json: unknown, query?: Record<string, string>): Promise<T> {
    try {
      return await this.once<T>(path, json, query);
    } catch (error) {
      // TikTok's access tokens last hours: one refused is renewed once, and the call made again.
      if (
        !(error instanceof IntegrationError) ||
        error.kind !== 'auth' ||
        !this.renew ||
        !(await this.renew())
      )
        throw error;
      return this.once<T>(path, json, query);
    }
  }

  private async once<T>(path: string, json: unknown, query?: Record<string, string>): Promise<T> {
    const text = await this.api().text({
      method: 'POST',
      path,
      json,
      headers: { 'content-type': 'application/json; charset=UTF-8', accept: 'application/json' },
      ...(query ? { query } : {}),
    });
    let answer: Envelope<T>;
    try {
      // Post ids are 19-digit numbers, beyond what a JavaScript number holds: read them as text.
      answer = JSON.parse(
        text.replace(
          /("publicaly_available_post_id"\s*:\s*\[)([^\]]*)\]/,
          (_, head: string, ids: string) =>
            `${head}${ids
              .split(',')
              .map((id) => id.trim())
              .filter(Boolean)
              .map((id) => JSON.stringify(id.replace(/"/g, '')))
              .join(',')}]`,
        ),
      ) as Envelope<T>;
    } catch {
      throw new UnexpectedAnswer(`TikTok ${path}: the answer is not JSON`);
    }
    if (answer.error?.code && answer.error.code !== 'ok')
      throw new IntegrationError('tiktok', 'rejected', `TikTok refused it (${answer.error.code})`, {
        status: 400,
      });
    if (!answer.data) throw new UnexpectedAnswer(`TikTok ${path}: the answer has no data`);
    return answer.data;
  }

  /** The privacy level to post with: the owner's choice when TikTok offers it, else the only one offered. */
  private async privacy(): Promise<string> {
    const info = await this.call<{ privacy_level_options?: string[] }>(
      '/v2/post/publish/creator_info/query/',
      {},
    );
    const options = info.privacy_level_options ?? [];
    if (options.includes(this.preferredPrivacy)) return this.preferredPrivacy;
    if (options.length === 1 && options[0]) return options[0];
    throw new PostProblem(
      `TikTok offers ${options.join(', ') || 'no privacy level'} for this account, not ${this.preferredPrivacy}: set TIKTOK_PRIVACY_LEVEL to one of them`,
    );
  }

  async publish(post: OutgoingPost, progress: Progress, resume?: AttemptRecord): Promise<Published> {
    let publishId = resume?.remoteId ?? undefined;
    if (!publishId) {
      if (!post.mediaUrls.length) throw new PostProblem('a TikTok post needs at least one image');
      const privacy = await this.privacy();
      await progress.sending();
      const started = await this.call<{ publish_id?: string }>('/v2/post/publish/content/init/', {
        post_info: {
          title: post.caption.split('\n')[0]!.slice(0, 90),
          description: post.caption,
          privacy_level: privacy,
          disable_comment: true,
          auto_add_music: true,
        },
        source_info: {
          source: 'PULL_FROM_URL',
          photo_cover_index: 0,
          photo_images: post.mediaUrls.slice(0, 35),
        },
        post_mode: 'DIRECT_POST',
        media_type: 'PHOTO',
      });
      if (!started.publish_id) throw new UnexpectedAnswer('TikTok content/init: no publish_id');
      publishId = started.publish_id;
      await progress.named(publishId);
    }
    for (const delay of [0, ...POLLS_MS]) {
      if (delay) await this.wait(delay);
      const status = await this.status(publishId);
      if (status.state === 'published') return status.published;
      if (status.state === 'not_published')
        throw new PostProblem(`TikTok could not publish it: ${status.reason}`);
    }
    throw new IntegrationError(
      'tiktok',
      'unavailable',
      'TikTok is still processing the post: it is checked again shortly',
      { retryable: true },
    );
  }

  private async status(
    publishId: string,
  ): Promise<
    | { state: 'published'; published: Published }
    | { state: 'pending' }
    | { state: 'not_published'; reason: string }
  > {
    const data = await this.call<{
      status?: string;
      fail_reason?: string;
      publicaly_available_post_id?: unknown[];
    }>('/v2/post/publish/status/fetch/', { publish_id: publishId });
    switch (data.status) {
      case 'PUBLISH_COMPLETE':
      case 'SEND_TO_USER_INBOX': {
        const postId = data.publicaly_available_post_id?.[0];
        return {
          state: 'published',
          published: { platformPostId: postId === undefined ? publishId : String(postId) },
        };
      }
      case 'FAILED':
        return { state: 'not_published', reason: data.fail_reason ?? 'no reason given' };
      case 'PROCESSING_UPLOAD':
      case 'PROCESSING_DOWNLOAD':
        return { state: 'pending' };
      default:
        throw new UnexpectedAnswer(`TikTok publish status "${String(data.status)}"`);
    }
  }

  async find(post: OutgoingPost, attempt: AttemptRecord, claimed: ReadonlySet<string>): Promise<Finding> {
    if (attempt.remoteId) {
      const status = await this.status(attempt.remoteId);
      if (status.state === 'pending') return { state: 'pending' };
      return status.state === 'published' ? status : { state: 'not_published' };
    }
    const list = await this.call<{
      videos?: { id?: string; video_description?: string; title?: string; create_time?: number }[];
    }>('/v2/video/list/', { max_count: 20 }, { fields: 'id,title,video_description,create_time' });
    // The post was never sent: nothing to find.
    if (!attempt.sending) return { state: 'not_published' };
    const since = attempt.startedAt.getTime() / 1000 - 60;
    const found = (list.videos ?? []).find(
      (video) =>
        video.id &&
        !claimed.has(video.id) &&
        (video.create_time ?? 0) >= since &&
        (video.video_description ?? video.title) === post.caption,
    );
    if (found?.id) return { state: 'published', published: { platformPostId: found.id } };
    return this.now() - attempt.startedAt.getTime() < UNSEEN_GRACE_MS
      ? { state: 'pending' }
      : { state: 'not_published' };
  }

  async insights(post: { platformPostId: string }): Promise<Record<string, number>> {
    const data = await this.call<{ videos?: Record<string, unknown>[] }>(
      '/v2/video/query/',
      { filters: { video_ids: [post.platformPostId] } },
      { fields: 'id,view_count,like_count,comment_count,share_count' },
    );
    const video = data.videos?.[0] ?? {};
    return numbers(Object.entries(video).filter(([key]) => key !== 'id'));
  }
}

/** TikTok's token refresh: a new access token and, every time, a new refresh token to keep. */
export async function refreshTikTok(
  baseUrl: string,
  values: { clientKey: string; clientSecret: string; refreshToken: string },
): Promise<{ accessToken: string; refreshToken: string | undefined; expiresAt: Date }> {
  const transport = new Transport({
    integration: 'tiktok',
    label: 'TikTok',
    baseUrl,
    secrets: [values.clientSecret, values.refreshToken],
  });
  const answer = await transport.json<{ access_token?: string; refresh_token?: string; expires_in?: number }>(
    {
      method: 'POST',
      path: '/v2/oauth/token/',
      // Not retried once it may have been acted on: TikTok retires the refresh token it was given.
      form: {
        client_key: values.clientKey,
        client_secret: values.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: values.refreshToken,
      },
    },
  );
  if (!answer.access_token || typeof answer.expires_in !== 'number')
    throw new UnexpectedAnswer('TikTok token refresh: no access_token or expires_in');
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token || undefined,
    expiresAt: new Date(Date.now() + answer.expires_in * 1000),
  };
}
