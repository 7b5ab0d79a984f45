// /pnl on Telegram: the shop's month so far beside the same days of the month before, whatever the
// machine's clock says, with the three largest costs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ledgerTelegramCommands } from '../../src/modules/ledger/telegram.ts';
import type { ProfitAndLoss } from '../../src/modules/ledger/index.ts';

const cost = (name: string, amount: number) => ({
  account: `Expenses:${name}`,
  name,
  type: 'expense' as const,
  amount,
});

test('/pnl is the shop’s month so far against the same days of the month before', async () => {
  const asked: [string, string, { from: string; to: string } | undefined][] = [];
  const figures = (from: string, to: string, revenue: number, expenses: number) => ({
    from,
    to,
    currency: 'GBP',
    revenue,
    expenses,
    net: revenue - expenses,
    income: [],
    costs: [cost('Postage', 900), cost('Payment Fees', 2500), cost('Packaging', 400), cost('General', 1200)],
  });
  const [pnl] = ledgerTelegramCommands({
    reports: {
      profitAndLoss: async (from, to, compare): Promise<ProfitAndLoss> => {
        asked.push([from, to, compare]);
        return {
          ...figures(from, to, 50_000, 5_000),
          comparison: figures(compare!.from, compare!.to, 40_000, 6_000),
        };
      },
    },
    timezone: 'Europe/London',
    // Half past midnight on the 1st of April in London is still March in UTC.
    now: () => new Date('2026-03-31T23:30:00Z'),
  });
  assert.equal(pnl!.name, 'pnl');
  const answer = await pnl!.answer('');
  assert.deepEqual(asked, [['2026-04-01', '2026-04-01', { from: '2026-03-01', to: '2026-03-01' }]]);
  assert.equal(
    answer,
    [
      'Profit and loss, 2026-04-01 to 2026-04-01:',
      'Revenue £500.00 (+£100.00 on 2026-03-01 to 2026-03-01)',
      'Costs £50.00 (-£10.00)',
      'Net £450.00 (+£110.00)',
      '  Payment Fees: £25.00',
      '  General: £12.00',
      '  Postage: £9.00',
    ].join('\n'),
  );
});
