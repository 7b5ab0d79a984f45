// The QA gate's deterministic checks, timed over the golden drafts (budget: ≤ 5 ms per draft).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runChecks } from '../src/modules/ai/qa/checks.ts';
import { DEFAULT_VOICE } from '../src/modules/ai/qa/voice.ts';
import { SANDBOX_PRODUCTS } from '../src/sim/catalog.ts';
import type { Channel } from '../src/modules/ai/qa/channels.ts';

interface Draft {
  channel: Channel;
  text: string;
  productIds: string[];
}

export function timeQaChecks(rounds = 200): { msPerDraft: number; drafts: number; recent: number } {
  const golden = JSON.parse(
    readFileSync(path.join(import.meta.dirname, '../test/golden/qa-drafts.json'), 'utf8'),
  ) as Draft[];
  // A realistic history to compare against for near-duplicates: 300 earlier posts.
  const recent = Array.from({ length: 300 }, (_, i) => ({
    text: `${golden[i % golden.length]!.text} #${i}`,
    at: new Date(),
  }));
  const run = () => {
    for (const draft of golden) {
      const products = SANDBOX_PRODUCTS.filter((p) => draft.productIds.includes(p.id));
      runChecks({
        channel: draft.channel,
        text: draft.text,
        products,
        unknownProductIds: [],
        recent,
        voice: DEFAULT_VOICE,
      });
    }
  };
  for (let i = 0; i < 5; i += 1) run(); // warm-up
  const started = performance.now();
  for (let i = 0; i < rounds; i += 1) run();
  return {
    msPerDraft: (performance.now() - started) / (rounds * golden.length),
    drafts: golden.length,
    recent: recent.length,
  };
}
