// Deletes, cancellations and uninstalls are asked of Shopify's Admin API before shopkeep acts on them.
// The signature covers the body, not the X-Shopify-Topic header: a signed body resent under another
// topic must not remove a product or cancel an order. The body is checked against its topic at the
// door (delivery-checks.ts); these topics are also confirmed with the API, off the intake's hot path
// (the applier asks after its batch, outside any transaction), so ordinary order topics cost nothing.
//
// When Shopify cannot be asked (down, unreachable, the token refused), the delivery waits and is
// asked again with the applier's backoff; after its retries it is set aside for the owner. A delete or
// a cancellation is never acted on unconfirmed: it is the one change that reverses a sale in the books
// or hides a product, and waiting costs only time, since reconciliation brings Shopify's own state.
import type { Logger } from '../../platform/logger.ts';
import { ShopifyClient, ShopifyError } from './client.ts';
import type { ShopConnection } from './connection.ts';
import { Reader } from './read.ts';

const DESTRUCTIVE: ReadonlySet<string> = new Set(['products/delete', 'orders/cancelled', 'app/uninstalled']);

export const isDestructive = (topic: string): boolean => DESTRUCTIVE.has(topic);

export type Verdict = { confirmed: true } | { confirmed: false; reason: string };

/**
 * What Shopify says about a destructive delivery. Throws a ShopifyError when Shopify cannot be asked
 * ('unavailable', 'auth': the delivery waits) or refuses the question ('query': set aside).
 */
export type Confirm = (topic: string, body: unknown) => Promise<Verdict>;

const PRODUCT_EXISTS = 'query ProductExists($id: ID!) { product(id: $id) { id } }';
const ORDER_CANCELLED = 'query OrderCancelled($id: ID!) { order(id: $id) { id name cancelledAt } }';
const SHOP_DOMAIN = 'query ShopDomain { shop { myshopifyDomain } }';

export function confirmWithShopify(connection: ShopConnection, logger: Logger): Confirm {
  return async (topic, body) => {
    const settings = await connection.get();
    if (!settings) throw new ShopifyError('Shopify is not connected, so it cannot be asked', 'unavailable');
    // No retry here: the applier asks again later with its own backoff, the delivery waiting.
    const shopify = new ShopifyClient(settings, { logger, timeoutMs: 5000, maxRetries: 0 });
    switch (topic) {
      case 'products/delete': {
        const id = Reader.of(body, 'product').id('id');
        const { product } = await shopify.query<{ product: { id: string } | null }>(PRODUCT_EXISTS, {
          id: `gid://shopify/Product/${id}`,
        });
        return product
          ? { confirmed: false, reason: `Shopify still has product ${id}, so it was not removed here` }
          : { confirmed: true };
      }
      case 'orders/cancelled': {
        const id = Reader.of(body, 'order').id('id');
        const { order } = await shopify.query<{
          order: { name: string; cancelledAt: string | null } | null;
        }>(ORDER_CANCELLED, { id: `gid://shopify/Order/${id}` });
        if (!order)
          return { confirmed: false, reason: `Shopify has no order ${id}, so nothing was cancelled` };
        return order.cancelledAt
          ? { confirmed: true }
          : { confirmed: false, reason: `Shopify says order ${order.name} is not cancelled, so it was kept` };
      }
      case 'app/uninstalled':
        try {
          await shopify.query(SHOP_DOMAIN);
          return {
            confirmed: false,
            reason: 'Shopify still accepts shopkeep’s admin token, so the app is still installed',
          };
        } catch (error) {
          // The one answer that confirms an uninstall: the token no longer works.
          if (error instanceof ShopifyError && error.kind === 'auth') return { confirmed: true };
          throw error;
        }
      default:
        return { confirmed: true };
    }
  };
}
