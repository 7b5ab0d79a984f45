// The Mail pages: the inbox with each message's category, reason and reply state, and the mailbox's
// health; one message with its thread and the draft editor (approve, edit, regenerate, reject); the
// owner's voice (the style card they can correct, the examples it came from) and the FAQ.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { html, type Html } from '../../platform/dashboard/html.ts';
import { csrfField, formatTime, page, plural } from '../../platform/dashboard/layout.ts';
import { formAction, noticeLine, postButton, sendPage } from '../../platform/dashboard/components.ts';
import { formBody, noticeField, optionalField } from '../../platform/dashboard/form-body.ts';
import { actorOf } from '../../platform/accounts/roles.ts';
import { AppError, invalid } from '../../platform/errors.ts';
import type { MailService } from './mail-service.ts';
import { CATEGORIES } from './triage.ts';
import { IdParams } from '../../platform/http/schemas.ts';
import type { StyleCard } from './style.ts';

const REPLY_LABEL: Record<string, string> = {
  none: 'no reply',
  draft: 'draft',
  pending_approval: 'waits for you',
  sent: 'sent',
  blocked: 'not sent',
};

const badge = (text: string, tone = '') => html`<span class="badge ${tone}">${text}</span>`;
const categoryLabel = (category: string | null) => (category ?? 'not sorted yet').replace(/_/g, ' ');

