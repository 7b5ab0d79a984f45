// The few building blocks every dashboard page uses: sending a page, a table that scrolls sideways
// on a phone, a one-button form that carries the CSRF token, and a form's answer.
import type { FastifyReply } from 'fastify';
import type { Principal } from '../accounts/roles.ts';
import { AppError } from '../errors.ts';
import { html, type Html, type Value } from './html.ts';
import { csrfField, withMenu } from './layout.ts';

/** Answers with a rendered page, its menu written in. */
export function sendPage(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(withMenu(body.value, reply.server.menu, reply.server.banner));
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

export interface FormActionOptions {
  /** Put before an error's message: 'Not booked' shows 'Not booked: <message>'. */
  failed?: string;
  /** Which errors go back to the page as its problem; every AppError unless said otherwise. */
  shows?: (error: Error) => boolean;
  /** What the person typed, sent back with a problem so the form shows it again (never a secret). */
  typed?: Record<string, string | undefined>;
}

/** A notice travels in the address: longer ones are cut short, and so is what was typed. */
const NOTICE_LENGTH = 280;
const TYPED_LENGTH = 500;

/**
 * A dashboard form's answer. Runs `work`, then sends the browser back to `back` with the notice
 * `work` returns, or with the message of an error the owner can act on. Any other error is thrown to
 * the error handler, whose 500 shows nothing internal.
 */
export async function formAction(
  reply: FastifyReply,
  back: string,
  work: () => Promise<string | undefined>,
  { failed, shows = (error) => error instanceof AppError, typed }: FormActionOptions = {},
): Promise<FastifyReply> {
  let notice: string | undefined;
  try {
    notice = await work();
  } catch (error) {
    if (!(error instanceof Error) || !shows(error)) throw error;
    const problem = failed ? `${failed}: ${error.message}` : error.message;
    return backWithNotice(reply, back, problem, { problem: true, typed });
  }
  return backWithNotice(reply, back, notice);
}

/**
 * Sends the browser back to a page after a form (303: a reload does not post again), with a notice
 * to show, or a problem (shown as an error) and what was typed.
 */
export function backWithNotice(
  reply: FastifyReply,
  back: string,
  notice: string | undefined,
  { problem = false, typed = {} }: { problem?: boolean; typed?: Record<string, string | undefined> } = {},
): FastifyReply {
  if (!notice) return reply.redirect(back, 303);
  const fields: [string, string][] = [[problem ? 'problem' : 'notice', notice.slice(0, NOTICE_LENGTH)]];
  if (problem)
    for (const [name, value] of Object.entries(typed))
      // The CSRF token never travels in an address.
      if (value && name !== '_csrf') fields.push([name, value.slice(0, TYPED_LENGTH)]);
  const query = fields.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}${query}`, 303);
}

/** A page's notice or problem from its address, once at the top: a problem looks like one. */
export function noticeLine(query: { notice?: string | undefined; problem?: string | undefined }): Html {
  if (query.problem) return html`<p class="notice bad" role="alert">${query.problem}</p>`;
  return query.notice ? html`<p class="notice" role="status">${query.notice}</p>` : html``;
}
