// The bot's answers about the shop: /today (sales so far and what waits), /pnl (the month so far
// beside the same days of the month before), /orders (the latest orders). Read from the books and
// the shop module, in the shop's time zone.
import { dayIn } from '../../../platform/dates.ts';
import { formatMoney } from '../../../platform/money.ts';
import type { Services } from '../../../platform/services.ts';
import { previousPeriod } from '../../ledger/reports.ts';

const signed = (minor: number, currency: string) => `${minor > 0 ? '+' : ''}${formatMoney(minor, currency)}`;

export async function todayText({ ledger, shop, approvals, config }: Services): Promise<string> {
  const today = dayIn(new Date(), config.timezone);
  const [pnl, orders, pending] = await Promise.all([
    ledger.reports.profitAndLoss(today, today),
    shop.orders({ from: today, to: today, limit: 101 }),
    approvals.list('pending'),
  ]);
  const count = orders.orders.length > 100 ? 'over 100' : String(orders.orders.length);
  const money = (minor: number) => formatMoney(minor, pnl.currency);
  return [
    `Today (${today}) so far:`,
    `${count} order(s), revenue ${money(pnl.revenue)}, costs ${money(pnl.expenses)}, net ${money(pnl.net)}.`,
    pending.length
      ? `${pending.length} approval(s) wait for you: /approvals`
      : 'Nothing waits for your approval.',
  ].join('\n');
}

export async function pnlText({ ledger, config }: Services): Promise<string> {
  const to = dayIn(new Date(), config.timezone);
  const from = `${to.slice(0, 8)}01`;
  const before = previousPeriod(from, to);
  const pnl = await ledger.reports.profitAndLoss(from, to, before);
  const earlier = pnl.comparison!;
  const money = (minor: number) => formatMoney(minor, pnl.currency);
  return [
    `Profit and loss, ${from} to ${to}:`,
    `Revenue ${money(pnl.revenue)} (${signed(pnl.revenue - earlier.revenue, pnl.currency)} on ${before.from} to ${before.to})`,
    `Costs ${money(pnl.expenses)} (${signed(pnl.expenses - earlier.expenses, pnl.currency)})`,
    `Net ${money(pnl.net)} (${signed(pnl.net - earlier.net, pnl.currency)})`,
    ...pnl.costs
      .sort((a, b) => b.amount - a.amount)
      .slice(0, 3)
      .map((line) => `  ${line.name}: ${money(line.amount)}`),
  ].join('\n');
}

export async function ordersText({ shop }: Services): Promise<string> {
  const { orders } = await shop.orders({ limit: 5 });
  if (!orders.length) return 'No orders yet.';
  return [
    'Latest orders:',
    ...orders.map(
      (order) =>
        `${order.name} ${formatMoney(order.totalMinor, order.currency)} · ${order.cancelledAt ? 'cancelled' : (order.financialStatus ?? '—')} · ${order.fulfillmentStatus ?? 'unfulfilled'}`,
    ),
  ].join('\n');
}
