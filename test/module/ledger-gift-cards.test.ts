// The gift-card liability over a month, worked by hand: £30.00 unspent from October; in November £50.00
// sold, £20.00 spent, £10.00 refunded to a buyer, £5.00 of a refund put back on a card: £55.00 unspent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { transaction } from '../../src/platform/db/database.ts';
import { giftCardReport } from '../../src/modules/ledger/gift-cards.ts';
import type { EntryDraft } from '../../src/modules/ledger/rules.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { entry, poster } from '../support/ledger.ts';

let db: TestDatabase;
const as = (sourceType: EntryDraft['sourceType'], draft: EntryDraft): EntryDraft => ({
  ...draft,
  sourceType,
});

before(async () => {
  db = await createTestDatabase();
  const drafts = [
    as(
      'order',
      entry('order:october', '2026-10-15', [
        ['Assets:Shopify Receivable', 3000],
        ['Liabilities:Gift Cards', -3000],
      ]),
    ),
    as(
      'order',
      entry('order:sold', '2026-11-01', [
        ['Assets:Shopify Receivable', 5000],
        ['Liabilities:Gift Cards', -5000],
      ]),
    ),
    as(
      'payment',
      entry('payment:spent', '2026-11-05', [
        ['Liabilities:Gift Cards', 2000],
        ['Assets:Shopify Receivable', -2000],
      ]),
    ),
    as(
      'refund',
      entry('refund:card', '2026-11-06', [
        ['Liabilities:Gift Cards', 1000],
        ['Assets:Clearing:Shopify Payments', -1000],
      ]),
    ),
    as(
      'refund',
      entry('refund:onto', '2026-11-07', [
        ['Income:Refunds', 500],
        ['Liabilities:Gift Cards', -500],
      ]),
    ),
  ];
  await transaction(db.pool, (tx) => poster().write(tx, drafts, []));
});
after(() => db.drop());

test('opening, sold, spent, refunded, put back and outstanding agree with the hand-worked month', async () => {
  const report = await giftCardReport(db.pool, '2026-11-01', '2026-11-30', 'GBP');
  assert.deepEqual(report, {
    from: '2026-11-01',
    to: '2026-11-30',
    currency: 'GBP',
    opening: 3000,
    issued: 5000,
    redeemed: 2000,
    refunded: 1000,
    putBack: 500,
    other: 0,
    outstanding: 5500,
  });
});
