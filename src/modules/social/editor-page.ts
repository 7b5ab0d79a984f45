// Writing a post by hand (it goes through the QA gate like any draft) and importing a CSV of posts.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { html } from '../../platform/dashboard/html.ts';
import { csrfField, page, plural } from '../../platform/dashboard/layout.ts';
import { backWithNotice, formAction, noticeLine, sendPage } from '../../platform/dashboard/components.ts';
import { formBody, noticeField, optionalField } from '../../platform/dashboard/form-body.ts';
import { actorOf } from '../../platform/accounts/roles.ts';
import { AppError, invalid } from '../../platform/errors.ts';
import { formatMoney } from '../../platform/money.ts';
import type { SocialPageParts } from './pages.ts';
import { PLATFORMS, isPlatform, type PostFormat } from './publishers/publisher.ts';
import { PLATFORM_LABEL, fromLocalInput, toLocalInput } from './page-parts.ts';

const FORMATS: PostFormat[] = ['feed', 'carousel', 'story', 'text'];
const typedFields = {
  channel: optionalField(20),
  format: optionalField(20),
  productId: optionalField(30),
  caption: optionalField(5000),
  imageUrls: optionalField(4000),
  publishAt: optionalField(20),
  recurringDays: optionalField(4),
};

export function editorPages(app: FastifyInstance, { social, catalog }: SocialPageParts): void {
  const tz = social.timezone;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/new',
    {
      config: { access: 'write' },
      schema: { hide: true, querystring: Type.Object({ ...noticeField, ...typedFields }) },
    },
    async (request, reply) => {
      const typed = request.query;
      const products = await catalog.all();
      const principal = request.principal;
      const soon = toLocalInput(new Date(social.now().getTime() + 3_600_000), tz);
      return sendPage(
        reply,
        page(
          { title: 'New post', principal, current: '/social' },
          html`${noticeLine(request.query)}
            <p><a href="/social">← Social</a></p>
            <form method="post" action="/social/new" class="stack" data-testid="editor">${csrfField(principal)}
              <label>Where <select name="channel">${PLATFORMS.map((p) => html`<option value="${p}" ${typed.channel === p ? 'selected' : ''}>${PLATFORM_LABEL[p]}</option>`)}</select></label>
              <label>Kind <select name="format">${FORMATS.map((f) => html`<option ${typed.format === f ? 'selected' : ''}>${f}</option>`)}</select></label>
              <label>About <select name="productId"><option value="">no product</option>${products.map(
                (p) =>
                  html`<option value="${p.id}" ${typed.productId === p.id ? 'selected' : ''}>${p.title} · ${formatMoney(p.priceMinor, p.currency)}${p.available ? '' : ' (sold out)'}</option>`,
              )}</select></label>
              <label>Caption <textarea name="caption" rows="6" maxlength="5000" required>${typed.caption ?? ''}</textarea></label>
              <label>Images (addresses, one per line; the product’s photo when empty) <textarea name="imageUrls" rows="2">${typed.imageUrls ?? ''}</textarea></label>
              <label>When (${tz}) <input type="datetime-local" name="publishAt" value="${typed.publishAt ?? soon}" required /></label>
              <label>Post again every … days (evergreen; empty for once) <input type="number" name="recurringDays" min="1" max="365" value="${typed.recurringDays ?? ''}" /></label>
              <button>Check and schedule</button>
              <p class="muted small">The QA gate reads it first: a clear pass is scheduled at once; otherwise it waits for you under Approvals and on Telegram.</p>
            </form>
            <h2>Import posts from CSV</h2>
            <form method="post" action="/social/import" class="stack">${csrfField(principal)}
              <label>CSV (first line: channel,caption,publish_at,image_url,product_id,format) <textarea name="csv" rows="5" required></textarea></label>
              <button class="secondary">Import</button>
              <p class="muted small">Every row is checked first: one bad row and nothing is imported, with the row named.</p>
            </form>`,
        ),
      );
    },
  );

  api.post(
    '/new',
    {
      config: { access: 'write' },
      schema: {
        hide: true,
        // What every post needs; the rest is checked by the service and told on the page.
        body: formBody({
          ...typedFields,
          channel: Type.String({ minLength: 1, maxLength: 20 }),
          caption: Type.String({ minLength: 1, maxLength: 5000 }),
          publishAt: Type.String({ minLength: 1, maxLength: 20 }),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      try {
        const channel = body.channel ?? '';
        if (!isPlatform(channel)) throw invalid('choose where it goes');
        const format = body.format ?? 'feed';
        if (!(FORMATS as string[]).includes(format)) throw invalid('choose a kind of post');
        const recurring = body.recurringDays ? Number(body.recurringDays) : undefined;
        if (recurring !== undefined && !(Number.isInteger(recurring) && recurring >= 1 && recurring <= 365))
          throw invalid('“post again every” is a number of days from 1 to 365');
        const post = await social.content.create(
          {
            channel,
            format: format as PostFormat,
            caption: body.caption ?? '',
            ...(body.productId ? { productId: body.productId } : {}),
            ...(body.imageUrls?.trim() ? { imageUrls: body.imageUrls.split(/\s+/).filter(Boolean) } : {}),
            publishAt: fromLocalInput(body.publishAt ?? '', tz),
            ...(recurring ? { recurringDays: recurring } : {}),
          },
          actorOf(request.principal).actor,
        );
        const said =
          post.status === 'drafted'
            ? 'The QA gate wants your look: it waits under Approvals and on Telegram.'
            : 'Checked and scheduled.';
        return backWithNotice(reply, `/social/posts/${post.id}`, said);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return backWithNotice(reply, '/social/new', error.message, {
          problem: true,
          typed: { ...body, _csrf: undefined },
        });
      }
    },
  );

  api.post(
    '/import',
    {
      config: { access: 'write' },
      bodyLimit: 2 * 1024 * 1024,
      schema: { hide: true, body: formBody({ csv: Type.String({ maxLength: 2_000_000 }) }) },
    },
    async (request, reply) =>
      formAction(reply, '/social', async () => {
        const posts = await social.importCsv(request.body.csv, actorOf(request.principal).actor);
        const waiting = posts.filter((post) => post.status === 'drafted').length;
        return `Imported ${plural(posts.length, 'post')}${waiting ? `; ${waiting} wait for your look under Approvals` : ''}.`;
      }),
  );
}
