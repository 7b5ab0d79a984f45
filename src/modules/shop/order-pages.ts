// The orders in the dashboard, under /orders: the list (search, status, dates) and one order with its
// lines, totals, payments, refunds and where the customer came from.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { HttpContext } from '../../platform/kit/module.ts';
import { html } from '../../platform/dashboard/html.ts';
import { formatDay, page, plural } from '../../platform/dashboard/layout.ts';
import { rangeLinks } from '../../platform/dashboard/periods.ts';
import { dayIn } from '../../platform/dates.ts';
import { noticeLine, sendPage, table } from '../../platform/dashboard/components.ts';
import { formatMoney } from '../../platform/money.ts';
import type { ShopParts } from './index.ts';
import type { Amount, Visit } from './model.ts';
import { notConnected, time } from './page-parts.ts';
import { noticeField } from '../../platform/dashboard/form-body.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function orderPages(app: FastifyInstance, { shop, now }: ShopParts, { config }: HttpContext): void {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();
  const zone = config.timezone;

  pages.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 100 })),
          status: Type.Optional(Type.String({ maxLength: 30 })),
          from: Type.Optional(Type.String({ maxLength: 10 })),
          to: Type.Optional(Type.String({ maxLength: 10 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
          ...noticeField,
        }),
      },
    },
    async (request, reply) => {
      const { q, status, from, to, cursor } = request.query;
      // A half-typed date in the form is left out rather than refused.
      const day = (value?: string) => (value && DAY.test(value) ? value : undefined);
      const filter = { search: q || undefined, status: status || undefined, from: day(from), to: day(to) };
      const [result, totals, sync] = await Promise.all([
        shop.listOrders({ ...filter, cursor: cursor || undefined, limit: 50 }),
        shop.orderTotals(filter),
        shop.status(),
      ]);
      const today = dayIn(now(), zone);
      const found = html`<p data-testid="order-totals"><strong>${plural(totals.orders, 'order')}</strong>${
        totals.totals.length
          ? `, ${totals.totals.map((each) => formatMoney(each.totalMinor, each.currency)).join(' + ')}`
          : ''
      }${filter.from || filter.to ? ` from ${filter.from ? formatDay(filter.from) : 'the first'} to ${filter.to ? formatDay(filter.to) : 'today'}` : ''}</p>`;
      const next = new URLSearchParams({
        ...(q ? { q } : {}),
        ...(status ? { status } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      if (result.nextCursor) next.set('cursor', result.nextCursor);
      return sendPage(
        reply,
        page(
          { title: 'Orders', principal: request.principal, current: '/orders' },
          html`${noticeLine(request.query)}${sync.connected ? '' : notConnected}
            ${rangeLinks({ action: '/orders', from: from ?? '', to: to ?? '', today, keep: { q, status } })}
            <form method="get" action="/orders" class="stack filters">
              <label>Search <input name="q" value="${q ?? ''}" placeholder="#1001 or email" maxlength="100" /></label>
              <label>Status <select name="status">
                ${['', 'paid', 'pending', 'partially_refunded', 'refunded', 'cancelled'].map(
                  (option) =>
                    html`<option value="${option}"${option === (status ?? '') ? html` selected` : ''}>${option ? option.replace('_', ' ') : 'any'}</option>`,
                )}
              </select></label>
              <label>From <input type="date" name="from" value="${from ?? ''}" /></label>
              <label>To <input type="date" name="to" value="${to ?? ''}" /></label>
              <button>Search</button>
            </form>
            ${found}
            ${table(
              ['Order', 'Placed', 'Status', 'Total', 'Came from'],
              result.orders.map((order) => [
                html`<a href="/orders/${order.id}">${order.name}</a>`,
                time(order.createdAt, zone),
                order.cancelledAt
                  ? html`<span class="bad">cancelled</span>`
                  : (order.financialStatus ?? '—').replace('_', ' '),
                formatMoney(order.totalMinor, order.currency),
                order.utmSource ?? '—',
              ]),
              'No orders match.',
            )}
            ${result.nextCursor ? html`<p><a href="/orders?${next.toString()}">Older orders →</a></p>` : ''}`,
        ),
      );
    },
  );

  pages.get(
    '/:id',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,16}$' }) }),
      },
    },
    async (request, reply) => {
      const order = await shop.order(Number(request.params.id));
      const money = (amount: Amount) =>
        order.presentmentCurrency !== order.currency
          ? `${formatMoney(amount.shop, order.currency)} (${formatMoney(amount.presentment, order.presentmentCurrency)})`
          : formatMoney(amount.shop, order.currency);
      const visit = (label: string, v: Visit | null) =>
        v
          ? html`<li>${label}: ${[v.source, v.medium, v.campaign, v.content].filter(Boolean).join(' / ') || 'no UTM parameters'}${v.landingPage ? html` <span class="muted">(${v.landingPage})</span>` : ''}</li>`
          : html`<li>${label}: unknown</li>`;
      return sendPage(
        reply,
        page(
          { title: `Order ${order.name}`, principal: request.principal, current: '/orders' },
          html`<p class="muted">Placed ${time(order.createdAt, zone)} · ${order.financialStatus ?? '—'} · ${order.fulfillmentStatus ?? 'unfulfilled'}${order.cancelledAt ? html` · <strong class="bad">cancelled ${time(order.cancelledAt, zone)}</strong>` : ''}${order.email ? ` · ${order.email}` : ''}</p>
            ${table(
              ['Item', 'SKU', 'Qty', 'Unit price', 'Discount', 'Tax'],
              order.lines.map((line) => [
                line.name + (line.giftCard ? ' (gift card)' : ''),
                line.sku ?? '—',
                String(line.quantity),
                money(line.unitPrice),
                money(line.discount),
                line.taxLines.map((tax) => `${tax.title} ${money(tax.amount)}`).join(', ') || '—',
              ]),
              'No lines.',
            )}
            <dl class="totals">
              <dt>Subtotal</dt><dd>${money(order.subtotal)}</dd>
              <dt>Discounts</dt><dd>${money(order.discounts)}${order.discountCodes.length ? ` (${order.discountCodes.join(', ')})` : ''}</dd>
              <dt>Shipping</dt><dd>${money(order.shipping)}</dd>
              <dt>Tax${order.taxesIncluded ? ' (included)' : ''}</dt><dd>${money(order.tax)}</dd>
              <dt>Total</dt><dd><strong>${money(order.total)}</strong></dd>
            </dl>
            <h2>Payments</h2>
            ${table(
              ['When', 'Kind', 'Gateway', 'Status', 'Amount', 'Fee'],
              order.transactions.map((payment) => [
                time(payment.processedAt, zone),
                payment.kind,
                payment.gateway,
                payment.status,
                payment.amountShopMinor === null
                  ? formatMoney(payment.amountPresentmentMinor, payment.currency)
                  : formatMoney(payment.amountShopMinor, order.currency),
                payment.feeMinor === null ? '—' : formatMoney(payment.feeMinor, order.currency),
              ]),
              'No payments recorded yet.',
            )}
            ${
              order.refunds.length
                ? html`<h2>Refunds</h2>${table(
                    ['When', 'Items', 'Restocked', 'Note'],
                    order.refunds.map((refund) => [
                      time(refund.createdAt, zone),
                      String(refund.lines.reduce((sum, line) => sum + line.quantity, 0)),
                      refund.lines.some((line) => line.restockType !== 'no_restock') ? 'yes' : 'no',
                      refund.note ?? '',
                    ]),
                    '',
                  )}`
                : ''
            }
            <h2>Where the customer came from</h2>
            <ul>${visit('First visit', order.firstVisit)}${visit('Last visit', order.lastVisit)}</ul>
            <p class="muted">Stored from ${order.storedFrom === 'api' ? 'the Shopify API' : 'a webhook'}.</p>`,
        ),
      );
    },
  );
}
