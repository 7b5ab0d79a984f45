// The shop's stored facts as the model, by id, many at a time: what the books read when the shop's
// events tell them something happened (one query per kind for a batch of 500 events).
import type pg from 'pg';
import { AVAILABLE_SQL } from './apply.ts';
import type { BalanceTransaction, Order, Payout, Refund, RefundLine, Transaction } from './model.ts';

interface TransactionRow {
  id: string;
  order_id: string;
  kind: string;
  status: string;
  gateway: string;
  processed_at: Date;
  parent_id: string | null;
  test: boolean;
  currency: string;
  amount_shop_minor: string | null;
  amount_presentment_minor: string;
  fee_minor: string | null;
  refund_id: string | null;
}

const TRANSACTION_COLUMNS = `id, order_id, kind, status, gateway, processed_at, parent_id, test, currency,
  amount_shop_minor, amount_presentment_minor, fee_minor, refund_id`;

const orNull = (value: string | null) => (value === null ? null : Number(value));

function transactionFrom(row: TransactionRow): Transaction {
  return {
    id: Number(row.id),
    orderId: Number(row.order_id),
    kind: row.kind,
    status: row.status,
    gateway: row.gateway,
    processedAt: row.processed_at.toISOString(),
    parentId: orNull(row.parent_id),
    test: row.test,
    currency: row.currency,
    amount: { shop: orNull(row.amount_shop_minor), presentment: Number(row.amount_presentment_minor) },
    fee: orNull(row.fee_minor),
  };
}

export class ShopRecords {
  constructor(private readonly pool: pg.Pool) {}

  async orders(ids: number[]): Promise<Map<number, Order>> {
    if (!ids.length) return new Map();
    const { rows } = await this.pool.query<{ data: Order }>(
      'select data from shop_orders where id = any($1::bigint[])',
      [ids],
    );
    return new Map(rows.map((row) => [row.data.id, row.data]));
  }

  /** Shopify's unit cost of each variant (minor units), where it has one. */
  async unitCosts(variantIds: number[]): Promise<Map<number, number>> {
    if (!variantIds.length) return new Map();
    const { rows } = await this.pool.query<{ id: string; unit_cost_minor: string }>(
      'select id, unit_cost_minor from shop_variants where id = any($1::bigint[]) and unit_cost_minor is not null',
      [variantIds],
    );
    return new Map(rows.map((row) => [Number(row.id), Number(row.unit_cost_minor)]));
  }

  /** Every variant: its name, units available across locations (null: Shopify does not count it), unit cost (minor units). */
  async stockCounts(): Promise<
    {
      variantId: number;
      name: string;
      sku: string | null;
      available: number | null;
      unitCost: number | null;
    }[]
  > {
    const { rows } = await this.pool.query<{
      id: string;
      name: string;
      sku: string | null;
      available: number | null;
      unit_cost_minor: string | null;
    }>(
      `select v.id, coalesce(p.title, 'Product ' || v.product_id)
           || case when v.title in ('', 'Default Title') then '' else ' – ' || v.title end as name,
         v.sku, ${AVAILABLE_SQL}::int as available, v.unit_cost_minor
       from shop_variants v left join shop_products p on p.id = v.product_id order by 2, v.id`,
    );
    return rows.map((row) => ({
      variantId: Number(row.id),
      name: row.name,
      sku: row.sku,
      available: row.available,
      unitCost: orNull(row.unit_cost_minor),
    }));
  }

  async transactions(ids: number[]): Promise<Map<number, Transaction>> {
    if (!ids.length) return new Map();
    const { rows } = await this.pool.query<TransactionRow>(
      `select ${TRANSACTION_COLUMNS} from shop_transactions where id = any($1::bigint[])`,
      [ids],
    );
    return new Map(rows.map((row) => [Number(row.id), transactionFrom(row)]));
  }

  /** Refunds with the transactions that gave the money back. */
  async refunds(ids: number[]): Promise<Map<number, Refund>> {
    if (!ids.length) return new Map();
    const [refunds, transactions] = await Promise.all([
      this.pool.query<{
        id: string;
        order_id: string;
        created_at: Date;
        note: string | null;
        lines: RefundLine[];
      }>('select id, order_id, created_at, note, lines from shop_refunds where id = any($1::bigint[])', [
        ids,
      ]),
      this.pool.query<TransactionRow>(
        `select ${TRANSACTION_COLUMNS} from shop_transactions where refund_id = any($1::bigint[]) order by processed_at, id`,
        [ids],
      ),
    ]);
    const byRefund = new Map<number, Transaction[]>();
    for (const row of transactions.rows) {
      const list = byRefund.get(Number(row.refund_id)) ?? [];
      list.push(transactionFrom(row));
      byRefund.set(Number(row.refund_id), list);
    }
    return new Map(
      refunds.rows.map((row) => [
        Number(row.id),
        {
          id: Number(row.id),
          orderId: Number(row.order_id),
          createdAt: row.created_at.toISOString(),
          note: row.note,
          lines: row.lines,
          transactions: byRefund.get(Number(row.id)) ?? [],
        },
      ]),
    );
  }

  /** Payouts with the balance transactions they settle. */
  async payouts(
    ids: number[],
  ): Promise<Map<number, { payout: Payout; balanceTransactions: BalanceTransaction[] }>> {
    if (!ids.length) return new Map();
    const [payouts, balance] = await Promise.all([
      this.pool.query<{
        id: string;
        status: string;
        issued_at: Date;
        currency: string;
        net_minor: string;
        summary: Record<string, number>;
      }>(
        'select id, status, issued_at, currency, net_minor, summary from shop_payouts where id = any($1::bigint[])',
        [ids],
      ),
      this.pool.query<{
        id: string;
        type: string;
        test: boolean;
        transaction_date: Date;
        currency: string;
        amount_minor: string;
        fee_minor: string;
        net_minor: string;
        source_type: string | null;
        source_id: string | null;
        order_id: string | null;
        payout_id: string;
        payout_status: string | null;
      }>(
        'select * from shop_balance_transactions where payout_id = any($1::bigint[]) order by transaction_date, id',
        [ids],
      ),
    ]);
    const byPayout = new Map<number, BalanceTransaction[]>();
    for (const row of balance.rows) {
      const list = byPayout.get(Number(row.payout_id)) ?? [];
      list.push({
        id: Number(row.id),
        type: row.type,
        test: row.test,
        transactionDate: row.transaction_date.toISOString(),
        currency: row.currency,
        amount: Number(row.amount_minor),
        fee: Number(row.fee_minor),
        net: Number(row.net_minor),
        sourceType: row.source_type,
        sourceId: orNull(row.source_id),
        orderId: orNull(row.order_id),
        payoutId: Number(row.payout_id),
        payoutStatus: row.payout_status,
      });
      byPayout.set(Number(row.payout_id), list);
    }
    return new Map(
      payouts.rows.map((row) => [
        Number(row.id),
        {
          payout: {
            id: Number(row.id),
            status: row.status,
            issuedAt: row.issued_at.toISOString(),
            currency: row.currency,
            net: Number(row.net_minor),
            summary: row.summary,
          },
          balanceTransactions: byPayout.get(Number(row.id)) ?? [],
        },
      ]),
    );
  }
}
