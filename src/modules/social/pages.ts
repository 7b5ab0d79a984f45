// The Social pages: the queue (what needs the owner first, then what goes out next), the calendar by
// week or month (a post moves by dragging it to another day, or by its form on a phone), a post with
// its previews per platform and what happened to it, the editor, and the analytics.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { html, type Html } from '../../platform/dashboard/html.ts';
import { csrfField, formatTime, page, plural } from '../../platform/dashboard/layout.ts';
import { formAction, noticeLine, postButton, sendPage, table } from '../../platform/dashboard/components.ts';
import { AppError, invalid } from '../../platform/errors.ts';
import { formBody, noticeField, optionalField } from '../../platform/dashboard/form-body.ts';
import { addDays, dayIn, instantAt, isDate, isoWeekday, mondayOf } from '../../platform/dates.ts';
import { CHANNELS } from '../ai/index.ts';
import type { Catalog } from '../shop/index.ts';
import type { SocialService } from './social-service.ts';
import type { Post } from './posts.ts';
import { PLATFORMS, type Platform } from './publishers/publisher.ts';
import { PLATFORM_LABEL, fromLocalInput, postLine, statusBadge, toLocalInput } from './page-parts.ts';

export interface SocialPageParts {
  social: SocialService;
  catalog: Catalog;
}

const NEEDS_OWNER = new Set(['held', 'failed', 'drafted']);
/** A post that is not there is a 404 page, not a notice on a page that cannot show it. */
const onThePost = { shows: (error: Error) => error instanceof AppError && error.kind !== 'not_found' };

