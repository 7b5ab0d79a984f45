// A local TikTok Content Posting API and Display API, written from TikTok for Developers' reference
// pages (developers.tiktok.com/doc/...): content-posting-api-reference-query-creator-info,
// -direct-post, -upload-video, -photo-post and -get-video-status; content-posting-api-media-transfer-guide
// (chunk rules, 206/201 answers, URL ownership, photo and video restrictions); content-sharing-guidelines
// (unaudited clients: SELF_ONLY only, private accounts, 5 users a day); tiktok-api-v2-video-list,
// -video-query and -video-object (the Display API); tiktok-api-v2-error-handling (the
// {data, error: {code, message, log_id}} envelope); oauth-refresh-a-user-access-token and
// oauth-error-handling (rotated refresh tokens; {error, error_description, log_id}).
//
// What it is for: proving that a client posts exactly once. A post goes live at one moment (the
// status poll, or finishProcessing(), that finds its processing done), is recorded in published()
// then, and never again, however often the status is fetched or an init is retried.
import type { Server } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  FailureQueue,
  MinuteQuota,
  close,
  hashUnit,
  listen,
  type SimRequest,
  type SimResponse,
} from './http-sim.ts';

export interface TikTokSimOptions {
  accessToken: string;
  refreshToken: string;
  clientKey: string;
  clientSecret: string;
  /** Default false: an unaudited app may only post SELF_ONLY, to a private account. */
  audited?: boolean;
  /** How many status fetches answer PROCESSING_* once the media has arrived (default 1). */
  processingPolls?: number;
  now?: () => number;
  /**
   * Verified domains ("cdn.example.com", which covers its subdomains) or URL prefixes
   * ("https://cdn.example.com/shop/"), as registered in the developer portal. Default: any
   * 127.0.0.1 / localhost URL, so tests can serve media from a loopback server.
   */
  verifiedPrefixes?: string[];
  /** Scopes the user granted (default: user.info.basic, video.publish, video.upload, video.list). */
  scopes?: string[];
  /** TikTok does not publish its daily Direct Post cap; integrators report about 15 a day. */
  dailyPostCap?: number;
}

export interface TikTokPost {
  publishId: string;
  postId: string;
  kind: 'VIDEO' | 'PHOTO';
  mode: 'DIRECT_POST' | 'MEDIA_UPLOAD';
  title: string;
  description: string;
  privacyLevel: string;
  imageUrls: string[];
  videoBytes: number;
  publishedAt: Date;
}

type Mode = TikTokPost['mode'];
type Outcome = { ok: true; bytes: number } | { ok: false; reason: string; bytes: number };

interface Upload {
  id: string;
  token: string;
  size: number;
  chunkSize: number;
  chunks: number;
  received: number;
  head: Buffer;
  expiresAt: number;
}

interface Job {
  publishId: string;
  kind: TikTokPost['kind'];
  mode: Mode;
  source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  createdAt: number;
  title: string;
  description: string;
  privacyLevel: string;
  imageUrls: string[];
  upload?: Upload;
  pull?: Promise<Outcome>;
  outcome?: Outcome;
  /** TRANSFER: media still arriving; PROCESSING: arrived, being processed; INBOX: waiting for the owner. */
  state: 'TRANSFER' | 'PROCESSING' | 'INBOX' | 'COMPLETE' | 'FAILED';
  pollsLeft: number;
  post?: TikTokPost;
}

const MiB = 1024 * 1024;
const DAY_MS = 86_400_000;
// Lifetimes from oauth-user-access-token-management (updated November 2026): access tokens last
// 2 hours, refresh tokens 180 days. Older pages said 24 hours and 365 days; clients must read expires_in.
const ACCESS_TTL_S = 7200;
const REFRESH_TTL_S = 180 * 86_400;
const ALL_PRIVACY = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'];
// creator_info: a public account offers these three; an unaudited client may only use SELF_ONLY.
const PUBLIC_ACCOUNT_OPTIONS = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'];
const UNAUDITED_OPTIONS = ['SELF_ONLY'];
const DEFAULT_SCOPES = ['user.info.basic', 'video.publish', 'video.upload', 'video.list'];
const VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];
const VIDEO_FIELDS = [
  'id',
  'create_time',
  'cover_image_url',
  'share_url',
  'video_description',
  'duration',
  'height',
  'width',
  'title',
  'embed_html',
  'embed_link',
  'like_count',
  'comment_count',
  'share_count',
  'view_count',
];
// Per access token and per minute, as each reference page states. The three init endpoints share
// one budget here: the pages give 6 a minute each, and sharing it is the cautious reading.
const LIMITS = { init: 6, status: 30, creator: 20, display: 600 } as const;
const INT64_MARK = '__int64__';

