// A local Meta Graph API for the two things shopkeep does there, written from Meta's documentation:
// Instagram content publishing through Facebook Login (graph.facebook.com: IG User /media,
// /media_publish, /content_publishing_limit, /stories, /insights; IG Container status_code; IG Media
// and its /insights, https://developers.facebook.com/docs/instagram-platform/content-publishing and
// .../instagram-graph-api/reference/ig-user/media, ig-container, instagram-media/insights) and a
// Facebook Page (/photos, /feed, /published_posts, post /insights, Pages API reference). Errors are
// Graph's shape and, for Instagram media, the codes of Meta's "Error Codes" table
// (.../instagram-graph-api/reference/error-codes). Tokens follow the access-token guides:
// fb_exchange_token for a long-lived token (60 days), /debug_token, code 190 / subcode 463 when one
// has expired. Every answer carries the x-app-usage header Graph sends.
//
// Like Instagram, it really downloads the image a container names (a JPEG, at most 8 MiB, its size
// read from the SOF marker, a feed image between 4:5 and 1.91:1) so a client learns here that its
// public media URL, its image format or its crop is wrong, not on the day it goes live.
import type { Server } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { FailureQueue, close, hashUnit, listen, type SimRequest, type SimResponse } from './http-sim.ts';

export interface MetaSimOptions {
  /** The Instagram professional account's id (digits). */
  instagramAccountId: string;
  /** The long-lived token the shop's client uses for Instagram. */
  instagramToken: string;
  facebookPageId: string;
  /** The Page access token. */
  pageToken: string;
  /** The app's id and secret, for fb_exchange_token (and the app token appId|appSecret). */
  appId?: string;
  appSecret?: string;
  /** content_publishing_limit's quota_total: publishes per rolling 24 hours (default 100). */
  publishLimit?: number;
  /** How many status polls a container answers IN_PROGRESS before FINISHED or ERROR (default 1). */
  processingPolls?: number;
  /** The clock, in ms (default Date.now): containers and stories expire after 24 hours of it. */
  now?: () => number;
  /**
   * Answer a bad image at POST /media itself, with the Graph error, instead of later as the
   * container's ERROR status. Instagram has been seen doing both for images; default false.
   */
  mediaErrorsAtCreation?: boolean;
}

export interface PublishedMedia {
  platform: 'instagram' | 'facebook';
  /** The IG media id, or the Page post id ({page-id}_{n}). */
  id: string;
  kind: 'IMAGE' | 'CAROUSEL_ALBUM' | 'REELS' | 'STORY' | 'FEED' | 'PHOTO';
  caption: string;
  /** The media URLs Meta downloaded (a reel's or a video story's video URL too). */
  imageUrls: string[];
  publishedAt: Date;
  containerId?: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_MEDIA_BYTES = 8 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 10_000;
/** What Graph answers as expires_in for a fresh long-lived token: just under 60 days. */
const LONG_LIVED_SECONDS = 5_183_944;
const CONTAINERS_PER_DAY = 400;
const CAPTION_MAX = 2_200;
const HASHTAGS_MAX = 5;
/** The app's hourly call allowance Graph's platform rate limit gives one user. */
const CALLS_PER_HOUR = 200;
const USERNAME = 'sandbox.salon.supplies';
const DISPLAY_NAME = 'Sandbox Salon Supplies';
const GRAPH_DOCS = 'https://developers.facebook.com/docs/graph-api';

// ---- Graph errors --------------------------------------------------------------------------------

interface GraphErrorBody {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  is_transient?: boolean;
}

/** Thrown anywhere in a route; the handler turns it into Graph's error answer. */
class GraphFailure extends Error {
  constructor(
    readonly error: GraphErrorBody,
    readonly status = 400,
  ) {
    super(error.message);
  }
}

function fail(error: GraphErrorBody, status = 400): never {
  throw new GraphFailure(error, status);
}

const traceId = () => randomBytes(8).toString('base64url').slice(0, 11);

function errorReply(status: number, error: GraphErrorBody): SimResponse {
  return { status, body: { error: { type: 'OAuthException', ...error, fbtrace_id: traceId() } } };
}

const INVALID_TOKEN: GraphErrorBody = {
  message: 'Invalid OAuth access token - Cannot parse access token',
  code: 190,
};
const RATE_LIMITED: GraphErrorBody = {
  message: '(#4) Application request limit reached',
  code: 4,
  is_transient: true,
};
const SERVICE_UNAVAILABLE: GraphErrorBody = {
  message: '(#2) Service temporarily unavailable',
  code: 2,
  is_transient: true,
};
const NOT_READY: GraphErrorBody = {
  message: 'Media ID is not available',
  code: 9007,
  error_subcode: 2207027,
  error_user_title: 'Media not ready for publishing',
  error_user_msg: 'The media is not ready for publishing, please wait for a moment',
  is_transient: false,
};
// Meta documents no error for publishing one container twice; this one says so plainly, and it is
// not 2207027, so a client that retries "not ready" does not loop on it.
const ALREADY_PUBLISHED: GraphErrorBody = {
  message: '(#9007) This media container has already been published',
  code: 9007,
  error_user_title: 'Already published',
  error_user_msg: 'This media has already been published. Read the account’s media to find it.',
  is_transient: false,
};
const PUBLISH_LIMIT: GraphErrorBody = {
  message: 'Application request limit reached',
  code: 9,
  error_subcode: 2207042,
  error_user_title: 'Publishing limit reached',
  error_user_msg:
    'You reached maximum number of posts that is allowed to be published by Content Publishing API.',
  is_transient: false,
};
const CONTAINER_EXPIRED: GraphErrorBody = {
  message: 'The media you are trying to access has expired. Please try to upload again.',
  code: -2,
  error_subcode: 2207020,
  is_transient: false,
};

const invalidParameter = (message: string, extra: Partial<GraphErrorBody> = {}): GraphErrorBody => ({
  message: `(#100) ${message}`,
  code: 100,
  ...extra,
});

const required = (name: string) => invalidParameter(`The parameter ${name} is required`);

function unsupported(method: string, id: string): GraphErrorBody {
  const verb = method === 'GET' ? 'get' : method === 'DELETE' ? 'delete' : 'post';
  return {
    message: `Unsupported ${verb} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at ${GRAPH_DOCS}`,
    code: 100,
    error_subcode: 33,
  };
}

const unknownPath = (path: string): GraphErrorBody => ({
  message: `Unknown path components: ${path}`,
  code: 2500,
});

// ---- what Instagram finds wrong with a downloaded file -------------------------------------------

/** A media problem, as Meta's error table words it, and as a container's `status` reports it. */
interface MediaFailure {
  error: GraphErrorBody;
  status: string;
}

function mediaFailure(error: GraphErrorBody, statusText: string): MediaFailure {
  return {
    error: { is_transient: false, ...error },
    status: `Error: ${statusText} (error code ${error.error_subcode})`,
  };
}

const downloadFailed = (uri: string) =>
  mediaFailure(
    {
      // The message is what Graph really sends here, odd as it reads; the user title says what happened.
      message: 'Only photo or video can be accepted as media type.',
      code: 9004,
      error_subcode: 2207052,
      error_user_title: 'Media download has failed. The media URI doesn’t meet our requirements.',
      error_user_msg: `The media could not be fetched from this uri: ${uri}`,
    },
    'Media download has failed. The media URI doesn’t meet our requirements.',
  );

const downloadTooSlow = () =>
  mediaFailure(
    { message: 'It takes too long to download the media.', code: -2, error_subcode: 2207003 },
    'It takes too long to download the media.',
  );

const imageTooLarge = () =>
  mediaFailure(
    {
      message: 'The image size is too large.',
      code: 36000,
      error_subcode: 2207004,
      error_user_title: 'Image size too large',
      error_user_msg: 'The image is too large to download. It should be less than 8 MiB.',
    },
    'The image is too large to download. It should be less than 8 MiB.',
  );

const imageFormat = (format: string) =>
  mediaFailure(
    {
      message: 'The image format is not supported.',
      code: 36001,
      error_subcode: 2207005,
      error_user_title: 'Unsupported image format',
      error_user_msg: `The image format ${format} is not supported. Supported formats are: JPEG.`,
    },
    `The image format ${format} is not supported. Supported formats are: JPEG.`,
  );

const aspectRatio = (ratio: number) =>
  mediaFailure(
    {
      message: 'The aspect ratio is not supported.',
      code: 36003,
      error_subcode: 2207009,
      error_user_title: 'Unsupported aspect ratio',
      error_user_msg: `The submitted image with aspect ratio ${ratio.toFixed(2)} cannot be published. Please submit an image with a valid aspect ratio.`,
    },
    `The submitted image with aspect ratio ${ratio.toFixed(2)} cannot be published. Please submit an image with a valid aspect ratio.`,
  );

const videoFormat = () =>
  mediaFailure(
    {
      message: 'The video format is not supported.',
      code: 352,
      error_subcode: 2207026,
      error_user_msg: 'The video format is not supported. Please check spec for supported video format',
    },
    'The video format is not supported. Please check spec for supported video format.',
  );

/** Width and height from a baseline or progressive JPEG's SOF segment, or undefined. */
export function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 3 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // image data began before any frame header
    const length = bytes.readUInt16BE(at + 2);
    if (isFrameHeader(marker)) {
      if (at + 9 > bytes.length) return undefined;
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  return undefined;
}

/** SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
const isFrameHeader = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function imageFormatName(bytes: Buffer): string {
  if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'PNG';
  if (bytes.subarray(0, 3).toString('latin1') === 'GIF') return 'GIF';
  if (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'WEBP';
  if (
    bytes
      .subarray(4, 12)
      .toString('latin1')
      .match(/^ftyp(heic|heix|mif1)/)
  )
    return 'HEIC';
  return 'UNKNOWN';
}

const isJpeg = (bytes: Buffer) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
/** MP4 and MOV both start with a box whose type, at byte 4, is ftyp (or moov/wide/mdat for old MOVs). */
const isMp4OrMov = (bytes: Buffer) =>
  /^(ftyp|moov|wide|mdat|free)$/.test(bytes.subarray(4, 8).toString('latin1'));

type Download = { bytes: Buffer } | { failure: MediaFailure };

/** Downloads a media URL as Meta's crawler does: plain GET, a time limit, a size limit. */
async function download(uri: string): Promise<Download> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { failure: downloadFailed(uri) };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { failure: downloadFailed(uri) };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!response.ok || !response.body) return { failure: downloadFailed(uri) };
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Uint8Array).byteLength;
      if (size > MAX_MEDIA_BYTES) return { failure: imageTooLarge() };
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    return { bytes: Buffer.concat(chunks) };
  } catch (error) {
    const name = (error as Error).name;
    return { failure: name === 'TimeoutError' ? downloadTooSlow() : downloadFailed(uri) };
  }
}