export function socialPages(app: FastifyInstance, { social }: SocialPageParts): void {
  const tz = social.timezone;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/',
    { config: { access: 'read' }, schema: { hide: true, querystring: Type.Object(noticeField) } },
    async (request, reply) => {
      const now = social.now();
      const [platforms, counts, upcoming, attention] = await Promise.all([
        social.platforms(),
        social.store.counts(),
        social.store.list({
          from: new Date(now.getTime() - 3_600_000),
          to: new Date(now.getTime() + 2 * 86_400_000),
          limit: 120,
        }),
        Promise.all(
          ['held', 'failed', 'drafted'].map((status) =>
            social.store.list({ status: status as Post['status'], limit: 50 }),
          ),
        ),
      ]);
      const needsOwner = attention.flat();
      const write = request.principal?.scopes.has('write');
      const principal = request.principal;
      return sendPage(
        reply,
        page(
          { title: 'Social', principal, current: '/social' },
          html`${noticeLine(request.query)}
            <nav class="tabs"><a href="/social" class="current" aria-current="page">Queue</a> <a href="/social/calendar">Calendar</a> <a href="/social/analytics">Analytics</a> ${write ? html`<a href="/social/new">New post</a>` : ''}</nav>
            <section>
              <h2>Accounts</h2>
              <ul class="plain" data-testid="platforms">
                ${platforms.map(
                  (p) =>
                    html`<li>${PLATFORM_LABEL[p.platform]}: ${p.connected ? html`<strong>connected</strong>${p.expiresAt ? html` <span class="muted small">· token until ${formatTime(p.expiresAt, tz)}</span>` : ''}` : html`<span class="muted">not connected — <a href="/settings">connect on Settings</a></span>`}</li>`,
                )}
              </ul>
              <p class="muted small" data-testid="counts">${
                Object.entries(counts)
                  .map(([status, n]) => `${n} ${status}`)
                  .join(' · ') || 'No posts yet.'
              }</p>
              ${write ? postButton(principal, '/social/plan', 'Plan the coming week now', { secondary: true }) : ''}
            </section>
            <section>
              <h2>Needs you</h2>
              ${
                needsOwner.length
                  ? html`<ul class="plain" data-testid="needs-owner">${needsOwner.map(
                      (
                        post,
                      ) => html`<li>${postLine(post, tz)}${post.error ? html`<br /><span class="small">${post.error}</span>` : ''}
                      ${
                        write && NEEDS_OWNER.has(post.status) && post.status !== 'drafted'
                          ? html`<br />${postButton(principal, `/social/posts/${post.id}/retry`, 'Retry')} ${postButton(principal, `/social/posts/${post.id}/cancel`, 'Cancel', { secondary: true })}`
                          : post.status === 'drafted'
                            ? html` <a href="/approvals">Decide under Approvals →</a>`
                            : ''
                      }</li>`,
                    )}</ul>`
                  : html`<p class="muted">Nothing: every post is on its way.</p>`
              }
            </section>
            <section>
              <h2>Next 48 hours</h2>
              ${
                upcoming.length
                  ? html`<ul class="plain" data-testid="queue">${upcoming.map((post) => html`<li>${postLine(post, tz)}</li>`)}</ul>`
                  : html`<p class="muted">Nothing planned. ${write ? 'Plan the week above, or write a post.' : ''}</p>`
              }
            </section>`,
        ),
      );
    },
  );

  api.get(
    '/calendar',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: Type.Object({
          view: Type.Optional(Type.Enum(['week', 'month'])),
          start: Type.Optional(Type.String({ maxLength: 10 })),
          ...noticeField,
        }),
      },
    },
    async (request, reply) => {
      const view = request.query.view ?? 'week';
      const today = dayIn(social.now(), tz);
      const asked = request.query.start && isDate(request.query.start) ? request.query.start : today;
      const first = view === 'week' ? mondayOf(asked) : `${asked.slice(0, 7)}-01`;
      const gridStart = mondayOf(first);
      const days = view === 'week' ? 7 : Math.ceil((daysInMonth(first) + isoWeekday(first) - 1) / 7) * 7;
      const posts = await social.store.list({
        from: new Date(instantAt(gridStart, '00:00', tz)),
        to: new Date(instantAt(addDays(gridStart, days), '00:00', tz)),
        limit: 2000,
      });
      const byDay = new Map<string, Post[]>();
      for (const post of posts) {
        if (post.status === 'cancelled') continue;
        const day = dayIn(post.publishAt, tz);
        byDay.set(day, [...(byDay.get(day) ?? []), post]);
      }
      const step = view === 'week' ? 7 : 0;
      const previous = view === 'week' ? addDays(first, -step) : monthShift(first, -1);
      const next = view === 'week' ? addDays(first, step) : monthShift(first, 1);
      const write = request.principal?.scopes.has('write');
      const chip = (post: Post) => {
        const time = toLocalInput(post.publishAt, tz).slice(11);
        return html`<a class="chip ${post.status}" href="/social/posts/${post.id}" data-post="${post.id}" ${write && ['planned', 'drafted', 'approved', 'scheduled', 'held', 'failed'].includes(post.status) ? html`draggable="true" data-time="${time}"` : ''}>${time} ${PLATFORM_LABEL[post.channel]}${post.format === 'text' ? '' : ` ${post.format}`} ${statusBadge(post.status)}</a>`;
      };
      const cell = (day: string) => {
        const list = byDay.get(day) ?? [];
        const stories = list.filter((p) => p.format === 'story');
        const others = list.filter((p) => p.format !== 'story');
        return html`<div class="day${day === today ? ' today' : ''}${view === 'month' && day.slice(0, 7) !== first.slice(0, 7) ? ' other' : ''}" data-day="${day}" ${write ? html`data-drop-day="${day}"` : ''}>
          <h3>${shortDate(day)}</h3>
          ${others.map(chip)}
          ${stories.length ? html`<p class="small muted">${stories.length} ${stories.length === 1 ? 'story' : 'stories'} (${stories.filter((s) => s.status === 'published').length} out)</p>` : ''}
        </div>`;
      };
      return sendPage(
        reply,
        page(
          { title: 'Social calendar', principal: request.principal, current: '/social' },
          html`${noticeLine(request.query)}
            <nav class="tabs"><a href="/social">Queue</a> <a href="/social/calendar" class="current" aria-current="page">Calendar</a> <a href="/social/analytics">Analytics</a></nav>
            <p>
              <a href="/social/calendar?view=${view}&amp;start=${previous}">← Earlier</a> ·
              <a href="/social/calendar?view=week&amp;start=${asked}">Week</a> · <a href="/social/calendar?view=month&amp;start=${asked}">Month</a> ·
              <a href="/social/calendar?view=${view}&amp;start=${next}">Later →</a>
            </p>
            <h2>${view === 'week' ? `Week of ${shortDate(first)}` : monthName(first)}</h2>
            <div class="calendar ${view}" data-testid="calendar">${Array.from({ length: days }, (_, i) => cell(addDays(gridStart, i)))}</div>
            ${write ? html`<p class="muted small">Drag a post to another day to move it (same time of day), or open it to pick a time.</p>` : ''}`,
        ),
      );
    },
  );

  api.post(
    '/plan',
    { config: { access: 'write' }, schema: { hide: true, body: formBody({}) } },
    async (_request, reply) =>
      formAction(reply, '/social', async () => {
        const planned = await social.content.plan();
        return planned.planned
          ? `Planned ${plural(planned.planned, 'post')} (${planned.stories} stories); the writer is on the rest.`
          : 'Every slot of the coming week was planned already.';
      }),
  );

  /** What a post's buttons do, and what the page then says. */
  const actions: [string, (id: string) => Promise<string>][] = [
    [
      'retry',
      async (id) => {
        await social.content.retry(id);
        return 'It is being tried again (the platform is checked first, so it never goes twice).';
      },
    ],
    ['publish-now', async (id) => (await social.content.publishNow(id), 'It is going out now.')],
    ['cancel', async (id) => (await social.content.cancel(id), 'Cancelled.')],
    [
      'ab-test',
      async (id) => {
        const { variantB } = await social.abTest(id);
        return `A second version is being written for ${formatTime(variantB.publishAt, tz)}; the one that engages more wins, at 95 % confidence.`;
      },
    ],
  ];
  for (const [name, act] of actions)
    api.post(
      `/posts/:id/${name}`,
      {
        config: { access: 'write' },
        schema: {
          hide: true,
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          body: formBody({}),
        },
      },
      async (request, reply) =>
        formAction(reply, `/social/posts/${request.params.id}`, () => act(request.params.id), onThePost),
    );

  api.post(
    '/posts/:id/reschedule',
    {
      config: { access: 'write' },
      schema: {
        hide: true,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: formBody({ publishAt: optionalField(20), day: optionalField(10), back: optionalField(200) }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const back = request.body.back?.startsWith('/social/calendar')
        ? request.body.back
        : `/social/posts/${id}`;
      return formAction(
        reply,
        back,
        async () => {
          const post = await social.store.get(id);
          let at: Date;
          if (request.body.day) {
            // Dropped on another day in the calendar: the same time of day there.
            if (!isDate(request.body.day)) throw invalid('the day must look like 2026-12-24');
            at = fromLocalInput(`${request.body.day}T${toLocalInput(post.publishAt, tz).slice(11)}`, tz);
          } else at = fromLocalInput(request.body.publishAt ?? '', tz);
          const moved = await social.content.reschedule(id, at);
          return `Moved to ${formatTime(moved.publishAt, tz)}.`;
        },
        onThePost,
      );
    },
  );

  api.get(
    '/posts/:id',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object(noticeField),
      },
    },
    async (request, reply) => {
      const post = await social.store.get(request.params.id);
      const attempts = await social.store.attempts(post.id);
      const images = await social.previewImages(post);
      const write = request.principal?.scopes.has('write');
      const principal = request.principal;
      const open = ['planned', 'drafted', 'approved', 'scheduled', 'held', 'failed'].includes(post.status);
      return sendPage(
        reply,
        page(
          { title: `${PLATFORM_LABEL[post.channel]} ${post.format}`, principal, current: '/social' },
          html`${noticeLine(request.query)}
            <p><a href="/social">← Social</a></p>
            <h2>${PLATFORM_LABEL[post.channel]} ${post.format} ${statusBadge(post.status)}</h2>
            <p>${post.status === 'published' ? `Went out ${formatTime(post.publishedAt, tz)}` : `Goes out ${formatTime(post.publishAt, tz)}`}${post.permalink ? html` · <a href="${post.permalink}" rel="noopener noreferrer">see it</a>` : ''}</p>
            ${post.error ? html`<p class="notice ${post.status === 'held' || post.status === 'failed' ? 'bad' : ''}" data-testid="post-error">${post.error}</p>` : ''}
            <p class="muted small">Theme ${post.theme}${post.facts.title ? ` · about ${post.facts.title}` : ''}${post.variant ? ` · A/B version ${post.variant}` : ''} · ${plural(post.attempts, 'attempt')}</p>
            ${images.length ? html`<div class="thumbs">${images.map((url) => html`<img src="${url}" alt="prepared image" width="160" />`)}</div>` : ''}
            <h3>Previews</h3>
            ${previews(post)}
            ${
              write && open
                ? html`<h3>Do</h3>
                  <p>
                    ${post.status === 'held' || post.status === 'failed' ? postButton(principal, `/social/posts/${post.id}/retry`, 'Retry') : ''}
                    ${['scheduled', 'held', 'failed'].includes(post.status) ? postButton(principal, `/social/posts/${post.id}/publish-now`, 'Publish now', { secondary: true }) : ''}
                    ${!post.abTestId && post.format !== 'story' && post.productIds.length ? postButton(principal, `/social/posts/${post.id}/ab-test`, 'A/B test the caption', { secondary: true }) : ''}
                    ${postButton(principal, `/social/posts/${post.id}/cancel`, 'Cancel', { secondary: true })}
                  </p>
                  <form method="post" action="/social/posts/${post.id}/reschedule" class="stack">${csrfField(principal)}
                    <label>Move to <input type="datetime-local" name="publishAt" value="${toLocalInput(post.publishAt, tz)}" required /></label>
                    <button class="secondary">Reschedule</button>
                  </form>`
                : ''
            }
            <h3>What happened</h3>
            ${table(
              ['Started', 'Outcome', 'Detail'],
              attempts.map((a) => [
                formatTime(a.startedAt, tz),
                a.outcome ?? (a.finishedAt ? '—' : 'not finished: checked on the platform before any retry'),
                a.detail ?? a.remoteId ?? '',
              ]),
              'Not tried yet.',
            )}`,
        ),
      );
    },
  );
}