const digest = (text: string) => createHash('sha256').update(text).digest();
/** Constant-time comparison: both sides are hashed to the same length first. */
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

const record = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

const positiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

/** The media-transfer guide's chunk rules; undefined when the plan is acceptable. */
export function chunkProblem(size: unknown, chunk: unknown, count: unknown): string | undefined {
  if (!positiveInteger(size) || !positiveInteger(chunk) || !positiveInteger(count))
    return 'video_size, chunk_size and total_chunk_count must be positive integers';
  if (size > 4096 * MiB) return 'video_size is over the 4 GB limit';
  if (size < 5 * MiB)
    return chunk === size && count === 1
      ? undefined
      : 'a video under 5 MB is uploaded whole: chunk_size must equal video_size and total_chunk_count be 1';
  if (chunk < 5 * MiB || chunk > 64 * MiB) return 'chunk_size must be between 5 MB and 64 MB';
  if (count !== Math.floor(size / chunk))
    return `total_chunk_count must be video_size / chunk_size rounded down (${Math.floor(size / chunk)})`;
  // The guide's other two limits hold by construction: the final chunk (chunk_size plus the trailing
  // bytes) stays under 2 × 64 MB = 128 MB, and 4 GB in chunks of 5 MB or more is under 1000 chunks.
  if (count === 1 && size > 64 * MiB) return 'a video over 64 MB must be uploaded in several chunks';
  return undefined;
}

const isJpeg = (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isWebp = (b: Buffer) =>
  b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP';
// MP4 and QuickTime start with a box whose type is "ftyp"; WebM with the EBML magic number.
const isVideo = (b: Buffer) =>
  b.subarray(4, 8).toString('latin1') === 'ftyp' ||
  (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3);

/** TikTok refuses redirects and gives up on a download after a while; here after 10 s. */
async function download(url: string): Promise<Buffer | undefined> {
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return undefined;
    return Buffer.from(await response.arrayBuffer());
  } catch {
    return undefined;
  }
}

/** Photo restrictions: JPEG or WebP, at most 20 MB each. */
async function pullPhotos(urls: string[]): Promise<Outcome> {
  let bytes = 0;
  for (const url of urls) {
    const body = await download(url);
    if (!body) return { ok: false, reason: 'photo_pull_failed', bytes };
    bytes += body.length;
    if (!isJpeg(body) && !isWebp(body)) return { ok: false, reason: 'file_format_check_failed', bytes };
    if (body.length > 20 * MiB) return { ok: false, reason: 'picture_size_check_failed', bytes };
  }
  return { ok: true, bytes };
}

async function pullVideo(url: string): Promise<Outcome> {
  const body = await download(url);
  if (!body) return { ok: false, reason: 'video_pull_failed', bytes: 0 };
  if (!isVideo(body)) return { ok: false, reason: 'file_format_check_failed', bytes: body.length };
  return { ok: true, bytes: body.length };
}

/** A number that grows from 0 towards 1 as a post ages (half-way after about four hours). */
const growth = (ageMs: number) => 1 - Math.exp(-Math.max(0, ageMs) / (6 * 3600_000));

