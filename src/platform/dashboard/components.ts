// The few building blocks every dashboard page uses: sending a page, a table that scrolls sideways
// on a phone, and a one-button form that carries the CSRF token.
import type { FastifyReply } from 'fastify';
import type { Principal } from '../accounts/roles.ts';
import { html, type Html, type Value } from './html.ts';
import { csrfField, withMenu } from './layout.ts';

/** Answers with a rendered page, its menu written in. */
export function sendPage(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(withMenu(body.value, reply.server.menu));
}

/** Rows of cells under a header; `empty` is shown instead of an empty table. */
export function table(headers: string[], rows: Value[][], empty: Html | string): Html {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<div class="scroll">
    <table>
      <thead>
        <tr>${headers.map((header) => html`<th>${header}</th>`)}</tr>
      </thead>
      <tbody>
        ${rows.map((cells) => html`<tr>${cells.map((cell) => html`<td>${cell}</td>`)}</tr>`)}
      </tbody>
    </table>
  </div>`;
}

export interface PostButtonOptions {
  secondary?: boolean;
  fields?: Record<string, string>;
}

/** A button that POSTs to `action` (with the CSRF token and any hidden fields). */
export function postButton(
  principal: Principal | undefined,
  action: string,
  label: string,
  options: PostButtonOptions = {},
): Html {
  return html`<form method="post" action="${action}" class="inline">
    ${csrfField(principal)}${Object.entries(options.fields ?? {}).map(
      ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
    )}<button${options.secondary ? html` class="secondary"` : ''}>${label}</button>
  </form>`;
}
