// Prompt templates as files: each parses with its name and version, every placeholder is filled by
// its feature, and a missing or extra value is a bug caught here rather than in a model's answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { promptTemplate, renderPrompt } from '../../src/modules/ai/prompts.ts';
import { sourcePath } from '../../src/platform/paths.ts';
import { rubricPrompt } from '../../src/modules/ai/qa/rubric.ts';
import { DEFAULT_VOICE } from '../../src/modules/ai/qa/voice.ts';

test('every prompt file has a name, a version, a system and a prompt section', () => {
  const files = readdirSync(sourcePath('modules', 'ai', 'prompts')).filter((file) => file.endsWith('.md'));
  assert.ok(files.length >= 3);
  for (const file of files) {
    const template = promptTemplate(file.replace(/\.md$/, ''));
    assert.match(template.name, /^[a-z]+\.[a-z.]+$/, file);
    assert.ok(template.version >= 1, file);
    assert.ok(template.system.length > 20 && template.prompt.length > 5, file);
  }
});

test('a prompt renders with its values; a missing or unexpected value is refused; an empty line-value goes', () => {
  const template = promptTemplate('social-caption');
  const values = {
    channel: 'instagram',
    tone: 'warm',
    wordsToUse: 'glossy',
    wordsToAvoid: 'cheap',
    product: 'Argan Oil',
    price: '18.00 GBP',
    stock: 'in stock',
    maxChars: '600',
    maxHashtags: '5',
    brief: '',
    feedback: '',
  };
  const rendered = renderPrompt(template, values);
  assert.equal(rendered.promptVersion, 'social.caption@4');
  assert.match(rendered.system, /^You write instagram posts .* Voice: warm\./);
  assert.equal(
    rendered.prompt,
    'Write one instagram post about "Argan Oil" (price 18.00 GBP, in stock).\nAt most 600 characters and 5 hashtags. End with a clear call to action.\nAnswer with the post text only.',
  );
  // The plan's brief (a theme, the salons' voice, what a test taught) gets its own line.
  assert.match(
    renderPrompt(template, { ...values, brief: 'This post is for salon owners.' }).prompt,
    /call to action\.\nThis post is for salon owners\.\nAnswer/,
  );
  assert.throws(
    () => renderPrompt(template, { ...values, channel: undefined as unknown as string }),
    /needs a value for \{\{channel\}\}/,
  );
  assert.throws(() => renderPrompt(template, { ...values, colour: 'red' }), /has no place for colour/);
  // A value that looks like a placeholder is text, not a template.
  assert.match(renderPrompt(template, { ...values, product: '{{tone}}' }).prompt, /about "\{\{tone\}\}"/);
});

test('the reviewer sees the catalog facts in exact money and the draft as written', () => {
  const { prompt, promptVersion } = rubricPrompt({
    channel: 'instagram',
    text: 'Line one\n\n\n\nLine two',
    products: [{ id: 'p', title: 'Mask', priceMinor: 1999, currency: 'GBP', available: false }],
    voice: DEFAULT_VOICE,
    findings: [],
  });
  assert.equal(promptVersion, 'qa.rubric@2');
  assert.match(prompt, /- Mask: 19\.99 GBP, OUT OF STOCK/);
  assert.match(prompt, /"""\nLine one\n\n\n\nLine two\n"""/);
});

test('a provider error never carries an API key on to the owner or the logs', async () => {
  const { withoutKeys } = await import('../../src/platform/integrations/secrets.ts');
  assert.equal(
    withoutKeys('Incorrect API key provided: sk-proj-ab12********************cd34. You can find your key…'),
    'Incorrect API key provided: [key]. You can find your key…',
  );
  assert.equal(withoutKeys('API key AIzaSyA1234567890abcdefg not valid'), 'API key [key] not valid');
  assert.equal(withoutKeys('model gemini-2.5-flash is overloaded'), 'model gemini-2.5-flash is overloaded');
});
