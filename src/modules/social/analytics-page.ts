// What the posts did for the shop: orders and revenue their links brought, per post, theme and
// product; reach and engagement; how far stories were watched; followers; the hours that work best;
// and the A/B tests with what they taught the writer.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { html } from '../../platform/dashboard/html.ts';
import { formatTime, page } from '../../platform/dashboard/layout.ts';
import { sendPage, table } from '../../platform/dashboard/components.ts';
import { barChart, shortDay } from '../../platform/dashboard/chart.ts';
import { formatDay } from '../../platform/dashboard/layout.ts';
import type { SocialPageParts } from './pages.ts';
import { Insights, moneyText } from './insights.ts';
import { PLATFORM_LABEL } from './page-parts.ts';

const percent = (value: number | undefined) => (value === undefined ? '—' : `${Math.round(value * 100)} %`);

export function analyticsPage(app: FastifyInstance, { social, catalog }: SocialPageParts): void {
  const tz = social.timezone;
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/analytics',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: Type.Object({
          days: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1 to 365, default 30' })),
        }),
      },
    },
    async (request, reply) => {
      const days = Math.min(365, Math.max(1, Number(request.query.days ?? 30)));
      const since = new Date(social.now().getTime() - days * 86_400_000);
      const [posts, followers, tests, products] = await Promise.all([
        social.insights.performance(since),
        social.insights.followerHistory(days),
        social.abTests.list(),
        catalog.all(),
      ]);
      const titles = new Map(products.map((p) => [p.id, p.title]));
      const themes = Insights.breakdown(posts, (post) => [post.theme]);
      const byProduct = Insights.breakdown(posts, (post) => post.productIds);
      const orders = posts.reduce((sum, post) => sum + post.orders, 0);
      const revenue = Insights.breakdown(posts, () => ['all'])[0]?.revenue ?? [];
      const stories = posts.filter((post) => post.completion !== undefined);
      const channels = [...new Set(followers.map((f) => f.channel))];
      const best = (['instagram', 'facebook', 'tiktok', 'linkedin'] as const)
        .map((channel) => ({ channel, hours: social.insights.bestHours(posts, channel) }))
        .filter((entry) => entry.hours.length);
      const breakdownRows = (rows: typeof themes, name: (key: string) => string) =>
        rows
          .slice(0, 15)
          .map((row) => [
            name(row.key),
            row.posts,
            row.reach.toLocaleString('en-GB'),
            row.orders,
            moneyText(row.revenue) || '—',
          ]);
      return sendPage(
        reply,
        page(
          { title: 'Social analytics', principal: request.principal, current: '/social' },
          html`<nav class="tabs"><a href="/social">Queue</a> <a href="/social/calendar">Calendar</a> <a href="/social/analytics" class="current" aria-current="page">Analytics</a></nav>
            <p class="muted">The last ${days} days: <a href="/social/analytics?days=7">7</a> · <a href="/social/analytics?days=30">30</a> · <a href="/social/analytics?days=90">90</a> days.</p>
            <section class="cards">
              <article class="card" data-testid="social-revenue"><h3>Orders from posts</h3><p class="big">${orders}</p><p>${moneyText(revenue) || 'no revenue yet'}</p></article>
              <article class="card"><h3>Posts out</h3><p class="big">${posts.length}</p></article>
              <article class="card" data-testid="story-completion"><h3>Stories watched through</h3><p class="big">${percent(stories.length ? stories.reduce((sum, s) => sum + (s.completion ?? 0), 0) / stories.length : undefined)}</p><p class="muted small">${stories.length} ${stories.length === 1 ? 'story' : 'stories'} measured</p></article>
            </section>
            <h2>Posts</h2>
            ${table(
              ['When', 'Where', 'Reach', 'Engaged', 'Watched through', 'Orders', 'Revenue'],
              posts
                .slice(0, 100)
                .map((post) => [
                  html`<a href="/social/posts/${post.postId}">${formatTime(post.publishedAt, tz)}</a>`,
                  `${PLATFORM_LABEL[post.channel]} ${post.format}`,
                  post.reach.toLocaleString('en-GB'),
                  post.reach ? percent(post.interactions / post.reach) : '—',
                  percent(post.completion),
                  post.orders,
                  moneyText(post.revenue) || '—',
                ]),
              'No posts went out in this time.',
            )}
            <h2>By theme</h2>
            ${table(
              ['Theme', 'Posts', 'Reach', 'Orders', 'Revenue'],
              breakdownRows(themes, (key) => key),
              'Nothing yet.',
            )}
            <h2>By product</h2>
            ${table(
              ['Product', 'Posts', 'Reach', 'Orders', 'Revenue'],
              breakdownRows(byProduct, (key) => titles.get(key) ?? `product ${key}`),
              'Nothing yet.',
            )}
            <h2>Followers</h2>
            ${
              channels.length
                ? channels.map((channel) =>
                    barChart({
                      title: `${PLATFORM_LABEL[channel]} followers per day`,
                      bars: followers
                        .filter((f) => f.channel === channel)
                        .map((f) => ({ label: f.day, value: f.followers })),
                      format: (value) => value.toLocaleString('en-GB'),
                      tick: shortDay,
                      name: formatDay,
                      testId: `followers-${channel}`,
                    }),
                  )
                : html`<p class="muted">Counted once a day from the first day an account is connected.</p>`
            }
            <h2>Best times</h2>
            ${
              best.length
                ? html`<ul>${best.map((entry) => html`<li>${PLATFORM_LABEL[entry.channel]}: ${entry.hours.map((h) => `${String(h.hour).padStart(2, '0')}:00 (${percent(h.rate)} engaged)`).join(', ')}</li>`)}</ul>
                  <p class="muted small">From your own posts’ engagement by the hour they went out; move a slot under the calendar to follow it.</p>`
                : html`<p class="muted">Shown once two or more posts went out at the same hour.</p>`
            }
            <h2>A/B tests</h2>
            ${table(
              ['Where', 'Tested', 'State', 'Confidence', 'What it taught'],
              tests.map((t) => [
                t.channel,
                `${t.kind} of ${titles.get(t.productId) ?? t.productId}`,
                t.status === 'decided' ? `version ${t.winner} won` : t.status,
                t.confidence === null ? '—' : percent(t.confidence),
                t.lesson ?? '',
              ]),
              'No tests yet: open a planned post and press “A/B test the caption”.',
            )}`,
        ),
      );
    },
  );
}
