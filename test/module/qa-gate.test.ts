// The golden set: drafts with the routing each must get, held against the real gate (deterministic
// checks and the rule-based reviewer, so the answer never depends on a model's mood).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { aiSettings } from '../../src/modules/ai/settings.ts';
import { SettingsReader } from '../../src/platform/kit/settings.ts';
import { GeminiSimulator } from '../../src/sim/gemini.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { aiService, qaService, THRESHOLDS } from '../support/ai.ts';
import { CHANNELS, type Channel } from '../../src/modules/ai/qa/channels.ts';

interface GoldenDraft {
  name: string;
  channel: Channel;
  text: string;
  productIds: string[];
  expect: 'auto_approve' | 'owner_approval' | 'regenerate';
  hardFail?: string;
}

const golden = JSON.parse(
  readFileSync(new URL('../golden/qa-drafts.json', import.meta.url), 'utf8'),
) as GoldenDraft[];
let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

test('the golden set of drafts routes as it must', async () => {
  assert.ok(golden.length >= 30, `${golden.length} drafts`);
  const qa = qaService(db.pool, aiService(db.pool));
  const wrong: string[] = [];
  for (const draft of golden) {
    const result = await qa.check({ channel: draft.channel, text: draft.text, productIds: draft.productIds });
    const hardChecks = result.hardFails.map((f) => f.check);
    if (result.decision !== draft.expect || (draft.hardFail && !hardChecks.includes(draft.hardFail))) {
      wrong.push(
        `${draft.name}: ${result.decision} (score ${result.score}, hard ${hardChecks.join(',') || 'none'}, soft ${result.findings.map((f) => f.check).join(',') || 'none'}) — expected ${draft.expect}${draft.hardFail ? ` with ${draft.hardFail}` : ''}`,
      );
    }
    assert.equal(result.criteria.length, 5);
    assert.equal(result.reviewer.provider, 'offline');
  }
  assert.deepEqual(wrong, []);
});

test('the rubric from the model decides between the thresholds; every decision is stored with its breakdown', async () => {
  const gemini = await GeminiSimulator.start({ apiKey: 'sim-key' });
  try {
    const ai = aiService(db.pool, { GEMINI_API_KEY: 'sim-key', GEMINI_BASE_URL: gemini.baseUrl });
    const qa = qaService(db.pool, ai);
    const rubric = (score: number) => () =>
      JSON.stringify({
        criteria: ['brand_voice', 'clarity', 'engagement', 'accuracy', 'call_to_action'].map((name) => ({
          name,
          score,
          feedback: `${name} is a ${score}`,
        })),
      });
    const drafts: [number, string, string][] = [
      [9, 'Heat Shield Spray keeps every style glossy! £9.99, shop via the link in bio.', '8800000000005'],
      [8, 'Curl Defining Cream for bouncy wash days. £14.50, tap the link in bio.', '8800000000003'],
      [6, 'Silk Protein Shampoo: soft hair, happy mornings. £12.99 in the shop.', '8800000000002'],
    ];
    const routed: string[] = [];
    for (const [score, text, product] of drafts) {
      gemini.responder = rubric(score);
      routed.push((await qa.check({ channel: 'instagram', text, productIds: [product] })).decision);
    }
    assert.deepEqual(routed, ['auto_approve', 'owner_approval', 'regenerate']);
    assert.match(
      gemini.calls.at(-1)!.prompt,
      /Silk Protein Shampoo: 12.99 GBP, in stock/,
      'the model sees the catalog facts',
    );
    // A channel with thresholds of its own: the score that went out by itself on Instagram waits for
    // the owner on LinkedIn, where the shop asks for more than 95.
    const strict = qaService(db.pool, ai, {
      thresholds: { ...THRESHOLDS, channels: { linkedin: { autoApproveAbove: 95, regenerateBelow: 70 } } },
    });
    gemini.responder = rubric(9);
    const [text, product] = [
      'Heat Shield Spray: glossy styles all week long! £9.99, link in bio.',
      '8800000000005',
    ];
    const instagram = await strict.check({ channel: 'instagram', text, productIds: [product] });
    const linkedin = await strict.check({ channel: 'linkedin', text, productIds: [product] });
    assert.equal(instagram.decision, 'auto_approve');
    assert.equal(linkedin.decision, 'owner_approval');
    assert.ok(linkedin.score <= 95 && linkedin.score > 85, `score ${linkedin.score}`);
    // The settings take a threshold for every channel the gate knows (one list, the gate's).
    for (const channel of Object.keys(CHANNELS))
      assert.equal(
        aiSettings(new SettingsReader({ SHOPKEEP_QA_CHANNEL_THRESHOLDS: `${channel}=90/70` })).qa.channels[
          channel
        ]?.autoApproveAbove,
        90,
      );

    gemini.responder = rubric(10);
    const lastTry = await qa.check({
      channel: 'instagram',
      text: 'Heat Shield Spray cures split ends! £9.99, link in bio.',
      productIds: ['8800000000005'],
      attempt: 3,
    });
    assert.equal(lastTry.decision, 'owner_approval', 'after the last attempt a hard fail goes to the owner');
    assert.equal(lastTry.lowConfidence, true);

    const { rows } = await db.pool.query(
      'select score, decision, criteria, findings, reviewer from ai_qa_reviews where id = $1',
      [lastTry.id],
    );
    assert.equal(rows[0].decision, 'owner_approval');
    assert.equal(rows[0].criteria.length, 5);
    assert.ok(rows[0].findings.some((f: { check: string }) => f.check === 'claims'));
    assert.match(rows[0].reviewer, /^gemini:/);
    const { rows: calls } = await db.pool.query(
      "select distinct prompt from ai_usage where feature = 'qa.rubric' and provider = 'gemini'",
    );
    assert.deepEqual(calls, [{ prompt: 'qa.rubric@2' }], 'each call records the prompt version it used');
  } finally {
    await gemini.stop();
  }
});
