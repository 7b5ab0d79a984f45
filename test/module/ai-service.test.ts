import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Notifications } from '../../src/platform/notify/notifications.ts';
import { AiUnavailableError, type AiService } from '../../src/modules/ai/ai-service.ts';
import { GeminiSimulator } from '../../src/sim/gemini.ts';
import { OpenAiSimulator } from '../../src/sim/openai.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { aiService } from '../support/ai.ts';

let db: TestDatabase;
let gemini: GeminiSimulator;
let openai: OpenAiSimulator;
let ai: AiService;
const FAST = { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 };
const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['caption', 'hashtags'],
  properties: {
    caption: { type: 'string', minLength: 5 },
    hashtags: { type: 'array', items: { type: 'string' } },
  },
} as const;

function service(env: Record<string, string> = {}): AiService {
  return aiService(
    db.pool,
    {
      GEMINI_API_KEY: 'sim-gemini-key',
      GEMINI_BASE_URL: gemini.baseUrl,
      OPENAI_API_KEY: 'sim-openai-key',
      OPENAI_BASE_URL: openai.baseUrl,
      SHOPKEEP_AI_TIMEOUT_SECONDS: '1',
      ...env,
    },
    { retry: FAST },
  );
}

before(async () => {
  db = await createTestDatabase();
  gemini = await GeminiSimulator.start({ apiKey: 'sim-gemini-key' });
  openai = await OpenAiSimulator.start({ apiKey: 'sim-openai-key' });
});
beforeEach(() => {
  gemini.failures.clear();
  openai.failures.clear();
  gemini.responder = undefined;
  openai.responder = undefined;
  ai = service();
});
after(async () => {
  await gemini.stop();
  await openai.stop();
  await db.drop();
});

const usage = async () =>
  (
    await db.pool.query(
      'select provider, feature, outcome, input_tokens, output_tokens, cost_micros from ai_usage order by id',
    )
  ).rows;

test('Gemini answers first; structured output is checked; usage and cost are recorded', async () => {
  gemini.responder = () => JSON.stringify({ caption: 'Silk shampoo for curls', hashtags: ['#curls'] });
  const result = await ai.generate<{ caption: string }>({
    feature: 'test.caption',
    prompt: 'Write a caption',
    schema,
  });
  assert.equal(result.provider, 'gemini');
  assert.equal(result.fellBack, false);
  assert.equal(result.value.caption, 'Silk shampoo for curls');
  assert.equal(gemini.calls.at(-1)!.schema !== undefined, true, 'the schema was sent to the model');
  const [row] = (await usage()).filter((r) => r.feature === 'test.caption');
  assert.equal(row.provider, 'gemini');
  assert.equal(row.outcome, 'ok');
  assert.ok(row.input_tokens > 0 && row.output_tokens > 0);
  assert.ok(Number(row.cost_micros) >= 0);
});

test('a 429 is retried after the delay the API asks for', async () => {
  gemini.failures.add('rate-limit');
  const result = await ai.generate({ feature: 'test.retry', prompt: 'hello' });
  assert.equal(result.provider, 'gemini');
  const outcomes = (await usage()).filter((r) => r.feature === 'test.retry').map((r) => r.outcome);
  assert.deepEqual(outcomes, ['failed', 'ok']);
});

test('malformed structured output gets one repair attempt from the same provider', async () => {
  gemini.failures.add('malformed');
  const result = await ai.generate({ feature: 'test.repair', prompt: 'Write a caption', schema });
  assert.equal(result.provider, 'gemini');
  assert.match(gemini.calls.at(-1)!.prompt, /previous answer was not valid/);
  const outcomes = (await usage()).filter((r) => r.feature === 'test.repair').map((r) => r.outcome);
  assert.deepEqual(outcomes, ['ok', 'invalid-output', 'ok']);
});

test('output that stays malformed moves on to the next provider', async () => {
  gemini.failures.add('malformed', 2);
  const result = await ai.generate({ feature: 'test.next', prompt: 'Write a caption', schema });
  assert.equal(result.provider, 'openai');
  assert.equal(result.fellBack, true);
  assert.match(result.problems[0]!, /did not match the expected structure twice/);
});

test('with every model down, the offline provider answers and says so; without an offline answer, a clear error', async () => {
  gemini.failures.add('server-error', 10);
  openai.failures.add('server-error', 10);
  const notifications = new Notifications({ pool: db.pool });
  const told = aiService(
    db.pool,
    {
      GEMINI_API_KEY: 'sim-gemini-key',
      GEMINI_BASE_URL: gemini.baseUrl,
      OPENAI_API_KEY: 'sim-openai-key',
      OPENAI_BASE_URL: openai.baseUrl,
    },
    { retry: FAST, notifications },
  );
  const result = await told.generate({
    feature: 'test.offline',
    prompt: 'caption',
    offline: () => 'Our bestseller is back in stock.',
  });
  assert.equal(result.provider, 'offline');
  assert.equal(result.text, 'Our bestseller is back in stock.');
  assert.equal(result.problems.length, 2);
  // The owner is told, once a day, in the inbox (and on Telegram through notification.created).
  await told.generate({ feature: 'test.offline', prompt: 'again', offline: () => 'Again.' });
  const notices = (await notifications.list()).filter((notice) => notice.kind === 'ai.fallback');
  assert.equal(notices.length, 1);
  assert.equal(notices[0]!.title, 'gemini is not answering: writing offline');
  assert.match(notices[0]!.body, /so offline wrote test\.offline instead/);
  await assert.rejects(
    ai.generate({ feature: 'test.none', prompt: 'x' }),
    (e: unknown) => e instanceof AiUnavailableError && /no offline answer/.test(e.message),
  );
});

