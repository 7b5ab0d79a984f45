// A local LinkedIn Community Management API for one organization page, written from Microsoft Learn's
// LinkedIn pages (learn.microsoft.com/linkedin/...): marketing/community-management/shares/posts-api
// (create with 201 and the URN in x-restli-id, get by URN, find by author, 3,000-character
// commentary), .../shares/images-api (initializeUpload, PUT the bytes, image status),
// .../organizations/share-statistics (organizationalEntityShareStatistics), marketing/versioning
// (the LinkedIn-Version: YYYYMM header, each version served for about a year),
// shared/api-guide/concepts/protocol-version (X-Restli-Protocol-Version: 2.0.0, URL-encoded keys) and
// shared/api-guide/concepts/error-handling ({status, serviceErrorCode, message}). Bodies the docs do
// not print were taken from answers LinkedIn is reported to give: VERSION_MISSING (400),
// NONEXISTENT_VERSION (426), EXPIRED_ACCESS_TOKEN (401, 65602), ACCESS_DENIED (403, 100),
// TOO_MANY_REQUESTS (429, 101) and "Content is a duplicate of urn:li:share:…" (422).
//
// What it is for: "a 201 is not proof of publication". dropNextPost() makes LinkedIn accept a post
// that never appears, so a client has to read the post back before it calls it published.
import type { Server } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { FailureQueue, close, hashUnit, listen, type SimRequest, type SimResponse } from './http-sim.ts';

export interface LinkedInSimOptions {
  accessToken: string;
  organizationId: string;
  now?: () => number;
  /** The oldest LinkedIn-Version served, e.g. '202410'; default: twelve months before now. */
  minVersion?: string;
  /** The page's name, as GET /rest/organizations/{id} answers it. */
  organizationName?: string;
}

export interface LinkedInPost {
  urn: string;
  author: string;
  commentary: string;
  imageUrn?: string;
  articleUrl?: string;
  publishedAt: Date;
}

interface StoredPost extends LinkedInPost {
  body: Record<string, unknown>;
  lifecycleState: string;
}

interface StoredImage {
  urn: string;
  owner: string;
  token: string;
  status: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE' | 'PROCESSING_FAILED';
  uploadUrlExpiresAt: number;
}

type InputError = { fieldPath: string; code: string; description: string };

const COMMENTARY_LIMIT = 3000;
const VISIBILITIES = ['PUBLIC', 'CONNECTIONS', 'LOGGED_IN', 'CONTAINER'];
const LIFECYCLE_STATES = ['PUBLISHED', 'DRAFT'];

const digest = (text: string) => createHash('sha256').update(text).digest();
/** Constant-time comparison: both sides are hashed to the same length first. */
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

const record = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

const error = (status: number, fields: Record<string, unknown>): SimResponse => ({
  status,
  body: { status, ...fields },
});

