// /today answers for the shop's day (in its time zone), whatever the machine's clock says: the
// orders, the books' figures and what waits for the owner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { todayCommand, type TodayOptions } from '../../src/modules/telegram/today.ts';
import type { OrderFilter, OrderRow } from '../../src/modules/shop/index.ts';
import { sampleApproval } from '../support/approvals.ts';

const order = (n: number): OrderRow => ({
  id: n,
  name: `#${1000 + n}`,
  createdAt: '2026-07-01T08:00:00Z',
  financialStatus: 'paid',
  fulfillmentStatus: null,
  cancelledAt: null,
  currency: 'GBP',
  totalMinor: 3394,
  customerId: null,
  email: null,
  utmSource: null,
});

function shopDay(orders: number, pending: number) {
  const asked: { orders?: OrderFilter; books?: [string, string] } = {};
  const options: TodayOptions = {
    shop: {
      listOrders: async (filter) => {
        asked.orders = filter;
        return { orders: Array.from({ length: orders }, (_, i) => order(i + 1)), nextCursor: null };
      },
    },
    ledger: {
      reports: {
        profitAndLoss: async (from, to) => {
          asked.books = [from, to];
          return {
            from,
            to,
            currency: 'GBP',
            revenue: 2828,
            expenses: 1250,
            net: 1578,
            income: [],
            costs: [],
          };
        },
      },
    },
    approvals: {
      list: async (status) =>
        status === 'pending' ? Array.from({ length: pending }, () => sampleApproval()) : [],
    },
    timezone: 'Europe/London',
    // Half past midnight in London is still the day before in UTC.
    now: () => new Date('2026-06-30T23:30:00Z'),
  };
  return { command: todayCommand(options), asked };
}

test('/today is the shop’s day: its orders, revenue, costs and net, and what waits for the owner', async () => {
  const { command, asked } = shopDay(2, 3);
  assert.equal(command.name, 'today');
  assert.equal(
    await command.answer(''),
    'Today (2026-07-01) so far:\n2 order(s), revenue £28.28, costs £12.50, net £15.78.\n3 approval(s) wait for you: /approvals',
  );
  assert.deepEqual(asked.books, ['2026-07-01', '2026-07-01']);
  assert.deepEqual(asked.orders, { from: '2026-07-01', to: '2026-07-01', limit: 101 });
});

test('/today says “over 100” for a busy day and when nothing waits', async () => {
  const { command } = shopDay(101, 0);
  const answer = await command.answer('');
  assert.match(answer, /^over 100 order\(s\)/m);
  assert.match(answer, /Nothing waits for your approval\.$/);
});
