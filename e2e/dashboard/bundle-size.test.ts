import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ensureBuilt } from './harness.js';

const script = fileURLToPath(new URL('../../packages/dashboard/scripts/size.mjs', import.meta.url));

describe("docs/dashboard.md gives the bundle's size the build measures", () => {
  it('the size script finds its own figures in the doc, on a fresh build', async () => {
    await ensureBuilt();
    const checked = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.equal(checked.status, 0, checked.stderr);
  });
});
