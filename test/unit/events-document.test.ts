// docs/events.md is written from the modules' event catalogues; it must say what the code declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventsDocument } from '../../src/platform/events/document.ts';
import { MODULES } from '../../src/modules/index.ts';

test('docs/events.md is the catalogue the modules declare (run `npm run docs:events` after changing one)', () => {
  const file = readFileSync(path.resolve(import.meta.dirname, '../../docs/events.md'), 'utf8');
  assert.equal(file, eventsDocument(MODULES));
});

test('every event is documented with a sentence and its payload fields', () => {
  const document = eventsDocument(MODULES);
  const types = MODULES.flatMap((module) => Object.keys(module.events ?? {}));
  assert.ok(types.length >= 20, types.join());
  for (const type of types)
    assert.match(document, new RegExp(`### \`${type.replace('.', '\\.')}\`\\n\\n[A-Za-z].+\\.\\n`));
  assert.match(document, /\| `orderId` \| integer \|/);
  assert.match(document, /\| `amountMinor` \| integer \|/);
});
