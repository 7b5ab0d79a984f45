// The sandbox keeps what makes its shop the same shop across restarts in the data directory, which
// on a first start does not exist yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sandboxState } from '../../src/sim/registry.ts';

test('the first start makes the data directory; a restart reads back the same history moment and keys', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sk-sandbox-state-'));
  try {
    const dataDir = path.join(root, 'data'); // not there yet, as on a fresh clone
    const first = sandboxState(dataDir);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(dataDir, 'sandbox.json')).mode & 0o777, 0o600);
    assert.deepEqual(sandboxState(dataDir), first);
    assert.match(first.adminToken, /^shpat_sandbox_[0-9a-f]{32}$/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
