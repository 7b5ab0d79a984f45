#!/usr/bin/env node
// Entry point: TypeScript sources run through tsx's loader, so `npx shopkeep` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
