// The dashboard's frame: a phone-first layout with the navigation for every module.
import type { Principal } from '../accounts/roles.ts';
import { html, type Html } from './html.ts';

export interface NavItem {
  href: string;
  label: string;
  ready: boolean; // false: the module is still to come and its page says so
}

export const NAV: NavItem[] = [
  { href: '/', label: 'Home', ready: true },
  { href: '/inbox', label: 'Inbox', ready: true },
  { href: '/approvals', label: 'Approvals', ready: true },
  { href: '/orders', label: 'Orders', ready: true },
  { href: '/products', label: 'Stock', ready: true },
  { href: '/books', label: 'Books', ready: true },
  { href: '/social', label: 'Social', ready: false },
  { href: '/mail', label: 'Mail', ready: false },
  { href: '/outreach', label: 'Outreach', ready: false },
  { href: '/tasks', label: 'Tasks', ready: false },
  { href: '/ops', label: 'Operations', ready: true },
  { href: '/ai', label: 'AI', ready: true },
  { href: '/shop', label: 'Shopify', ready: true },
  { href: '/settings', label: 'Settings', ready: true },
  { href: '/users', label: 'Users', ready: true },
];

export interface PageOptions {
  title: string;
  principal?: Principal | undefined;
  current?: string;
  banner?: Html | undefined;
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
                    <nav>
                      ${NAV.map(
                        (item) =>
                          html`<a
                            href="${item.href}"
                            class="${[item.href === options.current ? 'current' : '', item.ready ? '' : 'soon'].join(' ').trim()}"
                            >${item.label}</a
                          >`,
                      )}
                    </nav>
                  </details>
                  <form method="post" action="/logout" class="logout">
                    <input type="hidden" name="_csrf" value="${csrf}" /><button>Log out</button>
                  </form>`
              : ''
          }
        </header>
        ${options.banner ?? ''}
        <main>
          <h1>${options.title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
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

export function formatTime(date: Date | null | undefined, timezone: string): string {
  if (!date) return '—';
  return new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: timezone,
  }).format(date);
}
