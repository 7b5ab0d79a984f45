// What every platform's publisher does, the same way: publish a prepared post, naming what it will
// publish (a container, a publish id) before it goes live; find after a crash whether an attempt went
// live; read the publishing quota, a post's insights and the followers; check its token.
import { IntegrationError } from '../../../platform/integrations/integration-error.ts';

export const PLATFORMS = ['instagram', 'facebook', 'tiktok', 'linkedin'] as const;
export type Platform = (typeof PLATFORMS)[number];

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

export type PostFormat = 'feed' | 'carousel' | 'story' | 'text';

/** A post ready to go: its text (with the link where the platform makes links clickable) and media. */
export interface OutgoingPost {
  id: string;
  format: PostFormat;
  caption: string;
  /** The shop's page for it, with UTM parameters (in the text already where links are clickable). */
  link: string | undefined;
  /** Public, signed, expiring URLs of the prepared JPEGs, in order. */
  mediaUrls: string[];
  /** The same images on disk, for platforms that take an upload rather than a URL. */
  mediaFiles: string[];
}

/** One publish attempt as recorded before the platform was called. */
export interface AttemptRecord {
  startedAt: Date;
  /** What the platform named before the post went live (Instagram's container, TikTok's publish id). */
  remoteId: string | null;
  /** Whether the request that can make it go live was about to be sent (set just before it). */
  sending?: boolean;
}

/** What a publisher tells as it goes: the request that may publish is going, and the handle it got. */
export interface Progress {
  sending(): Promise<void>;
  named(remoteId: string): Promise<void>;
}

export interface Published {
  platformPostId: string;
  permalink?: string | undefined;
}

/** What a look at the account says about an unfinished attempt. */
export type Finding =
  | { state: 'published'; published: Published }
  | { state: 'not_published' }
  /** Still being processed on the platform: look again later, do not publish again. */
  | { state: 'pending' }
  /** The container is ready and was never published: finish with it (no second container). */
  | { state: 'resumable' };

export interface Quota {
  used: number;
  limit: number;
}

export interface Publisher {
  readonly platform: Platform;
  /**
   * Publishes; says when the request that may publish is about to go, and the platform's handle as
   * soon as it has one, so a crash after either is looked for. With `resume`, finishes that attempt.
   */
  publish(post: OutgoingPost, progress: Progress, resume?: AttemptRecord): Promise<Published>;
  /** Whether an attempt that was not seen to finish went live; `claimed` are ids other posts hold. */
  find(post: OutgoingPost, attempt: AttemptRecord, claimed: ReadonlySet<string>): Promise<Finding>;
  quota?(): Promise<Quota>;
  insights(post: {
    platformPostId: string;
    format: PostFormat;
    publishedAt: Date;
  }): Promise<Record<string, number>>;
  followers?(): Promise<number | undefined>;
  /** When the token stops working, when the platform says (undefined: it does not expire or cannot be read). */
  tokenExpiry?(): Promise<Date | undefined>;
  /** Renews the token before it expires; false when this platform cannot. */
  refreshToken?(): Promise<boolean>;
}

/**
 * A platform's answer the client does not understand: logged and the post held for the owner, never
 * retried blindly (it may have gone live).
 */
export class UnexpectedAnswer extends Error {
  override name = 'UnexpectedAnswer';
}

/** A post that cannot go as it is (an image that could not be fetched or prepared, a caption too long). */
export class PostProblem extends Error {
  override name = 'PostProblem';
}

/** Reads a platform's JSON answer, which must be an object. */
export function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UnexpectedAnswer(`${what}: the answer is not an object`);
  return value as Record<string, unknown>;
}

export function stringIn(value: Record<string, unknown>, key: string, what: string): string {
  const found = value[key];
  if (typeof found === 'string' && found) return found;
  if (typeof found === 'number') return String(found);
  throw new UnexpectedAnswer(`${what}: the answer has no ${key}`);
}

/** Whether an error says for sure the platform did not act (a refusal), so the attempt is over. */
export function refused(error: unknown): boolean {
  return (
    error instanceof PostProblem ||
    (error instanceof IntegrationError &&
      error.status !== undefined &&
      error.status >= 400 &&
      error.status < 500)
  );
}

/** Metrics as numbers, whatever the platform sent. */
export function numbers(entries: [string, unknown][]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of entries)
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
  return out;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