interface MediaRules {
  video: boolean;
  /** Feed images (single posts and carousel items) must be between 4:5 and 1.91:1; stories need not. */
  feedAspect: boolean;
}

async function checkMedia(uri: string, rules: MediaRules): Promise<MediaFailure | undefined> {
  const result = await download(uri);
  if ('failure' in result) return result.failure;
  const bytes = result.bytes;
  if (rules.video) return isMp4OrMov(bytes) ? undefined : videoFormat();
  if (!isJpeg(bytes)) return imageFormat(imageFormatName(bytes));
  const size = jpegSize(bytes);
  if (!size || !size.width || !size.height) return imageFormat('JPEG (unreadable frame header)');
  const ratio = size.width / size.height;
  if (rules.feedAspect && (ratio < 0.8 - 1e-9 || ratio > 1.91 + 1e-9)) return aspectRatio(ratio);
  return undefined;
}

// ---- the simulator's model -----------------------------------------------------------------------

type TokenUse = 'instagram' | 'page';

interface AccessToken {
  value: string;
  use: TokenUse;
  issuedAt: number;
  /** ms; 0 when it never expires (a Page token from a long-lived user token). */
  expiresAt: number;
}

type ContainerKind = 'IMAGE' | 'VIDEO' | 'CAROUSEL' | 'STORIES' | 'REELS';
type ContainerStatus = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

interface Container {
  id: string;
  kind: ContainerKind;
  carouselItem: boolean;
  caption: string;
  mediaUrl?: string;
  video: boolean;
  children: string[];
  createdAt: number;
  polls: number;
  /** The download and checks, started when the container is made. */
  check: Promise<MediaFailure | undefined>;
  mediaId?: string;
}

interface IgMedia {
  id: string;
  containerId: string;
  kind: 'IMAGE' | 'CAROUSEL_ALBUM' | 'REELS' | 'STORY';
  mediaType: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  productType: 'FEED' | 'REELS' | 'STORY';
  caption: string;
  urls: string[];
  childIds: string[];
  publishedAt: number;
}

interface PagePost {
  id: string;
  message: string;
  link?: string;
  photoUrl?: string;
  createdAt: number;
}

interface PagePhoto {
  id: string;
  postId?: string;
  url: string;
  caption: string;
  createdAt: number;
}

type GraphNode =
  | { type: 'ig-user' }
  | { type: 'container'; container: Container }
  | { type: 'ig-media'; media: IgMedia }
  | { type: 'page' }
  | { type: 'page-post'; post: PagePost }
  | { type: 'photo'; photo: PagePhoto };

const NODE_USE: Record<GraphNode['type'], TokenUse> = {
  'ig-user': 'instagram',
  container: 'instagram',
  'ig-media': 'instagram',
  page: 'page',
  'page-post': 'page',
  photo: 'page',
};

type Params = Record<string, string>;

interface Call {
  method: string;
  nodeId: string;
  edge: string;
  params: Params;
  token: AccessToken;
  version: string;
}

const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Graph's timestamps: ISO 8601, UTC, "+0000" and no milliseconds. */
const graphTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');

const ok = (body: unknown): SimResponse => ({ status: 200, body });

