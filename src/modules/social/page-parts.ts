// What the social pages share: a post's state as a badge, its platform's name, times in the shop's
// zone, and the time field the forms use (typed as the shop's wall clock, DST-safe).
import { html, type Html } from '../../platform/dashboard/html.ts';
import { formatTime } from '../../platform/dashboard/layout.ts';
import { instantAt, isDate, localMinute } from '../../platform/dates.ts';
import { invalid } from '../../platform/errors.ts';
import type { Post, PostStatus } from './posts.ts';
import type { Platform } from './publishers/publisher.ts';

export const PLATFORM_LABEL: Record<Platform, string> = {
  instagram: 'Instagram',
  facebook: 'Facebook',
  tiktok: 'TikTok',
  linkedin: 'LinkedIn',
};

const STATUS_LABEL: Record<PostStatus, string> = {
  planned: 'planned',
  drafted: 'waiting for you',
  approved: 'approved',
  scheduled: 'scheduled',
  publishing: 'publishing',
  published: 'published',
  failed: 'failed',
  held: 'held',
  cancelled: 'cancelled',
};

export function statusBadge(status: PostStatus): Html {
  const tone = status === 'held' || status === 'failed' ? 'bad' : status === 'published' ? 'good' : '';
  return html`<span class="badge ${tone}" data-status="${status}">${STATUS_LABEL[status]}</span>`;
}

export function postLine(post: Post, timezone: string): Html {
  return html`<a href="/social/posts/${post.id}">${formatTime(post.publishAt, timezone)} · ${PLATFORM_LABEL[post.channel]} ${post.format}</a>
    ${statusBadge(post.status)} <span class="muted small">${post.facts.title ?? (post.caption.slice(0, 40) || '')}</span>`;
}

/** "2026-12-08T09:00" as the browser's datetime-local gives it, read in the shop's time zone. */
export function fromLocalInput(value: string, timezone: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(value.trim());
  if (!match || !isDate(match[1]!)) throw invalid('the time must look like 2026-12-24T09:00');
  return instantAt(match[1]!, match[2]!, timezone);
}

/** An instant as a datetime-local value in the shop's time zone (one cached formatter per zone). */
export const toLocalInput = (date: Date, timezone: string): string => localMinute(date, timezone);
