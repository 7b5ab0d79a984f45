// Orders as the API, the dashboard and the Telegram commands show them: a page of the newest first
// (by day in the shop's time zone, status, customer or text, paged by an opaque cursor), and one order
// with its payments and refunds.
import type pg from 'pg';
import { isDate } from '../../platform/dates.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { CampaignSales, OrderFilter, OrderPage, OrderTotals } from './face.ts';
import type { Order, RefundLine, RefundMoney } from './model.ts';

/** A payment, capture, refund or void on an order, as the order's page lists it. */
export interface OrderPayment {
  id: number;
  refundId: number | null;
  kind: string;
  status: string;
  gateway: string;
  processedAt: string;
  /** The currency the customer paid in. */
  currency: string;
  amountShopMinor: number | null;
  amountPresentmentMinor: number;
  feeMinor: number | null;
}

export interface OrderRefund extends RefundMoney {
  id: number;
  createdAt: string;
  note: string | null;
  lines: RefundLine[];
}

export interface OrderDetail extends Order {
  paidAt: string | null;
  /** How the stored version arrived. */
  storedFrom: 'webhook' | 'api';
  transactions: OrderPayment[];
  refunds: OrderRefund[];
}

export class OrderList {
  constructor(private readonly options: { pool: pg.Pool; timezone: string }) {}

  async campaignSales(medium: string, since: Date): Promise<CampaignSales[]> {
    const { rows } = await this.options.pool.query<{
      source: string | null;
      campaign: string | null;
      content: string | null;
      currency: string;
      orders: string;
      total: string;
    }>(
      `with visits as (
         select o.currency, o.total_minor,
           case when o.last_visit->>'medium' = $1 then o.last_visit else o.first_visit end as visit
         from shop_orders o
         where o.created_at >= $2 and not o.test and o.cancelled_at is null
           and (o.last_visit->>'medium' = $1 or o.first_visit->>'medium' = $1))
       select visit->>'source' as source, visit->>'campaign' as campaign, visit->>'content' as content,
         currency, count(*) as orders, sum(total_minor) as total
       from visits group by 1, 2, 3, 4`,
      [medium, since],
    );
    return rows.map((row) => ({
      source: row.source,
      campaign: row.campaign,
      content: row.content,
      currency: row.currency,
      orders: Number(row.orders),
      totalMinor: Number(row.total),
    }));
  }

