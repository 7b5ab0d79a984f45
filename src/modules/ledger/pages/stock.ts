// Stock in the dashboard: what the books hold of each product at cost beside what Shopify counts,
// goods received (a lot at its unit cost, with a best-before date), and the opening stock.
import { booksNav } from './nav.ts';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import type { HttpContext } from '../../../platform/kit/module.ts';
import { html } from '../../../platform/dashboard/html.ts';
import { csrfField, page } from '../../../platform/dashboard/layout.ts';
import {
  formAction,
  noticeLine,
  postButton,
  sendPage,
  table,
} from '../../../platform/dashboard/components.ts';
import { formBody, optionalField, noticeField } from '../../../platform/dashboard/form-body.ts';
import { dayIn } from '../../../platform/dates.ts';
import { AppError, invalid } from '../../../platform/errors.ts';
import { formatMoney } from '../../../platform/money.ts';
import { downloadLinks } from '../documents.ts';

const text = (maxLength: number) => Type.String({ maxLength });

export function stockPages(
  app: FastifyInstance,
  { ledger, now }: LedgerParts,
  { config }: HttpContext,
): void {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();

  pages.get(
    '/stock',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        // What was typed into Goods received comes back with a problem, to correct.
        querystring: Type.Object({
          ...noticeField,
          variantId: optionalField(20),
          date: optionalField(10),
          quantity: optionalField(10),
          unitCost: optionalField(20),
          vat: optionalField(20),
          expiresOn: optionalField(10),
          supplier: optionalField(200),
          reference: optionalField(100),
        }),
      },
    },
    async (request, reply) => {
      const today = dayIn(now(), config.timezone);
      const typed = request.query;
      const [stock, opening, products] = await Promise.all([
        ledger.stock.valuation(today),
        ledger.stock.openingTaken(),
        ledger.stock.products(),
      ]);
      const money = (minor: number) => formatMoney(minor, stock.currency);
      const differs = stock.lines.filter(
        (line) => line.shopifyCount !== null && line.shopifyCount !== line.quantity,
      );
      return sendPage(
        reply,
        page(
          { title: 'Stock', principal: request.principal, current: '/books' },
          html`${noticeLine(request.query)}
            ${booksNav('/books/stock')}
            <section>
              <h2>Stock at cost today ${downloadLinks('stock', today, today)}</h2>
              <p>
                ${money(stock.total)} in ${String(stock.lines.length)} product(s), costed
                ${stock.costing === 'fifo' ? 'first to expire, first in, first out' : 'at the running average'}.
                ${
                  differs.length
                    ? html`<span class="muted"
                      >${String(differs.length)} differ from Shopify's count (goods not yet recorded, or
                      orders not yet shipped).</span
                    >`
                    : ''
                }
              </p>
              ${table(
                [
                  'Product',
                  'SKU',
                  'On the books',
                  'Shopify counts',
                  'Value at cost',
                  'Expire within 30 days',
                ],
                stock.lines.map((line) => [
                  line.name,
                  line.sku ?? '',
                  html`<span class="${line.quantity < 0 ? 'bad' : ''}">${String(line.quantity)}</span>`,
                  line.shopifyCount === null ? '–' : String(line.shopifyCount),
                  money(line.value),
                  line.expiringWithin30Days ? String(line.expiringWithin30Days) : '',
                ]),
                'No stock on the books yet: record goods received, or take the opening stock from Shopify.',
              )}
            </section>
            <section>
              <h2>Goods received</h2>
              <form method="post" action="/books/stock/receive" class="stack">
                ${csrfField(request.principal)}
                <label
                  >Product
                  <select name="variantId" required>
                    ${products.map(
                      (product) =>
                        html`<option value="${String(product.variantId)}"${String(product.variantId) === typed.variantId ? html` selected` : ''}>
                          ${product.name}${product.sku ? ` (${product.sku})` : ''}
                        </option>`,
                    )}
                  </select></label
                >
                <label>Arrived on <input type="date" name="date" value="${typed.date ?? today}" required /></label>
                <label>Quantity <input type="number" name="quantity" min="1" max="1000000" value="${typed.quantity ?? ''}" required /></label>
                <label
                  >Cost per unit, before VAT
                  <input name="unitCost" inputmode="decimal" pattern="[0-9]{1,9}([.][0-9]{1,6})?" value="${typed.unitCost ?? ''}" required
                /></label>
                <label
                  >VAT on the invoice for these goods (if any; it is reclaimed)
                  <input name="vat" inputmode="decimal" pattern="[0-9]{1,9}([.][0-9]{1,2})?" value="${typed.vat ?? ''}"
                /></label>
                <label>Best before (if it has one) <input type="date" name="expiresOn" value="${typed.expiresOn ?? ''}" /></label>
                <label>Supplier <input name="supplier" maxlength="200" value="${typed.supplier ?? ''}" /></label>
                <label>Invoice or delivery note number <input name="reference" maxlength="100" value="${typed.reference ?? ''}" /></label>
                <button>Record goods received</button>
              </form>
            </section>
            <section>
              <h2>Written off, or counted</h2>
              <form method="post" action="/books/stock/adjust" class="stack">
                ${csrfField(request.principal)}
                <label
                  >Product
                  <select name="variantId" required>
                    ${products.map(
                      (product) =>
                        html`<option value="${String(product.variantId)}">${product.name}${product.sku ? ` (${product.sku})` : ''}</option>`,
                    )}
                  </select></label
                >
                <label>On <input type="date" name="date" value="${today}" required /></label>
                <label
                  >What happened
                  <select name="kind" required>
                    <option value="expired">Expired: written off</option>
                    <option value="damaged">Damaged: written off</option>
                    <option value="other">Used or given away: written off</option>
                    <option value="count">Counted on the shelf</option>
                  </select></label
                >
                <label>Units (written off, or counted) <input type="number" name="units" min="0" max="1000000" required /></label>
                <button>Book it</button>
              </form>
            </section>
            <section>
              <h2>Opening stock</h2>
              ${
                opening
                  ? html`<p>
                    Taken from Shopify's count after the first import: ${String(opening.units)} unit(s) of
                    ${String(opening.variants)} product(s), dated ${opening.date}. Stock bought since is recorded
                    above, as goods received.
                  </p>`
                  : html`<p>
                      Stock that was on the shelves before the books began: the units Shopify counts beyond what
                      the books hold become opening stock at Shopify's cost per unit, once. This happens by itself
                      after the first import; the button is for an import made before.
                    </p>
                    ${postButton(
                      request.principal,
                      '/books/stock/opening',
                      "Take the opening stock from Shopify's count",
                      {
                        secondary: true,
                      },
                    )}`
              }
            </section>`,
        ),
      );
    },
  );

  pages.post(
    '/stock/adjust',
    {
      config: { access: 'write' },
      schema: {
        hide: true,
        body: formBody({ variantId: text(20), date: text(10), kind: text(10), units: text(10) }),
      },
    },
    async (request, reply) =>
      formAction(reply, '/books/stock', async () => {
        const { variantId, date, kind, units } = request.body;
        const quantity = Number(units);
        const variant = Number(variantId);
        if (!Number.isInteger(quantity) || quantity < 0) throw invalid('units are a whole number, 0 or more');
        const currency = await ledger.currency();
        if (kind === 'count') {
          const [counted] = await ledger.stock.count(date, [{ variantId: variant, counted: quantity }]);
          return counted!.difference
            ? `Counted ${counted!.counted}; the books held ${counted!.books}: ${Math.abs(counted!.difference)} ${counted!.difference < 0 ? 'missing' : 'found'} (${formatMoney(Math.abs(counted!.value), currency)} at cost).`
            : `Counted ${counted!.counted}: the books agree.`;
        }
        if (kind !== 'expired' && kind !== 'damaged' && kind !== 'other')
          throw invalid('choose what happened');
        const { cost } = await ledger.stock.writeOff({ date, variantId: variant, quantity, reason: kind });
        return `${quantity} unit(s) written off (${formatMoney(cost, currency)} at cost).`;
      }),
  );

  pages.post(
    '/stock/receive',
    {
      config: { access: 'write' },
      schema: {
        hide: true,
        body: formBody({
          variantId: text(20),
          date: text(10),
          quantity: text(10),
          unitCost: text(20),
          vat: optionalField(20),
          expiresOn: optionalField(10),
          supplier: optionalField(200),
          reference: optionalField(100),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      return formAction(
        reply,
        '/books/stock',
        async () => {
          if (!/^\d{1,16}$/.test(body.variantId)) throw new AppError('invalid_request', 'choose a product');
          if (!/^\d{1,7}$/.test(body.quantity))
            throw new AppError('invalid_request', 'quantity must be a whole number from 1 to 1,000,000');
          await ledger.stock.receiveGoods({
            date: body.date,
            variantId: Number(body.variantId),
            quantity: Number(body.quantity),
            unitCost: body.unitCost.trim(),
            vat: body.vat || undefined,
            expiresOn: body.expiresOn || undefined,
            supplier: body.supplier,
            reference: body.reference,
          });
          return `Recorded: ${body.quantity} received on ${body.date}.`;
        },
        {
          failed: 'Not recorded',
          typed: {
            variantId: body.variantId,
            date: body.date,
            quantity: body.quantity,
            unitCost: body.unitCost,
            vat: body.vat,
            expiresOn: body.expiresOn,
            supplier: body.supplier,
            reference: body.reference,
          },
        },
      );
    },
  );

  pages.post(
    '/stock/opening',
    {
      config: { access: 'admin' },
      schema: {
        hide: true,
        body: formBody({}),
      },
    },
    async (_request, reply) =>
      formAction(reply, '/books/stock', async () => {
        const opening = await ledger.stock.takeOpening();
        const missing = opening.withoutCost.length
          ? ` No cost in Shopify for ${opening.withoutCost.slice(0, 5).join(', ')}${opening.withoutCost.length > 5 ? ', …' : ''}: record their goods received.`
          : '';
        return `Opening stock on ${opening.date}: ${opening.units} unit(s) of ${opening.variants} product(s), ${formatMoney(opening.value, opening.currency)}.${missing}`;
      }),
  );
}
