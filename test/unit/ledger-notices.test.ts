// What the owner reads of the books: products by their names, never a variant's id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownerNotice } from '../../src/modules/ledger/owner-notices.ts';

const negative = {
  id: 7,
  type: 'ledger.stock_negative' as const,
  payload: { variantId: 44_000_001, sku: 'ARG-OIL-100', orderId: 5_001, order: '#1042', short: 2 },
  createdAt: new Date('2026-12-07T09:00:00Z'),
};

test('stock sold beyond the books is named by its product, else its SKU; the variant id is never shown', () => {
  const named = ownerNotice(negative, (id) => (id === 44_000_001 ? 'Argan Repair Oil – 100 ml' : undefined));
  assert.equal(named.title, 'Sold more of Argan Repair Oil – 100 ml than the books hold');
  assert.match(named.body, /^Order #1042 sold 2 unit\(s\) of Argan Repair Oil – 100 ml with none left/);
  const bySku = ownerNotice(negative);
  assert.equal(bySku.title, 'Sold more of ARG-OIL-100 than the books hold');
  assert.match(bySku.body, /of the product with SKU ARG-OIL-100 /);
  for (const notice of [named, bySku])
    assert.doesNotMatch(`${notice.title} ${notice.body}`, /44000001|variant/);
});

test('a lot about to expire is named by its product', () => {
  const notice = ownerNotice(
    {
      id: 8,
      type: 'ledger.stock_expiring',
      payload: { lotId: 3, variantId: 44_000_001, expiresOn: '2026-12-20', left: 5 },
      createdAt: new Date('2026-12-07T09:00:00Z'),
    },
    () => 'Argan Repair Oil – 100 ml',
  );
  assert.equal(notice.title, 'Argan Repair Oil – 100 ml expires on 2026-12-20');
  assert.doesNotMatch(notice.body, /44000001/);
});