export class TikTokSimulator {
  readonly failures = new FailureQueue();
  private readonly now: () => number;
  private readonly accessTokens = new Map<string, number>(); // token → expires at (ms)
  private refresh: { token: string; expiresAt: number };
  private readonly quotas = new Map<string, MinuteQuota>();
  private readonly jobs = new Map<string, Job>();
  private readonly uploads = new Map<string, Job>(); // upload id → its job
  private readonly posts: TikTokPost[] = [];
  private sequence = 0;
  private lastPublishedAt = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: TikTokSimOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.accessTokens.set(options.accessToken, this.now() + ACCESS_TTL_S * 1000);
    this.refresh = { token: options.refreshToken, expiresAt: this.now() + REFRESH_TTL_S * 1000 };
  }

  static async start(options: TikTokSimOptions): Promise<TikTokSimulator> {
    const holder: { simulator?: TikTokSimulator } = {};
    const { server, baseUrl } = await listen((request) => holder.simulator!.handle(request));
    holder.simulator = new TikTokSimulator(server, baseUrl, options);
    return holder.simulator;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  /** Every post that went live, in order: a test counts them to prove exactly-once. */
  published(): TikTokPost[] {
    return [...this.posts];
  }

  /** The access tokens stop working (401 access_token_invalid); the refresh token still works. */
  expireAccessToken(): void {
    for (const token of this.accessTokens.keys()) this.accessTokens.set(token, 0);
  }

  /**
   * TikTok goes on processing whether or not anyone polls: every post whose media has fully
   * arrived finishes now (a direct post goes live, an upload reaches the owner's inbox). A test of
   * a client that crashed after uploading calls this to stand for the time that passed.
   */
  async finishProcessing(): Promise<void> {
    for (const job of this.jobs.values()) {
      await this.settleTransfer(job);
      if (job.state === 'PROCESSING') this.finish(job);
    }
  }

  /** The owner opens the inbox notification and posts the draft in the TikTok app. */
  ownerPostsFromInbox(publishId: string): TikTokPost {
    const job = this.jobs.get(publishId);
    if (job?.state !== 'INBOX') throw new Error(`${publishId} is not waiting in the owner's inbox`);
    job.privacyLevel = this.options.audited ? 'PUBLIC_TO_EVERYONE' : 'SELF_ONLY';
    return this.goLive(job);
  }

  // ---------------------------------------------------------------- plumbing

  private logId(): string {
    const stamp = new Date(this.now()).toISOString().replace(/\D/g, '').slice(0, 14);
    return `${stamp}${randomBytes(9).toString('hex').toUpperCase()}`;
  }

  /** TikTok's envelope; creator_info alone answers 200 with a code other than ok (see there). */
  private ok(data: unknown, code = 'ok', message = ''): SimResponse {
    const logId = this.logId();
    const body = { data, error: { code, message, log_id: logId } };
    // int64 values marked by int64() go out as bare JSON numbers, as TikTok sends them.
    const text = JSON.stringify(body).replace(new RegExp(`"${INT64_MARK}(\\d+)"`, 'g'), '$1');
    return { status: 200, raw: text, headers: { 'x-tt-logid': logId } };
  }

  private fail(status: number, code: string, message: string): SimResponse {
    const logId = this.logId();
    return {
      status,
      body: { data: {}, error: { code, message, log_id: logId } },
      headers: { 'x-tt-logid': logId },
    };
  }

  private invalid(message: string, code = 'invalid_param'): SimResponse {
    return this.fail(400, code, message);
  }

  private quota(kind: keyof typeof LIMITS, token: string): MinuteQuota {
    const key = `${kind}:${token}`;
    let quota = this.quotas.get(key);
    if (!quota) this.quotas.set(key, (quota = new MinuteQuota(LIMITS[kind])));
    return quota;
  }

  private validAccessToken(candidate: string): boolean {
    for (const [token, expiresAt] of this.accessTokens)
      if (same(candidate, token)) return expiresAt > this.now();
    return false;
  }

  private granted(scopes: string[]): boolean {
    const held = this.options.scopes ?? DEFAULT_SCOPES;
    return scopes.some((scope) => held.includes(scope));
  }

  private nextTimestamp(): number {
    // Strictly increasing, so video/list's millisecond cursor never skips a post made in the same ms.
    this.lastPublishedAt = Math.max(this.now(), this.lastPublishedAt + 1);
    return this.lastPublishedAt;
  }

  // ---------------------------------------------------------------- routing

  private async handle(request: SimRequest): Promise<SimResponse> {
    const injected = this.failures.take();
    if (injected === 'hang') await request.clientGone;
    if (injected === 'rate-limit')
      return this.fail(
        429,
        'rate_limit_exceeded',
        'The API rate limit was exceeded. Please try again later.',
      );
    if (injected === 'server-error' || injected === 'hang')
      return this.fail(500, 'internal_error', 'TikTok server or network error. Try again later.');
    if (injected === 'malformed') return { status: 200, raw: '{"data":{"publish_id":"v_pub' };
    if (request.method === 'PUT' && request.path === '/upload/video/') return this.receiveChunk(request);
    if (request.method === 'POST' && request.path === '/v2/oauth/token/') return this.token(request);
    if (request.method !== 'POST') return this.fail(404, 'not_found', 'Not found');
    return this.api(request);
  }

  private async api(request: SimRequest): Promise<SimResponse> {
    const route = this.route(request);
    if (!route) return this.fail(404, 'not_found', `No such endpoint: ${request.path}`);
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!this.validAccessToken(token))
      return this.fail(
        401,
        'access_token_invalid',
        'The access token is invalid or not found in the request. Please refresh the token and retry.',
      );
    if (!this.granted(route.scopes))
      return this.fail(
        401,
        'scope_not_authorized',
        `The user did not authorize the scope required for completing this request (${route.scopes.join(' or ')}).`,
      );
    if (this.quota(route.quota, token).take() !== undefined)
      return this.fail(
        429,
        'rate_limit_exceeded',
        'Your request is blocked due to exceeding the API rate limit.',
      );
    return route.run();
  }

  private route(
    request: SimRequest,
  ):
    | { scopes: string[]; quota: keyof typeof LIMITS; run: () => SimResponse | Promise<SimResponse> }
    | undefined {
    const body = record(request.body);
    switch (request.path) {
      case '/v2/post/publish/creator_info/query/':
        return { scopes: ['video.publish'], quota: 'creator', run: () => this.creatorInfo() };
      case '/v2/post/publish/video/init/':
        return { scopes: ['video.publish'], quota: 'init', run: () => this.videoInit(body, 'DIRECT_POST') };
      case '/v2/post/publish/inbox/video/init/':
        return { scopes: ['video.upload'], quota: 'init', run: () => this.videoInit(body, 'MEDIA_UPLOAD') };
      case '/v2/post/publish/content/init/': {
        const scope = body?.post_mode === 'MEDIA_UPLOAD' ? 'video.upload' : 'video.publish';
        return { scopes: [scope], quota: 'init', run: () => this.photoInit(body) };
      }
      case '/v2/post/publish/status/fetch/':
        return { scopes: ['video.upload', 'video.publish'], quota: 'status', run: () => this.status(body) };
      case '/v2/video/list/':
        return { scopes: ['video.list'], quota: 'display', run: () => this.videoList(request, body) };
      case '/v2/video/query/':
        return { scopes: ['video.list'], quota: 'display', run: () => this.videoQuery(request, body) };
      default:
        return undefined;
    }
  }

  // ---------------------------------------------------------------- creator info

  private privacyOptions(): string[] {
    return this.options.audited ? PUBLIC_ACCOUNT_OPTIONS : UNAUDITED_OPTIONS;
  }

  private creatorInfo(): SimResponse {
    const data = {
      creator_avatar_url: 'https://p16-sign.tiktokcdn.com/sim/avatar.jpeg',
      creator_username: 'shopkeep.sim',
      creator_nickname: 'Shopkeep Sim',
      privacy_level_options: this.privacyOptions(),
      comment_disabled: false,
      // The docs: duets and stitches are off for a private account, which an unaudited app needs.
      duet_disabled: !this.options.audited,
      stitch_disabled: !this.options.audited,
      max_video_post_duration_sec: 300,
    };
    // creator_info answers 200 with an error code when the user can post no more today (sic).
    if (this.directPostsToday() >= this.dailyCap())
      return this.ok(
        data,
        'spam_risk_too_many_posts',
        'The daily post cap from the API is reached for the current user.',
      );
    return this.ok(data);
  }

  // ---------------------------------------------------------------- init

  /** privacy_level must be one creator_info offered; unaudited apps are held to SELF_ONLY. */
  private privacyRefusal(level: unknown): SimResponse | undefined {
    const mismatch = () =>
      this.fail(
        403,
        'privacy_level_option_mismatch',
        'privacy_level is not specified or not among the privacy_level_options returned in /publish/creator_info/query/.',
      );
    if (typeof level !== 'string' || !ALL_PRIVACY.includes(level)) return mismatch();
    if (!this.options.audited && level !== 'SELF_ONLY')
      return this.fail(
        403,
        'unaudited_client_can_only_post_to_private_accounts',
        'Unaudited clients can only post to a private account, with privacy_level SELF_ONLY.',
      );
    return this.privacyOptions().includes(level) ? undefined : mismatch();
  }

  private dailyCap(): number {
    return this.options.dailyPostCap ?? 15;
  }

  private directPostsToday(): number {
    const since = this.now() - DAY_MS;
    return [...this.jobs.values()].filter(
      (job) => job.mode === 'DIRECT_POST' && job.createdAt > since && job.state !== 'FAILED',
    ).length;
  }

  /** Direct posts hit the daily cap; uploads hit "at most 5 pending shares within 24 hours". */
  private capRefusal(mode: Mode): SimResponse | undefined {
    if (mode === 'DIRECT_POST')
      return this.directPostsToday() >= this.dailyCap()
        ? this.fail(
            403,
            'spam_risk_too_many_posts',
            'The daily post cap from the API is reached for the current user.',
          )
        : undefined;
    const since = this.now() - DAY_MS;
    const pending = [...this.jobs.values()].filter(
      (job) =>
        job.mode === 'MEDIA_UPLOAD' &&
        job.createdAt > since &&
        job.state !== 'COMPLETE' &&
        job.state !== 'FAILED',
    ).length;
    return pending >= 5
      ? this.fail(
          403,
          'spam_risk_too_many_pending_share',
          'The daily upload cap from the API is reached for the current user: at most 5 pending shares within 24 hours.',
        )
      : undefined;
  }

  /** A verified domain covers its subdomains; a verified URL prefix covers URLs that start with it. */
  private verified(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    const prefixes = this.options.verifiedPrefixes;
    if (!prefixes) return parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost';
    return prefixes.some((entry) =>
      /^https?:\/\//.test(entry)
        ? url.startsWith(entry)
        : parsed.hostname === entry || parsed.hostname.endsWith(`.${entry}`),
    );
  }

  private unverified(): SimResponse {
    return this.fail(
      403,
      'url_ownership_unverified',
      'To use PULL_FROM_URL, the developer must verify the ownership of the URL prefix or domain.',
    );
  }

  private newJob(fields: Omit<Job, 'publishId' | 'createdAt' | 'state' | 'pollsLeft'>): Job {
    this.sequence += 1;
    const prefix =
      fields.kind === 'PHOTO'
        ? 'p_pub_url~v2'
        : `v_${fields.mode === 'DIRECT_POST' ? 'pub' : 'inbox'}_${fields.source === 'FILE_UPLOAD' ? 'file' : 'url'}~v2`;
    const job: Job = {
      ...fields,
      publishId: `${prefix}.${7_300_000_000 + this.sequence}`,
      createdAt: this.now(),
      state: 'TRANSFER',
      pollsLeft: 0,
    };
    this.jobs.set(job.publishId, job);
    // A download settles by itself: the job moves on even if no one polls.
    void job.pull?.then((outcome) => this.settle(job, outcome));
    return job;
  }

  private videoInit(body: Record<string, unknown> | undefined, mode: Mode): SimResponse {
    const source = record(body?.source_info);
    if (!source) return this.invalid('source_info is required');
    let title = '';
    let privacyLevel = '';
    if (mode === 'DIRECT_POST') {
      const info = record(body?.post_info) ?? {};
      if (info.title !== undefined && (typeof info.title !== 'string' || info.title.length > 2200))
        return this.invalid('post_info.title is a string of at most 2200 UTF-16 units');
      const refused = this.privacyRefusal(info.privacy_level);
      if (refused) return refused;
      title = (info.title as string | undefined) ?? '';
      privacyLevel = info.privacy_level as string;
    }
    const capped = this.capRefusal(mode);
    if (capped) return capped;
    const common = { kind: 'VIDEO' as const, mode, title, description: '', privacyLevel, imageUrls: [] };
    if (source.source === 'FILE_UPLOAD') return this.fileUploadInit(source, common);
    if (source.source === 'PULL_FROM_URL') {
      if (typeof source.video_url !== 'string') return this.invalid('source_info.video_url is required');
      if (!this.verified(source.video_url)) return this.unverified();
      const job = this.newJob({ ...common, source: 'PULL_FROM_URL', pull: pullVideo(source.video_url) });
      return this.ok({ publish_id: job.publishId });
    }
    return this.invalid('source_info.source must be FILE_UPLOAD or PULL_FROM_URL');
  }

  private fileUploadInit(
    source: Record<string, unknown>,
    common: Omit<Job, 'publishId' | 'createdAt' | 'state' | 'pollsLeft' | 'source'>,
  ): SimResponse {
    const problem = chunkProblem(source.video_size, source.chunk_size, source.total_chunk_count);
    if (problem) return this.invalid(problem);
    const job = this.newJob({ ...common, source: 'FILE_UPLOAD' });
    const upload: Upload = {
      id: String(this.sequence),
      token: randomBytes(12).toString('hex'),
      size: source.video_size as number,
      chunkSize: source.chunk_size as number,
      chunks: source.total_chunk_count as number,
      received: 0,
      head: Buffer.alloc(0),
      expiresAt: this.now() + 3600_000, // "valid for one hour after issuance"
    };
    job.upload = upload;
    this.uploads.set(upload.id, job);
    return this.ok({
      publish_id: job.publishId,
      upload_url: `${this.baseUrl}/upload/video/?upload_id=${upload.id}&upload_token=${upload.token}`,
    });
  }

  private photoInit(body: Record<string, unknown> | undefined): SimResponse {
    if (body?.media_type !== 'PHOTO') return this.invalid('media_type must be PHOTO');
    const mode = body.post_mode;
    if (mode !== 'DIRECT_POST' && mode !== 'MEDIA_UPLOAD')
      return this.invalid('post_mode must be DIRECT_POST or MEDIA_UPLOAD');
    const info = record(body.post_info) ?? {};
    const title = info.title ?? '';
    const description = info.description ?? '';
    if (typeof title !== 'string' || title.length > 90)
      return this.invalid('post_info.title is at most 90 UTF-16 units for photo posts');
    if (typeof description !== 'string' || description.length > 4000)
      return this.invalid('post_info.description is at most 4000 UTF-16 units');
    const source = record(body.source_info);
    const problem = photoSourceProblem(source);
    if (problem) return this.invalid(problem);
    if (mode === 'DIRECT_POST') {
      const refused = this.privacyRefusal(info.privacy_level);
      if (refused) return refused;
    }
    const capped = this.capRefusal(mode);
    if (capped) return capped;
    const urls = source!.photo_images as string[];
    if (!urls.every((url) => this.verified(url))) return this.unverified();
    const job = this.newJob({
      kind: 'PHOTO',
      mode,
      source: 'PULL_FROM_URL',
      title,
      description,
      privacyLevel: mode === 'DIRECT_POST' ? (info.privacy_level as string) : '',
      imageUrls: urls,
      pull: pullPhotos(urls),
    });
    return this.ok({ publish_id: job.publishId });
  }

  // ---------------------------------------------------------------- upload

  /** The guide documents the upload URL's statuses (400, 403, 404, 416), not its bodies. */
  private chunkError(status: number, message: string): SimResponse {
    return this.fail(status, 'invalid_file_upload', message);
  }

  /** PUT {upload_url}: chunks in order; 206 while some are missing, 201 when all arrived. */
  private receiveChunk(request: SimRequest): SimResponse {
    const job = this.uploads.get(request.query.get('upload_id') ?? '');
    const upload = job?.upload;
    if (!job || !upload || !same(request.query.get('upload_token') ?? '', upload.token))
      return this.chunkError(404, 'No upload task for this upload_url.');
    if (this.now() > upload.expiresAt) return this.chunkError(403, 'The upload_url has expired.');
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (!VIDEO_TYPES.includes(type))
      return this.chunkError(400, `Content-Type must be one of ${VIDEO_TYPES.join(', ')}`);
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(request.headers['content-range'] ?? '');
    if (!range) return this.chunkError(400, 'Content-Range must be bytes {first}-{last}/{total}');
    const [first, last, total] = range.slice(1).map(Number) as [number, number, number];
    if (total !== upload.size || last < first || request.bodyBytes.length !== last - first + 1)
      return this.chunkError(400, 'Content-Range or Content-Length does not match the bytes sent');
    if (upload.received === upload.size || first !== upload.received)
      return this.chunkError(
        416,
        `Content-Range does not reflect the upload progress (${upload.received} bytes so far)`,
      );
    const index = first / upload.chunkSize;
    const end = index === upload.chunks - 1 ? upload.size - 1 : first + upload.chunkSize - 1;
    if (last !== end) return this.chunkError(400, `chunk ${index + 1} must end at byte ${end}`);
    if (first === 0) upload.head = Buffer.from(request.bodyBytes.subarray(0, 16));
    upload.received = last + 1;
    if (upload.received < upload.size)
      return {
        status: 206,
        raw: '',
        headers: { 'content-range': `bytes 0-${upload.received - 1}/${upload.size}` },
      };
    const outcome: Outcome = isVideo(upload.head)
      ? { ok: true, bytes: upload.size }
      : { ok: false, reason: 'file_format_check_failed', bytes: upload.size };
    this.settle(job, outcome);
    return {
      status: 201,
      raw: '',
      headers: { 'content-range': `bytes 0-${upload.size - 1}/${upload.size}` },
    };
  }

  // ---------------------------------------------------------------- status

  /** The media arrived (or failed to): processing starts, counted in status polls. */
  private settle(job: Job, outcome: Outcome): void {
    if (job.state !== 'TRANSFER') return;
    job.outcome = outcome;
    job.state = outcome.ok ? 'PROCESSING' : 'FAILED';
    job.pollsLeft = this.options.processingPolls ?? 1;
  }

  private async settleTransfer(job: Job): Promise<void> {
    if (job.state === 'TRANSFER' && job.pull) this.settle(job, await job.pull);
  }

  private finish(job: Job): void {
    if (job.mode === 'DIRECT_POST') this.goLive(job);
    else job.state = 'INBOX';
  }

  /** The one place a post goes live: a job has at most one post, however often it is asked. */
  private goLive(job: Job): TikTokPost {
    if (job.post) return job.post;
    this.sequence += 1;
    job.post = {
      publishId: job.publishId,
      postId: String(7_441_000_000_000_000_000n + BigInt(this.sequence) * 7_919n),
      kind: job.kind,
      mode: job.mode,
      title: job.title,
      description: job.description,
      privacyLevel: job.privacyLevel,
      imageUrls: job.imageUrls,
      videoBytes: job.kind === 'VIDEO' ? (job.outcome?.bytes ?? 0) : 0,
      publishedAt: new Date(this.nextTimestamp()),
    };
    job.state = 'COMPLETE';
    this.posts.push(job.post);
    return job.post;
  }

  private async status(body: Record<string, unknown> | undefined): Promise<SimResponse> {
    const job = this.jobs.get(String(body?.publish_id ?? ''));
    if (!job) return this.fail(400, 'invalid_publish_id', 'The publish_id does not exist.');
    await this.settleTransfer(job);
    if (job.state === 'PROCESSING') {
      if (job.pollsLeft > 0) job.pollsLeft -= 1;
      else this.finish(job);
    }
    return this.ok(this.statusData(job));
  }

  private statusData(job: Job): Record<string, unknown> {
    const processing = job.source === 'FILE_UPLOAD' ? 'PROCESSING_UPLOAD' : 'PROCESSING_DOWNLOAD';
    const status = {
      TRANSFER: processing,
      PROCESSING: processing,
      INBOX: 'SEND_TO_USER_INBOX',
      COMPLETE: 'PUBLISH_COMPLETE',
      FAILED: 'FAILED',
    }[job.state];
    // "post_id is returned only if the post is published for public viewership" — as list<int64>,
    // bare JSON numbers too long for a JavaScript number: a client must not JSON.parse them blindly.
    const publicId =
      job.post?.privacyLevel === 'PUBLIC_TO_EVERYONE' ? [`${INT64_MARK}${job.post.postId}`] : [];
    return {
      status,
      ...(job.state === 'FAILED' && job.outcome && !job.outcome.ok
        ? { fail_reason: job.outcome.reason }
        : {}),
      publicaly_available_post_id: publicId,
      ...(job.upload
        ? { uploaded_bytes: job.upload.received }
        : { downloaded_bytes: job.outcome?.bytes ?? 0 }),
    };
  }

  // ---------------------------------------------------------------- display API

  private fields(request: SimRequest): string[] | undefined {
    const fields = (request.query.get('fields') ?? '').split(',').filter(Boolean);
    return fields.length && fields.every((field) => VIDEO_FIELDS.includes(field)) ? fields : undefined;
  }

  /** The Video Object, with only the requested fields; counts grow with the post's age. */
  private videoObject(post: TikTokPost, fields: string[]): Record<string, unknown> {
    const views = Math.round(
      (200 + hashUnit(post.postId) * 20_000) * growth(this.now() - post.publishedAt.getTime()),
    );
    const share = (salt: number, low: number, spread: number) =>
      Math.round(views * (low + hashUnit(post.postId, salt) * spread));
    const url = `https://www.tiktok.com/@shopkeep.sim/${post.kind === 'PHOTO' ? 'photo' : 'video'}/${post.postId}`;
    const all: Record<string, unknown> = {
      id: post.postId,
      create_time: Math.floor(post.publishedAt.getTime() / 1000),
      cover_image_url: `https://p16-sign.tiktokcdn.com/sim/${post.postId}.jpeg`,
      share_url: url,
      video_description: post.kind === 'PHOTO' ? post.description : post.title,
      duration: post.kind === 'PHOTO' ? 0 : 15,
      height: 1920,
      width: 1080,
      title: post.title,
      embed_html: `<blockquote class="tiktok-embed" cite="${url}"></blockquote>`,
      embed_link: `https://www.tiktok.com/embed/v2/${post.postId}`,
      like_count: share(1, 0.03, 0.07),
      comment_count: share(2, 0.002, 0.01),
      share_count: share(3, 0.001, 0.01),
      view_count: views,
    };
    return Object.fromEntries(fields.map((field) => [field, all[field]]));
  }

  /** "A paginated list for the given user's public TikTok video posts, sorted by create_time descending." */
  private videoList(request: SimRequest, body: Record<string, unknown> | undefined): SimResponse {
    const fields = this.fields(request);
    if (!fields) return this.invalid(`fields must name some of: ${VIDEO_FIELDS.join(',')}`, 'invalid_params');
    const max = body?.max_count ?? 10;
    if (!positiveInteger(max) || max > 20) return this.invalid('max_count is 1 to 20', 'invalid_params');
    const cursor = typeof body?.cursor === 'number' ? body.cursor : Number.POSITIVE_INFINITY;
    const older = this.posts
      .filter((post) => post.privacyLevel === 'PUBLIC_TO_EVERYONE' && post.publishedAt.getTime() < cursor)
      .sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime());
    const page = older.slice(0, max);
    return this.ok({
      videos: page.map((post) => this.videoObject(post, fields)),
      cursor: page.at(-1)?.publishedAt.getTime() ?? 0,
      has_more: older.length > page.length,
    });
  }

  private videoQuery(request: SimRequest, body: Record<string, unknown> | undefined): SimResponse {
    const fields = this.fields(request);
    if (!fields) return this.invalid(`fields must name some of: ${VIDEO_FIELDS.join(',')}`, 'invalid_params');
    const ids = record(body?.filters)?.video_ids;
    if (!Array.isArray(ids) || !ids.length || ids.length > 20 || !ids.every((id) => typeof id === 'string'))
      return this.invalid('filters.video_ids is a list of 1 to 20 video ids', 'invalid_params');
    const videos = this.posts.filter((post) => ids.includes(post.postId));
    return this.ok({ videos: videos.map((post) => this.videoObject(post, fields)) });
  }

  // ---------------------------------------------------------------- OAuth

  private oauthError(status: number, error: string, description: string): SimResponse {
    return { status, body: { error, error_description: description, log_id: this.logId() } };
  }

  /** POST /v2/oauth/token/, grant_type=refresh_token: a new access token and a NEW refresh token. */
  private token(request: SimRequest): SimResponse {
    const form = new URLSearchParams(request.rawBody);
    if (
      !same(form.get('client_key') ?? '', this.options.clientKey) ||
      !same(form.get('client_secret') ?? '', this.options.clientSecret)
    )
      return this.oauthError(401, 'invalid_client', 'Client authentication failed.');
    if (form.get('grant_type') !== 'refresh_token')
      return this.oauthError(400, 'unsupported_grant_type', 'This simulator grants refresh_token only.');
    const presented = form.get('refresh_token');
    if (!presented) return this.oauthError(400, 'invalid_request', 'refresh_token is required.');
    if (!same(presented, this.refresh.token) || this.refresh.expiresAt <= this.now())
      return this.oauthError(400, 'invalid_grant', 'Refresh token is invalid or expired.');
    // Rotation: the refresh token just used stops working; only the newest one refreshes.
    const access = `act.${randomBytes(24).toString('hex')}`;
    this.refresh = {
      token: `rft.${randomBytes(24).toString('hex')}`,
      expiresAt: this.now() + REFRESH_TTL_S * 1000,
    };
    this.accessTokens.set(access, this.now() + ACCESS_TTL_S * 1000);
    return {
      status: 200,
      body: {
        access_token: access,
        expires_in: ACCESS_TTL_S,
        open_id: `-000sim${digest(this.options.clientKey).toString('hex').slice(0, 20)}`,
        refresh_expires_in: REFRESH_TTL_S,
        refresh_token: this.refresh.token,
        scope: (this.options.scopes ?? DEFAULT_SCOPES).join(','),
        token_type: 'Bearer',
      },
    };
  }
}

function photoSourceProblem(source: Record<string, unknown> | undefined): string | undefined {
  if (source?.source !== 'PULL_FROM_URL') return 'source_info.source must be PULL_FROM_URL for photos';
  const images = source.photo_images;
  if (
    !Array.isArray(images) ||
    !images.length ||
    images.length > 35 ||
    !images.every((u) => typeof u === 'string')
  )
    return 'source_info.photo_images is a list of 1 to 35 URLs';
  const cover = source.photo_cover_index;
  if (typeof cover !== 'number' || !Number.isInteger(cover) || cover < 0 || cover >= images.length)
    return 'source_info.photo_cover_index must be the index of one of photo_images';
  return undefined;
}
