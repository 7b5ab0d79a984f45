// Products and stock in the dashboard, at /products: every variant with its price, unit cost and
// units in stock, the lowest stock first.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { html } from '../../platform/dashboard/html.ts';
import { page } from '../../platform/dashboard/layout.ts';
import { sendPage, table } from '../../platform/dashboard/components.ts';
import { formatMoney } from '../../platform/money.ts';
import type { ShopParts } from './index.ts';
import { notConnected } from './page-parts.ts';

export function stockPage(app: FastifyInstance, { shop }: ShopParts): void {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();
  pages.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) }),
      },
    },
    async (request, reply) => {
      const [products, status] = await Promise.all([
        shop.products({ lowFirst: true, search: request.query.q || undefined }),
        shop.status(),
      ]);
      const currency = status.connected
        ? ((await shop.info().catch(() => undefined))?.currency ?? 'GBP')
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
}
