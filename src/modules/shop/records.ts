// The shop's stored facts as the model, by id, many at a time: what the books read when the shop's
// events tell them something happened (one query per kind for a batch of 500 events).
import type pg from 'pg';
import { AVAILABLE_SQL } from './apply.ts';
import type { BalanceTransaction, Order, Refund, RefundLine, RefundMoney, Transaction } from './model.ts';
import type { PayoutRecord, StockCount, VariantSales } from './face.ts';

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
  async stockCounts(): Promise<StockCount[]> {
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

  /**
   * What each variant sold in orders processed in [from, to] (days in the shop's zone): units, price
   * before discounts, discounts and the tax included in prices, without tax; and what refunds in the
   * period gave back per variant (without tax). Test orders, gift cards and orders cancelled before
   * they were paid do not count.
   */
  async productSales(from: string, to: string, timezone: string): Promise<VariantSales[]> {
    const { rows } = await this.pool.query<{
      variant_id: string;
      name: string | null;
      sku: string | null;
      units: string;
      gross: string;
      discounts: string;
      included_tax: string;
      refunded_units: string;
      refunded: string;
    }>(
      `with sold as (
         select (l->>'variantId')::bigint as variant_id, max(l->>'name') as name, max(l->>'sku') as sku,
           sum((l->>'quantity')::int) as units,
           sum((l->'unitPrice'->>'shop')::bigint * (l->>'quantity')::int) as gross,
           sum((l->'discount'->>'shop')::bigint) as discounts,
           sum(case when (o.data->>'taxesIncluded')::boolean
                 then (select coalesce(sum((t->'amount'->>'shop')::bigint), 0) from jsonb_array_elements(l->'taxLines') t)
                 else 0 end) as included_tax
         from shop_orders o cross join jsonb_array_elements(o.data->'lines') l
         where not o.test and coalesce(o.processed_at, o.created_at) >= ($1::date::timestamp at time zone $3)
           and coalesce(o.processed_at, o.created_at) < (($2::date + 1)::timestamp at time zone $3)
           and (o.cancelled_at is null or o.financial_status in ('paid', 'partially_paid', 'partially_refunded', 'refunded'))
           and l->>'variantId' is not null and not (l->>'giftCard')::boolean
         group by 1
       ), given_back as (
         select (ol->>'variantId')::bigint as variant_id, max(ol->>'name') as name, max(ol->>'sku') as sku,
           sum((rl->>'quantity')::int) as units,
           sum((rl->'subtotal'->>'shop')::bigint
               - case when (o.data->>'taxesIncluded')::boolean then (rl->'tax'->>'shop')::bigint else 0 end) as amount
         from shop_refunds r join shop_orders o on o.id = r.order_id
           cross join jsonb_array_elements(r.lines) rl
           cross join jsonb_array_elements(o.data->'lines') ol
         where not o.test and r.created_at >= ($1::date::timestamp at time zone $3)
           and r.created_at < (($2::date + 1)::timestamp at time zone $3)
           and ol->>'id' = rl->>'lineId' and ol->>'variantId' is not null and not (ol->>'giftCard')::boolean
         group by 1
       )
       select coalesce(s.variant_id, g.variant_id) as variant_id, coalesce(s.name, g.name) as name,
         coalesce(s.sku, g.sku) as sku, coalesce(s.units, 0) as units,
         coalesce(s.gross, 0) as gross, coalesce(s.discounts, 0) as discounts, coalesce(s.included_tax, 0) as included_tax,
         coalesce(g.units, 0) as refunded_units, coalesce(g.amount, 0) as refunded
       from sold s full join given_back g on g.variant_id = s.variant_id`,
      [from, to, timezone],
    );
    return rows.map((row) => ({
      variantId: Number(row.variant_id),
      name: row.name,
      sku: row.sku,
      units: Number(row.units),
      gross: Number(row.gross),
      discounts: Number(row.discounts),
      includedTax: Number(row.included_tax),
      refundedUnits: Number(row.refunded_units),
      refunded: Number(row.refunded),
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

  /** Every transaction of these orders (what a payout in another currency settles is found among them). */
  async orderTransactions(orderIds: number[]): Promise<Transaction[]> {
    if (!orderIds.length) return [];
    const { rows } = await this.pool.query<TransactionRow>(
      `select ${TRANSACTION_COLUMNS} from shop_transactions where order_id = any($1::bigint[]) order by id`,
      [orderIds],
    );
    return rows.map(transactionFrom);
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
        money: RefundMoney;
      }>(
        'select id, order_id, created_at, note, lines, money from shop_refunds where id = any($1::bigint[])',
        [ids],
      ),
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
          ...row.money,
          transactions: byRefund.get(Number(row.id)) ?? [],
        },
      ]),
    );
  }

  /** Payouts with the balance transactions they settle. */
  async payouts(ids: number[]): Promise<Map<number, PayoutRecord>> {
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
