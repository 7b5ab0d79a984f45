// What the owner is told when the books need them: an item waits for review, a sale took stock below
// zero, a lot is close to its expiry date, an order was paid more than its total, the opening stock
// was taken.
import { formatMoney } from '../../platform/money.ts';
import type { DomainEvent } from '../../platform/events/outbox.ts';
import type { OpeningStock } from './stock-book.ts';

/** The books' events the owner hears of. */
export const OWNER_NOTICES = [
  'ledger.review_needed',
  'ledger.stock_negative',
  'ledger.stock_expiring',
  'ledger.opening_stock',
  'ledger.order_overpaid',
] as const;

/** What the owner is told of something in the books that needs them; `named` gives a variant its product's name. */
export function ownerNotice(
  event: DomainEvent<(typeof OWNER_NOTICES)[number]>,
  named: (variantId: number) => string | undefined = () => undefined,
): {
  title: string;
  body: string;
} {
  const product = (variantId: number, sku?: string | null) =>
    named(variantId) ?? (sku ? `the product with SKU ${sku}` : 'a product the shop no longer lists');
  switch (event.type) {
    case 'ledger.review_needed':
      return {
        title: 'The books need a look',
        body: `${event.payload.reason}\n\nBooks → Waiting for review.`,
      };
    case 'ledger.stock_negative': {
      const p = event.payload;
      return {
        title: `Sold more of ${named(p.variantId) ?? p.sku ?? 'a product'} than the books hold`,
        body: `Order ${p.order} sold ${p.short} unit(s) of ${product(p.variantId, p.sku)} with none left on the books. Record the goods received (their cost) under Books → Stock so the books value stock right.`,
      };
    }
    case 'ledger.order_overpaid': {
      const p = event.payload;
      const money = (minor: number) => formatMoney(minor, p.currency);
      return {
        title: `Order ${p.order} was paid ${money(p.received - p.total)} more than its total`,
        body: `Its payments came to ${money(p.received)} against a total of ${money(p.total)}. Look at the order's payments in Shopify: a payment taken twice is refunded from there. The books hold what was received.`,
      };
    }
    case 'ledger.stock_expiring': {
      const p = event.payload;
      return {
        title: `${named(p.variantId) ?? 'Stock'} expires on ${p.expiresOn}`,
        body: `${p.left} unit(s) of ${product(p.variantId)} (lot ${p.lotId}) expire on ${p.expiresOn}. Sell them first, bundle them, or write them off.`,
      };
    }
    case 'ledger.opening_stock':
      return openingNotice(event.payload);
  }
}

function openingNotice(opening: OpeningStock): { title: string; body: string } {
  const missing = opening.withoutCost.length
    ? `\n\n${opening.withoutCost.length} product(s) have stock but no cost in Shopify (${opening.withoutCost.slice(0, 5).join(', ')}${opening.withoutCost.length > 5 ? ', …' : ''}): record them under Books → Stock → Goods received, with what they cost.`
    : '';
  return {
    title: 'Opening stock is on the books',
    body: `${opening.units} unit(s) of ${opening.variants} product(s), ${formatMoney(opening.value, opening.currency)} at Shopify's costs, dated ${opening.date}: what was on the shelves before the books began.${missing}`,
  };
}
