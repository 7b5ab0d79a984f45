// A property of the books: whatever happens to orders (payments, refunds, edits, cancellations), in
// whatever order the events come, split into whatever batches, replayed any number of times, every
// entry balances, the trial balance is zero, and posting everything again changes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { transaction } from '../../src/platform/db/database.ts';
import type { ToBook } from '../../src/modules/ledger/posting.ts';
import type { Order, Refund, Transaction } from '../../src/modules/shop/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { sampleOrder } from '../support/shop.ts';
import { emptyShop, poster as bookkeeper } from '../support/ledger.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

/** A small deterministic random source, so a failure can be replayed from its seed. */
function random(seed: number) {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  return { next, chance: (p: number) => next(1000) < p * 1000 };
}

const money = (minor: number) => ({ shop: minor, presentment: minor });

/** What the shop says happened, before it is numbered as an event. */
type Said = ToBook extends infer E ? (E extends ToBook ? Omit<E, 'id'> : never) : never;

test('every entry balances and the trial balance is zero after any sequence of events, replays and reversals', async () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const rng = random(seed);
    const orders = new Map<number, Order>();
    const transactions = new Map<number, Transaction>();
    const refunds = new Map<number, Refund>();
    // The shop's face over what this run has stored so far.
    const shop = {
      ...emptyShop,
      orders: async (ids: number[]) =>
        new Map(ids.filter((id) => orders.has(id)).map((id) => [id, structuredClone(orders.get(id)!)])),
      transactions: async (ids: number[]) =>
        new Map(ids.filter((id) => transactions.has(id)).map((id) => [id, transactions.get(id)!])),
      refunds: async (ids: number[]) =>
        new Map(ids.filter((id) => refunds.has(id)).map((id) => [id, refunds.get(id)!])),
      unitCosts: async (ids: number[]) => new Map(ids.map((id) => [id, 750])),
    };
    const poster = bookkeeper(shop, seed % 2 ? 'fifo' : 'average');
    const events: ToBook[] = [];
    const emit = (event: Said) => events.push({ id: events.length + 1, ...event });

    // Each order's life as steps that change what the shop has stored and say so with an event;
    // the steps of different orders interleave, and the books post whatever has arrived now and then.
    const lives: (() => void)[][] = [];
    for (let n = 0; n < 40; n += 1) {
      const id = seed * 1_000_000 + n;
      const unit = 100 + rng.next(8000);
      const quantity = 1 + rng.next(3);
      const vat = Math.round((unit * quantity) / 6);
      const shipping = rng.chance(0.7) ? 395 : 0;
      const order = sampleOrder({
        id,
        name: `#${id}`,
        taxesIncluded: rng.chance(0.8),
        total: money(unit * quantity + shipping + rng.next(3) /* the odd penny Shopify adds */),
        lines: [
          {
            ...sampleOrder().lines[0]!,
            id: id * 10,
            unitPrice: money(unit),
            quantity,
            taxLines: [{ title: 'GB VAT', rate: '0.2', amount: money(vat) }],
          },
        ],
        shippingLines: shipping ? sampleOrder().shippingLines : [],
      });
      const steps: (() => void)[] = [
        () => {
          orders.set(id, order);
          emit({ type: 'order.created', payload: { orderId: id } });
        },
      ];
      const paid = rng.chance(0.8);
      if (paid) {
        steps.push(() => {
          const current = orders.get(id)!;
          transactions.set(id, {
            id,
            orderId: id,
            kind: rng.chance(0.9) ? 'sale' : 'capture',
            status: 'success',
            gateway: rng.chance(0.2) ? 'paypal' : rng.chance(0.1) ? 'gift_card' : 'shopify_payments',
            processedAt: current.createdAt,
            parentId: null,
            test: false,
            currency: 'GBP',
            amount: current.total,
            fee: null,
          });
          emit({ type: 'transaction.created', payload: { transactionId: id } });
          orders.set(id, { ...current, financialStatus: 'paid', updatedAt: '2026-11-21T10:00:00.000Z' });
          emit({ type: 'order.updated', payload: { orderId: id } });
        });
      }
      if (rng.chance(0.3)) {
        // An edit: a line's quantity goes up and the total with it.
        steps.push(() => {
          const current = orders.get(id)!;
          orders.set(id, {
            ...current,
            total: money(current.total.shop + unit),
            lines: [{ ...current.lines[0]!, quantity: quantity + 1 }],
          });
          emit({ type: 'order.updated', payload: { orderId: id } });
        });
      }
      if (paid && rng.chance(0.3)) {
        steps.push(() => {
          const back = 1 + rng.next(orders.get(id)!.total.shop);
          refunds.set(id, {
            id,
            orderId: id,
            createdAt: '2026-11-22T10:00:00.000Z',
            note: null,
            shipping: [],
            adjustments: [],
            duties: money(0),
            lines: [
              {
                lineId: id * 10,
                quantity: 1,
                restockType: 'return',
                subtotal: money(back),
                tax: money(Math.round(back / 6)),
              },
            ],
            transactions: [
              { ...transactions.get(id)!, id: id + 500_000, kind: 'refund', amount: money(back) },
            ],
          });
          emit({ type: 'refund.created', payload: { refundId: id } });
        });
      }
      if (!paid && rng.chance(0.6)) {
        steps.push(() => {
          orders.set(id, {
            ...orders.get(id)!,
            cancelledAt: '2026-11-23T10:00:00.000Z',
            financialStatus: 'voided',
          });
          emit({ type: 'order.cancelled', payload: { orderId: id } });
        });
      }
      lives.push(steps);
    }
    let posted = 0;
    const post = (batch: ToBook[]) => transaction(db.pool, (tx) => poster.post(tx, batch));
    while (lives.some((steps) => steps.length)) {
      const open = lives.filter((steps) => steps.length);
      open[rng.next(open.length)]!.shift()!();
      if (rng.chance(0.3)) {
        // What has arrived since, shuffled, with some old events delivered again.
        const batch = [...events.slice(posted), ...events.slice(0, posted).filter(() => rng.chance(0.05))];
        for (let i = batch.length - 1; i > 0; i -= 1) {
          const j = rng.next(i + 1);
          [batch[i], batch[j]] = [batch[j]!, batch[i]!];
        }
        await post(batch);
        posted = events.length;
      }
    }
    await post(events.slice(posted));
    const entriesBefore = Number((await db.pool.query('select count(*) from ledger_entries')).rows[0].count);
    const again = await transaction(db.pool, (tx) => poster.post(tx, events));
    assert.equal(again.entries, 0, `seed ${seed}: posting everything again changes nothing`);
    assert.equal(
      Number((await db.pool.query('select count(*) from ledger_entries')).rows[0].count),
      entriesBefore,
    );

    const unbalanced = await db.pool.query(
      'select entry_id from ledger_postings group by entry_id, currency having sum(amount_minor) <> 0',
    );
    assert.deepEqual(unbalanced.rows, [], `seed ${seed}: every entry balances`);
    const total = await db.pool.query(
      'select coalesce(sum(amount_minor), 0)::bigint as total from ledger_postings',
    );
    assert.equal(Number(total.rows[0].total), 0, `seed ${seed}: the trial balance is zero`);
    // Stock on the books moved exactly as the movements say (sales out, returns and cancellations back).
    const stock = await db.pool.query(
      `select (select coalesce(sum(cost_minor), 0) from ledger_stock_moves)::bigint as moved,
              (select coalesce(sum(amount_minor), 0) from ledger_postings where account_code = 'Assets:Inventory')::bigint as booked`,
    );
    assert.equal(Number(stock.rows[0].booked), Number(stock.rows[0].moved), `seed ${seed}: stock`);
    // The count of units sold short is what the lot-less moves add up to.
    const { rows: short } = await db.pool.query(
      `select m.variant_id, -sum(m.quantity)::int as moved, coalesce(max(s.open), 0) as counted
       from ledger_stock_moves m left join ledger_stock_short s on s.variant_id = m.variant_id
       where m.lot_id is null and m.reason in ('sale', 'cover') group by m.variant_id`,
    );
    for (const row of short) assert.equal(row.counted, row.moved, `seed ${seed}: short of ${row.variant_id}`);
    // Every booked refund of a restocked line put its unit back, whatever batch its order's sale was in.
    const { rows: returned } = await db.pool.query<{ source_id: string; back: string | null }>(
      `select e.source_id, (select sum(m.quantity) from ledger_stock_moves m
                             where m.reason = 'return' and m.order_line_id = e.source_id::bigint * 10) as back
       from ledger_entries e where e.source_type = 'refund'`,
    );
    for (const row of returned)
      assert.equal(Number(row.back), 1, `seed ${seed}: refund ${row.source_id} restocked`);
    // And the books say what happened: each order's booked sale is its last version's.
    for (const [id, order] of orders) {
      const { rows } = await db.pool.query(
        `select coalesce(sum(p.amount_minor), 0)::bigint as owed from ledger_postings p join ledger_entries e on e.id = p.entry_id
         where e.source_type = 'order' and e.source_id = $1 and p.account_code = 'Assets:Shopify Receivable'`,
        [String(id)],
      );
      const expected = order.cancelledAt && order.financialStatus === 'voided' ? 0 : order.total.shop;
      assert.equal(Number(rows[0].owed), expected, `seed ${seed}: order ${id}`);
    }
  }
});
