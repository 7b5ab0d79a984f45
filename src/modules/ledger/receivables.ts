// What customers owe: orders booked but not (fully) paid, such as a salon's wholesale order on net 30
// terms paid by bank transfer later (Shopify's manual payment). From the books' receivable account:
// each order's sale less the payments booked against it. Aged 0–30, 31–60, 61–90 and over 90 days
// from the order's day, grouped by customer; a statement per customer as a PDF; and a reminder to the
// owner for each debt past its terms, once a week while it stays unpaid.
import type pg from 'pg';
import type { ShopReader } from '../shop/index.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { ReportDocument } from '../../platform/documents/document.ts';
import { addDays } from '../../platform/dates.ts';
import { formatMoney } from '../../platform/money.ts';
import { notFound } from '../../platform/errors.ts';
import { ACCOUNTS } from './chart.ts';

export const AGE_BANDS = ['0–30 days', '31–60 days', '61–90 days', 'over 90 days'] as const;

export interface Debt {
  orderId: number;
  order: string;
  day: string;
  /** Days since the order. */
  age: number;
  owed: number;
}

export interface CustomerDebts {
  customer: string;
  /** owed per band, AGE_BANDS order */
  bands: [number, number, number, number];
  total: number;
  debts: Debt[];
}

export interface AgedDebts {
  at: string;
  currency: string;
  customers: CustomerDebts[];
  bands: [number, number, number, number];
  total: number;
}

const band = (age: number) => (age <= 30 ? 0 : age <= 60 ? 1 : age <= 90 ? 2 : 3);
const DAY = 86_400_000;

export class Receivables {
  constructor(
    private readonly options: {
      db: pg.Pool;
      shop: Pick<ShopReader, 'orders' | 'transactions'>;
      currency: () => Promise<string>;
    },
  ) {}

  /** Every order with money still owed on it at the end of `at`, by customer, oldest first. */
  async aged(at: string): Promise<AgedDebts> {
    const { rows } = await this.options.db.query<{
      source_type: string;
      source_id: string;
      day: string;
      amount: string;
    }>(
      `select e.source_type, e.source_id, to_char(min(e.entry_date), 'YYYY-MM-DD') as day, sum(p.amount_minor) as amount
       from ledger_postings p join ledger_entries e on e.id = p.entry_id
       where p.account_code = $1 and e.entry_date <= $2::date and e.source_id is not null
         and e.source_type in ('order', 'payment')
       group by e.source_type, e.source_id`,
      [ACCOUNTS.receivable, at],
    );
    const payments = await this.options.shop.transactions(
      rows.filter((row) => row.source_type === 'payment').map((row) => Number(row.source_id)),
    );
    const perOrder = new Map<number, { owed: number; day: string | null }>();
    for (const row of rows) {
      const orderId =
        row.source_type === 'order' ? Number(row.source_id) : payments.get(Number(row.source_id))?.orderId;
      if (orderId === undefined) continue;
      const seen = perOrder.get(orderId) ?? { owed: 0, day: null };
      seen.owed += Number(row.amount);
      if (row.source_type === 'order' && (!seen.day || row.day < seen.day)) seen.day = row.day;
      perOrder.set(orderId, seen);
    }
    const open = [...perOrder].filter(([, each]) => each.owed > 0 && each.day);
    const orders = await this.options.shop.orders(open.map(([id]) => id));
    const byCustomer = new Map<string, CustomerDebts>();
    for (const [orderId, { owed, day }] of open) {
      const order = orders.get(orderId);
      const customer = order?.email ?? (order?.customerId ? `customer ${order.customerId}` : 'no customer');
      const age = Math.round((Date.parse(at) - Date.parse(day!)) / DAY);
      const entry = byCustomer.get(customer) ?? {
        customer,
        bands: [0, 0, 0, 0] as [number, number, number, number],
        total: 0,
        debts: [],
      };
      entry.bands[band(age)] += owed;
      entry.total += owed;
      entry.debts.push({ orderId, order: order?.name ?? String(orderId), day: day!, age, owed });
      byCustomer.set(customer, entry);
    }
    const customers = [...byCustomer.values()].sort(
      (a, b) => b.total - a.total || a.customer.localeCompare(b.customer),
    );
    for (const each of customers) each.debts.sort((a, b) => a.day.localeCompare(b.day));
    const bands = [0, 1, 2, 3].map((index) =>
      customers.reduce((sum, each) => sum + each.bands[index]!, 0),
    ) as [number, number, number, number];
    return {
      at,
      currency: await this.options.currency(),
      customers,
      bands,
      total: customers.reduce((sum, each) => sum + each.total, 0),
    };
  }

  /** One customer's statement: what each order still owes, oldest first, and the total. */
  async statement(customer: string, at: string, shopName: string): Promise<ReportDocument> {
    const aged = await this.aged(at);
    const theirs = aged.customers.find((each) => each.customer === customer);
    if (!theirs) throw notFound(`${customer} owes nothing on ${at}`);
    return {
      title: `Statement for ${customer}`,
      subtitle: `${shopName} · at ${at} · ${aged.currency}`,
      currency: aged.currency,
      sections: [
        {
          heading: 'Unpaid orders',
          columns: [
            { label: 'Order', width: 1 },
            { label: 'Date', width: 1 },
            { label: 'Days', width: 0.6 },
            { label: 'Owed', width: 1 },
          ],
          rows: [
            ...theirs.debts.map((debt) => ({
              cells: [debt.order, debt.day, debt.age, { money: debt.owed }],
            })),
            { cells: ['Total', '', null, { money: theirs.total }], bold: true },
          ],
        },
      ],
      note: 'Please pay by bank transfer, quoting the order numbers.',
    };
  }

  /**
   * A reminder to the owner for each debt past `terms` days, once a week while it stays unpaid (the
   * week in the dedupe key).
   */
  async remind(today: string, notifications: Faces['notifications'], terms = 30): Promise<number> {
    const aged = await this.aged(today);
    const currency = aged.currency;
    let sent = 0;
    const week = addDays(today, -((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
    for (const customer of aged.customers)
      for (const debt of customer.debts.filter((each) => each.age > terms)) {
        await notifications.send({
          kind: 'ledger.debt_overdue',
          severity: 'warning',
          title: `${customer.customer} owes ${formatMoney(debt.owed, currency)} on order ${debt.order}, ${debt.age} days old`,
          body: `Order ${debt.order} of ${debt.day} is past its ${terms} days. Send the statement (Books → Owed to you) or chase the payment; it is booked when Shopify marks the order paid.`,
          dedupeKey: `ledger.debt:${debt.orderId}:${week}`,
        });
        sent += 1;
      }
    return sent;
  }
}