export function mailPages(app: FastifyInstance, { mail }: { mail: MailService }): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tz = mail.timezone;
  const tabs = (current: string) =>
    html`<nav class="tabs">${[
      ['/mail', 'Inbox'],
      ['/mail/voice', 'Your voice & FAQ'],
    ].map(([href, label]) =>
      href === current
        ? html`<a href="${href}" class="current" aria-current="page">${label}</a> `
        : html`<a href="${href}">${label}</a> `,
    )}</nav>`;

  api.get(
    '/',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: Type.Object({ ...noticeField, category: Type.Optional(Type.Enum([...CATEGORIES])) }),
      },
    },
    async (request, reply) => {
      const [health, messages] = await Promise.all([
        mail.health(),
        mail.messages.list({ limit: 100, category: request.query.category }),
      ]);
      return sendPage(
        reply,
        page(
          { title: 'Mail', principal: request.principal, current: '/mail' },
          html`${noticeLine(request.query)}${tabs('/mail')}
            <section data-testid="mailbox-health">
              <h2>Mailbox</h2>
              ${
                health
                  ? html`<p>${health.address}: ${health.connected ? html`<strong>connected</strong>` : html`<strong class="bad">not connected</strong>`}
                    · last sync ${health.lastSyncAt ? formatTime(health.lastSyncAt, tz) : 'never'}
                    · ${plural(health.messages, 'message')}${health.unparsed ? html` · ${plural(health.unparsed, 'message')} kept unread (could not be read)` : ''}</p>
                  ${health.lastError ? html`<p class="muted small">Last problem (${formatTime(health.lastErrorAt, tz)}): ${health.lastError}</p>` : ''}`
                  : html`<p class="muted">No mailbox is connected. <a href="/settings">Connect the shop’s mailbox on Settings</a> (Titan’s servers are filled in).</p>`
              }
            </section>
            <section>
              <h2>Messages</h2>
              <form method="get" action="/mail" class="inline">
                <label>Category <select name="category"><option value="">all</option>${CATEGORIES.map(
                  (c) =>
                    html`<option value="${c}"${request.query.category === c ? html` selected` : ''}>${categoryLabel(c)}</option>`,
                )}</select></label> <button class="secondary">Show</button>
              </form>
              ${
                messages.length
                  ? html`<ul class="plain mail-list" data-testid="messages">${messages.map(
                      (m) => html`<li>
                      <a href="/mail/messages/${m.id}"><strong>${m.subject || '(no subject)'}</strong></a>
                      <br /><span class="muted small">${m.from} · ${formatTime(new Date(m.receivedAt), tz)}</span>
                      <br />${badge(categoryLabel(m.category))} ${badge(REPLY_LABEL[m.reply.status] ?? m.reply.status, m.reply.status === 'pending_approval' ? 'warn' : '')}
                      <span class="muted small">${m.reason ?? ''}</span>
                    </li>`,
                    )}</ul>`
                  : html`<p class="muted">No mail yet.</p>`
              }
            </section>`,
        ),
      );
    },
  );

  api.get(
    '/messages/:id',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        params: IdParams,
        querystring: Type.Object(noticeField),
      },
    },
    async (request, reply) => {
      const message = await mail.detail(Number(request.params.id));
      const thread = message.threadId === null ? [] : await mail.messages.thread(message.threadId);
      const write = request.principal?.scopes.has('write');
      const pending = message.reply.status === 'pending_approval';
      const action = `/mail/messages/${message.id}/decide`;
      return sendPage(
        reply,
        page(
          { title: message.subject || '(no subject)', principal: request.principal, current: '/mail' },
          html`${noticeLine(request.query)}
            <p><a href="/mail">← Mail</a></p>
            <section>
              <p>From <strong>${message.from}</strong> · ${formatTime(new Date(message.receivedAt), tz)} · DMARC ${badge(message.dmarc, message.dmarc === 'pass' ? 'good' : 'warn')}${message.language ? html` · ${message.language}` : ''}</p>
              <p>${badge(categoryLabel(message.category))} <span class="muted">${message.reason ?? ''}</span>${message.orderName ? html` · order ${message.orderName}` : ''}</p>
              ${message.parseError ? html`<p class="notice bad">${message.parseError}. The message is kept as it came.</p>` : ''}
              <pre class="mail-text">${message.text}</pre>
              ${message.attachments.length ? html`<p class="small">Attachments: ${message.attachments.map((a) => `${a.filename} (${a.contentType}, ${Math.ceil(a.size / 1024)} KB)`).join(', ')}</p>` : ''}
            </section>
            <section data-testid="reply">
              <h2>Reply: ${REPLY_LABEL[message.reply.status] ?? message.reply.status}</h2>
              ${message.reply.reason ? html`<p class="muted small">${message.reply.reason}</p>` : ''}
              ${
                pending && write
                  ? html`<form method="post" action="${action}">
                      ${csrfField(request.principal)}
                      <label>Draft <textarea name="text" rows="12" maxlength="20000">${message.reply.text ?? ''}</textarea></label>
                      <button name="action" value="approve">Send as written</button>
                      <button name="action" value="edit" class="secondary">Send my edit</button>
                      <button name="action" value="reject" class="secondary">Don’t reply</button>
                    </form>
                    <form method="post" action="${action}">
                      ${csrfField(request.principal)}
                      <label>What should change? <input name="reason" maxlength="1000" required /></label>
                      <button name="action" value="regenerate" class="secondary">Write it again</button>
                    </form>`
                  : message.reply.text
                    ? html`<pre class="mail-text">${message.reply.text}</pre>`
                    : html`<p class="muted">${message.category && ['automated', 'bounce', 'newsletter', 'spam', 'own'].includes(message.category) ? 'Automatic and bulk mail is never answered.' : 'No reply drafted.'}</p>`
              }
            </section>
            ${
              thread.length > 1
                ? html`<section><h2>The conversation</h2><ol class="plain">${thread.map(
                    (m) =>
                      html`<li><span class="muted small">${formatTime(m.receivedAt, tz)} · ${m.direction === 'out' ? 'the shop' : m.fromAddress}</span><pre class="mail-text">${(m.fresh || m.body).slice(0, 2000)}</pre></li>`,
                  )}</ol></section>`
                : ''
            }`,
        ),
      );
    },
  );

  api.post(
    '/messages/:id/decide',
    {
      config: { access: 'write' },
      schema: {
        hide: true,
        params: IdParams,
        body: formBody({
          action: Type.Enum(['approve', 'edit', 'reject', 'regenerate']),
          text: optionalField(20_000),
          reason: optionalField(1000),
        }),
      },
    },
    async (request, reply) => {
      const { actor, actorLabel } = actorOf(request.principal);
      const { action, text, reason } = request.body;
      return formAction(
        reply,
        `/mail/messages/${request.params.id}`,
        async () => {
          await mail.decide(
            Number(request.params.id),
            { action, text, reason },
            { actor, label: actorLabel, ip: request.ip },
          );
          return {
            approve: 'Approved: it goes out now.',
            edit: 'Your version goes out now, and shopkeep learns from it.',
            reject: 'No reply will be sent.',
            regenerate: 'It is being written again.',
          }[action];
        },
        { typed: { reason } },
      );
    },
  );

  api.get(
    '/voice',
    { config: { access: 'read' }, schema: { hide: true, querystring: Type.Object(noticeField) } },
    async (request, reply) => {
      const [style, examples, count, faq] = await Promise.all([
        mail.examples.style(),
        mail.examples.list(5),
        mail.examples.count(),
        mail.faq.list(),
      ]);
      const write = request.principal?.scopes.has('write');
      return sendPage(
        reply,
        page(
          { title: 'Mail: your voice', principal: request.principal, current: '/mail' },
          html`${noticeLine(request.query)}${tabs('/mail/voice')}
          <section data-testid="style-card">
            <h2>How you write</h2>
            <p class="muted small">Learnt from ${count.toLocaleString('en-GB')} past ${count === 1 ? 'reply' : 'replies'}${style.editedByOwner ? '; you corrected it' : ''}. Import more with <code>shopkeep mail import-reference</code>.</p>
            ${write ? styleForm(style, request.principal) : html`<p>${style.greeting} … ${style.signOff} · about ${style.typicalWords} words · ${style.formality} · ${style.languages.join(', ')}</p>`}
          </section>
          <section data-testid="faq">
            <h2>Answers to common questions</h2>
            ${faq.map(
              (
                entry,
              ) => html`<form method="post" action="/mail/faq" class="faq-entry">${csrfField(request.principal)}
                <input type="hidden" name="id" value="${String(entry.id)}" />
                <label>Question <input name="question" value="${entry.question}" maxlength="500" required /></label>
                <label>Answer <textarea name="answer" rows="3" maxlength="4000" required>${entry.answer}</textarea></label>
                ${write ? html`<button class="secondary">Save</button>` : ''}
              </form>${write ? postButton(request.principal, `/mail/faq/${entry.id}/delete`, 'Remove', { secondary: true }) : ''}`,
            )}
            ${
              write
                ? html`<form method="post" action="/mail/faq">${csrfField(request.principal)}
                  <label>New question <input name="question" maxlength="500" required placeholder="How long does delivery take?" /></label>
                  <label>Answer <textarea name="answer" rows="3" maxlength="4000" required></textarea></label>
                  <button>Add</button></form>`
                : ''
            }
          </section>
          <section>
            <h2>Latest examples</h2>
            ${
              examples.length
                ? html`<ul class="plain">${examples.map((e) => html`<li><span class="muted small">${e.source === 'edit' ? 'your edit' : 'imported'}</span><pre class="mail-text">${e.answer.slice(0, 600)}</pre></li>`)}</ul>`
                : html`<p class="muted">None yet.</p>`
            }
          </section>`,
        ),
      );
    },
  );

  api.post(
    '/style',
    {
      config: { access: 'write' },
      schema: {
        hide: true,
        body: formBody({
          greeting: Type.String({ minLength: 1, maxLength: 100 }),
          signOff: Type.String({ minLength: 1, maxLength: 100 }),
          typicalWords: Type.String({ maxLength: 4 }),
          formality: Type.Enum(['casual', 'friendly', 'formal']),
          languages: Type.String({ maxLength: 60 }),
        }),
      },
    },
    async (request, reply) =>
      formAction(reply, '/mail/voice', async () => {
        const words = Number(request.body.typicalWords);
        if (!Number.isInteger(words) || words < 10 || words > 1000)
          throw invalid('the typical length is a number of words from 10 to 1000');
        const languages = request.body.languages.split(/[\s,]+/).filter(Boolean);
        if (!languages.length || languages.some((l) => !/^[a-z]{2}$/.test(l)))
          throw invalid('languages are two-letter codes: en, de, fr');
        await mail.examples.saveStyle({
          greeting: request.body.greeting,
          signOff: request.body.signOff,
          typicalWords: words,
          formality: request.body.formality,
          languages,
          editedByOwner: true,
        });
        return 'Saved: drafts follow your card from now on.';
      }),
  );

  api.post(
    '/faq',
    {
      config: { access: 'write' },
      schema: {
        hide: true,
        body: formBody({
          id: optionalField(12),
          question: Type.String({ minLength: 3, maxLength: 500 }),
          answer: Type.String({ minLength: 1, maxLength: 4000 }),
        }),
      },
    },
    async (request, reply) =>
      formAction(reply, '/mail/voice', async () => {
        const id = request.body.id ? Number(request.body.id) : undefined;
        if (id !== undefined && !Number.isInteger(id)) throw invalid('that FAQ entry does not exist');
        await mail.faq.save({
          id,
          question: request.body.question.trim(),
          answer: request.body.answer.trim(),
        });
        return 'Saved.';
      }),
  );

  api.post(
    '/faq/:id/delete',
    {
      config: { access: 'write' },
      schema: { hide: true, params: IdParams, body: formBody({}) },
    },
    async (request, reply) =>
      formAction(
        reply,
        '/mail/voice',
        async () => (await mail.faq.remove(Number(request.params.id)), 'Removed.'),
        { shows: (e) => e instanceof AppError },
      ),
  );
}

function styleForm(style: StyleCard, principal: Parameters<typeof csrfField>[0]): Html {
  return html`<form method="post" action="/mail/style">${csrfField(principal)}
    <label>Greeting (<code>{name}</code> is the customer’s first name) <input name="greeting" value="${style.greeting}" maxlength="100" required /></label>
    <label>Sign-off <input name="signOff" value="${style.signOff}" maxlength="100" required /></label>
    <label>Typical length in words <input name="typicalWords" inputmode="numeric" value="${String(style.typicalWords)}" maxlength="4" required /></label>
    <label>Tone <select name="formality">${(['casual', 'friendly', 'formal'] as const).map((f) => html`<option${style.formality === f ? html` selected` : ''}>${f}</option>`)}</select></label>
    <label>Languages you answer in <input name="languages" value="${style.languages.join(', ')}" maxlength="60" required /></label>
    <button>Save</button></form>`;
}
