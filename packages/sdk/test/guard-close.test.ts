import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { FakeControlPlane } from './fake-control-plane.js';
import { createTestGuard } from './test-guard.js';

const fixture = fileURLToPath(new URL('./fixtures/guard-then-close.ts', import.meta.url));

describe('close() leaves nothing running', () => {
  it('lets the process exit on its own once the guard is closed', async () => {
    const fake = await FakeControlPlane.start({ keepAliveMs: 50 });
    const directory = mkdtempSync(join(tmpdir(), 'estop-close-'));
    try {
      const child = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', fixture, fake.url, fake.token, join(directory, 'break-glass')],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const killer = setTimeout(() => child.kill(), 60_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      clearTimeout(killer);
      assert.equal(code, 0, output);
      assert.match(output, /closed/);
    } finally {
      await fake.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('is safe to call twice, rejects a pending ready(), and decides afterwards without throwing', async () => {
    const fake = await FakeControlPlane.start();
    fake.silence();
    const { guard, errors } = createTestGuard(fake);
    const ready = guard.ready();
    await Promise.all([guard.close(), guard.close()]);
    await assert.rejects(ready, /closed before its first snapshot/);
    await assert.rejects(guard.ready(), /closed/);
    assert.equal(guard.decide({ tenant: 'acme', tool: 'email.send' }).outcome, 'deny');
    assert.deepEqual(errors, []);
    await fake.close();
  });
});
