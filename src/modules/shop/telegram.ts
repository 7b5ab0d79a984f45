// /orders on Telegram: the latest orders, with what was paid and whether they went out.
import { formatMoney } from '../../platform/money.ts';
import type { TelegramCommand } from '../../platform/kit/module.ts';
import type { ShopReader } from './face.ts';

export function shopTelegramCommands(shop: ShopReader): TelegramCommand[] {
  return [
    {
      name: 'orders',
      description: 'the latest orders',
      answer: async () => {
        const { orders } = await shop.listOrders({ limit: 5 });
        if (!orders.length) return 'No orders yet.';
        return [
          'Latest orders:',
          ...orders.map(
            (order) =>
              `${order.name} ${formatMoney(order.totalMinor, order.currency)} · ${order.cancelledAt ? 'cancelled' : (order.financialStatus ?? '—')} · ${order.fulfillmentStatus ?? 'unfulfilled'}`,
          ),
        ].join('\n');
      },
    },
  ];
}
