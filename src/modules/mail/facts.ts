// The shop's facts a reply may use, and the rule that guards them, which no model can talk its way
// past: an order's details go only to a sender whose address is the order's customer's AND whose
// message passed DMARC at the shop's receiving server. Anyone else is asked to prove who they are,
// and the model is never given the order to leak.
import { dayIn } from '../../platform/dates.ts';
import { formatMoney } from '../../platform/money.ts';
import type { Catalog, OrderRow, ShopReader } from '../shop/index.ts';
import { orderNamesIn } from './triage.ts';

const UNPROVEN = 'the message did not pass DMARC, so the sender’s address is not proven';

export interface Facts {
  lines: string[];
  /** The sender must prove they are the customer before anything about the order is said. */
  verify: boolean;
  /** Why, for the owner. */
  verifyReason: string | null;
  orderName: string | null;
  customerId: number | null;
  productIds: string[];
  /** The amounts the facts give (order totals): a reply may quote them. */
  amounts: { currency: string; minor: number }[];
}

export interface FactsInput {
  from: string;
  text: string;
  /** DMARC passed for the From domain at the shop's receiving server. */
  senderProven: boolean;
  /** Order status and returns look the sender's orders up when no order is named. */
  aboutOrders: boolean;
}

function describeOrder(order: OrderRow, timezone: string): string {
  const status = order.cancelledAt
    ? 'cancelled'
    : order.fulfillmentStatus === 'fulfilled'
      ? 'dispatched'
      : order.fulfillmentStatus === 'partial'
        ? 'partly dispatched'
        : 'not dispatched yet';
  return `Order ${order.name}, placed ${dayIn(order.createdAt, timezone)}, ${formatMoney(order.totalMinor, order.currency)}, payment ${order.financialStatus ?? 'unknown'}, ${status}.`;
}

export async function gatherFacts(
  input: FactsInput,
  shop: Pick<ShopReader, 'listOrders'>,
  catalog: Catalog,
  timezone: string,
): Promise<Facts> {
  const facts: Facts = {
    lines: [],
    verify: false,
    verifyReason: null,
    orderName: null,
    customerId: null,
    productIds: [],
    amounts: [],
  };
  const from = input.from.toLowerCase();
  const disclose = (order: OrderRow) => {
    facts.lines.push(describeOrder(order, timezone));
    facts.amounts.push({ currency: order.currency, minor: order.totalMinor });
  };
  const named = orderNamesIn(input.text).slice(0, 3);
  for (const name of named) {
    const { orders } = await shop.listOrders({ search: name, limit: 5 });
    const order = orders.find((o) => o.name === name);
    facts.orderName ??= name;
    if (!order) {
      facts.lines.push(`No order ${name} was found in the shop.`);
      continue;
    }
    facts.customerId ??= order.customerId;
    const theirs = !!order.email && order.email.toLowerCase() === from;
    if (theirs && input.senderProven) disclose(order);
    else {
      facts.verify = true;
      // Every reason that applies, so the owner sees all of them.
      facts.verifyReason = [
        ...(theirs ? [] : [`the sender (${from}) is not the customer of ${name}`]),
        ...(input.senderProven ? [] : [UNPROVEN]),
      ].join(', and ');
    }
  }
  if (!named.length && input.aboutOrders) {
    if (!input.senderProven) {
      facts.verify = true;
      facts.verifyReason = UNPROVEN;
    } else {
      const { orders } = await shop.listOrders({ search: from, limit: 10 });
      const theirs = orders.filter((o) => o.email?.toLowerCase() === from).slice(0, 3);
      for (const order of theirs) disclose(order);
      if (theirs[0]) {
        facts.orderName = theirs[0].name;
        facts.customerId = theirs[0].customerId;
      } else facts.lines.push(`No orders were found for ${from}.`);
    }
  }
  const lower = input.text.toLowerCase();
  for (const product of await catalog.all()) {
    if (product.title.length < 4 || !lower.includes(product.title.toLowerCase())) continue;
    facts.productIds.push(product.id);
    const stock = product.available
      ? product.stock
        ? `in stock (${product.stock})`
        : 'in stock'
      : 'out of stock';
    facts.lines.push(`${product.title}: ${formatMoney(product.priceMinor, product.currency)}, ${stock}.`);
    if (facts.productIds.length >= 5) break;
  }
  return facts;
}
