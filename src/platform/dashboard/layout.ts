// The dashboard's frame: a phone-first layout with the menu every module adds to.
import type { Principal } from '../accounts/roles.ts';
import { html, trusted, type Html } from './html.ts';

export interface MenuItem {
  href: string;
  label: string;
}

/**
 * Where a signed-in page's menu goes. The modules' entries are the app's (each module declares its
 * own); sendPage writes them in, with the current page marked.
 */
const MENU_SLOT = /<!--menu:([^>]*)-->/;

/** Where the banner every page shows goes (the sandbox's), written in by sendPage. */
const BANNER_SLOT = '<!--banner-->';

/** A page's markup with its menu and the app's banner written in. */
export function withMenu(markup: string, menu: MenuItem[], banner = ''): string {
  return markup
    .replace(BANNER_SLOT, () => banner)
    .replace(MENU_SLOT, (_slot, current: string) =>
      menu
        .map(
          (item) =>
            html`<a href="${item.href}"${item.href === current ? html` class="current"` : ''}>${item.label}</a>`
              .value,
        )
        .join(''),
    );
}

export interface PageOptions {
  title: string;
  principal?: Principal | undefined;
  current?: string;
}

export function page(options: PageOptions, body: Html): Html {
  const { principal } = options;
  const csrf = principal?.via.kind === 'session' ? principal.via.csrfToken : undefined;
  const signedIn = principal?.via.kind === 'session' && principal.via.stage === 'active';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          name="htmx-config"
          content='{"allowEval":false,"includeIndicatorStyles":false,"selfRequestsOnly":true}'
        />
        ${csrf ? html`<meta name="csrf-token" content="${csrf}" />` : ''}
        <title>${options.title} · shopkeep</title>
        <link rel="icon" href="/static/icon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/htmx.min.js" defer></script>
        <script src="/static/app.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">shopkeep</a>
          ${
            signedIn
              ? html`<details class="menu">
                    <summary aria-label="Menu">☰</summary>
                    <nav>${trusted(`<!--menu:${escapeComment(options.current ?? '')}-->`)}
                    </nav>
                  </details>
                  <form method="post" action="/logout" class="logout">
                    <input type="hidden" name="_csrf" value="${csrf}" /><button>Log out</button>
                  </form>`
              : ''
          }
        </header>
        ${trusted(BANNER_SLOT)}
        <main>
          <h1>${options.title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
}

/** A page path as it may sit in an HTML comment. */
function escapeComment(path: string): string {
  return path.replace(/[^\w/.-]/g, '');
}

export function errorPage(status: number, message: string, principal?: Principal): Html {
  const title =
    status === 503
      ? 'shopkeep cannot reach its database'
      : status === 404
        ? 'Not found'
        : status >= 500
          ? 'Something went wrong'
          : 'That did not work';
  return page(
    { title, principal },
    html`<p class="notice ${status >= 500 ? 'bad' : ''}">${message}</p>
      ${status === 503 ? html`<p>shopkeep keeps trying on its own. If this lasts more than a minute, run <code>shopkeep doctor</code> on the box.</p>` : ''}
      <p><a href="/">Back to the start page</a></p>`,
  );
}

export function csrfField(principal: Principal | undefined): Html {
  return principal?.via.kind === 'session'
    ? html`<input type="hidden" name="_csrf" value="${principal.via.csrfToken}" />`
    : html``;
}

/** Date formatters are slow to make (about 75 µs) and quick to use: one per time zone, kept. */
const timeFormats = new Map<string, Intl.DateTimeFormat>();

export function formatTime(date: Date | null | undefined, timezone: string): string {
  if (!date) return '—';
  let format = timeFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: timezone,
    });
    timeFormats.set(timezone, format);
  }
  return format.format(date);
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

/** A calendar day ('2026-12-07') the way every page writes one: '7 Dec 2026'. */
export function formatDay(day: string): string {
  return dayFormat.format(new Date(`${day}T12:00:00Z`));
}

/** '1 order', '1,204 orders'. */
export function plural(count: number, word: string): string {
  return `${count.toLocaleString('en-GB')} ${word}${count === 1 ? '' : 's'}`;
}