export class MetaSimulator {
  readonly failures = new FailureQueue();
  private readonly now: () => number;
  private readonly publishLimit: number;
  private readonly processingPolls: number;
  private readonly tokens: AccessToken[] = [];
  private readonly containers = new Map<string, Container>();
  private readonly containerTimes: number[] = [];
  private readonly igMedia = new Map<string, IgMedia>();
  private readonly publishTimes: number[] = [];
  private readonly posts = new Map<string, PagePost>();
  private readonly photos = new Map<string, PagePhoto>();
  private readonly publishedLog: PublishedMedia[] = [];
  private readonly insightOverrides = new Map<string, Partial<Record<string, number>>>();
  private readonly calls: number[] = [];
  private forcedPublishFailure: GraphErrorBody | undefined;
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: MetaSimOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.publishLimit = options.publishLimit ?? 100;
    this.processingPolls = options.processingPolls ?? 1;
    const started = this.now();
    this.tokens.push(
      { value: options.instagramToken, use: 'instagram', issuedAt: started, expiresAt: started + 60 * DAY },
      // Page tokens got from a long-lived user token do not expire (Meta's access-token guide).
      { value: options.pageToken, use: 'page', issuedAt: started, expiresAt: 0 },
    );
  }

  static async start(options: MetaSimOptions): Promise<MetaSimulator> {
    const holder: { simulator?: MetaSimulator } = {};
    const { server, baseUrl } = await listen((request) => holder.simulator!.handle(request));
    holder.simulator = new MetaSimulator(server, baseUrl, options);
    return holder.simulator;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  // ---- test-facing -------------------------------------------------------------------------------

  /** Every Instagram media and Page post published, in order: count these to prove exactly-once. */
  published(): PublishedMedia[] {
    return this.publishedLog.map((each) => ({ ...each, imageUrls: [...each.imageUrls] }));
  }

  /** Every token stops working now, as on the day it expires: code 190, subcode 463. */
  expireTokens(): void {
    const now = this.now();
    for (const token of this.tokens) token.expiresAt = now;
  }

  /** When a token expires (null: never); the clock decides, as for the real ones. */
  setTokenExpiry(token: string, expiresAt: Date | null): void {
    const found = this.findToken(token);
    if (!found) throw new Error('no such token in the simulator');
    found.expiresAt = expiresAt ? expiresAt.getTime() : 0;
  }

  /** The next media_publish, Page photo or Page feed post fails with this Graph error, once. */
  failNextPublish(code: number, subcode: number | undefined, message: string): void {
    this.forcedPublishFailure = {
      message,
      code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      is_transient: false,
    };
  }

  /** Fixed insight values for one IG media or Page post, over the simulated ones. */
  setInsights(mediaId: string, values: Partial<Record<string, number>>): void {
    this.insightOverrides.set(mediaId, { ...this.insightOverrides.get(mediaId), ...values });
  }

  // ---- HTTP --------------------------------------------------------------------------------------

  private async handle(request: SimRequest): Promise<SimResponse> {
    const injected = this.failures.take();
    const reply = await this.answer(request, injected);
    return {
      ...reply,
      headers: { ...reply.headers, 'x-app-usage': this.appUsage(injected === 'rate-limit') },
    };
  }

  private async answer(request: SimRequest, injected: string | undefined): Promise<SimResponse> {
    const path = /^\/(v\d+\.\d+)\/(.+?)\/?$/.exec(request.path);
    if (!path) return errorReply(404, unknownPath(request.path));
    // A refused call is refused before Graph does anything: nothing is created or published.
    if (injected === 'rate-limit') return errorReply(400, RATE_LIMITED);
    if (injected === 'server-error') return errorReply(500, SERVICE_UNAVAILABLE);
    let reply: SimResponse;
    try {
      reply = await this.route(request, path[1]!, path[2]!.split('/'));
    } catch (error) {
      if (!(error instanceof GraphFailure)) throw error;
      reply = errorReply(error.status, error.error);
    }
    // A broken or lost answer comes after the work is done: the post may be live although the
    // client never heard so. That is the case exactly-once publishing has to survive.
    if (injected === 'malformed') {
      const text = JSON.stringify(reply.body ?? {});
      return { status: 200, raw: text.slice(0, Math.max(1, Math.floor(text.length / 2))) };
    }
    if (injected === 'hang') await request.clientGone;
    return reply;
  }

  /** Graph's x-app-usage: percentages of the app's hourly allowance (100 when throttled). */
  private appUsage(throttled: boolean): string {
    const now = this.now();
    while (this.calls.length && now - this.calls[0]! >= HOUR) this.calls.shift();
    this.calls.push(now);
    const callCount = throttled ? 100 : Math.min(100, Math.round((this.calls.length * 100) / CALLS_PER_HOUR));
    return JSON.stringify({
      call_count: callCount,
      total_cputime: Math.floor(callCount / 4),
      total_time: Math.floor(callCount / 3),
    });
  }

  private async route(request: SimRequest, version: string, segments: string[]): Promise<SimResponse> {
    const params = readParams(request);
    const method = request.method.toUpperCase();
    if (segments.join('/') === 'oauth/access_token') return this.exchangeToken(params);
    if (segments.join('/') === 'debug_token') return this.debugToken(params);
    if (segments.length > 2) fail(unknownPath(`/${segments.slice(2).join('/')}`));
    const [nodeId = '', edge = ''] = segments;
    const token = this.authenticate(request, params);
    const node = this.findNode(nodeId);
    if (!node) fail(unsupported(method, nodeId));
    if (NODE_USE[node.type] !== token.use)
      fail({ message: '(#10) Application does not have permission for this action', code: 10 });
    const call: Call = { method, nodeId, edge, params, token, version };
    return this.dispatch(node, call);
  }

  private dispatch(node: GraphNode, call: Call): SimResponse | Promise<SimResponse> {
    const route = `${call.method} ${call.edge}`;
    switch (node.type) {
      case 'ig-user':
        if (route === 'GET ') return ok(this.accountFields(call));
        if (route === 'POST media') return this.createContainer(call);
        if (route === 'POST media_publish') return this.publish(call);
        if (route === 'GET content_publishing_limit') return ok(this.publishingLimit(call));
        if (route === 'GET media') return ok(this.mediaList(call, false));
        if (route === 'GET stories') return ok(this.mediaList(call, true));
        if (route === 'GET insights') return ok(this.accountInsights(call));
        break;
      case 'container':
        if (route === 'GET ') return this.containerFields(node.container, call);
        break;
      case 'ig-media':
        if (route === 'GET ') return ok(this.mediaFields(node.media, call.params));
        if (route === 'GET insights') return ok(this.mediaInsights(node.media, call.params));
        break;
      case 'page':
        if (route === 'GET ') return ok(this.pageFields(call.params));
        if (route === 'POST photos') return this.postPhoto(call);
        if (route === 'POST feed') return ok(this.postToFeed(call));
        if (['GET feed', 'GET published_posts', 'GET posts'].includes(route)) return ok(this.postList(call));
        break;
      case 'page-post':
        if (route === 'GET ') return ok(this.postFields(node.post, call.params));
        if (route === 'GET insights') return ok(this.postInsights(node.post, call.params));
        break;
      case 'photo':
        if (route === 'GET ') return ok(this.photoFields(node.photo, call.params));
        break;
    }
    if (call.edge && !KNOWN_EDGES.has(call.edge)) fail(unknownPath(`/${call.edge}`));
    return fail(unsupported(call.method, call.nodeId));
  }

  private findNode(id: string): GraphNode | undefined {
    if (id === this.options.instagramAccountId) return { type: 'ig-user' };
    if (id === this.options.facebookPageId) return { type: 'page' };
    const container = this.containers.get(id);
    if (container) return { type: 'container', container };
    const media = this.igMedia.get(id);
    if (media) return { type: 'ig-media', media };
    const post = this.posts.get(id);
    if (post) return { type: 'page-post', post };
    const photo = this.photos.get(id);
    if (photo) return { type: 'photo', photo };
    return undefined;
  }

  private newId(prefix: string): string {
    return `${prefix}${String(this.nextId++).padStart(12, '0')}`;
  }

  // ---- tokens ------------------------------------------------------------------------------------

  private authenticate(request: SimRequest, params: Params): AccessToken {
    const bearer = /^(?:Bearer|OAuth) (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const presented = bearer ?? params.access_token;
    if (!presented) fail(INVALID_TOKEN);
    const token = this.findToken(presented);
    if (!token) fail(INVALID_TOKEN);
    if (this.expired(token)) fail(this.expiredError(token));
    return token;
  }

  /** Compares with every token, in constant time each, and never stops early. */
  private findToken(value: string): AccessToken | undefined {
    let found: AccessToken | undefined;
    for (const token of this.tokens) if (same(token.value, value)) found = token;
    return found;
  }

  private expired(token: AccessToken): boolean {
    return token.expiresAt !== 0 && this.now() >= token.expiresAt;
  }

  private expiredError(token: AccessToken): GraphErrorBody {
    return {
      message: `Error validating access token: Session has expired on ${pacificTime(token.expiresAt)}. The current time is ${pacificTime(this.now())}.`,
      code: 190,
      error_subcode: 463,
    };
  }

  /** GET /oauth/access_token?grant_type=fb_exchange_token: a fresh long-lived token for a live one. */
  private exchangeToken(params: Params): SimResponse {
    if (params.grant_type !== 'fb_exchange_token')
      fail(invalidParameter('grant_type must be fb_exchange_token here'));
    const { appId, appSecret } = this.options;
    if (!appId || !same(params.client_id ?? '', appId))
      fail({ message: 'Error validating application. Invalid application ID.', code: 101 });
    if (!appSecret || !same(params.client_secret ?? '', appSecret))
      fail({ message: 'Error validating client secret.', code: 1 });
    const old = this.findToken(params.fb_exchange_token ?? '');
    if (!old) fail(INVALID_TOKEN);
    if (this.expired(old)) fail(this.expiredError(old));
    const now = this.now();
    // The old token stays valid until its own expiry; the new one serves the same account.
    const token: AccessToken = {
      value: `EAAG${randomBytes(24).toString('base64url')}`,
      use: old.use,
      issuedAt: now,
      expiresAt: now + LONG_LIVED_SECONDS * 1000,
    };
    this.tokens.push(token);
    return ok({ access_token: token.value, token_type: 'bearer', expires_in: LONG_LIVED_SECONDS });
  }

  /** GET /debug_token?input_token=: asked with the app token, or with any live token. */
  private debugToken(params: Params): SimResponse {
    const caller = params.access_token ?? '';
    const appToken = this.options.appId && `${this.options.appId}|${this.options.appSecret ?? ''}`;
    const callerToken = this.findToken(caller);
    if (!(appToken && same(caller, appToken)) && (!callerToken || this.expired(callerToken)))
      fail(INVALID_TOKEN);
    const token = this.findToken(params.input_token ?? '');
    if (!token)
      return ok({
        data: { error: { code: 190, message: INVALID_TOKEN.message }, is_valid: false, scopes: [] },
      });
    const expired = this.expired(token);
    const error = this.expiredError(token);
    return ok({
      data: {
        app_id: this.options.appId ?? '',
        type: token.use === 'page' ? 'PAGE' : 'USER',
        application: 'shopkeep',
        data_access_expires_at: Math.floor((token.issuedAt + 90 * DAY) / 1000),
        expires_at: Math.floor(token.expiresAt / 1000),
        is_valid: !expired,
        issued_at: Math.floor(token.issuedAt / 1000),
        scopes: token.use === 'page' ? PAGE_SCOPES : INSTAGRAM_SCOPES,
        ...(token.use === 'page' ? { profile_id: this.options.facebookPageId } : {}),
        user_id: '100000000000777',
        ...(expired ? { error: { code: 190, message: error.message, subcode: 463 } } : {}),
      },
    });
  }

  // ---- Instagram: containers and publishing ------------------------------------------------------

  private async createContainer(call: Call): Promise<SimResponse> {
    const params = call.params;
    const now = this.now();
    while (this.containerTimes.length && now - this.containerTimes[0]! >= DAY) this.containerTimes.shift();
    if (this.containerTimes.length >= CONTAINERS_PER_DAY)
      fail({
        message: `(#4) An Instagram account can create at most ${CONTAINERS_PER_DAY} containers in a rolling 24 hour period`,
        code: 4,
        is_transient: false,
      });
    const kind = containerKind(params.media_type);
    const carouselItem = params.is_carousel_item === 'true';
    const caption = params.caption ?? '';
    if (!carouselItem && kind !== 'STORIES') checkCaption(caption);
    const container = this.buildContainer(kind, carouselItem, caption, params);
    if (this.options.mediaErrorsAtCreation) {
      const failure = await this.failureOf(container);
      if (failure) fail(failure.error);
    }
    this.containers.set(container.id, container);
    this.containerTimes.push(now);
    return ok({ id: container.id });
  }

  private buildContainer(
    kind: ContainerKind,
    carouselItem: boolean,
    caption: string,
    params: Params,
  ): Container {
    const base = { id: this.newId('1789'), kind, carouselItem, caption, createdAt: this.now(), polls: 0 };
    if (kind === 'CAROUSEL') {
      const children = this.carouselChildren(params.children);
      return { ...base, video: false, children, check: Promise.resolve(undefined) };
    }
    if (kind === 'VIDEO' && !carouselItem)
      fail(invalidParameter('The VIDEO media type is only for carousel items; publish videos as REELS'));
    const video = kind === 'REELS' || kind === 'VIDEO' || (kind === 'STORIES' && !params.image_url);
    const mediaUrl = video ? params.video_url : params.image_url;
    if (!mediaUrl)
      fail(required(kind === 'STORIES' ? 'image_url or video_url' : video ? 'video_url' : 'image_url'));
    const feedAspect = kind === 'IMAGE';
    const check = checkMedia(mediaUrl, { video, feedAspect });
    return { ...base, mediaUrl, video, children: [], check };
  }

  private carouselChildren(raw: string | undefined): string[] {
    const ids = parseList(raw);
    if (ids.length < 2 || ids.length > 10)
      fail(
        invalidParameter(
          'Your post won’t work as a carousel. Carousels need at least 2 photos/videos and no more than 10 photos/videos.',
          { error_subcode: 2207028, is_transient: false },
        ),
      );
    for (const id of ids) {
      const child = this.containers.get(id);
      if (!child) fail(invalidParameter(`The media with ${id} cannot be found`, { error_subcode: 2207006 }));
      if (!child.carouselItem)
        fail(invalidParameter(`The container ${id} was not created with is_carousel_item=true`));
      if (child.mediaId || this.now() - child.createdAt >= DAY)
        fail(invalidParameter(`The container ${id} has already been used or has expired`));
    }
    return ids;
  }

  /** What is wrong with a container's media (a carousel's: the first bad child), once downloaded. */
  private async failureOf(container: Container): Promise<MediaFailure | undefined> {
    if (container.kind !== 'CAROUSEL') return container.check;
    for (const id of container.children) {
      const failure = await this.containers.get(id)?.check;
      if (failure) return failure;
    }
    return undefined;
  }

  private expiredContainer(container: Container): boolean {
    return !container.mediaId && this.now() - container.createdAt >= DAY;
  }

  /**
   * Processing is over once the client has seen `processingPolls` IN_PROGRESS answers and polled
   * again (at once when processingPolls is 0): publishing before it saw FINISHED is refused.
   */
  private processed(container: Container): boolean {
    return this.processingPolls === 0 || container.polls > this.processingPolls;
  }

  /** One status poll: processing takes `processingPolls` polls, then the download's verdict shows. */
  private async pollStatus(container: Container): Promise<{ code: ContainerStatus; failure?: MediaFailure }> {
    if (container.mediaId) return { code: 'PUBLISHED' };
    if (this.expiredContainer(container)) return { code: 'EXPIRED' };
    container.polls += 1;
    if (!this.processed(container)) return { code: 'IN_PROGRESS' };
    const failure = await this.failureOf(container);
    if (container.mediaId) return { code: 'PUBLISHED' };
    return failure ? { code: 'ERROR', failure } : { code: 'FINISHED' };
  }

  private async containerFields(container: Container, call: Call): Promise<SimResponse> {
    const { code, failure } = await this.pollStatus(container);
    const status = failure?.status ?? CONTAINER_STATUS_TEXT[code];
    return ok(
      pick('ShadowIGMediaBuilder', { id: container.id, status_code: code, status }, call.params.fields, [
        'id',
      ]),
    );
  }

  private async publish(call: Call): Promise<SimResponse> {
    const id = call.params.creation_id;
    if (!id) fail(required('creation_id'));
    const container = this.containers.get(id);
    if (!container)
      fail({
        message: `The media builder with creation id = ${id} does not exist or has been expired.`,
        code: 24,
        error_subcode: 2207008,
        is_transient: false,
      });
    if (container.carouselItem)
      fail(invalidParameter('A carousel item is published as part of its CAROUSEL container, not alone'));
    if (container.mediaId) fail(ALREADY_PUBLISHED);
    if (this.expiredContainer(container)) fail(CONTAINER_EXPIRED);
    if (!this.processed(container)) fail(NOT_READY);
    const failure = await this.failureOf(container);
    if (failure) fail(failure.error);
    // From here on there is no await, so two publishes of one container cannot both get past this.
    if (container.mediaId) fail(ALREADY_PUBLISHED);
    if (this.quotaUsage() >= this.publishLimit) fail(PUBLISH_LIMIT);
    this.takeForcedPublishFailure();
    return ok({ id: this.recordIgMedia(container).id });
  }

  private takeForcedPublishFailure(): void {
    const forced = this.forcedPublishFailure;
    this.forcedPublishFailure = undefined;
    if (forced) fail(forced);
  }

  private quotaUsage(): number {
    const now = this.now();
    while (this.publishTimes.length && now - this.publishTimes[0]! >= DAY) this.publishTimes.shift();
    return this.publishTimes.length;
  }

  private recordIgMedia(container: Container): IgMedia {
    const now = this.now();
    const children = container.children.map((id) => this.containers.get(id)!);
    const shape = MEDIA_SHAPE[container.kind];
    const media: IgMedia = {
      id: this.newId('1790'),
      containerId: container.id,
      kind: shape.kind,
      mediaType: container.kind === 'STORIES' && container.video ? 'VIDEO' : shape.mediaType,
      productType: shape.productType,
      caption: container.kind === 'STORIES' ? '' : container.caption,
      urls: container.mediaUrl ? [container.mediaUrl] : children.map((child) => child.mediaUrl!),
      childIds: children.map(() => this.newId('1791')),
      publishedAt: now,
    };
    container.mediaId = media.id;
    for (const child of children) child.mediaId = media.id;
    this.igMedia.set(media.id, media);
    this.publishTimes.push(now);
    this.publishedLog.push({
      platform: 'instagram',
      id: media.id,
      kind: media.kind,
      caption: media.caption,
      imageUrls: [...media.urls],
      publishedAt: new Date(now),
      containerId: container.id,
    });
    return media;
  }

  private publishingLimit(call: Call): unknown {
    const usage = this.quotaUsage();
    const available = {
      quota_usage: usage,
      config: { quota_total: this.publishLimit, quota_duration: 86_400 },
    };
    return { data: [pick('ContentPublishingLimit', available, call.params.fields, ['quota_usage'], false)] };
  }

  // ---- Instagram: reading ------------------------------------------------------------------------

  private accountFields(call: Call): unknown {
    const feed = [...this.igMedia.values()].filter((media) => media.productType !== 'STORY');
    return pick(
      'IGUser',
      {
        id: this.options.instagramAccountId,
        username: USERNAME,
        name: DISPLAY_NAME,
        followers_count: 1_240,
        follows_count: 310,
        media_count: feed.length,
        biography: 'Salon supplies, sent out the same day.',
        profile_picture_url: `https://scontent.cdninstagram.com/sandbox/${USERNAME}.jpg`,
      },
      call.params.fields,
      ['id'],
    );
  }

  /** The account's feed (newest first) or its stories of the last 24 hours, with Graph's paging. */
  private mediaList(call: Call, stories: boolean): unknown {
    const now = this.now();
    const items = [...this.igMedia.values()]
      .filter((media) =>
        stories
          ? media.productType === 'STORY' && now - media.publishedAt < DAY
          : media.productType !== 'STORY',
      )
      .reverse();
    return paginate(items, call, this.nextUrl(call), (media) => this.mediaFields(media, call.params));
  }

  private mediaFields(media: IgMedia, params: Params): unknown {
    const numbers = this.mediaNumbers(media);
    return pick(
      'IGMedia',
      {
        id: media.id,
        caption: media.caption || undefined,
        media_type: media.mediaType,
        media_product_type: media.productType,
        media_url: media.urls[0],
        permalink: this.permalink(media),
        shortcode: shortcode(media.id),
        timestamp: graphTime(media.publishedAt),
        username: USERNAME,
        like_count: numbers.likes,
        comments_count: numbers.comments,
        children:
          media.kind === 'CAROUSEL_ALBUM' ? { data: media.childIds.map((id) => ({ id })) } : undefined,
      },
      params.fields,
      ['id'],
    );
  }

  private permalink(media: IgMedia): string {
    if (media.productType === 'STORY') return `https://www.instagram.com/stories/${USERNAME}/${media.id}/`;
    const path = media.productType === 'REELS' ? 'reel' : 'p';
    return `https://www.instagram.com/${path}/${shortcode(media.id)}/`;
  }

  /**
   * The media's numbers: deterministic from its id, growing with its age up to 48 hours (Meta says
   * insights can lag that long), with any a test fixed laid over them.
   */
  private mediaNumbers(media: IgMedia): Record<string, number> {
    const grown = Math.min(Math.max(this.now() - media.publishedAt, 0), 48 * HOUR) / (48 * HOUR);
    const u = (salt: number) => hashUnit(media.id, salt);
    const reach = Math.round((80 + 420 * u(1)) * grown);
    const simulated: Record<string, number> = {
      reach,
      views: Math.round(reach * (1.1 + 0.8 * u(2))),
      likes: Math.round(reach * (0.03 + 0.07 * u(3))),
      saved: Math.round(reach * (0.005 + 0.02 * u(5))),
      shares: Math.round(reach * (0.003 + 0.015 * u(6))),
      follows: Math.round(reach * 0.01 * u(7)),
      profile_visits: Math.round(reach * (0.01 + 0.04 * u(8))),
      replies: Math.round(reach * 0.01 * u(9)),
      tap_forward: Math.round(reach * (0.5 + 0.3 * u(10))),
      tap_back: Math.round(reach * (0.03 + 0.07 * u(11))),
      tap_exit: Math.round(reach * (0.05 + 0.1 * u(12))),
      swipe_forward: Math.round(reach * (0.02 + 0.06 * u(13))),
    };
    simulated.comments = Math.round(simulated.likes! * (0.05 + 0.15 * u(4)));
    const numbers = { ...simulated, ...definedOnly(this.insightOverrides.get(media.id)) };
    const interactions =
      media.productType === 'STORY'
        ? numbers.replies! + numbers.shares!
        : numbers.likes! + numbers.comments! + numbers.saved! + numbers.shares!;
    return { total_interactions: interactions, ...numbers };
  }

  private mediaInsights(media: IgMedia, params: Params): unknown {
    const metrics = parseList(params.metric);
    if (!metrics.length) fail(required('metric'));
    const story = media.productType === 'STORY';
    // Story metrics are kept for 24 hours; unavailable insights come back as an empty data set.
    if (story && this.now() - media.publishedAt >= DAY) return { data: [] };
    const allowed = story ? STORY_METRICS : FEED_METRICS;
    metrics.forEach((metric, index) => {
      if (metric === 'impressions')
        fail(
          invalidParameter(
            'Starting from version v22.0 and above, the impressions metric is no longer supported for the queried media; use views',
          ),
        );
      if (!allowed.includes(metric))
        fail(invalidParameter(`metric[${index}] must be one of the following values: ${allowed.join(', ')}`));
    });
    const breakdown = params.breakdown;
    if (
      breakdown &&
      (breakdown !== 'story_navigation_action_type' || metrics.some((m) => m !== 'navigation'))
    )
      fail({ message: 'An unknown error has occurred.', code: 1 });
    const numbers = this.mediaNumbers(media);
    return { data: metrics.map((metric) => this.mediaMetric(media, metric, numbers, Boolean(breakdown))) };
  }

  private mediaMetric(media: IgMedia, metric: string, numbers: Record<string, number>, breakdown: boolean) {
    const [title, description] = METRIC_TEXT[metric]!;
    const id = `${media.id}/insights/${metric}/lifetime`;
    if (metric !== 'navigation')
      return {
        name: metric,
        period: 'lifetime',
        values: [{ value: numbers[metric] }],
        title,
        description,
        id,
      };
    const actions = ['tap_forward', 'tap_back', 'tap_exit', 'swipe_forward'];
    const total = actions.reduce((sum, action) => sum + numbers[action]!, 0);
    const totalValue = breakdown
      ? {
          value: total,
          breakdowns: [
            {
              dimension_keys: ['story_navigation_action_type'],
              results: actions.map((action) => ({ dimension_values: [action], value: numbers[action] })),
            },
          ],
        }
      : { value: total };
    return {
      name: metric,
      period: 'lifetime',
      values: [{ value: total }],
      title,
      description,
      total_value: totalValue,
      id,
    };
  }

  /** The account's follower_count by day: new followers each day, as Meta defines the metric. */
  private accountInsights(call: Call): unknown {
    const metrics = parseList(call.params.metric);
    if (!metrics.length) fail(required('metric'));
    if (call.params.period !== 'day')
      fail(
        invalidParameter(
          'param period must be one of {day, week, days_28, month, lifetime, total_over_range}',
        ),
      );
    const now = this.now();
    const until = call.params.until ? Number(call.params.until) * 1000 : now;
    // Without since and until Graph answers the day before and the day so far.
    const since = call.params.since ? Number(call.params.since) * 1000 : until - DAY;
    if (!(until > since) || until - since > 30 * DAY)
      fail(invalidParameter('There cannot be more than 30 days (2592000 s) between since and until'));
    const days: number[] = [];
    const last = startOfPacificDay(until) + DAY;
    for (let end = startOfPacificDay(since) + DAY; end <= last; end += DAY) days.push(end);
    return {
      data: metrics.map((metric, index) => {
        if (metric !== 'follower_count' && metric !== 'reach')
          fail(
            invalidParameter(`metric[${index}] must be one of the following values: follower_count, reach`),
          );
        const values = days.map((end) => ({
          value:
            metric === 'reach' ? Math.round(300 + 900 * hashUnit(`reach${end}`)) : this.dailyFollowers(end),
          end_time: graphTime(end),
        }));
        const [title, description] = ACCOUNT_METRIC_TEXT[metric]!;
        const id = `${this.options.instagramAccountId}/insights/${metric}/day`;
        return { name: metric, period: 'day', values, title, description, id };
      }),
    };
  }

  private dailyFollowers(dayEnd: number): number {
    return Math.round(2 + 12 * hashUnit(`${this.options.instagramAccountId}:${dayEnd}`));
  }

  // ---- Facebook Page -----------------------------------------------------------------------------

  private pageFields(params: Params): unknown {
    return pick(
      'Page',
      {
        id: this.options.facebookPageId,
        name: DISPLAY_NAME,
        followers_count: 860,
        fan_count: 812,
        link: `https://www.facebook.com/${this.options.facebookPageId}`,
        instagram_business_account: { id: this.options.instagramAccountId },
      },
      params.fields,
      ['id', 'name'],
    );
  }

  private async postPhoto(call: Call): Promise<SimResponse> {
    const url = call.params.url;
    if (!url) fail({ message: '(#324) Requires upload file', code: 324 });
    const failure = await checkMedia(url, { video: false, feedAspect: false });
    if (failure) fail({ message: '(#324) Missing or invalid image file', code: 324 });
    const caption = call.params.caption ?? call.params.message ?? '';
    const now = this.now();
    const photo: PagePhoto = { id: this.newId('1230'), url, caption, createdAt: now };
    // An unpublished photo is only uploaded (to attach to a post later): no post, nothing public.
    if (call.params.published === 'false') {
      this.photos.set(photo.id, photo);
      return ok({ id: photo.id });
    }
    this.takeForcedPublishFailure();
    const post = this.recordPost({ message: caption, photoUrl: url }, 'PHOTO');
    photo.postId = post.id;
    this.photos.set(photo.id, photo);
    return ok({ id: photo.id, post_id: post.id });
  }

  private postToFeed(call: Call): unknown {
    const message = call.params.message ?? '';
    const link = call.params.link;
    if (!message && !link) fail(invalidParameter('Missing message or attachment'));
    // Facebook refuses the same status twice in a row: a retried post shows up here, not twice.
    const latest = [...this.posts.values()].at(-1);
    if (latest && !latest.photoUrl && latest.message === message && latest.link === link)
      fail({ message: '(#506) Duplicate status message', code: 506 });
    this.takeForcedPublishFailure();
    return { id: this.recordPost({ message, link }, 'FEED').id };
  }

  private recordPost(
    content: { message: string; link?: string; photoUrl?: string },
    kind: 'FEED' | 'PHOTO',
  ): PagePost {
    const now = this.now();
    const post: PagePost = {
      id: `${this.options.facebookPageId}_${this.newId('1220')}`,
      ...content,
      createdAt: now,
    };
    this.posts.set(post.id, post);
    this.publishedLog.push({
      platform: 'facebook',
      id: post.id,
      kind,
      caption: post.message,
      imageUrls: post.photoUrl ? [post.photoUrl] : [],
      publishedAt: new Date(now),
    });
    return post;
  }

  private postList(call: Call): unknown {
    const items = [...this.posts.values()].reverse();
    return paginate(items, call, this.nextUrl(call), (post) => this.postFields(post, call.params));
  }

  private postFields(post: PagePost, params: Params): unknown {
    const [page, number] = post.id.split('_');
    return pick(
      'Post',
      {
        id: post.id,
        message: post.message || undefined,
        created_time: graphTime(post.createdAt),
        permalink_url: `https://www.facebook.com/${page}/posts/${number}`,
        full_picture: post.photoUrl,
        link: post.link,
        is_published: true,
        status_type: post.photoUrl ? 'added_photos' : post.link ? 'shared_story' : 'mobile_status_update',
      },
      params.fields,
      ['created_time', 'message', 'id'],
    );
  }

  private photoFields(photo: PagePhoto, params: Params): unknown {
    return pick(
      'Photo',
      {
        id: photo.id,
        name: photo.caption || undefined,
        created_time: graphTime(photo.createdAt),
        page_story_id: photo.postId,
        link: `https://www.facebook.com/photo/?fbid=${photo.id}`,
      },
      params.fields,
      ['created_time', 'id'],
    );
  }

  private postInsights(post: PagePost, params: Params): unknown {
    const metrics = parseList(params.metric);
    if (!metrics.length)
      fail({
        message:
          'No metric was specified to be fetched. Please specify one or more metrics to be fetched and try again.',
        code: 3001,
        error_subcode: 1504028,
      });
    // post_impressions* were withdrawn from every Graph version (Pages API changelog, 2025-2026);
    // Meta names post_total_media_view_unique and post_media_view in their place.
    for (const metric of metrics)
      if (!(metric in POST_METRIC_TEXT)) fail(invalidParameter('The value must be a valid insights metric'));
    const grown = Math.min(Math.max(this.now() - post.createdAt, 0), 48 * HOUR) / (48 * HOUR);
    const overrides = definedOnly(this.insightOverrides.get(post.id));
    const reach = Math.round((60 + 300 * hashUnit(post.id, 1)) * grown);
    const simulated: Record<string, number> = {
      post_total_media_view_unique: reach,
      post_media_view: Math.round(reach * (1.2 + 0.6 * hashUnit(post.id, 2))),
      post_clicks: Math.round(reach * (0.02 + 0.08 * hashUnit(post.id, 3))),
      ...overrides,
    };
    return {
      data: metrics.map((metric) => {
        const [title, description] = POST_METRIC_TEXT[metric]!;
        const id = `${post.id}/insights/${metric}/lifetime`;
        return {
          name: metric,
          period: 'lifetime',
          values: [{ value: simulated[metric] }],
          title,
          description,
          id,
        };
      }),
    };
  }

  /** The URL of the next page, as Graph writes it: absolute, token included. */
  private nextUrl(call: Call): (after: string, limit: number) => string {
    return (after, limit) => {
      const query = new URLSearchParams();
      query.set('access_token', call.token.value);
      for (const [key, value] of Object.entries(call.params))
        if (!['access_token', 'after', 'before', 'limit'].includes(key)) query.set(key, value);
      query.set('limit', String(limit));
      query.set('after', after);
      return `${this.baseUrl}/${call.version}/${call.nodeId}/${call.edge}?${query}`;
    };
  }
}

// ---- tables --------------------------------------------------------------------------------------

const KNOWN_EDGES = new Set([
  'media',
  'media_publish',
  'content_publishing_limit',
  'stories',
  'insights',
  'photos',
  'feed',
  'published_posts',
  'posts',
]);

const CONTAINER_STATUS_TEXT: Record<ContainerStatus, string> = {
  IN_PROGRESS: 'In Progress: Media is still being processed.',
  FINISHED: 'Finished: Media has been uploaded and it is ready to be published.',
  ERROR: 'Error',
  EXPIRED: 'Expired: The container was not published within 24 hours and has expired.',
  PUBLISHED: 'Published: The container’s media object has been published.',
};

const MEDIA_SHAPE: Record<ContainerKind, Pick<IgMedia, 'kind' | 'mediaType' | 'productType'>> = {
  IMAGE: { kind: 'IMAGE', mediaType: 'IMAGE', productType: 'FEED' },
  VIDEO: { kind: 'REELS', mediaType: 'VIDEO', productType: 'REELS' },
  CAROUSEL: { kind: 'CAROUSEL_ALBUM', mediaType: 'CAROUSEL_ALBUM', productType: 'FEED' },
  REELS: { kind: 'REELS', mediaType: 'VIDEO', productType: 'REELS' },
  STORIES: { kind: 'STORY', mediaType: 'IMAGE', productType: 'STORY' },
};

const FEED_METRICS = [
  'views',
  'reach',
  'saved',
  'likes',
  'comments',
  'shares',
  'total_interactions',
  'follows',
  'profile_visits',
];
const STORY_METRICS = [
  'views',
  'reach',
  'replies',
  'shares',
  'total_interactions',
  'follows',
  'profile_visits',
  'navigation',
];

const METRIC_TEXT: Record<string, [string, string]> = {
  views: ['Views', 'The number of times your content was played or displayed.'],
  reach: ['Accounts reached', 'The number of unique accounts that have seen this content at least once.'],
  saved: ['Saved', 'The number of saves of your post.'],
  likes: ['Likes', 'The number of likes on your post.'],
  comments: ['Comments', 'The number of comments on your post.'],
  shares: ['Shares', 'The number of shares of your content.'],
  total_interactions: [
    'Interactions',
    'The number of likes, saves, comments and shares, minus those undone.',
  ],
  follows: ['Follows', 'The number of accounts that started following you.'],
  profile_visits: ['Profile visits', 'The number of times your profile was visited.'],
  replies: ['Replies', 'The number of replies to your story.'],
  navigation: [
    'Navigation',
    'This is the total number of actions taken from your story. These are made up of metrics like exited, forward, back and next story.',
  ],
};

const ACCOUNT_METRIC_TEXT: Record<string, [string, string]> = {
  follower_count: ['Follower Count', 'Total number of unique accounts following this profile'],
  reach: ['Reach', 'Total number of times the Business Account’s media objects have been uniquely viewed'],
};

const POST_METRIC_TEXT: Record<string, [string, string]> = {
  post_total_media_view_unique: ['Lifetime Post Total Viewers', 'The number of people who saw the post.'],
  post_media_view: ['Lifetime Post Views', 'The number of times the post was displayed or played.'],
  post_clicks: ['Lifetime Post Clicks', 'The number of clicks anywhere in the post.'],
};

const INSTAGRAM_SCOPES = [
  'instagram_basic',
  'instagram_content_publish',
  'instagram_manage_insights',
  'pages_show_list',
  'pages_read_engagement',
];
const PAGE_SCOPES = ['pages_manage_posts', 'pages_read_engagement', 'pages_show_list', 'read_insights'];

// ---- small helpers -------------------------------------------------------------------------------

function containerKind(mediaType: string | undefined): ContainerKind {
  if (mediaType === undefined || mediaType === '') return 'IMAGE';
  if (['IMAGE', 'VIDEO', 'CAROUSEL', 'STORIES', 'REELS'].includes(mediaType))
    return mediaType as ContainerKind;
  return fail(invalidParameter(`The media type ${mediaType} is unknown.`, { error_subcode: 2207023 }));
}

function checkCaption(caption: string): void {
  const length = [...caption].length;
  if (length > CAPTION_MAX)
    fail({
      message: 'The caption was too long.',
      code: 36004,
      error_subcode: 2207010,
      error_user_msg: `The submitted image's caption was ${length} characters long. The maximum number of characters permitted for a caption is ${CAPTION_MAX}. Please submit media with a shorter caption.`,
      is_transient: false,
    });
  const hashtags = caption.match(/#[\p{L}\p{N}_]+/gu)?.length ?? 0;
  if (hashtags > HASHTAGS_MAX)
    fail(
      invalidParameter(
        `The caption has ${hashtags} hashtags; Instagram allows at most ${HASHTAGS_MAX} hashtags on a post`,
      ),
    );
}

/** Only the fields asked for (or the node's defaults), id last as Graph writes it; unknown ones refused. */
function pick(
  nodeType: string,
  available: Record<string, unknown>,
  fields: string | undefined,
  defaults: string[],
  withId = true,
): Record<string, unknown> {
  const wanted = fields ? parseList(fields) : defaults;
  const result: Record<string, unknown> = {};
  for (const field of wanted) {
    if (!(field in available))
      fail(invalidParameter(`Tried accessing nonexisting field (${field}) on node type (${nodeType})`));
    if (field !== 'id' && available[field] !== undefined) result[field] = available[field];
  }
  if (withId && available.id !== undefined) result.id = available.id;
  return result;
}

/** Graph's cursor paging: newest first, `after`/`before` cursors, `next` only when there is more. */
function paginate<T extends { id: string }>(
  items: T[],
  call: Call,
  nextUrl: (after: string, limit: number) => string,
  render: (item: T) => unknown,
): unknown {
  const limit = Math.min(Math.max(Number(call.params.limit) || 25, 1), 100);
  const indexOf = (cursor: string) => {
    const index = items.findIndex((item) => item.id === fromCursor(cursor));
    if (index < 0) fail(invalidParameter('The after or before cursor is not valid'));
    return index;
  };
  let start = 0;
  if (call.params.after) start = indexOf(call.params.after) + 1;
  else if (call.params.before) start = Math.max(0, indexOf(call.params.before) - limit);
  const page = items.slice(start, start + limit);
  if (!page.length) return { data: [] };
  const after = toCursor(page.at(-1)!.id);
  const before = toCursor(page[0]!.id);
  const paging: Record<string, unknown> = { cursors: { before, after } };
  if (start + limit < items.length) paging.next = nextUrl(after, limit);
  if (start > 0) paging.previous = nextUrl(after, limit).replace(/&after=[^&]*$/, `&before=${before}`);
  return { data: page.map(render), paging };
}

const toCursor = (id: string) => Buffer.from(`cursor:${id}`).toString('base64url');
const fromCursor = (cursor: string) =>
  Buffer.from(cursor, 'base64url')
    .toString('utf8')
    .replace(/^cursor:/, '');

/** A stable short code for a permalink, made from the media id. */
function shortcode(id: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  let n = BigInt(id);
  let code = '';
  while (n > 0n) {
    code = alphabet[Number(n % 64n)] + code;
    n /= 64n;
  }
  return code.padStart(11, 'C');
}

const parseList = (raw: string | undefined) =>
  (raw ?? '')
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((each) => each.trim().replace(/^"|"$/g, ''))
    .filter(Boolean);

function definedOnly(values: Partial<Record<string, number>> | undefined): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values ?? {}).filter(([, value]) => value !== undefined),
  ) as Record<string, number>;
}