const isJpeg = (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isPng = (b: Buffer) =>
  b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
const isGif = (b: Buffer) => b.subarray(0, 4).toString('latin1') === 'GIF8';

/** "202410" or "202410.01" → months since year 0, to compare versions; undefined when malformed. */
export function versionMonths(version: string): number | undefined {
  const match = /^(\d{4})(\d{2})(?:\.\d{2})?$/.exec(version);
  if (!match) return undefined;
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? Number(match[1]) * 12 + month - 1 : undefined;
}

/** Rest.li 2.0 lists: "List(urn:li:share:1,urn:li:share:2)", each element URL-encoded. */
function restliList(value: string | null): string[] {
  const inner = /^List\((.*)\)$/.exec(value ?? '')?.[1];
  return inner ? inner.split(',').map((item) => decodeURIComponent(item)) : [];
}

/** A number that grows from 0 towards 1 as a post ages. */
const growth = (ageMs: number) => 1 - Math.exp(-Math.max(0, ageMs) / (24 * 3600_000));

export class LinkedInSimulator {
  readonly failures = new FailureQueue();
  private readonly now: () => number;
  private readonly posts: StoredPost[] = [];
  private readonly images = new Map<string, StoredImage>();
  private tokenExpired = false;
  private dropsPending = 0;
  private sequence = 0;
  private lastCreatedAt = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: LinkedInSimOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  static async start(options: LinkedInSimOptions): Promise<LinkedInSimulator> {
    const holder: { simulator?: LinkedInSimulator } = {};
    const { server, baseUrl } = await listen((request) => holder.simulator!.handle(request));
    holder.simulator = new LinkedInSimulator(server, baseUrl, options);
    return holder.simulator;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  /** Posts that really went live (PUBLISHED and not dropped), in order. */
  published(): LinkedInPost[] {
    return this.posts
      .filter((post) => post.lifecycleState === 'PUBLISHED')
      .map(({ urn, author, commentary, imageUrn, articleUrl, publishedAt }) => ({
        urn,
        author,
        commentary,
        ...(imageUrn ? { imageUrn } : {}),
        ...(articleUrl ? { articleUrl } : {}),
        publishedAt,
      }));
  }

  /** The next POST /rest/posts answers 201 with an id, but the post never appears (GET: 404). */
  dropNextPost(): void {
    this.dropsPending += 1;
  }

  /** The token stops working: 401, serviceErrorCode 65602, "The token used in the request has expired". */
  expireToken(): void {
    this.tokenExpired = true;
  }

  private get organizationUrn(): string {
    return `urn:li:organization:${this.options.organizationId}`;
  }

  // ---------------------------------------------------------------- routing

  private async handle(request: SimRequest): Promise<SimResponse> {
    if (request.method === 'PUT' && request.path.startsWith('/dms-uploads/'))
      return this.receiveImage(request);
    if (request.method === 'GET' && request.path === '/v2/userinfo')
      return this.authRefusal(request) ?? this.userinfo();
    if (!request.path.startsWith('/rest/')) return this.notFound();
    // The version is checked at LinkedIn's gateway, before the token.
    const refused = this.headerRefusal(request) ?? this.authRefusal(request);
    if (refused) return refused;
    const injected = this.failures.take();
    if (injected === 'hang') await request.clientGone;
    if (injected === 'rate-limit')
      return error(429, {
        serviceErrorCode: 101,
        code: 'TOO_MANY_REQUESTS',
        message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
      });
    if (injected === 'server-error' || injected === 'hang')
      return error(500, { code: 'INTERNAL_SERVER_ERROR', message: 'Internal Server Error' });
    if (injected === 'malformed') return { status: 200, raw: '{"elements":[{"id":"urn:li:sh' };
    return this.rest(request);
  }

  private rest(request: SimRequest): SimResponse {
    const [resource, key] = request.path.slice('/rest/'.length).split('/');
    const urn = key ? decodeURIComponent(key) : undefined;
    const route = `${request.method} ${resource}${urn === undefined ? '' : '/{key}'}`;
    switch (route) {
      case 'POST posts':
        return this.createPost(request.body);
      case 'GET posts':
        return this.findByAuthor(request.query);
      case 'GET posts/{key}':
        return this.getPost(urn!);
      case 'POST images':
        return this.initializeUpload(request);
      case 'GET images/{key}':
        return this.getImage(urn!);
      case 'GET organizationalEntityShareStatistics':
        return this.shareStatistics(request.query);
      case 'GET organizations/{key}':
        return this.organization(urn!);
      default:
        return this.notFound();
    }
  }

  private notFound(): SimResponse {
    return error(404, { code: 'NOT_FOUND', message: 'Not Found' });
  }

  /** Missing token, unknown token, expired token: three different 401 bodies, as LinkedIn gives them. */
  private authRefusal(request: SimRequest): SimResponse | undefined {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return error(401, { serviceErrorCode: 401, message: 'Empty oauth2_access_token' });
    if (!same(token, this.options.accessToken))
      return error(401, {
        serviceErrorCode: 65600,
        code: 'INVALID_ACCESS_TOKEN',
        message: 'Invalid access token',
      });
    if (this.tokenExpired)
      return error(401, {
        serviceErrorCode: 65602,
        code: 'EXPIRED_ACCESS_TOKEN',
        message: 'The token used in the request has expired',
      });
    return undefined;
  }

  private activeVersions(): { oldest: number; newest: number } {
    const today = new Date(this.now());
    const newest = today.getUTCFullYear() * 12 + today.getUTCMonth();
    const oldest = this.options.minVersion ? versionMonths(this.options.minVersion) : undefined;
    return { oldest: oldest ?? newest - 12, newest };
  }

  /** Versioned APIs need LinkedIn-Version (no default) and, here, the Rest.li 2.0 protocol header. */
  private headerRefusal(request: SimRequest): SimResponse | undefined {
    const version = String(request.headers['linkedin-version'] ?? '').trim();
    if (!version)
      return error(400, {
        code: 'VERSION_MISSING',
        message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
      });
    const months = versionMonths(version);
    const { oldest, newest } = this.activeVersions();
    if (months === undefined || months < oldest || months > newest)
      return error(426, {
        code: 'NONEXISTENT_VERSION',
        message: `Requested version ${/^\d{6}$/.test(version) ? `${version}01` : version} is not active`,
      });
    // Without this header LinkedIn falls back to protocol 1.0, whose key syntax the Posts API
    // examples do not use; the simulator refuses instead, so a client that forgets it finds out.
    if (request.headers['x-restli-protocol-version'] !== '2.0.0')
      return error(400, {
        code: 'ILLEGAL_ARGUMENT',
        message: 'X-Restli-Protocol-Version: 2.0.0 is required by the Posts, Images and statistics APIs',
      });
    return undefined;
  }

  // ---------------------------------------------------------------- posts

  private accessDenied(what: string): SimResponse {
    const today = new Date(this.now());
    const version = `${today.getUTCFullYear()}${String(today.getUTCMonth() + 1).padStart(2, '0')}01`;
    return error(403, {
      serviceErrorCode: 100,
      code: 'ACCESS_DENIED',
      message: `Not enough permissions to access: ${what}.${version}`,
    });
  }

  /** Validation failures, in the Rest.li BadRequest shape with one input error per field. */
  private unprocessable(errors: InputError[]): SimResponse {
    return error(422, {
      code: 'UNPROCESSABLE_ENTITY',
      errorDetailType: 'com.linkedin.common.error.BadRequest',
      message:
        errors.length === 1
          ? `ERROR :: ${errors[0]!.fieldPath} :: ${errors[0]!.description}`
          : 'Multiple errors occurred during the input validation. Please see errorDetails for more information.',
      errorDetails: {
        inputErrors: errors.map(({ fieldPath, code, description }) => ({
          description,
          input: { inputPath: { fieldPath } },
          code,
        })),
      },
    });
  }

  private postFieldErrors(body: Record<string, unknown>): InputError[] {
    const errors: InputError[] = [];
    const missing = (fieldPath: string) =>
      errors.push({ fieldPath, code: 'FIELD_VALUE_MISSING', description: 'Mandatory field is missing' });
    if (typeof body.author !== 'string') missing('/author');
    if (body.commentary !== undefined && typeof body.commentary !== 'string')
      errors.push({
        fieldPath: '/commentary',
        code: 'INVALID_VALUE',
        description: 'commentary must be a string',
      });
    if (typeof body.commentary === 'string' && body.commentary.length > COMMENTARY_LIMIT)
      errors.push({
        fieldPath: '/commentary',
        code: 'FIELD_LENGTH_TOO_LONG',
        description: `length of string ${body.commentary.length} is not in range [0, ${COMMENTARY_LIMIT}]`,
      });
    if (!VISIBILITIES.includes(String(body.visibility))) missing('/visibility');
    if (typeof record(body.distribution)?.feedDistribution !== 'string')
      missing('/distribution/feedDistribution');
    if (!LIFECYCLE_STATES.includes(String(body.lifecycleState))) missing('/lifecycleState');
    return errors;
  }

  /** content.media must be an image of this page that was uploaded; content.article needs source and title. */
  private contentErrors(content: Record<string, unknown> | undefined): InputError[] {
    if (!content) return [];
    const media = record(content.media);
    const article = record(content.article);
    if (media) {
      const image = this.images.get(String(media.id));
      if (!image || image.status === 'WAITING_UPLOAD' || image.status === 'PROCESSING_FAILED')
        return [
          {
            fieldPath: '/content/media/id',
            code: 'INVALID_VALUE',
            description: `${String(media.id)} is not an uploaded image of ${this.organizationUrn}`,
          },
        ];
      return [];
    }
    if (article) {
      const errors: InputError[] = [];
      if (typeof article.source !== 'string' || !/^https?:\/\//.test(article.source))
        errors.push({
          fieldPath: '/content/article/source',
          code: 'INVALID_VALUE',
          description: 'a URL is required',
        });
      if (typeof article.title !== 'string')
        errors.push({
          fieldPath: '/content/article/title',
          code: 'FIELD_VALUE_MISSING',
          description: 'Mandatory field is missing',
        });
      return errors;
    }
    return [{ fieldPath: '/content', code: 'INVALID_VALUE', description: 'content holds media or article' }];
  }

  /** LinkedIn refuses the same content twice, naming the live post: proof an earlier attempt worked. */
  private duplicateOf(body: Record<string, unknown>): StoredPost | undefined {
    const fingerprint = JSON.stringify([body.author, body.commentary ?? '', body.content ?? null]);
    return this.posts.find(
      (post) => JSON.stringify([post.author, post.commentary, post.body.content ?? null]) === fingerprint,
    );
  }

  private nextUrn(): string {
    this.sequence += 1;
    return `urn:li:share:${7_270_000_000_000_000_000n + BigInt(this.sequence) * 1_048_573n}`;
  }

  private createPost(input: unknown): SimResponse {
    const body = record(input);
    if (!body)
      return this.unprocessable([
        { fieldPath: '/', code: 'INVALID_VALUE', description: 'a JSON object is required' },
      ]);
    const errors = this.postFieldErrors(body);
    if (errors.length) return this.unprocessable(errors);
    if (body.author !== this.organizationUrn) return this.accessDenied('partnerApiPostsExternal.CREATE');
    const contentErrors = this.contentErrors(record(body.content));
    if (contentErrors.length) return this.unprocessable(contentErrors);
    const duplicate = this.duplicateOf(body);
    if (duplicate)
      return error(422, {
        code: 'DUPLICATE_POST',
        errorDetailType: 'com.linkedin.common.error.BadRequest',
        message: `Content is a duplicate of ${duplicate.urn}`,
      });
    const urn = this.nextUrn();
    if (this.dropsPending > 0) this.dropsPending -= 1;
    else this.store(urn, body);
    return { status: 201, raw: '', headers: { 'x-restli-id': urn } };
  }

  private store(urn: string, body: Record<string, unknown>): void {
    // Strictly increasing, so "newest first" is never a tie between two posts of the same ms.
    this.lastCreatedAt = Math.max(this.now(), this.lastCreatedAt + 1);
    const content = record(body.content);
    this.posts.push({
      urn,
      author: body.author as string,
      commentary: (body.commentary as string | undefined) ?? '',
      ...(record(content?.media) ? { imageUrn: String(record(content?.media)!.id) } : {}),
      ...(record(content?.article) ? { articleUrl: String(record(content?.article)!.source) } : {}),
      publishedAt: new Date(this.lastCreatedAt),
      body,
      lifecycleState: body.lifecycleState as string,
    });
  }

  private view(post: StoredPost): Record<string, unknown> {
    const at = post.publishedAt.getTime();
    return {
      id: post.urn,
      author: post.author,
      commentary: post.commentary,
      visibility: post.body.visibility,
      distribution: post.body.distribution,
      ...(post.body.content ? { content: post.body.content } : {}),
      lifecycleState: post.lifecycleState,
      lifecycleStateInfo: { isEditedByAuthor: false },
      isReshareDisabledByAuthor: post.body.isReshareDisabledByAuthor ?? false,
      createdAt: at,
      lastModifiedAt: at,
      ...(post.lifecycleState === 'PUBLISHED' ? { publishedAt: at } : {}),
    };
  }

  private getPost(urn: string): SimResponse {
    const post = this.posts.find((each) => each.urn === urn);
    if (!post) return this.notFound();
    if (post.author !== this.organizationUrn) return this.accessDenied('partnerApiPostsExternal.GET');
    return { status: 200, body: this.view(post) };
  }

  /** GET /rest/posts?author=…&q=author&count=&start=&sortBy=: the page's posts, newest first. */
  private findByAuthor(query: URLSearchParams): SimResponse {
    if (query.get('q') !== 'author')
      return error(400, { code: 'ILLEGAL_ARGUMENT', message: 'This finder needs q=author' });
    if (query.get('author') !== this.organizationUrn)
      return this.accessDenied('partnerApiPostsExternal.FINDER-author');
    const start = Number(query.get('start') ?? 0);
    const count = Math.min(Number(query.get('count') ?? 10), 100);
    const sortBy = query.get('sortBy') ?? 'LAST_MODIFIED';
    if (!Number.isInteger(start) || start < 0 || !Number.isInteger(count) || count < 1)
      return error(400, {
        code: 'ILLEGAL_ARGUMENT',
        message: 'start and count must be non-negative integers',
      });
    if (sortBy !== 'LAST_MODIFIED' && sortBy !== 'CREATED')
      return error(400, { code: 'ILLEGAL_ARGUMENT', message: 'sortBy is LAST_MODIFIED or CREATED' });
    const newestFirst = [...this.posts].reverse();
    return {
      status: 200,
      body: {
        elements: newestFirst.slice(start, start + count).map((post) => this.view(post)),
        paging: { start, count, links: [], total: newestFirst.length },
      },
    };
  }

  // ---------------------------------------------------------------- images

  private initializeUpload(request: SimRequest): SimResponse {
    if (request.query.get('action') !== 'initializeUpload')
      return error(400, { code: 'ILLEGAL_ARGUMENT', message: 'images supports action=initializeUpload' });
    const owner = record(record(request.body)?.initializeUploadRequest)?.owner;
    if (typeof owner !== 'string')
      return this.unprocessable([
        {
          fieldPath: '/initializeUploadRequest/owner',
          code: 'FIELD_VALUE_MISSING',
          description: 'Mandatory field is missing',
        },
      ]);
    if (owner !== this.organizationUrn) return this.accessDenied('partnerApiImages.ACTION-initializeUpload');
    const id = `D4E10AQ${randomBytes(9).toString('base64url')}`;
    const image: StoredImage = {
      urn: `urn:li:image:${id}`,
      owner,
      token: randomBytes(12).toString('hex'),
      status: 'WAITING_UPLOAD',
      uploadUrlExpiresAt: this.now() + 24 * 3600_000,
    };
    this.images.set(image.urn, image);
    return {
      status: 200,
      body: {
        value: {
          uploadUrlExpiresAt: image.uploadUrlExpiresAt,
          uploadUrl: `${this.baseUrl}/dms-uploads/image/${id}/?token=${image.token}`,
          image: image.urn,
        },
      },
    };
  }

  /** PUT uploadUrl with the raw bytes: 201. JPEG, PNG or GIF process; anything else fails to. */
  private receiveImage(request: SimRequest): SimResponse {
    const id = /^\/dms-uploads\/image\/([^/]+)\/?$/.exec(request.path)?.[1];
    const image = id ? this.images.get(`urn:li:image:${id}`) : undefined;
    if (!image || !same(request.query.get('token') ?? '', image.token)) return this.notFound();
    if (this.now() > image.uploadUrlExpiresAt)
      return error(403, { code: 'ACCESS_DENIED', message: 'The upload URL has expired' });
    const bytes = request.bodyBytes;
    image.status = isJpeg(bytes) || isPng(bytes) || isGif(bytes) ? 'PROCESSING' : 'PROCESSING_FAILED';
    return { status: 201, raw: '' };
  }

  /** An uploaded image reads PROCESSING once, then AVAILABLE. */
  private getImage(urn: string): SimResponse {
    const image = this.images.get(urn);
    if (!image) return this.notFound();
    const status = image.status;
    if (status === 'PROCESSING') image.status = 'AVAILABLE';
    return {
      status: 200,
      body: {
        id: image.urn,
        owner: image.owner,
        status,
        ...(status === 'AVAILABLE'
          ? {
              downloadUrl: `${this.baseUrl}/dms/image/${urn.split(':').pop()}`,
              downloadUrlExpiresAt: this.now() + 3600_000,
            }
          : {}),
      },
    };
  }

  // ---------------------------------------------------------------- statistics

  /** Lifetime counts, deterministic from the URN and growing with the post's age. */
  private statistics(post: StoredPost): Record<string, number> {
    const impressions = Math.round(
      (300 + hashUnit(post.urn) * 5000) * growth(this.now() - post.publishedAt.getTime()),
    );
    const part = (salt: number, low: number, spread: number) =>
      Math.round(impressions * (low + hashUnit(post.urn, salt) * spread));
    const clickCount = part(2, 0.01, 0.04);
    const likeCount = part(3, 0.01, 0.05);
    const commentCount = part(4, 0.001, 0.01);
    const shareCount = part(5, 0.0005, 0.005);
    return {
      impressionCount: impressions,
      uniqueImpressionsCount: part(1, 0.6, 0.3),
      clickCount,
      likeCount,
      commentCount,
      shareCount,
      engagement: impressions ? (clickCount + likeCount + commentCount + shareCount) / impressions : 0,
    };
  }

  private sum(stats: Record<string, number>[]): Record<string, number> {
    const total: Record<string, number> = {};
    for (const each of stats)
      for (const [name, value] of Object.entries(each)) total[name] = (total[name] ?? 0) + value;
    const interactions = ['clickCount', 'likeCount', 'commentCount', 'shareCount'].reduce(
      (acc, name) => acc + (total[name] ?? 0),
      0,
    );
    return { ...total, engagement: total.impressionCount ? interactions / total.impressionCount : 0 };
  }

  private shareStatistics(query: URLSearchParams): SimResponse {
    if (query.get('q') !== 'organizationalEntity')
      return error(400, { code: 'ILLEGAL_ARGUMENT', message: 'This finder needs q=organizationalEntity' });
    const entity = query.get('organizationalEntity');
    if (entity !== this.organizationUrn)
      return this.accessDenied('organizationalEntityShareStatistics.FINDER-organizationalEntity');
    const wanted = [...restliList(query.get('shares')), ...restliList(query.get('ugcPosts'))];
    const live = this.posts.filter((post) => post.lifecycleState === 'PUBLISHED');
    if (!wanted.length)
      return {
        status: 200,
        body: {
          elements: [
            {
              organizationalEntity: entity,
              totalShareStatistics: this.sum(live.map((p) => this.statistics(p))),
            },
          ],
        },
      };
    const elements = wanted.flatMap((urn) => {
      const post = live.find((each) => each.urn === urn);
      if (!post) return [];
      const key = urn.startsWith('urn:li:ugcPost:') ? 'ugcPost' : 'share';
      return [{ organizationalEntity: entity, [key]: urn, totalShareStatistics: this.statistics(post) }];
    });
    return { status: 200, body: { elements, paging: { start: 0, count: elements.length, links: [] } } };
  }

  // ---------------------------------------------------------------- identity

  private organization(id: string): SimResponse {
    if (id !== this.options.organizationId) return this.notFound();
    const name = this.options.organizationName ?? 'Shopkeep Sim Shop';
    return {
      status: 200,
      body: {
        id: Number(id),
        localizedName: name,
        vanityName: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
        name: { localized: { en_US: name }, preferredLocale: { country: 'US', language: 'en' } },
      },
    };
  }

  /** OpenID Connect userinfo (unversioned, /v2): the member who holds the token. */
  private userinfo(): SimResponse {
    return {
      status: 200,
      body: {
        sub: 'sim-member-1',
        name: 'Sam Keeper',
        given_name: 'Sam',
        family_name: 'Keeper',
        locale: { country: 'GB', language: 'en' },
        email_verified: true,
      },
    };
  }
}
