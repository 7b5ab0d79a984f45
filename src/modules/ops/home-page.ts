// The home page: what the shop did today and yesterday, its money, what needs the owner, and what
// shopkeep did since they last looked. Every card comes from the module that owns its numbers; the
// system's health shows here in one line only when something is wrong (the rest is on Operations).
import type { FastifyInstance } from 'fastify';
import type { OpsParts } from './index.ts';
import type { HttpContext, HomeCard, HomeLook } from '../../platform/kit/module.ts';
import { html, type Html } from '../../platform/dashboard/html.ts';
import { formatTime, page, plural } from '../../platform/dashboard/layout.ts';
import { sendPage } from '../../platform/dashboard/components.ts';
import { dayIn } from '../../platform/dates.ts';

/** Without an earlier look, "since" is the day before. */
const FIRST_LOOK_HOURS = 24;

export function homePage(app: FastifyInstance, ops: OpsParts, { config }: HttpContext): void {
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect('/login');
    if (principal.via.kind === 'session' && principal.via.stage === 'enrolling')
      return reply.redirect('/enrol');
    const now = ops.now();
    const readiness = await ops.readiness();
    if (!readiness.database)
      return sendPage(
        reply,
        page({ title: 'Home', principal, current: '/' }, trouble(['the database is not reachable'])),
      );
    const look: HomeLook = { request, today: dayIn(now, config.timezone) };
    const contributions = ops.home();
    const cards = contributions.flatMap((each) => each.cards ?? []).sort((a, b) => a.position - b.position);
    const [dead, lastLook, rendered] = await Promise.all([
      ops.jobs.deadLetterCount(),
      principal.via.kind === 'session' ? ops.looks.look(principal.user.id, now) : Promise.resolve(undefined),
      Promise.all(cards.map((card) => renderCard(card, look, ops))),
    ]);
    const since = lastLook ?? new Date(now.getTime() - FIRST_LOOK_HOURS * 3_600_000);
    const activity = (
      await Promise.all(contributions.map((each) => each.activity?.(since).catch(() => []) ?? []))
    ).flat();
    const problems = [
      ...(readiness.jobs ? [] : ['the job queue is stopped']),
      ...(dead > 0 ? [`${plural(dead, 'job')} failed every attempt`] : []),
    ];
    return sendPage(
      reply,
      page(
        { title: 'Home', principal, current: '/' },
        html`${problems.length ? trouble(problems) : ''}
          <div class="cards home">
            ${rendered}
            <section class="card" data-card="since">
              <h2>Since ${lastLook ? html`you last looked <span class="muted">(${formatTime(lastLook, config.timezone)})</span>` : 'yesterday'}</h2>
              ${
                activity.length
                  ? html`<ul class="plain">${activity.map((line) => html`<li><a href="${line.href}">${line.text}</a></li>`)}</ul>`
                  : html`<p class="muted">Nothing new.</p>`
              }
            </section>
          </div>`,
      ),
    );
  });
}

/** One line saying what is wrong, linking to where it is put right. */
function trouble(problems: string[]): Html {
  return html`<p class="notice bad" role="alert">Needs a look: ${problems.join('; ')}. <a href="/ops">Operations</a></p>`;
}

/** A card that fails to read says so in its place; the page and the other cards still show. */
async function renderCard(card: HomeCard, look: HomeLook, ops: OpsParts): Promise<Html | undefined> {
  try {
    return await card.render(look);
  } catch (error) {
    ops.logger.error({ err: error, card: card.id }, 'a home card could not be read');
    return html`<section class="card" data-card="${card.id}"><p class="bad">This card could not be read just now; shopkeep logged why.</p></section>`;
  }
}