/** Query string, form body, multipart fields and JSON body, merged (the body wins), as Graph reads them. */
function readParams(request: SimRequest): Params {
  const params: Params = Object.fromEntries(request.query);
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded'))
    Object.assign(params, Object.fromEntries(new URLSearchParams(request.rawBody)));
  else if (type.includes('multipart/form-data'))
    Object.assign(params, multipartFields(request.rawBody, type));
  else if (request.body && typeof request.body === 'object' && !Array.isArray(request.body))
    for (const [key, value] of Object.entries(request.body as Record<string, unknown>))
      params[key] = typeof value === 'string' ? value : JSON.stringify(value);
  return params;
}

/** The text fields of a multipart body (curl -F, as Meta's examples post). */
function multipartFields(body: string, contentType: string): Params {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) return {};
  const fields: Params = {};
  for (const part of body.split(`--${boundary}`)) {
    const match = /name="([^"]+)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n?$/.exec(part);
    if (match && !/filename=/.test(part)) fields[match[1]!] = match[2]!;
  }
  return fields;
}

/** Graph's wording of a moment in its error messages: Pacific time, e.g. "Monday, 07-Dec-26 06:05:11 PST". */
function pacificTime(ms: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/Los_Angeles',
      weekday: 'long',
      day: '2-digit',
      month: 'short',
      year: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.weekday}, ${parts.day}-${parts.month}-${parts.year} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

/** Instagram's days end at midnight Pacific time, which Graph writes as 07:00 or 08:00 UTC. */
function startOfPacificDay(ms: number): number {
  const hour = Number(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/Los_Angeles',
      hour: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(ms)),
  );
  const start = ms - hour * HOUR;
  return start - (start % HOUR);
}
