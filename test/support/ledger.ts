// A hand-made journal entry for tests that need books without going through the shop's events.
import type { EntryDraft } from '../../src/modules/ledger/rules.ts';

/** A manual GBP entry keyed (and described) by `key`, with postings as [account, minor units]. */
export const entry = (key: string, date: string, postings: [string, number][]): EntryDraft => ({
  date,
  description: key,
  sourceType: 'manual',
  sourceId: null,
  sourceKey: key,
  currency: 'GBP',
  postings: postings.map(([account, amount]) => ({ account, amount })),
});