  async page(filter: OrderFilter): Promise<OrderPage> {
    const { where, values } = this.conditions(filter);
    if (filter.cursor) {
      const [time, id] = decodeCursor(filter.cursor);
      values.push(time, id);
      where.push(`(o.created_at, o.id) < ($${values.length - 1}::timestamptz, $${values.length}::bigint)`);
    }
    values.push(filter.limit + 1);
    const { rows } = await this.options.pool.query<{
      id: string;
      name: string;
      created_at: Date;
      financial_status: string | null;
      fulfillment_status: string | null;
      cancelled_at: Date | null;
      currency: string;
      total_minor: string;
      customer_id: string | null;
      email: string | null;
      utm_source: string | null;
    }>(
      `select o.id, o.name, o.created_at, o.financial_status, o.fulfillment_status, o.cancelled_at, o.currency, o.total_minor,
         o.customer_id, o.email, coalesce(o.last_visit->>'source', o.first_visit->>'source') as utm_source
       from shop_orders o ${where.length ? `where ${where.join(' and ')}` : ''}
       order by o.created_at desc, o.id desc limit $${values.length}`,
      values,
    );
    const page = rows.slice(0, filter.limit).map((row) => ({
      id: Number(row.id),
      name: row.name,
      createdAt: row.created_at.toISOString(),
      financialStatus: row.financial_status,
      fulfillmentStatus: row.fulfillment_status,
      cancelledAt: row.cancelled_at?.toISOString() ?? null,
      currency: row.currency,
      totalMinor: Number(row.total_minor),
      customerId: row.customer_id === null ? null : Number(row.customer_id),
      email: row.email,
      utmSource: row.utm_source,
    }));
    const last = page.at(-1);
    return {
      orders: page,
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  /** How many orders the filter finds and what they come to, per currency (the shop's first). */
  async totals(filter: Omit<OrderFilter, 'limit' | 'cursor'>): Promise<OrderTotals> {
    const { where, values } = this.conditions(filter);
    const { rows } = await this.options.pool.query<{ currency: string; orders: string; total: string }>(
      `select o.currency, count(*) as orders, coalesce(sum(o.total_minor), 0) as total
       from shop_orders o ${where.length ? `where ${where.join(' and ')}` : ''}
       group by o.currency order by count(*) desc`,
      values,
    );
    return {
      orders: rows.reduce((sum, row) => sum + Number(row.orders), 0),
      totals: rows.map((row) => ({ currency: row.currency, totalMinor: Number(row.total) })),
    };
  }

  /** The filter as SQL conditions on shop_orders o, with their values ($1, $2, …). */
  private conditions(filter: Omit<OrderFilter, 'limit' | 'cursor'>): { where: string[]; values: unknown[] } {
    for (const [name, value] of [
      ['from', filter.from],
      ['to', filter.to],
    ] as const) {
      if (value !== undefined && !isDate(value)) {
        throw new AppError('invalid_request', `${name} is not a real date (YYYY-MM-DD): ${value}`);
      }
    }
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    const zone = this.zone();
    if (filter.from) add(`o.created_at >= (?::date::timestamp at time zone '${zone}')`, filter.from);
    if (filter.to) add(`o.created_at < ((?::date + 1)::timestamp at time zone '${zone}')`, filter.to);
    if (filter.status === 'cancelled') where.push('o.cancelled_at is not null');
    else if (filter.status) add('o.financial_status = ?', filter.status);
    if (filter.customerId !== undefined) add('o.customer_id = ?', filter.customerId);
    if (filter.search) {
      // The same parameter twice: `?` marks where add() numbers it. %, _ and \ are searched for as such.
      const literal = filter.search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`);
      add("(lower(o.name) like ? or lower(coalesce(o.email, '')) like ?)", `%${literal}%`);
      where[where.length - 1] = where.at(-1)!.replace('?', `$${values.length}`);
    }
    return { where, values };
  }

  async one(id: number): Promise<OrderDetail> {
    const { pool } = this.options;
    const { rows } = await pool.query<{
      /** Orders stored before duties and B2B companies were read have neither. */
      data: Omit<Order, 'duties' | 'companyId'> & Partial<Pick<Order, 'duties' | 'companyId'>>;
      paid_at: Date | null;
      source: 'webhook' | 'api';
    }>('select data, paid_at, source from shop_orders where id = $1', [id]);
    const row = rows[0];
    if (!row) throw notFound(`no order ${id}; it may not have been imported yet`);
    const [transactions, refunds] = await Promise.all([
      pool.query<Omit<OrderPayment, 'processedAt'> & { processedAt: Date }>(
        `select id::float8 as id, refund_id::float8 as "refundId", kind, status, gateway, processed_at as "processedAt",
           currency, amount_shop_minor::float8 as "amountShopMinor", amount_presentment_minor::float8 as "amountPresentmentMinor",
           fee_minor::float8 as "feeMinor"
         from shop_transactions where order_id = $1 order by processed_at, id`,
        [id],
      ),
      pool.query<
        Omit<OrderRefund, 'createdAt' | keyof RefundMoney> & { createdAt: Date; money: RefundMoney }
      >(
        `select id::float8 as id, created_at as "createdAt", note, lines, money from shop_refunds where order_id = $1 order by created_at, id`,
        [id],
      ),
    ]);
    return {
      duties: { shop: 0, presentment: 0 },
      companyId: null,
      ...row.data,
      paidAt: row.paid_at?.toISOString() ?? null,
      storedFrom: row.source,
      transactions: transactions.rows.map((row) => ({ ...row, processedAt: row.processedAt.toISOString() })),
      refunds: refunds.rows.map(({ money, ...row }) => ({
        ...row,
        ...money,
        createdAt: row.createdAt.toISOString(),
      })),
    };
  }

  private zone(): string {
    // Validated at start-up as an IANA zone; quoted into SQL only after this check.
    const { timezone } = this.options;
    if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(timezone)) return 'UTC';
    return timezone;
  }
}

function encodeCursor(createdAt: string, id: number): string {
  return Buffer.from(`${createdAt}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): [string, number] {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // Only what encodeCursor writes: an instant exactly as toISOString() writes it (Date.parse alone
  // takes "2020-02-30" and "1", which PostgreSQL refuses) and an id within Shopify's range.
  const instant = time ? new Date(time) : undefined;
  if (
    !time ||
    !instant ||
    Number.isNaN(instant.getTime()) ||
    instant.toISOString() !== time ||
    instant.getUTCFullYear() > 9999 ||
    !id ||
    !/^\d{1,16}$/.test(id) ||
    !Number.isSafeInteger(Number(id))
  ) {
    throw new AppError('invalid_request', 'the cursor is not one this API gave out; start again without it');
  }
  return [time, Number(id)];
}
