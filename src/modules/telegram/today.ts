// /today on Telegram: orders and the books so far today, and what waits for the owner.
import { dayIn } from '../../platform/dates.ts';
import { formatMoney } from '../../platform/money.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { TelegramCommand } from '../../platform/kit/module.ts';

export interface TodayOptions {
  shop: Pick<Faces['shop'], 'listOrders'>;
  ledger: { reports: Pick<Faces['ledger']['reports'], 'profitAndLoss'> };
  approvals: Pick<Faces['approvals'], 'list'>;
  /** The shop's time zone: "today" is its day. */
  timezone: string;
  /** The clock "today" is read from. */
  now?: () => Date;
}

export function todayCommand({
  shop,
  ledger,
  approvals,
  timezone,
  now = () => new Date(),
}: TodayOptions): TelegramCommand {
  return {
    name: 'today',
    description: 'sales so far today',
    answer: async () => {
      const today = dayIn(now(), timezone);
      const [pnl, orders, pending] = await Promise.all([
        ledger.reports.profitAndLoss(today, today),
        shop.listOrders({ from: today, to: today, limit: 101 }),
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
    },
  };
}
