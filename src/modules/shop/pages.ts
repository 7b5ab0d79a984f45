// The shop in the dashboard: orders (search), one order, products and stock (low first), and the
// Shopify page (connection, sync health, what webhooks missed, how many deliveries were set aside).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ShopParts } from './index.ts';
import type { HttpContext } from '../../platform/kit/module.ts';
import { html } from '../../platform/dashboard/html.ts';
import { csrfField, formatTime, page } from '../../platform/dashboard/layout.ts';
import { formAction, postButton, sendPage, table } from '../../platform/dashboard/components.ts';
import { formatMoney } from '../../platform/money.ts';
import { explainShopify } from './client.ts';
import type { Amount } from './model.ts';

type Form = Record<string, string | undefined>;
const formBody = { type: 'object', additionalProperties: { type: 'string', maxLength: 1000 } } as const;
const connectForm = {
  type: 'object',
  required: ['shop', 'adminToken', 'apiSecret'],
  properties: {
    _csrf: { type: 'string' },
    shop: { type: 'string', minLength: 4, maxLength: 255 },
    adminToken: { type: 'string', minLength: 8, maxLength: 500 },
    apiSecret: { type: 'string', minLength: 8, maxLength: 500 },
  },
  additionalProperties: false,
} as const;
const time = (value: string | null | undefined, zone: string) =>
  formatTime(value ? new Date(value) : null, zone);

