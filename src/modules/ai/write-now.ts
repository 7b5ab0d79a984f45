// "Write a post now" on the Approvals page: a product and a channel, written and reviewed at once; the
// draft then waits in the queue above (or is approved by the QA gate).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { html } from '../../platform/dashboard/html.ts';
import { csrfField } from '../../platform/dashboard/layout.ts';
import { backWithNotice } from '../../platform/dashboard/components.ts';
import type { Panel } from '../../platform/kit/module.ts';
import { AppError } from '../../platform/errors.ts';
import { CHANNELS, isChannel } from './qa/channels.ts';
import type { Catalog } from '../shop/index.ts';
import type { AiParts } from './index.ts';

const Field = Type.String({ maxLength: 25_000 });
const DraftForm = Type.Object(
  { channel: Type.Optional(Field), productId: Type.Optional(Field) },
  { additionalProperties: Field },
);

export function writeNowPanel(catalog: Catalog): Panel {
  return {
    page: 'approvals',
    id: 'write-now',
    async render(request: FastifyRequest) {
      const principal = request.principal;
      if (!principal?.scopes.has('write')) return html``;
      const products = await catalog.all();
      return html`<section id="write-now">
        <h2>Write a post now</h2>
        ${
          products.length === 0
            ? html`<p class="muted">No products yet: the catalog arrives with the Shopify connection (the sandbox has sample products).</p>`
            : html`<form method="post" action="/approvals/draft" class="stack">${csrfField(principal)}
                <label>Channel <select name="channel">${Object.keys(CHANNELS).map((channel) => html`<option>${channel}</option>`)}</select></label>
                <label>Product <select name="productId">${products.map((p) => html`<option value="${p.id}">${p.title}${p.available ? '' : ' (out of stock)'}</option>`)}</select></label>
                <button>Write and review</button>
              </form>`
        }
      </section>`;
    },
  };
}

/** Under /approvals, beside the queue it adds to. */
export function writeNowRoute(app: FastifyInstance, { writer }: AiParts): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .post(
      '/draft',
      { config: { access: 'write' }, schema: { hide: true, body: DraftForm } },
      async (request, reply) => {
        const channel = request.body.channel ?? '';
        if (!isChannel(channel)) throw new AppError('invalid_request', 'choose a channel');
        const result = await writer.draft({ channel, productId: request.body.productId ?? '' });
        const notice =
          result.outcome === 'approved'
            ? `Written and approved by the QA gate (score ${result.review.score}, ${result.attempts} attempt(s), ${result.provider}).`
            : `Written (score ${result.review.score}, ${result.attempts} attempt(s), ${result.provider}); it waits for your decision below.`;
        return backWithNotice(reply, '/approvals', notice);
      },
    );
}
