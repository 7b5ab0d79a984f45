// Webhook deliveries set aside (they could not be applied): their section of the operations page, and
// its Retry (staff) and Dismiss (the owner) buttons.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { html } from '../../platform/dashboard/html.ts';
import { formatTime } from '../../platform/dashboard/layout.ts';
import { postButton, table } from '../../platform/dashboard/components.ts';
import type { Panel } from '../../platform/kit/module.ts';
import type { ShopService } from './shop-service.ts';
import type { ShopParts } from './index.ts';

export function setAsidePanel(shop: ShopService, timezone: string): Panel {
  return {
    page: 'operations',
    id: 'set-aside',
    async render(request: FastifyRequest) {
      const principal = request.principal;
      const canWrite = principal?.scopes.has('write') ?? false;
      const canAdmin = principal?.scopes.has('admin') ?? false;
      const setAside = await shop.setAsideDeliveries();
      return html`<section id="set-aside">
        <h2>Shopify webhooks set aside</h2>
        <p class="muted">Deliveries that could not be applied, kept with the reason; the others carried on.</p>
        ${table(
          ['Topic', 'Delivery', 'Received', 'Reason', 'Tries', ''],
          setAside.map((delivery) => [
            delivery.topic,
            html`<code>${delivery.webhookId}</code>`,
            formatTime(new Date(delivery.receivedAt), timezone),
            delivery.reason,
            delivery.attempts,
            html`${canWrite ? postButton(principal, `/ops/deliveries/${encodeURIComponent(delivery.webhookId)}/retry`, 'Retry') : ''}
            ${canAdmin ? postButton(principal, `/ops/deliveries/${encodeURIComponent(delivery.webhookId)}/dismiss`, 'Dismiss', { secondary: true }) : ''}`,
          ]),
          'None: every Shopify webhook was applied.',
        )}
      </section>`;
    },
  };
}

/** Under /ops/deliveries. Retrying is staff work; giving up on a delivery is the owner's. */
export function setAsideActions(app: FastifyInstance, { shop }: ShopParts): void {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();
  for (const [action, access] of [
    ['retry', 'write'],
    ['dismiss', 'admin'],
  ] as const) {
    pages.post(
      `/:id/${action}`,
      {
        config: { access },
        schema: {
          hide: true,
          params: Type.Object({ id: Type.String({ pattern: '^[\\w.:-]{1,200}$' }) }),
        },
      },
      async (request, reply) => {
        if (action === 'retry') await shop.retryDelivery(request.params.id);
        else await shop.dismissDelivery(request.params.id);
        return reply.redirect('/ops#set-aside', 303);
      },
    );
  }
}