export function shopPages(app: FastifyInstance, { shop, jobs }: ShopParts, { config }: HttpContext): void {
  const zone = config.timezone;
  const notConnected = html`<p class="notice">Shopify is not connected yet. ${html`<a href="/shop">Connect it</a>`} to see orders and stock.</p>`;

  app.get<{
    Querystring: {
      q?: string;
      status?: string;
      from?: string;
      to?: string;
      cursor?: string;
      notice?: string;
    };
  }>(
    '/orders',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 100 },
            status: { type: 'string', maxLength: 30 },
            from: { type: 'string', maxLength: 10 },
            to: { type: 'string', maxLength: 10 },
            cursor: { type: 'string', maxLength: 200 },
            notice: { type: 'string', maxLength: 300 },
          },
        },
      },
    },
    async (request, reply) => {
      const { q, status, from, to, cursor, notice } = request.query;
      const validDate = (value?: string) => (value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined);
      const result = await shop.orders({
        search: q || undefined,
        status: status || undefined,
        from: validDate(from),
        to: validDate(to),
        cursor: cursor || undefined,
        limit: 50,
      });
      const status_ = await shop.status();
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
          html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}${status_.connected ? '' : notConnected}
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

  app.get<{ Params: { id: string } }>(
    '/orders/:id',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{1,16}$' } } },
      },
    },
    async (request, reply) => {
      const order = await shop.order(Number(request.params.id));
      const money = (amount: Amount) =>
        order.presentmentCurrency !== order.currency
          ? `${formatMoney(amount.shop, order.currency)} (${formatMoney(amount.presentment, order.presentmentCurrency)})`
          : formatMoney(amount.shop, order.currency);
      const visit = (label: string, v: typeof order.firstVisit) =>
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
              order.transactions.map((t: Record<string, unknown>) => [
                time(
                  String(t.processedAt instanceof Date ? t.processedAt.toISOString() : t.processedAt),
                  zone,
                ),
                String(t.kind),
                String(t.gateway),
                String(t.status),
                t.amountShopMinor === null
                  ? formatMoney(Number(t.amountPresentmentMinor), String(t.currency))
                  : formatMoney(Number(t.amountShopMinor), order.currency),
                t.feeMinor === null ? '—' : formatMoney(Number(t.feeMinor), order.currency),
              ]),
              'No payments recorded yet.',
            )}
            ${
              order.refunds.length
                ? html`<h2>Refunds</h2>${table(
                    ['When', 'Items', 'Restocked', 'Note'],
                    order.refunds.map((refund) => [
                      time(refund.createdAt.toISOString(), zone),
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

  app.get<{ Querystring: { q?: string } }>(
    '/products',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 100 } } },
      },
    },
    async (request, reply) => {
      const [products, status] = await Promise.all([
        shop.products({ lowFirst: true, search: request.query.q || undefined }),
        shop.status(),
      ]);
      const currency = status.connected
        ? ((await shop.connection.shopInfo().catch(() => undefined))?.currency ?? 'GBP')
        : 'GBP';
      return sendPage(
        reply,
        page(
          { title: 'Products and stock', principal: request.principal, current: '/products' },
          html`${status.connected ? '' : notConnected}
            <form method="get" action="/products" class="stack filters">
              <label>Search <input name="q" value="${request.query.q ?? ''}" placeholder="name or SKU" maxlength="100" /></label>
              <button>Search</button>
            </form>
            <p class="muted">Lowest stock first. A variant is low at or below its threshold.</p>
            ${table(
              ['Product', 'Variant', 'SKU', 'Price', 'Unit cost', 'In stock'],
              products.flatMap((product) =>
                product.variants.map((variant) => [
                  product.title,
                  variant.title,
                  variant.sku ?? '—',
                  formatMoney(variant.priceMinor, currency),
                  variant.unitCostMinor === null ? '—' : formatMoney(variant.unitCostMinor, currency),
                  variant.available === null
                    ? '—'
                    : variant.low
                      ? html`<strong class="bad" data-testid="low-stock">${variant.available} (low, ≤ ${variant.threshold})</strong>`
                      : String(variant.available),
                ]),
              ),
              'No products yet.',
            )}`,
        ),
      );
    },
  );

  app.get<{ Querystring: { notice?: string } }>(
    '/shop',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: { type: 'object', properties: { notice: { type: 'string', maxLength: 300 } } },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      const canWrite = principal?.scopes.has('write') ?? false;
      const isAdmin = principal?.scopes.has('admin') ?? false;
      const status = await shop.status();
      const counted = (summary: NonNullable<typeof status.lastImport>) =>
        Object.entries((summary.progress.counts as Record<string, number> | undefined) ?? {})
          .map(([step, n]) => `${n.toLocaleString('en-GB')} ${step}`)
          .join(' · ');
      const run = (label: string, summary: typeof status.lastImport) =>
        summary
          ? html`<li>${label}: <strong>${summary.status}</strong>${summary.step && summary.status === 'running' ? ` (${summary.step})` : ''}, started ${time(summary.startedAt, zone)}${summary.finishedAt ? `, finished ${time(summary.finishedAt, zone)}` : ''}${summary.error ? html` · <span class="bad">${summary.error}</span>` : ''}${counted(summary) ? html`<br /><span class="muted">${counted(summary)}</span>` : ''}</li>`
          : html`<li>${label}: never</li>`;
      // While an import or reconciliation runs, the section refreshes itself every few seconds.
      const busy = status.lastImport?.status === 'running' || status.lastReconciliation?.status === 'running';
      return sendPage(
        reply,
        page(
          { title: 'Shopify', principal, current: '/shop' },
          html`${request.query.notice ? html`<p class="notice" role="status">${request.query.notice}</p>` : ''}
            <section>
              <h2>Connection</h2>
              <p>${status.connected ? html`<span class="ok">Connected</span> to <strong>${status.shop}</strong> (${status.from === 'environment' ? 'set by SHOPIFY_* variables' : 'entered here'}).` : html`<strong class="bad">Not connected.</strong>`}</p>
              ${status.connected && canWrite ? postButton(principal, '/shop/test', 'Test the connection', { secondary: true }) : ''}
              ${
                isAdmin && status.from !== 'environment'
                  ? html`<details${status.connected ? '' : html` open`}><summary>${status.connected ? 'Change the connection' : 'Connect your shop'}</summary>
                    <p class="muted">In Shopify: Settings → Apps → Develop apps → create an app with read access to orders, products, inventory, customers and Shopify Payments; install it, then copy the Admin API access token and the API secret key.</p>
                    <form method="post" action="/shop/connect" class="stack">${csrfField(principal)}
                      <label>Shop domain <input name="shop" required placeholder="my-shop.myshopify.com" maxlength="255" /></label>
                      <label>Admin API access token <input name="adminToken" type="password" required autocomplete="off" maxlength="500" /></label>
                      <label>API secret key (signs webhooks) <input name="apiSecret" type="password" required autocomplete="off" maxlength="500" /></label>
                      <button>Check and save</button>
                    </form></details>`
                  : ''
              }
            </section>
            <section id="sync-health"${busy ? html` hx-get="/shop" hx-trigger="every 3s" hx-select="#sync-health" hx-swap="outerHTML"` : ''}>
              <h2>Sync health</h2>
              <ul data-testid="sync-health">
                <li>Last webhook: ${time(status.lastWebhookAt, zone)} · ${status.webhooks.last24h} in 24 h · ${status.webhooks.pending} waiting to be applied</li>
                ${run('Import', status.lastImport)}
                ${run('Last reconciliation', status.lastReconciliation)}
                <li>Changes webhooks missed (found by reconciliation, 7 days): <strong${status.driftLast7Days ? html` class="bad"` : ''}>${status.driftLast7Days}</strong></li>
              </ul>
              ${
                status.connected && canWrite
                  ? html`${postButton(principal, '/shop/reconcile', 'Reconcile now')}
                  ${postButton(principal, '/shop/import', 'Import everything again', { secondary: true })}
                  ${isAdmin ? postButton(principal, '/shop/webhooks', 'Register webhooks', { secondary: true }) : ''}`
                  : ''
              }
            </section>
            <section>
              <h2>Webhooks set aside</h2>
              <p>${status.webhooks.failed === 0 ? 'None: every webhook was applied.' : html`<a class="bad" href="/ops#set-aside">${status.webhooks.failed} waiting on the operations page</a>, to be tried again or dismissed.`}</p>
            </section>`,
        ),
      );
    },
  );

  // What the owner can act on, Shopify's refusals explained, goes back to the page.
  const attempt = (reply: FastifyReply, work: () => Promise<string>) =>
    formAction(reply, '/shop', () => work().catch(explainShopify), { failed: 'Not done' });

  app.post(
    '/shop/test',
    { config: { access: 'write' }, schema: { hide: true, body: formBody } },
    async (_request, reply) =>
      attempt(reply, async () => {
        const info = await shop.connection.test();
        return `Shopify answered: ${info.name} (${info.domain}), prices in ${info.currency}.`;
      }),
  );

  app.post<{ Body: Form }>(
    '/shop/connect',
    { config: { access: 'admin' }, schema: { hide: true, body: connectForm } },
    async (request, reply) =>
      attempt(reply, async () => {
        const info = await shop.connection.save({
          shop: request.body.shop ?? '',
          adminToken: request.body.adminToken ?? '',
          apiSecret: request.body.apiSecret ?? '',
        });
        await jobs.send(shop.importJob, {}, { idempotencyKey: `connected:${info.domain}` });
        return `Connected to ${info.name}. The import has started; register webhooks next.`;
      }),
  );

  for (const [path, job, done] of [
    ['/shop/reconcile', 'reconcile', 'Reconciliation queued; this page shows the result when it is done.'],
    ['/shop/import', 'import', 'Import queued.'],
  ] as const) {
    app.post(
      path,
      { config: { access: 'write' }, schema: { hide: true, body: formBody } },
      async (_request, reply) =>
        attempt(reply, async () => {
          await shop.queue(job);
          return done;
        }),
    );
  }

  app.post(
    '/shop/webhooks',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody } },
    async (_request, reply) =>
      attempt(reply, async () => {
        const result = await shop.syncWebhooks(config.publicUrl);
        return `Webhooks: ${result.created.length} registered, ${result.kept.length} already there, ${result.removed.length} old ones removed.`;
      }),
  );
}