test('a wrong API key is not retried, and the next provider answers', async () => {
  const wrongKey = service({ GEMINI_API_KEY: 'not-the-key' });
  const before = gemini.calls.length;
  const result = await wrongKey.generate({ feature: 'test.key', prompt: 'x' });
  assert.equal(result.provider, 'openai');
  assert.match(result.problems[0]!, /400 INVALID_ARGUMENT API key not valid/);
  assert.equal(gemini.calls.length, before, 'refused before any generation');
  assert.ok(!result.problems.join(' ').includes('not-the-key'), 'the key never appears in messages');
});

test('a provider that hangs times out; one that keeps failing is skipped by the circuit breaker', async () => {
  gemini.failures.add('hang');
  const timedOut = await ai.generate({ feature: 'test.timeout', prompt: 'x' });
  assert.equal(timedOut.provider, 'gemini', 'the retry after the timeout succeeded');
  gemini.failures.add('server-error', 20);
  for (let i = 0; i < 5; i += 1) await ai.generate({ feature: 'test.breaker', prompt: 'x' }); // five failures open it
  const callsBefore = (await usage()).filter((r) => r.provider === 'gemini').length;
  const skipped = await ai.generate({ feature: 'test.breaker', prompt: 'x' });
  assert.equal(skipped.provider, 'openai');
  assert.match(skipped.problems[0]!, /skipped after repeated failures/);
  assert.equal(
    (await usage()).filter((r) => r.provider === 'gemini').length,
    callsBefore,
    'no call while the circuit is open',
  );
  assert.equal(ai.status()[0]!.available, false);
});

test('SHOPKEEP_AI_PROVIDER=offline uses only the offline provider', async () => {
  const offline = service({
    SHOPKEEP_AI_PROVIDER: 'offline',
    GEMINI_API_KEY: '',
    OPENAI_API_KEY: '',
    OPENAI_BASE_URL: '',
  });
  assert.deepEqual(
    offline.status().map((s) => s.name),
    ['offline'],
  );
});

test('Anthropic (against its simulator): text, structured output, images, 429 waited out, a wrong key moves on', async () => {
  const { AnthropicSimulator } = await import('../../src/sim/anthropic.ts');
  const anthropic = await AnthropicSimulator.start({ apiKey: 'sim-anthropic-key' });
  try {
    const claude = (key = 'sim-anthropic-key') =>
      service({
        SHOPKEEP_AI_PROVIDER: 'anthropic',
        ANTHROPIC_API_KEY: key,
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
        GEMINI_API_KEY: '',
        OPENAI_API_KEY: '',
        OPENAI_BASE_URL: '',
      });
    const ai = claude();
    assert.deepEqual(
      ai.status().map((one) => one.name),
      ['anthropic', 'offline'],
    );
    const text = await ai.generate({ feature: 'test.claude', system: 'Be brief.', prompt: 'Say hello' });
    assert.equal(text.provider, 'anthropic');
    assert.match(text.text, /Simulated Claude answer about: Say hello/);
    assert.equal(anthropic.calls.at(-1)!.system, 'Be brief.');

    anthropic.failures.add('rate-limit', 1);
    const structured = await ai.generate<{ caption: string; hashtags: string[] }>({
      feature: 'test.claude-json',
      prompt: 'Write a caption',
      schema,
      images: [{ mimeType: 'image/png', data: Buffer.from('png bytes') }],
    });
    assert.equal(structured.provider, 'anthropic');
    assert.equal(typeof structured.value.caption, 'string');
    assert.ok(Array.isArray(structured.value.hashtags));
    assert.equal(anthropic.calls.at(-1)!.images, 1);
    assert.ok(anthropic.calls.at(-1)!.schema, 'the schema travelled in the prompt');

    // A broken answer is repaired by asking again.
    anthropic.failures.add('malformed', 1);
    const repaired = await ai.generate<{ caption: string }>({
      feature: 'test.claude-repair',
      prompt: 'Again',
      schema,
    });
    assert.equal(repaired.provider, 'anthropic');

    // An answer cut off at max_tokens is not taken as finished; a photo over Anthropic's 5 MB is left out.
    anthropic.responder = () => 'word '.repeat(200);
    const cut = await ai.generate({
      feature: 'test.claude-cut',
      prompt: 'Long please',
      maxOutputTokens: 10,
      offline: () => 'offline words',
    });
    assert.equal(cut.provider, 'offline');
    assert.match(cut.problems.join(' '), /cut off at max_tokens/);
    anthropic.responder = undefined;
    await ai.generate({
      feature: 'test.claude-big-photo',
      prompt: 'Read this',
      images: [{ mimeType: 'image/jpeg', data: Buffer.alloc(6 * 1024 * 1024) }],
    });
    assert.equal(anthropic.calls.at(-1)!.images, 0);
    assert.match(anthropic.calls.at(-1)!.prompt, /1 image\(s\) too large to send were left out/);

    const wrong = await claude('not-the-key').generate({
      feature: 'test.claude-key',
      prompt: 'x',
      offline: () => 'offline words',
    });
    assert.equal(wrong.provider, 'offline');
    assert.match(wrong.problems[0]!, /invalid x-api-key/);
    assert.doesNotMatch(wrong.problems.join(' '), /not-the-key/);
  } finally {
    await anthropic.stop();
  }
});
