import assert from 'node:assert/strict';
import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isOutputStale } from './stale-output.js';

async function fileAt(path: string, seconds: number): Promise<void> {
  await writeFile(path, 'x');
  await utimes(path, seconds, seconds);
}

describe('npm start builds only what changed: an output is stale when missing or older than a source', () => {
  it('is stale when the output does not exist yet (a fresh clone)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'estop-stale-'));
    await fileAt(join(directory, 'source.ts'), 1_000);
    assert.equal(isOutputStale({ output: join(directory, 'dist/index.html'), sources: [directory] }), true);
  });

  it('is current when every source, however deep, is older than the output', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'estop-stale-'));
    await mkdir(join(directory, 'src/deep'), { recursive: true });
    await fileAt(join(directory, 'src/deep/a.ts'), 1_000);
    await fileAt(join(directory, 'output.html'), 2_000);
    assert.equal(isOutputStale({ output: join(directory, 'output.html'), sources: [join(directory, 'src')] }), false);
  });

  it('is stale when one source, however deep, changed after the output', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'estop-stale-'));
    await mkdir(join(directory, 'src/deep'), { recursive: true });
    await fileAt(join(directory, 'src/a.ts'), 1_000);
    await fileAt(join(directory, 'src/deep/b.ts'), 3_000);
    await fileAt(join(directory, 'output.html'), 2_000);
    assert.equal(isOutputStale({ output: join(directory, 'output.html'), sources: [join(directory, 'src')] }), true);
  });

  it('ignores a source that does not exist', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'estop-stale-'));
    await fileAt(join(directory, 'output.html'), 2_000);
    assert.equal(
      isOutputStale({ output: join(directory, 'output.html'), sources: [join(directory, 'missing')] }),
      false,
    );
  });
});
