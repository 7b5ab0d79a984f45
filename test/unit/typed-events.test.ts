// The event map is checked twice: by the compiler (`npm run typecheck`, in CI, fails if any line
// marked @ts-expect-error below compiles) and at run time by the catalogue's payload schemas, so a
// wrong type or payload can neither compile nor slip past the outbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventOf } from '../../src/platform/events/outbox.ts';
import { checkEvent } from '../../src/platform/events/payload-check.ts';
import '../../src/modules/index.ts';

test('an event is its type and the payload the map gives that type', () => {
  const paid: EventOf<'payout.paid'> = {
    type: 'payout.paid',
    payload: { payoutId: 7, issuedAt: '2026-11-20T09:00:00Z', currency: 'GBP', netMinor: 12_500 },
  };
  // @ts-expect-error: a payout's id is a number, and its net amount is required
  const wrongPayload: EventOf<'payout.paid'> = { type: 'payout.paid', payload: { payoutId: 'po_7' } };
  // @ts-expect-error: no module declares this event
  const unknownType: EventOf = { type: 'payout.lost', payload: {} };
  // @ts-expect-error: the type and the payload must belong together
  const mismatched: EventOf = { type: 'order.paid', payload: paid.payload };

  assert.doesNotThrow(() => checkEvent(paid.type, paid.payload));
  assert.throws(() => checkEvent(wrongPayload.type, wrongPayload.payload), /payout\.paid" does not match/);
  assert.throws(() => checkEvent(unknownType.type, unknownType.payload), /"payout\.lost" is not declared/);
  assert.throws(() => checkEvent(mismatched.type, mismatched.payload), /"order\.paid" does not match/);
});