/** How the caption reads on each platform: its limit, its hashtags, and where the link goes. */
function previews(post: Post): Html {
  const platforms: Platform[] =
    post.format === 'story' ? [post.channel] : [post.channel, ...PLATFORMS.filter((p) => p !== post.channel)];
  return html`<div class="previews">${platforms.map((platform) => {
    const limits = CHANNELS[platform];
    const hashtags = (post.caption.match(/#[\p{L}\p{N}_]+/gu) ?? []).length;
    const over = post.caption.length > limits.maxChars;
    return html`<article class="card preview" data-platform="${platform}">
      <h4>${PLATFORM_LABEL[platform]}${platform === post.channel ? '' : html` <span class="muted small">(if cross-posted)</span>`}</h4>
      ${post.format === 'story' ? html`<p class="muted small">A story shows the product’s picture, name and price; it has no caption.</p>` : html`<p class="chat-text">${post.caption.slice(0, limits.maxChars)}</p>`}
      <p class="small ${over || hashtags > limits.maxHashtags ? 'bad' : 'muted'}">${post.caption.length}/${limits.maxChars} characters · ${hashtags}/${limits.maxHashtags} hashtags · ${limits.clickableLinks ? 'the shop link is added, clickable' : 'links are not clickable here: the link in bio carries it'}</p>
    </article>`;
  })}</div>`;
}

function daysInMonth(first: string): number {
  const [year, month] = first.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function monthShift(first: string, by: number): string {
  const [year, month] = first.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month - 1 + by, 1)).toISOString().slice(0, 10);
}

const shortFormat = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
});
const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const shortDate = (day: string) => shortFormat.format(new Date(`${day}T12:00:00Z`));
const monthName = (day: string) => monthFormat.format(new Date(`${day}T12:00:00Z`));
