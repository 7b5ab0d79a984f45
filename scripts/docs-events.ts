// Writes docs/events.md from the modules' event catalogues: every event shopkeep emits, when it
// happens and what its payload holds. `npm run docs:events` after changing a module's events.ts; a
// test fails while the file and the catalogues disagree.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventsDocument } from '../src/platform/events/document.ts';
import { MODULES } from '../src/modules/index.ts';

const file = path.resolve(import.meta.dirname, '..', 'docs', 'events.md');
writeFileSync(file, eventsDocument(MODULES));
console.log(`wrote ${path.relative(process.cwd(), file)}`);
