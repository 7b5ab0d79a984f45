// /pnl on Telegram: the month so far beside the same days of the month before, from the books.
import { dayIn } from '../../platform/dates.ts';
import { formatMoney } from '../../platform/money.ts';
import type { TelegramCommand } from '../../platform/kit/module.ts';
import { previousPeriod, type LedgerReports } from './reports.ts';

const signed = (minor: number, currency: string) => `${minor > 0 ? '+' : ''}${formatMoney(minor, currency)}`;

export function ledgerTelegramCommands({
  reports,
  timezone,
  now = () => new Date(),
}: {
  reports: Pick<LedgerReports, 'profitAndLoss'>;
  /** The shop's time zone: the month is its month. */
  timezone: string;
  /** The clock "this month" is read from. */
  now?: () => Date;
}): TelegramCommand[] {
  return [
    {
      name: 'pnl',
      description: 'this month against the month before',
      answer: async () => {
        const to = dayIn(now(), timezone);
        const from = `${to.slice(0, 8)}01`;
        const before = previousPeriod(from, to);
        const pnl = await reports.profitAndLoss(from, to, before);
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
      },
    },
  ];
}
