// What the intake checks beyond the signature. Shopify signs the body only: the X-Shopify-Topic and
// X-Shopify-Triggered-At headers are not covered, so a signed body could be resent under another topic
// or long after it was sent. A body must have the shape of its topic's resource (a products/update body
// resent as products/delete is refused), and a delivery must have been triggered within the window in
// which Shopify delivers and retries. Both checks are a few property lookups on the parsed body.
import { PayloadError, type Json } from './read.ts';
import type { Topic } from './topics.ts';

type Resource =
  | 'order'
  | 'refund'
  | 'transaction'
  | 'dispute'
  | 'product'
  | 'deleted product'
  | 'inventory level'
  | 'customer'
  | 'shop';

const RESOURCE: Record<Topic, Resource> = {
  'orders/create': 'order',
  'orders/updated': 'order',
  'orders/paid': 'order',
  'orders/cancelled': 'order',
  'orders/fulfilled': 'order',
  'refunds/create': 'refund',
  'order_transactions/create': 'transaction',
  'disputes/create': 'dispute',
  'disputes/update': 'dispute',
  'products/create': 'product',
  'products/update': 'product',
  'products/delete': 'deleted product',
  'inventory_levels/update': 'inventory level',
  'customers/create': 'customer',
  'customers/update': 'customer',
  'app/uninstalled': 'shop',
};

/** Top-level fields only one kind of resource has in Shopify's REST (webhook) shape. */
const MARKS: Partial<Record<Resource, readonly string[]>> = {
  order: ['line_items', 'financial_status', 'order_number', 'total_price'],
  refund: ['refund_line_items', 'order_adjustments'],
  transaction: ['kind'],
  dispute: ['initiated_at', 'evidence_due_by', 'network_reason_code', 'finalized_on'],
  product: ['variants', 'handle', 'body_html', 'product_type'],
  'inventory level': ['inventory_item_id'],
  customer: ['first_name', 'last_name', 'orders_count', 'verified_email', 'default_address'],
  shop: ['myshopify_domain', 'shop_owner', 'iana_timezone', 'plan_name'],
};

/** Fields a resource always has (the mapping in from-webhook.ts requires more; these tell kinds apart). */
const REQUIRED: Partial<Record<Resource, readonly string[]>> = {
  order: ['id', 'line_items'],
  refund: ['id', 'order_id', 'refund_line_items'],
  transaction: ['id', 'order_id', 'kind'],
  dispute: ['id', 'initiated_at'],
  product: ['id', 'title', 'variants'],
  'inventory level': ['inventory_item_id', 'location_id'],
  customer: ['id'],
  shop: ['id', 'myshopify_domain'],
};

const article = (resource: string) => (/^[aeiou]/.test(resource) ? 'an' : 'a');

/** Refuses (PayloadError) a body that is not the resource its topic sends. */
export function checkBodyFitsTopic(topic: Topic, body: unknown): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new PayloadError('body', `a ${topic} delivery is a JSON object`);
  const fields = body as Json;
  const resource = RESOURCE[topic];
  if (resource === 'deleted product') {
    // Shopify sends only the id of a deleted product; anything more is another topic's body.
    const extra = Object.keys(fields).filter((key) => key !== 'id');
    if (extra.length || !('id' in fields))
      throw new PayloadError(
        'body',
        `a products/delete delivery carries only the product's id, and this one has ${extra.length ? extra.slice(0, 5).join(', ') : 'no id'}: it is not a delete`,
      );
    return;
  }
  const missing = (REQUIRED[resource] ?? []).filter((key) => !has(fields, key));
  if (missing.length)
    throw new PayloadError(
      'body',
      `a ${topic} delivery is ${article(resource)} ${resource} and has ${missing.join(', ')}; this body has not`,
    );
  for (const [other, marks] of Object.entries(MARKS)) {
    if (other === resource) continue;
    const found = marks.filter((key) => key in fields);
    if (found.length)
      throw new PayloadError(
        'body',
        `a ${topic} delivery is ${article(resource)} ${resource}, but this body has ${found.join(', ')}, the fields of ${article(other)} ${other}`,
      );
  }
  if (topic === 'orders/cancelled' && !has(fields, 'cancelled_at'))
    throw new PayloadError('order.cancelled_at', 'an orders/cancelled delivery is a cancelled order');
}

const has = (fields: Json, key: string) => fields[key] !== undefined && fields[key] !== null;

/**
 * Shopify retries a delivery for about 4 hours (8 tries) and keeps X-Shopify-Triggered-At the same on
 * each; a delivery older than this is not one Shopify is still sending. The hour on top is for
 * Shopify's own queueing and for clock skew; the few minutes ahead are for a clock that is behind.
 */
export const DELIVERY_WINDOW = { pastMs: 5 * 3600_000, futureMs: 15 * 60_000 };

export interface OutsideWindow {
  reason: string;
  /** When the delivery says it was triggered (ms since the epoch), when the header is a time at all. */
  triggeredAt?: number;
}

/** Why a delivery's trigger time is refused, or undefined when it is within the window. */
export function triggeredOutsideWindow(header: string | undefined, now: number): OutsideWindow | undefined {
  if (!header) return { reason: 'missing X-Shopify-Triggered-At header' };
  const at = Date.parse(header);
  if (Number.isNaN(at)) return { reason: `X-Shopify-Triggered-At is not a time: ${header.slice(0, 40)}` };
  if (at < now - DELIVERY_WINDOW.pastMs)
    return {
      reason: `triggered at ${new Date(at).toISOString()}, longer ago than Shopify sends or retries a delivery (5 hours); a replay is not applied`,
      triggeredAt: at,
    };
  if (at > now + DELIVERY_WINDOW.futureMs)
    return {
      reason: `triggered at ${new Date(at).toISOString()}, in the future; check this server's clock`,
      triggeredAt: at,
    };
  return undefined;
}
